"""Internal discussions about an engagement or a record under it (issue 4): started with chosen
employees, shown in the record's activity stream, read and posted to by participants and the
success roles only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, Table, insert

from csm_graphql import tables as t
from csm_graphql.access import rows, writes
from csm_graphql.domain.enums import (
    ActivityKind,
    RecordType,
)
from csm_graphql.repositories import checks, workspace_writes
from csm_graphql.services.errors import (
    bad_input,
    forbidden,
    not_found,
)
from csm_graphql.services.records import load_for_update
from csm_graphql.services.text import clean_text
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.services.workspace_common import insert_row, may_write

# -- discussions ----------------------------------------------------------------------------------

# The records a discussion can be about: the table and its row rule (engagement included).
DISCUSSED: dict[RecordType, tuple[Table, Any]] = {
    RecordType.ENGAGEMENT: (t.engagements, rows.engagements),
    RecordType.SUCCESS_INITIATIVE: (t.success_initiatives, rows.success_initiatives),
    RecordType.SUCCESS_CASE: (t.success_cases, rows.success_cases),
    RecordType.TOUCHPOINT: (t.touchpoints, rows.touchpoints),
    RecordType.SUCCESS_OBJECTIVE: (t.success_objectives, rows.success_objectives),
    RecordType.INTERNAL_PLAY: (t.internal_plays, rows.internal_plays),
    RecordType.RISK_SIGNAL: (t.risk_signals, rows.risk_signals),
}
MAX_PARTICIPANTS = 50


async def start_discussion(
    work: UnitOfWork,
    record_type: RecordType | None,
    record_id: int | None,
    participant_ids: list[int | None],
    subject: str,
    message: str,
) -> RowMapping:
    """Open a discussion about an engagement or a record under it with chosen employees; it
    shows in the record's activity stream as a DISCUSSION entry, which only its participants
    and the internal success roles read."""
    if record_type is None or record_type not in DISCUSSED:
        raise not_found("record to discuss", ("recordId",))
    table, rule = DISCUSSED[record_type]
    record = await load_for_update(
        work, table, record_id, rule(work.viewer), what="record", field=("recordId",)
    )
    may_write(work)
    if not participant_ids or len(participant_ids) > MAX_PARTICIPANTS:
        raise bad_input(f"Name 1 to {MAX_PARTICIPANTS} participants.", ("participants",))
    if any(p is None for p in participant_ids):
        raise bad_input("Participants are employees (User ids).", ("participants",))
    chosen = {p for p in participant_ids if p is not None} | {work.viewer.id}
    if await checks.active_user_ids(work, chosen) != chosen:
        raise bad_input("Every participant must be an active employee.", ("participants",))
    body = clean_text(message, "message", required=True)
    engagement_id = (
        record["id"] if record_type is RecordType.ENGAGEMENT else record["engagement_id"]
    )
    discussion = await insert_row(
        work,
        t.discussions,
        {
            "engagement_id": engagement_id,
            "account_id": record["account_id"],
            "record_type": record_type.value,
            "record_id": record["id"],
            "subject": clean_text(subject, "subject", required=True),
            "started_by_id": work.viewer.id,
        },
    )
    await work.connection.execute(
        insert(t.discussion_participants),
        [{"discussion_id": discussion["id"], "user_id": user} for user in sorted(chosen)],
    )
    await _post(work, discussion, body or "")
    await work.record_activity(
        record_type,
        record["id"],
        record["account_id"],
        ActivityKind.DISCUSSION,
        body=discussion["subject"],
        changes={"discussionId": discussion["id"]},
    )
    await work.audit(
        "discussion.start",
        "discussion",
        discussion["id"],
        {"recordType": record_type, "recordId": record["id"], "participants": sorted(chosen)},
    )
    await work.notify(
        "discussion.started",
        "discussion",
        discussion["id"],
        user_ids=sorted(chosen),
        payload={"subject": discussion["subject"]},
    )
    return discussion


async def _post(work: UnitOfWork, discussion: RowMapping, body: str) -> RowMapping:
    return await insert_row(
        work,
        t.discussion_messages,
        {
            "discussion_id": discussion["id"],
            "account_id": discussion["account_id"],
            "author_id": work.viewer.id,
            "body": body,
        },
    )


async def post_to_discussion(
    work: UnitOfWork, discussion_id: int | None, message: str
) -> RowMapping:
    """Add a message; its participants and the success writers may post."""
    discussion = await load_for_update(
        work, t.discussions, discussion_id, rows.discussions(work.viewer), what="discussion"
    )
    participants = await workspace_writes.discussion_participants(work, discussion["id"])
    if not writes.posts_to_discussion(work.viewer, participants):
        raise forbidden("Only the discussion's participants and success agents post to it.")
    posted = await _post(work, discussion, clean_text(message, "message", required=True) or "")
    await work.audit("discussion.post", "discussion", discussion["id"], {"messageId": posted["id"]})
    await work.notify(
        "discussion.posted",
        "discussion",
        discussion["id"],
        user_ids=sorted(participants),
        payload={"subject": discussion["subject"]},
    )
    return discussion
