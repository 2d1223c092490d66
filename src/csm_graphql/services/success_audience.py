"""Who a success record is for: its assignee, whether customers see it, and its contact filter
(ACCESS.md: the record's `contact` plus its explicit contact list). Showing a record, hiding it
or changing its filter changes who sees it at once: the row rules read these columns."""

from __future__ import annotations

from sqlalchemy import RowMapping, delete, insert

from csm_graphql.domain.enums import ActivityKind
from csm_graphql.repositories import success_writes
from csm_graphql.services.errors import bad_input, invalid_state, not_found
from csm_graphql.services.records import bump_version, update_versioned
from csm_graphql.services.success import record_for_update, require_open
from csm_graphql.services.success_kinds import SuccessKind
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.services.workspace_common import journal_change


async def assign(
    work: UnitOfWork,
    kind: SuccessKind,
    record_id: int | None,
    expected_version: int,
    user_id: int | None,
) -> RowMapping:
    """Assign an open record to a success agent (or admin), or to nobody (None); the new
    assignee is notified."""
    record = await record_for_update(work, kind, record_id)
    require_open(kind, record)
    if user_id is not None and not await success_writes.may_be_assigned(work, user_id):
        raise bad_input("Success records are assigned to success agents.", ("assignedTo",))
    values = {"assigned_to_id": user_id}
    updated = await update_versioned(work, kind.table, record, expected_version, values)
    await journal_change(
        work, kind.record_type, f"{kind.record_type}.assign", record, updated, values
    )
    if updated["assigned_to_id"] != record["assigned_to_id"]:
        await work.notify(
            f"{kind.record_type}.assigned",
            kind.record_type,
            updated["id"],
            user_ids=[user_id],
            payload={"number": updated["number"], "shortDescription": updated["short_description"]},
        )
    return updated


async def set_visibility(
    work: UnitOfWork,
    kind: SuccessKind,
    record_id: int | None,
    expected_version: int,
    visible_to_customer: bool,
) -> RowMapping:
    """Show the record in its customers' portal, or hide it. A closed record may still be
    shown or hidden: the portal lists closed work too."""
    record = await record_for_update(work, kind, record_id)
    values = {"visible_to_customer": visible_to_customer}
    updated = await update_versioned(work, kind.table, record, expected_version, values)
    await journal_change(
        work, kind.record_type, f"{kind.record_type}.visibility", record, updated, values
    )
    return updated


async def add_contact(
    work: UnitOfWork,
    kind: SuccessKind,
    record_id: int | None,
    expected_version: int,
    contact_id: int | None,
) -> RowMapping:
    """Put a contact of the record's account into its contact filter."""
    record = await record_for_update(work, kind, record_id)
    if contact_id is None or not await success_writes.is_account_contact(
        work, contact_id, record["account_id"]
    ):
        raise bad_input(
            "The contact must be an active contact of the record's account.", ("contactId",)
        )
    listed = await success_writes.listed_contacts(work, kind.contact_list, record["id"])
    if contact_id in listed or contact_id == record["contact_id"]:
        raise invalid_state("The contact is already in the contact filter.", ("contactId",))
    await work.execute(
        insert(kind.contact_list).values(record_id=record["id"], contact_id=contact_id)
    )
    updated = await bump_version(work, kind.table, record, expected_version)
    await _journal_filter(work, kind, updated, "add_contact", contact_id)
    return updated


async def remove_contact(
    work: UnitOfWork,
    kind: SuccessKind,
    record_id: int | None,
    expected_version: int,
    contact_id: int | None,
) -> RowMapping:
    """Take a contact out of the contact filter: off the explicit list, and off the record's
    `contact` if it is that too (either would keep it in)."""
    record = await record_for_update(work, kind, record_id)
    listed = await success_writes.listed_contacts(work, kind.contact_list, record["id"])
    if contact_id is None or (contact_id not in listed and contact_id != record["contact_id"]):
        raise not_found("contact in the contact filter", ("contactId",))
    await work.execute(
        delete(kind.contact_list).where(
            kind.contact_list.c.record_id == record["id"],
            kind.contact_list.c.contact_id == contact_id,
        )
    )
    if record["contact_id"] == contact_id:
        updated = await update_versioned(
            work, kind.table, record, expected_version, {"contact_id": None}
        )
    else:
        updated = await bump_version(work, kind.table, record, expected_version)
    await _journal_filter(work, kind, updated, "remove_contact", contact_id)
    return updated


async def _journal_filter(
    work: UnitOfWork, kind: SuccessKind, record: RowMapping, action: str, contact_id: int
) -> None:
    # The change names the contact by id: the journal's changes are internal (field rules).
    change = {"contactFilter": {action: contact_id}}
    await work.record_activity(
        kind.record_type,
        record["id"],
        record["account_id"],
        ActivityKind.VISIBILITY_CHANGE,
        changes=change,
    )
    await work.audit(f"{kind.record_type}.{action}", kind.record_type, record["id"], change)
