"""Scalars that accept only what the database can store.

Strawberry's ``DateTime`` accepts any ISO 8601 instant Python can parse, but the driver
stores an aware instant in UTC, and Python's datetime cannot go below year 1 or past year
9999: ``9999-12-31T23:59:59-14:00`` parses, then fails to convert, deep in the driver, as a
server error. This ``DateTime`` (same name, description and wire format, so the schema is
unchanged) refuses such a value as it coerces it: a BAD_USER_INPUT on the argument.

``Date`` needs no such guard: PostgreSQL's ``date`` holds every date Python can parse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition, scalar

# Strawberry's own parsing, and its coercion errors for what is not an ISO 8601 instant.
_parse_iso = cast(Callable[[Any], datetime], DateTimeDefinition.parse_value)


def _storable_datetime(value: Any) -> datetime:
    parsed = _parse_iso(value)
    if parsed.tzinfo is not None:
        try:
            parsed.astimezone(UTC)
        except OverflowError:
            raise StrawberryInputCoercionError(
                f"Value cannot represent a DateTime: {value!r} is outside the range that can "
                "be stored (years 1 to 9999 in UTC)."
            ) from None
    return parsed


DateTime: ScalarDefinition = scalar(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=DateTimeDefinition.specified_by_url,
    serialize=datetime.isoformat,
    parse_value=_storable_datetime,
)

# For StrawberryConfig(scalar_map=...): every ``datetime`` in the schema uses these.
SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DateTime}
