"""Working a request (DOMAIN.md "Request": state changes, comments, attachments).

Who does what follows the case's rules (ACCESS.md: a request "follows the Cases rules for who
creates and sees it"; silent on the rest, so as cases and no wider):

- lifecycle actions (domain/request_lifecycle.py): the agents who work cases;
- additional comments and attachments: whoever sees the request and may comment on cases
  (its contact side, the proxy that raised it, agents; not the read-only success roles);
- work notes: the agents who write them on cases (never a contact or a proxy contact).

The request is read locked under its row rule, so one the actor may not see is NOT_FOUND
exactly like a missing one; a closed or canceled request accepts nothing. Every write is
journaled on the request's activity stream (the kinds of domain/timeline.py) and audited in
the same transaction; a refusal writes nothing.
"""

from __future__ import annotations

from sqlalchemy import RowMapping

from csm_graphql.access import case_writes, rows
from csm_graphql.domain.cases import RequestState
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.domain.request_lifecycle import (
    InvalidRequestTransition,
    RequestAction,
    is_final,
    next_request_state,
)
from csm_graphql.domain.timeline import change_kind
from csm_graphql.services.attachments import described_file, store_attachment
from csm_graphql.services.errors import forbidden, invalid_state
from csm_graphql.services.records import diff, load_for_update, update_versioned
from csm_graphql.services.text import LONG_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.tables.cases import requests as request_table

ACTION_PHRASES = {
    RequestAction.START: "start work on this request",
    RequestAction.FULFILL: "fulfill this request",
    RequestAction.CLOSE: "close this request",
    RequestAction.CANCEL: "cancel this request",
}


async def load_request(work: UnitOfWork, request_id: int | None, field: str = "id") -> RowMapping:
    """The request, locked, if the viewer sees it; NOT_FOUND otherwise (missing or hidden)."""
    visible = rows.requests(work.viewer)
    return await load_for_update(
        work, request_table, request_id, visible, what="request", field=(field,)
    )


def require_open(request: RowMapping) -> None:
    if is_final(RequestState(request["state"])):
        raise invalid_state(
            f"Request {request['number']} is {request['state'].lower()}; it accepts no update."
        )


async def transition_request(
    work: UnitOfWork, request_id: int | None, expected_version: int, action: RequestAction
) -> RowMapping:
    """Move the request through its lifecycle; an action its state does not allow is
    INVALID_STATE, a stale version STALE_VERSION, and either changes nothing."""
    request = await load_request(work, request_id)
    if not case_writes.works_cases(work.viewer):
        raise forbidden(f"This viewer may not {ACTION_PHRASES[action]}.")
    require_open(request)
    try:
        target = next_request_state(RequestState(request["state"]), action)
    except InvalidRequestTransition as error:
        raise invalid_state(str(error), ("action",)) from error
    updated = await update_versioned(
        work, request_table, request, expected_version, {"state": target.value}
    )
    changes = diff(request, {"state": updated["state"]})
    await work.record_activity(
        RecordType.REQUEST,
        updated["id"],
        updated["account_id"],
        change_kind(RecordType.REQUEST, changes),
        None,
        changes,
    )
    await work.audit(f"request.{action.value.lower()}", RecordType.REQUEST, updated["id"], changes)
    return updated


async def add_comment(
    work: UnitOfWork, request_id: int | None, body: str
) -> tuple[RowMapping, int]:
    """An additional comment (customer-visible) by whoever may comment on cases."""
    comment = clean_text(body, "body", required=True, limit=LONG_TEXT)
    request = await load_request(work, request_id, "requestId")
    if not case_writes.comments_on_cases(work.viewer):
        raise forbidden("This viewer may not comment on requests.")
    require_open(request)
    activity_id = await work.record_activity(
        RecordType.REQUEST, request["id"], request["account_id"], ActivityKind.COMMENT, comment
    )
    await work.audit("request.comment", RecordType.REQUEST, request["id"], {"body": comment})
    return request, activity_id


async def add_work_note(
    work: UnitOfWork, request_id: int | None, body: str
) -> tuple[RowMapping, int]:
    """Internal communication: never shown to a contact or a proxy contact."""
    note = clean_text(body, "body", required=True, limit=LONG_TEXT)
    request = await load_request(work, request_id, "requestId")
    if not case_writes.writes_work_notes(work.viewer):
        raise forbidden("Only case agents may write work notes.")
    require_open(request)
    activity_id = await work.record_activity(
        RecordType.REQUEST, request["id"], request["account_id"], ActivityKind.WORK_NOTE, note
    )
    await work.audit(
        "request.work_note", RecordType.REQUEST, request["id"], {"activityId": activity_id}
    )
    return request, activity_id


async def add_attachment(
    work: UnitOfWork, request_id: int | None, file_name: str, content_type: str, size_bytes: int
) -> tuple[RowMapping, int]:
    """File metadata on the request (the bytes live elsewhere), by whoever may comment."""
    file = described_file(file_name, content_type, size_bytes)
    request = await load_request(work, request_id, "requestId")
    if not case_writes.comments_on_cases(work.viewer):
        raise forbidden("This viewer may not attach files to requests.")
    require_open(request)
    attachment_id = await store_attachment(work, RecordType.REQUEST, request, file)
    await work.record_activity(
        RecordType.REQUEST, request["id"], request["account_id"], ActivityKind.ATTACHMENT, file.name
    )
    await work.audit(
        "request.attach",
        RecordType.REQUEST,
        request["id"],
        {"fileName": file.name, "sizeBytes": file.size_bytes},
    )
    return request, attachment_id


__all__ = [
    "add_attachment",
    "add_comment",
    "add_work_note",
    "load_request",
    "transition_request",
]
