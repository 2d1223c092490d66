"""Reading a compiled read's JSON back into the values the resolver path works on, and
recognising the SELECTs the loaded fields capture (issue 10).

The compiled statement writes instants as isoformat text (in a finisher's row, PostgreSQL's
own ISO 8601 text), numerics as their text and dates as ISO dates. The Python finishers
(``graphql/compiled/finishers.py``) and the loaded fields (``graphql/compiled/loaded.py``)
turn them back into what the driver would have given, by the SQL type of each column;
reading SQLAlchemy's column types and statements is this layer's business, so the GraphQL
layer asks here instead of importing sqlalchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Float, Numeric, Select
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import iterate

from csm_graphql.repositories.compiled import PARENT_IDS
from csm_graphql.repositories.entities import Entity

Parse = Callable[[Any], Any]
# Per selected column: its name, how to read its JSON value back (None: as it is), and
# whether it holds instants.
RowReader = tuple[str, Parse | None, bool]


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _instant(value: str) -> datetime:
    """PostgreSQL's JSON text of a timestamptz (ISO 8601 in the session's time zone, UTC
    here) as the driver gives it: the same instant, in UTC."""
    instant = datetime.fromisoformat(value)
    return instant if instant.tzinfo is UTC else instant.astimezone(UTC)


def column_parsers(entity: Entity, names: Sequence[str]) -> dict[str, Parse]:
    """How to read back each of these columns of the entity that is not plain JSON: instants,
    dates and numerics (a finisher's row)."""
    parse: dict[str, Parse] = {}
    for column in entity.columns:
        if column.name in names:
            if isinstance(column.type, DateTime):
                parse[column.name] = _instant
            elif isinstance(column.type, Date):
                parse[column.name] = date.fromisoformat
            elif isinstance(column.type, Numeric):
                parse[column.name] = _decimal
    return parse


def row_readers(statement: Select[Any]) -> list[RowReader]:
    """Per selected column of a captured SELECT: its name, how to read its JSON value back as
    the driver gives it, and whether it holds instants (written as isoformat text)."""
    readers: list[RowReader] = []
    for column in statement.selected_columns:
        kind = column.type  # as repositories.compiled writes them (StatementBuilder._load)
        if isinstance(kind, DateTime):
            readers.append((column.name, datetime.fromisoformat, True))
        elif isinstance(kind, Date):
            readers.append((column.name, date.fromisoformat, False))
        elif isinstance(kind, Numeric) and not isinstance(kind, Float):
            readers.append((column.name, Decimal, False))  # written as text
        else:
            readers.append((column.name, None, False))
    return readers


def selects_by_parent_ids(statement: Any) -> bool:
    """Whether ``statement`` is a SELECT of the parents named by ``PARENT_IDS``: only such a
    SELECT can be embedded per row in the compiled statement."""
    return isinstance(statement, Select) and any(
        isinstance(element, BindParameter) and element.key == PARENT_IDS
        for element in iterate(statement)
    )


__all__ = ["Parse", "RowReader", "column_parsers", "row_readers", "selects_by_parent_ids"]
