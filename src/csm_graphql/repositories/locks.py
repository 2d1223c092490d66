"""The row locks a write takes before it changes anything: ``SELECT ... FOR UPDATE`` of the
row it is about to change, so concurrent writers of one record queue up and the version check
that follows is exact.

Each runs on the write's UnitOfWork (a ``RowReader``) and costs one statement. The caller
passes the viewer's row rule (from ``access.rows``): a row it may not see is not locked and
comes back as None, exactly like a missing one.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, RowMapping, Table, select

from csm_graphql import tables as t
from csm_graphql.repositories.checks import RowReader


async def visible_row_for_update(
    reader: RowReader, table: Table, record_id: int, visible: ColumnElement[bool]
) -> RowMapping | None:
    """The whole row of ``table`` with this id, locked, if ``visible`` (the viewer's row rule
    over ``table``) admits it. Only ``table`` is locked, not what the rule joins to."""
    return await reader.first(
        select(table).where(table.c.id == record_id, visible).with_for_update(of=table)
    )


async def health_definition_for_update(reader: RowReader, engagement_id: int) -> RowMapping | None:
    """The engagement's own health definition, locked, if it has one. The caller locked the
    engagement first (through its row rule), so no rule applies here."""
    definitions = t.health_definitions
    return await reader.first(
        select(definitions).where(definitions.c.engagement_id == engagement_id).with_for_update()
    )


__all__ = ["health_definition_for_update", "visible_row_for_update"]
