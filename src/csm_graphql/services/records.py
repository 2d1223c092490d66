"""Reading a record for change, and changing it under optimistic concurrency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Table, func, update

from csm_graphql.repositories import locks
from csm_graphql.services.errors import UserError, UserErrorCode, not_found
from csm_graphql.services.unit_of_work import UnitOfWork


async def load_for_update(
    work: UnitOfWork,
    table: Table,
    record_id: int | None,
    visible: ColumnElement[bool],
    *,
    what: str = "record",
    field: tuple[str, ...] = ("id",),
) -> RowMapping:
    """The row, locked until the transaction ends, if it exists and the viewer sees it.

    A row the viewer may not see fails exactly like a missing one (ACCESS.md). The lock makes
    concurrent writers of one record queue up, so the version check that follows is exact.
    """
    if record_id is None:
        raise not_found(what, field)
    row = await locks.visible_row_for_update(work, table, record_id, visible)
    if row is None:
        raise not_found(what, field)
    return row


def diff(
    row: Mapping[str, Any] | RowMapping, values: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The values that differ from the row, as ``{column: {"from": old, "to": new}}``."""
    return {
        name: {"from": row[name], "to": value}
        for name, value in values.items()
        if row[name] != value
    }


def check_version(row: RowMapping, expected_version: int) -> None:
    """STALE_VERSION unless the row is still at the version the client read."""
    if row["version"] != expected_version:
        raise UserError(
            UserErrorCode.STALE_VERSION,
            f"The record was changed by someone else (version {row['version']}, "
            f"expected {expected_version}). Reload it and try again.",
            ("expectedVersion",),
        )


async def bump_version(
    work: UnitOfWork, table: Table, row: RowMapping, expected_version: int
) -> RowMapping:
    """A new version of a row read with :func:`load_for_update` whose change lives in another
    table (e.g. a side list), under the same optimistic check as :func:`update_versioned`."""
    check_version(row, expected_version)
    updated = await work.first(
        update(table)
        .where(table.c.id == row["id"])
        .values(version=table.c.version + 1, updated_at=func.now())
        .returning(*table.c)
    )
    assert updated is not None  # the row is locked by load_for_update
    return updated


async def update_versioned(
    work: UnitOfWork,
    table: Table,
    row: RowMapping,
    expected_version: int,
    values: Mapping[str, Any],
) -> RowMapping:
    """Apply ``values`` to a row read with :func:`load_for_update`, if nobody changed it since
    the client read version ``expected_version``; otherwise STALE_VERSION and nothing changes.

    Values equal to the stored ones are not written; when nothing differs, the row comes back
    as it was, its version unchanged (a retried request is not a second change).
    """
    check_version(row, expected_version)
    changed = {name: change["to"] for name, change in diff(row, values).items()}
    if not changed:
        return row
    updated = await work.first(
        update(table)
        .where(table.c.id == row["id"], table.c.version == expected_version)
        .values(**changed, version=table.c.version + 1, updated_at=func.now())
        .returning(*table.c)
    )
    if updated is None:  # only if the caller skipped load_for_update's lock
        raise UserError(
            UserErrorCode.STALE_VERSION,
            "The record was changed by someone else. Reload it and try again.",
            ("expectedVersion",),
        )
    return updated
