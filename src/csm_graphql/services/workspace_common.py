"""Steps every workspace write shares: the policy check, the engagement read for update,
inserting, journaling and auditing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping, Table, insert

from csm_graphql import tables as t
from csm_graphql.access import rows, writes
from csm_graphql.domain.enums import (
    RecordType,
)
from csm_graphql.domain.timeline import change_kind, created_kind
from csm_graphql.repositories import checks
from csm_graphql.services.errors import (
    bad_input,
    forbidden,
)
from csm_graphql.services.records import diff, load_for_update
from csm_graphql.services.unit_of_work import UnitOfWork


def may_write(work: UnitOfWork) -> None:
    if not writes.works_engagements(work.viewer):
        raise forbidden("Only customer success agents and admins change the workspace.")


async def engagement_for_update(
    work: UnitOfWork, engagement_id: int | None, field: str
) -> RowMapping:
    """The engagement, locked, if the viewer sees it; then the write policy."""
    row = await load_for_update(
        work,
        t.engagements,
        engagement_id,
        rows.engagements(work.viewer),
        what="engagement",
        field=(field,),
    )
    may_write(work)
    return row


async def insert_row(work: UnitOfWork, table: Table, values: Mapping[str, Any]) -> RowMapping:
    row = await work.first(insert(table).values(**values).returning(*table.c))
    assert row is not None
    return row


async def journal_created(
    work: UnitOfWork, record_type: RecordType, row: RowMapping, fields: tuple[str, ...]
) -> None:
    """Journal and audit a new record of an engagement."""
    values = {name: row[name] for name in fields}
    await work.record_activity(
        record_type, row["id"], row["account_id"], created_kind(record_type), changes=values
    )
    await work.audit(f"{record_type}.create", record_type, row["id"], values)


async def active_user(work: UnitOfWork, user_id: int | None, field: str) -> int | None:
    """An employee id that exists and is active (assignees, participants)."""
    if user_id is None:
        return None
    if not await checks.active_user_ids(work, [user_id]):
        raise bad_input("No active employee with this id.", (field,))
    return user_id


async def journal_change(
    work: UnitOfWork,
    record_type: RecordType,
    action: str,
    before: RowMapping,
    after: RowMapping,
    values: Mapping[str, Any],
) -> None:
    changes = diff(before, {name: after[name] for name in values})
    if not changes:
        return
    kind = change_kind(record_type, changes)
    await work.record_activity(record_type, after["id"], after["account_id"], kind, changes=changes)
    await work.audit(action, record_type, after["id"], changes)
