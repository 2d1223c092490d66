"""Additional comments (customer-visible) and work notes (internal) on success records.

ACCESS.md decides who writes them (access/writes.py): the success writers; contacts write no
success record, comments included. A comment is told to the assignee and to the contacts of the
record's contact filter who see it; a work note only to an assignee who reads work notes.
"""

from __future__ import annotations

from sqlalchemy import RowMapping

from csm_graphql.access import writes
from csm_graphql.domain.enums import ActivityKind
from csm_graphql.repositories import checks, success_writes
from csm_graphql.services.errors import forbidden
from csm_graphql.services.records import load_for_update
from csm_graphql.services.success import require_open
from csm_graphql.services.success_kinds import TASK, SuccessKind
from csm_graphql.services.text import clean_text
from csm_graphql.services.unit_of_work import UnitOfWork


async def _commented(
    work: UnitOfWork, kind: SuccessKind, record_id: int | None, field: str
) -> RowMapping:
    """The record, if the viewer sees it (each caller checks its own policy next)."""
    return await load_for_update(
        work, kind.table, record_id, kind.visible(work.viewer), what=kind.label, field=(field,)
    )


async def add_comment(
    work: UnitOfWork, kind: SuccessKind, record_id: int | None, body: str
) -> tuple[RowMapping, int]:
    """An additional comment; returns the record and the new activity's id."""
    comment = clean_text(body, "body", required=True)
    record = await _commented(work, kind, record_id, "recordId")
    if not writes.comments_on_success_records(work.viewer):
        raise forbidden("Only customer success agents and admins comment on success records.")
    require_open(kind, record, "recordId")
    activity_id = await work.record_activity(
        kind.record_type, record["id"], record["account_id"], ActivityKind.COMMENT, comment
    )
    await work.audit(
        f"{kind.record_type}.comment", kind.record_type, record["id"], {"body": comment}
    )
    visible = record["visible_to_customer"] and (
        kind is not TASK or await success_writes.parent_visible(work, record)
    )
    contacts = await success_writes.contacts_seeing(
        work, kind.contact_list, record, visible=bool(visible)
    )
    # Comments are customer-visible, so the text may go to every recipient.
    await work.notify(
        f"{kind.record_type}.commented",
        kind.record_type,
        record["id"],
        user_ids=[record["assigned_to_id"]],
        contact_ids=contacts,
        payload={
            "number": record["number"],
            "shortDescription": record["short_description"],
            "comment": comment,
        },
    )
    return record, activity_id


async def add_work_note(
    work: UnitOfWork, kind: SuccessKind, record_id: int | None, body: str
) -> tuple[RowMapping, int]:
    """Internal communication: never shown, sent or counted to a contact."""
    note = clean_text(body, "body", required=True)
    record = await _commented(work, kind, record_id, "recordId")
    if not writes.writes_success_work_notes(work.viewer):
        raise forbidden("Only customer success agents and admins write work notes.")
    require_open(kind, record, "recordId")
    activity_id = await work.record_activity(
        kind.record_type, record["id"], record["account_id"], ActivityKind.WORK_NOTE, note
    )
    await work.audit(
        f"{kind.record_type}.work_note",
        kind.record_type,
        record["id"],
        {"activityId": activity_id},
    )
    readers = await checks.work_note_readers(work, [record["assigned_to_id"]])
    await work.notify(
        f"{kind.record_type}.work_noted",
        kind.record_type,
        record["id"],
        user_ids=readers,
        payload={"number": record["number"], "workNote": note},
    )
    return record, activity_id
