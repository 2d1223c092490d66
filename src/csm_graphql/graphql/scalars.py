"""The custom scalars: Strawberry's parsing and serialising, with what this API adds.

* Descriptions and ``@specifiedBy``, so that clients and code generators can tell the exact
  format from the schema alone.
* ``DateTime`` inputs that PostgreSQL can store. Strawberry's accepts any ISO 8601 instant
  Python can parse, but the driver stores an aware instant in UTC, and Python's datetime cannot
  go below year 1 or past year 9999: ``9999-12-31T23:59:59-14:00`` parses, then fails to
  convert deep in the driver, as a server error. Here it is refused as it is coerced: a
  BAD_USER_INPUT on the argument. (``Date`` needs no such guard: PostgreSQL's ``date`` holds
  every date Python can parse.)
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    DecimalDefinition,
)
from strawberry.types.scalar import ScalarDefinition

# Strawberry's own parsing, and its coercion errors for what is not an ISO 8601 instant.
_parse_iso = cast(Callable[[Any], dt.datetime], DateTimeDefinition.parse_value)


def _serialize_instant(value: dt.datetime) -> str:
    # Every timestamp is stored as timestamptz and arrives timezone-aware; a naive one would
    # print without an offset, which RFC 3339 does not allow, so it is a bug, not an output.
    if value.tzinfo is None:
        raise ValueError(f"DateTime without a UTC offset: {value!r}")
    return value.isoformat()


def _storable_instant(value: Any) -> dt.datetime:
    parsed = _parse_iso(value)
    if parsed.tzinfo is not None:
        try:
            parsed.astimezone(dt.UTC)
        except OverflowError:
            raise StrawberryInputCoercionError(
                f"Value cannot represent a DateTime: {value!r} is outside the range that can "
                "be stored (years 1 to 9999 in UTC)."
            ) from None
    return parsed


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
    parse_value=_storable_instant,
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
