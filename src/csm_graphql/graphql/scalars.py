"""The custom scalars, as Strawberry serialises them, with descriptions and ``@specifiedBy``.

Strawberry's own definitions for ``date``, ``datetime`` and ``Decimal`` are kept for parsing and
serialising; only what the schema says about them changes, so that clients and code generators
can tell the exact format from the schema alone.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import replace
from typing import Any

from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    DecimalDefinition,
)
from strawberry.types.scalar import ScalarDefinition


def _serialize_instant(value: dt.datetime) -> str:
    # Every timestamp is stored as timestamptz and arrives timezone-aware; a naive one would
    # print without an offset, which RFC 3339 does not allow, so it is a bug, not an output.
    if value.tzinfo is None:
        raise ValueError(f"DateTime without a UTC offset: {value!r}")
    return value.isoformat()


DATE = replace(
    DateDefinition,
    description="A calendar date, YYYY-MM-DD (RFC 3339 full-date), e.g. 2026-06-01.",
    specified_by_url="https://ibm.github.io/graphql-specs/custom-scalars/date.html",
)
DATE_TIME = replace(
    DateTimeDefinition,
    description=(
        "An instant: an RFC 3339 date-time with its UTC offset, e.g. 2026-06-01T09:30:00+00:00 "
        "(fractional seconds when not zero). Send the offset in inputs too."
    ),
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    serialize=_serialize_instant,
)
DECIMAL = replace(
    DecimalDefinition,
    description=(
        'An exact decimal number as a string, e.g. "360081.00" (money keeps its two places). '
        "Inputs may be strings or numbers; strings avoid floating-point rounding."
    ),
    specified_by_url="https://speleotrove.com/decimal/daconvs.html#reftostr",
)

SCALAR_OVERRIDES: dict[object, Any | ScalarDefinition] = {
    dt.date: DATE,
    dt.datetime: DATE_TIME,
    decimal.Decimal: DECIMAL,
}
