"""The reads a write makes before it changes anything: is this record there and visible to
the actor, is this employee active, who has this email. They run through the write's
UnitOfWork (any ``RowReader``), so they see the rows its transaction sees; the row rules come
from the entity registry (``access.rows``), as on the read side."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import RowMapping, Table, func, select

from csm_graphql import tables as t
from csm_graphql.access import principals
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories.entities import Entity


class RowReader(Protocol):
    """What a repository read runs on: the read-side Database, or a write's UnitOfWork (so a
    service reads the very rows its transaction sees, under its locks). The one such protocol:
    every repository function that may run on either takes it."""

    async def rows(self, statement: Any) -> Sequence[RowMapping]: ...
    async def first(self, statement: Any) -> RowMapping | None: ...
    async def scalar(self, statement: Any) -> Any: ...


async def visible_row(
    reader: RowReader, entity: Entity, viewer: Viewer, record_id: int | None
) -> RowMapping | None:
    """The whole stored row of ``entity`` with this id, if the viewer sees it."""
    if record_id is None:
        return None
    table = entity.table
    visible = entity.visible(viewer, ListScope.ALL, table)
    return await reader.first(select(table).where(table.c.id == record_id, visible))


async def visible_value(
    reader: RowReader, entity: Entity, viewer: Viewer, record_id: int | None, column: str = "id"
) -> Any:
    """One column of ``entity``'s row with this id, if the viewer sees it (else None)."""
    if record_id is None:
        return None
    table = entity.table
    visible = entity.visible(viewer, ListScope.ALL, table)
    return await reader.scalar(select(table.c[column]).where(table.c.id == record_id, visible))


async def active_user_ids(reader: RowReader, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` that are active employees."""
    users = t.users
    statement = select(users.c.id).where(users.c.id.in_(sorted(set(user_ids))), users.c.active)
    return {row["id"] for row in await reader.rows(statement)}


async def work_note_readers(reader: RowReader, user_ids: Iterable[int | None]) -> list[int]:
    """Those of ``user_ids`` (None skipped) who read work notes; no statement when none is
    left."""
    wanted = [user_id for user_id in user_ids if user_id is not None]
    if not wanted:
        return []
    users = t.users
    found = await reader.rows(
        select(users.c.id).where(users.c.id.in_(wanted), principals.users_reading_work_notes())
    )
    return [row["id"] for row in found]


async def by_email(
    reader: RowReader, table: Table, address: str, *, active_only: bool = False
) -> RowMapping | None:
    """The user or contact (``table``) with this email, compared case-insensitively."""
    statement = select(table).where(func.lower(table.c.email) == address.strip().lower())
    if active_only:
        statement = statement.where(table.c.active)
    return await reader.first(statement)


__all__ = [
    "RowReader",
    "active_user_ids",
    "by_email",
    "visible_row",
    "visible_value",
    "work_note_readers",
]
