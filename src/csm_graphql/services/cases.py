"""Case writes: create, update, move through the lifecycle, comment, work notes, attach.

Every function runs inside the caller's unit of work: it reads the case through the viewer's
visibility rule (invisible fails like missing), checks the write policy
(``access.case_writes``), validates, writes, journals, audits and queues notifications; a
UserError anywhere rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import RowMapping, delete, insert

from csm_graphql import tables as t
from csm_graphql.access import case_writes
from csm_graphql.domain.case_lifecycle import TRANSITIONS, CaseAction, InvalidTransition, next_state
from csm_graphql.domain.cases import CaseChannel, CaseState, Impact, ResolutionCode, Urgency
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.domain.timeline import change_kind, created_kind
from csm_graphql.repositories import checks, entities
from csm_graphql.repositories.case_references import informed_user_ids as informed_users_of
from csm_graphql.services.attachments import described_file, store_attachment
from csm_graphql.services.case_references import (
    REFERENCE_COLUMNS,
    Problems,
    check_employees,
    resolve_references,
)
from csm_graphql.services.case_slas import advance_slas, applicability_changed, attach_slas
from csm_graphql.services.case_support import (
    collect,
    load_case,
    notify_followers,
    require_open,
    summary,
)
from csm_graphql.services.errors import (
    UserError,
    UserErrors,
    bad_input,
    forbidden,
    invalid_state,
    not_found,
)
from csm_graphql.services.records import bump_version, diff, update_versioned
from csm_graphql.services.text import LONG_TEXT, SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork

# Not a case column: the validated informed users travel with the values to open_case.
INFORMED = "informed_user_ids"


@dataclass(frozen=True, slots=True)
class CaseDraft:
    """A new case as its creator describes it; ids are database ids (None when omitted)."""

    account_id: int | None
    short_description: str
    contact_id: int | None = None
    consumer_name: str | None = None
    consumer_email: str | None = None
    description: str | None = None
    asset_id: int | None = None
    product_id: int | None = None
    entitlement_id: int | None = None
    contract_id: int | None = None
    parent_id: int | None = None
    project_id: int | None = None
    project_task_id: int | None = None
    category: str | None = None
    impact: Impact = Impact.MEDIUM
    urgency: Urgency = Urgency.MEDIUM
    channel: CaseChannel = CaseChannel.WEB
    # The agents' part of the form (access.case_writes.sets_internal_fields).
    internal_contact_id: int | None = None
    assigned_to_id: int | None = None
    support_group_id: int | None = None
    informed_user_ids: tuple[int, ...] | None = None
    share_resolution_notes: bool | None = None

    def internal_fields(self) -> dict[str, str]:
        """The agents-only fields this draft sets: input field by case column."""
        given = {
            "internal_contact_id": ("internalContactId", self.internal_contact_id),
            "assigned_to_id": ("assignedTo", self.assigned_to_id),
            "support_group_id": ("supportGroup", self.support_group_id),
            "informed_user_ids": ("informedUserIds", self.informed_user_ids),
            "share_resolution_notes": ("shareResolutionNotes", self.share_resolution_notes),
        }
        return {column: field for column, (field, value) in given.items() if value is not None}


async def _account(work: UnitOfWork, account_id: int | None) -> RowMapping:
    row = None
    if account_id is not None:
        row = await checks.visible_row(work, entities.ACCOUNT, work.viewer, account_id)
    if row is None:
        raise not_found("account", ("accountId",))
    return row


async def _project_of_case(
    work: UnitOfWork, draft: CaseDraft, account_id: int
) -> tuple[int | None, UserError | None]:
    """ACCESS.md: a case for a project or project task only for a project of the case's
    account that the viewer can see (a task: visible too, and of that project)."""
    project_id = draft.project_id
    if draft.project_task_id is not None:
        task_project_id = await checks.visible_value(
            work, entities.PROJECT_TASK, work.viewer, draft.project_task_id, "project_id"
        )
        if task_project_id is None:
            return None, not_found("project task", ("projectTaskId",))
        if project_id is not None and project_id != task_project_id:
            return None, bad_input("The task is not of that project.", ("projectTaskId",))
        project_id = task_project_id
    if project_id is None:
        return None, None
    found = await checks.visible_value(
        work, entities.PROJECT, work.viewer, project_id, "account_id"
    )
    if found is None:
        return None, not_found("project", ("projectId",))
    if found != account_id:
        return None, bad_input("The project is not of the chosen account.", ("projectId",))
    return project_id, None


async def _validated_draft(work: UnitOfWork, draft: CaseDraft) -> dict[str, Any]:
    """The new case's column values, or every problem with the draft at once."""
    viewer = work.viewer
    if not case_writes.creates_cases(viewer):
        raise forbidden("This viewer may not create cases.")
    account = await _account(work, draft.account_id)
    account_id = account["id"]
    if not case_writes.may_create_for_account(viewer, account_id):
        raise forbidden("Cases can be created only for one of your accounts.", ("accountId",))
    problems = Problems()
    short_description = description = None
    try:
        short_description = clean_text(
            draft.short_description, "shortDescription", required=True, limit=SHORT_TEXT
        )
        description = clean_text(draft.description, "description", required=False, limit=LONG_TEXT)
    except UserError as problem:
        problems.append(problem)

    contact_id = draft.contact_id
    if viewer.is_external and contact_id is None:
        contact_id = viewer.id  # a contact raises its own case unless it names another
    if viewer.is_proxy_contact and not viewer.writes_cases and contact_id is None:
        problems.append(
            bad_input("A proxy contact picks a contact of the account.", ("contactId",))
        )
    if contact_id is not None:
        if contact_id != viewer.contact_id and not case_writes.creates_for_other_contacts(viewer):
            raise forbidden("You may raise cases only for yourself.", ("contactId",))
        await resolve_references(
            work, account_id, {"contact_id": contact_id}, today=work.today, problems=problems
        )

    references = await resolve_references(
        work,
        account_id,
        {
            column: value
            for column, value in (
                ("asset_id", draft.asset_id),
                ("product_id", draft.product_id),
                ("entitlement_id", draft.entitlement_id),
                ("contract_id", draft.contract_id),
                ("parent_id", draft.parent_id),
            )
            if value is not None
        },
        today=work.today,
        problems=problems,
    )
    internal = await _internal_fields(work, draft, problems)
    project_id, project_problem = await _project_of_case(work, draft, account_id)
    if project_problem is not None:
        problems.append(project_problem)
    if problems:
        raise UserErrors(problems)
    consumer = clean_text(draft.consumer_name, "consumer", required=False, limit=SHORT_TEXT)
    return {
        "account_id": account_id,
        "contact_id": contact_id,
        "consumer_name": consumer,
        "consumer_email": clean_text(
            draft.consumer_email, "consumerEmail", required=False, limit=SHORT_TEXT
        ),
        # ACCESS.md: the proxy raising a case becomes its internal contact.
        # An agent may name one (a proxy-contact employee) when raising it for them.
        "internal_contact_id": viewer.id if viewer.is_proxy_contact else draft.internal_contact_id,
        "opened_by_user_id": viewer.user_id,
        "opened_by_contact_id": viewer.contact_id,
        "asset_id": draft.asset_id,
        "product_id": references.get("product_id"),
        "entitlement_id": draft.entitlement_id,
        "contract_id": references.get("contract_id"),
        "parent_id": draft.parent_id,
        "project_id": project_id,
        "project_task_id": draft.project_task_id,
        "category": clean_text(draft.category, "category", required=False, limit=100),
        "impact": int(draft.impact),
        "urgency": int(draft.urgency),
        "channel": draft.channel.value,
        "short_description": short_description,
        "description": description,
        **internal,
    }


async def _internal_fields(
    work: UnitOfWork, draft: CaseDraft, problems: Problems
) -> dict[str, Any]:
    """The agents' part of the draft, checked; any of it from another role is FORBIDDEN."""
    given = draft.internal_fields()
    if given and not case_writes.sets_internal_fields(work.viewer):
        fields = ", ".join(sorted(given.values()))
        raise forbidden(f"Only case agents may set {fields}.", tuple(sorted(given.values())))
    values: dict[str, Any] = {
        "internal_contact_id": draft.internal_contact_id,
        "assigned_to_id": draft.assigned_to_id,
        "support_group_id": draft.support_group_id,
    }
    informed = await check_employees(work, values, draft.informed_user_ids, problems)
    values = {name: value for name, value in values.items() if value is not None}
    values.pop("internal_contact_id", None)  # set with the proxy rule above
    if draft.share_resolution_notes is not None:
        values["share_resolution_notes"] = draft.share_resolution_notes
    if informed:
        values[INFORMED] = informed
    return values


async def open_case(
    work: UnitOfWork, values: Mapping[str, Any], *, action: str = "case.create"
) -> RowMapping:
    """Insert a validated case: number from its sequence, SLAs started, journaled as OPENED,
    audited, notified."""
    columns = {name: value for name, value in values.items() if name != INFORMED}
    case = await work.first(insert(t.cases).values(**columns).returning(*t.cases.c))
    assert case is not None
    await set_informed_users(work, case["id"], values.get(INFORMED, ()))
    await attach_slas(work, case)
    # The timeline covers every record this API writes: a case is journaled as opened, like
    # the other creates, by whoever opened it (an emailed case: its sender, not the gateway).
    await work.record_activity(
        RecordType.CASE,
        case["id"],
        case["account_id"],
        created_kind(RecordType.CASE),
        None,
        {"number": case["number"]},
        author=(case["opened_by_user_id"], case["opened_by_contact_id"]),
    )
    on_behalf = case["contact_id"] if case["contact_id"] != work.viewer.contact_id else None
    await work.audit(
        action,
        RecordType.CASE,
        case["id"],
        {name: value for name, value in values.items() if value is not None},
        on_behalf_of_contact_id=on_behalf,
    )
    await notify_followers(work, "case.opened", case, summary(case))
    return case


async def set_informed_users(work: UnitOfWork, case_id: int, user_ids: Sequence[int]) -> None:
    """Replace the case's informed users (validated by the caller)."""
    informed = t.case_informed_users
    await work.execute(delete(informed).where(informed.c.case_id == case_id))
    if user_ids:
        await work.execute(
            insert(informed).values([{"case_id": case_id, "user_id": u} for u in user_ids])
        )


async def create_case(work: UnitOfWork, draft: CaseDraft) -> RowMapping:
    return await open_case(work, await _validated_draft(work, draft))


# -- updates -------------------------------------------------------------------------------------

# The case form's fields an agent changes; references are validated as on create.
FORM_FIELDS = frozenset(
    {
        "impact",
        "urgency",
        "category",
        "short_description",
        "description",
        "share_resolution_notes",
        "assigned_to_id",
        "support_group_id",
        "channel",
        "internal_contact_id",
    }
)
EDITABLE_FIELDS = FORM_FIELDS | frozenset(REFERENCE_COLUMNS)


# Changed by the lifecycle, not by the form: journaled too, so a case's history shows them.
JOURNALED_FIELDS = ("state", "priority", "resolution_code", "resolution_notes")


async def _journal(
    work: UnitOfWork,
    action: str,
    before: RowMapping,
    after: RowMapping,
    extra: Mapping[str, Any] | None = None,
) -> None:
    changes = diff(before, {name: after[name] for name in (*EDITABLE_FIELDS, *JOURNALED_FIELDS)})
    changes.update(extra or {})
    if not changes:
        return
    kind = change_kind(RecordType.CASE, changes)
    await work.record_activity(
        RecordType.CASE, after["id"], after["account_id"], kind, None, changes
    )
    await work.audit(action, RecordType.CASE, after["id"], changes)


def _form_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The plain fields, cleaned and converted to what the columns store."""
    changes = {name: value for name, value in values.items() if name in FORM_FIELDS}
    if "short_description" in changes:
        changes["short_description"] = clean_text(
            changes["short_description"], "shortDescription", required=True,
            limit=SHORT_TEXT,
        )  # fmt: skip
    if "description" in changes:
        changes["description"] = clean_text(
            changes["description"], "description", required=False, limit=LONG_TEXT
        )
    if "category" in changes:
        changes["category"] = clean_text(changes["category"], "category", required=False, limit=100)
    for name in ("impact", "urgency"):
        if name in changes:
            changes[name] = int(changes[name])
    if "channel" in changes:
        changes["channel"] = CaseChannel(changes["channel"]).value
    return changes


async def update_case(
    work: UnitOfWork,
    case_id: int | None,
    expected_version: int,
    values: Mapping[str, Any],
    informed_user_ids: Sequence[int] | None = None,
) -> RowMapping:
    """An agent changes fields of the case form (never its priority: impact and urgency
    derive it). References are checked as on create, against the case's account; a new
    priority, contract or entitlement cancels and starts SLAs as their definitions say.
    ``informed_user_ids`` replaces the informed users (None: leave them)."""
    case = await load_case(work, case_id)
    if not case_writes.works_cases(work.viewer):
        raise forbidden("Only case agents may change a case's fields.")
    require_open(case)
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise bad_input(f"Unknown case fields: {', '.join(sorted(unknown))}.")
    changes = _form_values(values)
    problems = Problems()
    given = {name: values[name] for name in REFERENCE_COLUMNS if name in values}
    references = await resolve_references(
        work, case["account_id"], given, case=case, today=work.today, problems=problems
    )
    informed = await check_employees(work, changes, informed_user_ids, problems)
    if problems:
        raise UserErrors(problems)
    changes.update(references)
    updated = await update_versioned(work, t.cases, case, expected_version, changes)
    extra: dict[str, Any] = {}
    if informed is not None:
        before = await informed_users_of(work, case["id"])
        if sorted(informed) != before:
            await set_informed_users(work, case["id"], informed)
            extra["informed_user_ids"] = {"from": before, "to": sorted(informed)}
            if updated["version"] == case["version"]:
                # Only the informed users changed: the case changed all the same.
                updated = await bump_version(work, t.cases, updated, expected_version)
    if applicability_changed(case, updated):
        # A new priority, contract or entitlement brings other SLA definitions to bear.
        await attach_slas(work, updated)
    await _journal(work, "case.update", case, updated, extra)
    return updated


# What each action does, as the sentence of a refusal says it.
ACTION_PHRASES = {
    CaseAction.ACCEPT: "accept this case",
    CaseAction.REQUEST_INFO: "request information on this case",
    CaseAction.RESUME: "resume work on this case",
    CaseAction.CUSTOMER_UPDATE: "update this case for its customer",
    CaseAction.PROPOSE_SOLUTION: "propose a solution to this case",
    CaseAction.ACCEPT_SOLUTION: "accept the solution proposed on this case",
    CaseAction.REJECT_SOLUTION: "reject the solution proposed on this case",
    CaseAction.CLOSE: "close this case",
    CaseAction.CANCEL: "cancel this case",
}


async def transition_case(
    work: UnitOfWork,
    case_id: int | None,
    expected_version: int,
    action: CaseAction,
    resolution_code: ResolutionCode | None = None,
    resolution_notes: str | None = None,
) -> RowMapping:
    """Move the case through its lifecycle (domain/case_lifecycle.py). A transition the
    table does not allow is INVALID_STATE and changes nothing."""
    case = await load_case(work, case_id)
    transition = TRANSITIONS[action]
    if not case_writes.may_take(work.viewer, transition.actor, case):
        raise forbidden(f"This viewer may not {ACTION_PHRASES[action]}.")
    require_open(case)
    state = CaseState(case["state"])
    try:
        target = next_state(state, action)
    except InvalidTransition as error:
        raise invalid_state(str(error), ("action",)) from error
    values: dict[str, Any] = {"state": target.value}
    notes = clean_text(resolution_notes, "resolutionNotes", required=False, limit=LONG_TEXT)
    problems = collect(
        [
            bad_input("A resolution code is required.", ("resolutionCode",))
            if transition.needs_resolution_code and resolution_code is None
            else None,
            bad_input("Resolution notes are required.", ("resolutionNotes",))
            if transition.needs_resolution_notes and notes is None
            else None,
        ]
    )
    if problems:
        raise UserErrors(problems)
    if transition.clears_resolution:
        # A rejected solution is no resolution; the journal keeps what it was.
        values["resolution_code"] = values["resolution_notes"] = None
    if resolution_code is not None and transition.needs_resolution_notes:
        values["resolution_code"] = resolution_code.value
    if notes is not None and transition.needs_resolution_notes:
        values["resolution_notes"] = notes
    if action is CaseAction.ACCEPT:
        values["assigned_to_id"] = work.viewer.id
    if target.is_final:
        values["closed_at"] = datetime.now(UTC)
    updated = await update_versioned(work, t.cases, case, expected_version, values)
    await advance_slas(work, case["id"], state, target)
    await _journal(work, f"case.{action.value.lower()}", case, updated)
    if target is CaseState.CLOSED:
        await notify_followers(work, "case.closed", updated, summary(updated))
    return updated


# -- journal entries -----------------------------------------------------------------------------


async def add_comment(work: UnitOfWork, case_id: int | None, body: str) -> tuple[RowMapping, int]:
    """An additional comment (customer-visible). A comment from the customer side on a case
    awaiting info is the "customer update" that returns it to OPEN."""
    comment = clean_text(body, "body", required=True, limit=LONG_TEXT)
    case = await load_case(work, case_id, "caseId")
    if not case_writes.comments_on_cases(work.viewer):
        raise forbidden("This viewer may not comment on cases.")
    require_open(case)
    activity_id = await work.record_activity(
        RecordType.CASE, case["id"], case["account_id"], ActivityKind.COMMENT, comment
    )
    await work.audit("case.comment", RecordType.CASE, case["id"], {"body": comment})
    updated = case
    if CaseState(case["state"]) is CaseState.AWAITING_INFO and case_writes.is_customer_side(
        work.viewer, case
    ):
        target = next_state(CaseState.AWAITING_INFO, CaseAction.CUSTOMER_UPDATE)
        updated = await update_versioned(
            work, t.cases, case, case["version"], {"state": target.value}
        )
        await advance_slas(work, case["id"], CaseState.AWAITING_INFO, target)
        await _journal(work, "case.customer_update", case, updated)
    # Comments are customer-visible, so the text may go to every follower.
    await notify_followers(
        work, "case.commented", updated, {**summary(updated), "comment": comment}
    )
    return updated, activity_id


async def add_work_note(work: UnitOfWork, case_id: int | None, body: str) -> tuple[RowMapping, int]:
    """Internal communication: never shown, sent or counted to a contact or proxy contact."""
    note = clean_text(body, "body", required=True, limit=LONG_TEXT)
    case = await load_case(work, case_id, "caseId")
    if not case_writes.writes_work_notes(work.viewer):
        raise forbidden("Only case agents may write work notes.")
    require_open(case)
    activity_id = await work.record_activity(
        RecordType.CASE, case["id"], case["account_id"], ActivityKind.WORK_NOTE, note
    )
    await work.audit("case.work_note", RecordType.CASE, case["id"], {"activityId": activity_id})
    await notify_followers(
        work, "case.work_noted", case, {**summary(case), "workNote": note}, internal_only=True
    )
    return case, activity_id


async def add_attachment(
    work: UnitOfWork, case_id: int | None, file_name: str, content_type: str, size_bytes: int
) -> tuple[RowMapping, int]:
    """File metadata on the case (the bytes live elsewhere)."""
    file = described_file(file_name, content_type, size_bytes)
    case = await load_case(work, case_id, "caseId")
    if not case_writes.comments_on_cases(work.viewer):
        raise forbidden("This viewer may not attach files to cases.")
    require_open(case)
    attachment_id = await store_attachment(work, RecordType.CASE, case, file)
    await work.record_activity(
        RecordType.CASE, case["id"], case["account_id"], ActivityKind.ATTACHMENT, file.name
    )
    await work.audit(
        "case.attach",
        RecordType.CASE,
        case["id"],
        {"fileName": file.name, "sizeBytes": file.size_bytes},
    )
    return case, attachment_id
