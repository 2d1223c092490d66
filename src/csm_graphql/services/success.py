"""Customer-success records' write side (issue 11): create initiatives and tasks, update and
move initiatives, success cases, tasks and touchpoints through their state machine
(domain/success_lifecycle.py). Who they are for (assignee, visibility, contact filter) is in
success_audience.py, comments and work notes in success_comments.py.

Every function runs inside the caller's unit of work. It reads its record through the viewer's
row rule (invisible fails like missing: NOT_FOUND), then checks the write policy (FORBIDDEN),
the record's state (INVALID_STATE) and the input (BAD_USER_INPUT), writes, journals and
audits; a UserError anywhere rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import RowMapping, func, update

from csm_graphql import tables as t
from csm_graphql.access import rows, writes
from csm_graphql.domain.enums import (
    ActivityKind,
    ObjectiveState,
    Priority,
    Progress,
    RecordType,
    WorkState,
)
from csm_graphql.domain.success_lifecycle import (
    CHOSEN_PROGRESS,
    InvalidTransition,
    SuccessAction,
    transition,
)
from csm_graphql.domain.workspace import PlaySource
from csm_graphql.repositories import success_writes
from csm_graphql.services.errors import bad_input, forbidden, invalid_state, not_found
from csm_graphql.services.records import load_for_update, update_versioned
from csm_graphql.services.success_kinds import (
    INITIATIVE,
    SHARED_FIELDS,
    SUCCESS_CASE,
    SuccessKind,
)
from csm_graphql.services.text import clean_text
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.services.workspace_common import (
    engagement_for_update,
    insert_row,
    journal_change,
    journal_created,
)

# -- reading a record for change ----------------------------------------------------------------


def may_write(work: UnitOfWork) -> None:
    if not writes.works_success_records(work.viewer):
        raise forbidden("Only customer success agents and admins change success records.")


async def record_for_update(
    work: UnitOfWork, kind: SuccessKind, record_id: int | None, field: str = "id"
) -> RowMapping:
    """The record, locked, if the viewer sees it; then the write policy."""
    row = await load_for_update(
        work, kind.table, record_id, kind.visible(work.viewer), what=kind.label, field=(field,)
    )
    may_write(work)
    return row


def require_open(kind: SuccessKind, row: RowMapping, field: str = "id") -> None:
    """CLOSED and CANCELED are final (domain/success_lifecycle.py)."""
    if not WorkState(row["state"]).is_open:
        raise invalid_state(
            f"The {kind.label} {row['number']} is {row['state']}; it accepts no change.", (field,)
        )


# -- creating -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    """What a new initiative or task is given."""

    short_description: str
    description: str | None = None
    priority: Priority = Priority.MODERATE
    due_date: date | None = None
    visible_to_customer: bool = False
    # None: nobody; the mutation passes the creator when the client leaves it out.
    assigned_to_id: int | None = None

    async def values(self, work: UnitOfWork) -> dict[str, Any]:
        if self.assigned_to_id is not None and not await success_writes.may_be_assigned(
            work, self.assigned_to_id
        ):
            raise bad_input("Success records are assigned to success agents.", ("assignedTo",))
        return {
            "short_description": clean_text(
                self.short_description, "shortDescription", required=True
            ),
            "description": clean_text(self.description, "description", required=False),
            "priority": int(self.priority),
            "due_date": self.due_date,
            "visible_to_customer": self.visible_to_customer,
            "assigned_to_id": self.assigned_to_id,
        }


async def create_initiative(
    work: UnitOfWork, engagement_id: int | None, objective_id: int | None, draft: Draft
) -> RowMapping:
    """An initiative on an engagement, or serving an objective (then on the objective's
    engagement). An objective that is closed or canceled takes no new initiative."""
    if objective_id is not None:
        objective = await load_for_update(
            work,
            t.success_objectives,
            objective_id,
            rows.success_objectives(work.viewer),
            what="objective",
            field=("parentId",),
        )
        may_write(work)
        if ObjectiveState(objective["state"]).is_final:
            raise invalid_state(
                f"The objective {objective['number']} is {objective['state']}.", ("parentId",)
            )
        parent = {
            "engagement_id": objective["engagement_id"],
            "account_id": objective["account_id"],
            "objective_id": objective["id"],
        }
    else:
        engagement = await engagement_for_update(work, engagement_id, "parentId")
        parent = {"engagement_id": engagement["id"], "account_id": engagement["account_id"]}
    row = await insert_row(work, t.success_initiatives, {**parent, **await draft.values(work)})
    await journal_created(work, RecordType.SUCCESS_INITIATIVE, row, ("number", "objective_id"))
    return row


async def create_task(
    work: UnitOfWork, parent_kind: SuccessKind, parent_id: int | None, draft: Draft
) -> RowMapping:
    """A planned task (under an initiative) or an unplanned one (under a success case); the
    parent must be open."""
    if parent_kind not in (INITIATIVE, SUCCESS_CASE):
        raise not_found("initiative or success case", ("parentId",))
    parent = await record_for_update(work, parent_kind, parent_id, "parentId")
    require_open(parent_kind, parent, "parentId")
    column = "initiative_id" if parent_kind is INITIATIVE else "success_case_id"
    values = {
        "engagement_id": parent["engagement_id"],
        "account_id": parent["account_id"],
        column: parent["id"],
        **await draft.values(work),
    }
    row = await insert_row(work, t.success_tasks, values)
    await journal_created(work, RecordType.SUCCESS_TASK, row, ("number", column))
    return row


# -- updating -------------------------------------------------------------------------------------


def _validated(kind: SuccessKind, values: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as columns, if every one applies to the kind and is valid."""
    unknown = set(values) - SHARED_FIELDS - kind.own_fields
    if unknown:
        names = ", ".join(sorted(unknown))
        raise bad_input(f"A {kind.label} has no field {names} to change.", (sorted(unknown)[0],))
    changes = dict(values)
    if "short_description" in changes:
        changes["short_description"] = clean_text(
            changes["short_description"], "shortDescription", required=True
        )
    if "description" in changes:
        changes["description"] = clean_text(changes["description"], "description", required=False)
    for name, field in (("priority", "priority"), ("progress", "progress"), ("type", "type")):
        if name in changes and changes[name] is None:
            raise bad_input(f"{field} cannot be cleared.", (field,))
    if "priority" in changes:
        changes["priority"] = int(changes["priority"])
    if "progress" in changes:
        if Progress(changes["progress"]) not in CHOSEN_PROGRESS:
            raise bad_input(
                "Progress PAUSED, COMPLETED and CANCELED follow from the state; move the record "
                "instead.",
                ("progress",),
            )
        changes["progress"] = Progress(changes["progress"]).value
    if "type" in changes:
        changes["type"] = str(changes["type"])
    if "scheduled_at" in changes:
        # A touchpoint is due the day it takes place (as when it is created).
        scheduled = changes["scheduled_at"]
        changes["due_date"] = scheduled.date() if scheduled else None
    return changes


async def update_record(
    work: UnitOfWork,
    kind: SuccessKind,
    record_id: int | None,
    expected_version: int,
    values: Mapping[str, Any],
) -> RowMapping:
    """Change an open record's details under optimistic concurrency."""
    record = await record_for_update(work, kind, record_id)
    require_open(kind, record)
    changes = _validated(kind, values)
    updated = await update_versioned(work, kind.table, record, expected_version, changes)
    await journal_change(
        work, kind.record_type, f"{kind.record_type}.update", record, updated, changes
    )
    return updated


# -- moving through the state machine ------------------------------------------------------------


async def transition_record(
    work: UnitOfWork,
    kind: SuccessKind,
    record_id: int | None,
    expected_version: int,
    action: SuccessAction,
) -> RowMapping:
    """Take ``action`` (domain/success_lifecycle.py); an action the state does not allow is
    INVALID_STATE and changes nothing. Closing an initiative also cancels its open plays."""
    record = await record_for_update(work, kind, record_id)
    updated = await apply_transition(work, kind, record, expected_version, action)
    if kind is INITIATIVE and action is SuccessAction.CLOSE:
        await cancel_open_plays(work, updated)
    return updated


async def apply_transition(
    work: UnitOfWork,
    kind: SuccessKind,
    record: RowMapping,
    expected_version: int,
    action: SuccessAction,
    extra: Mapping[str, Any] | None = None,
) -> RowMapping:
    """Move a record read for update; ``extra`` columns change in the same version."""
    try:
        move = transition(WorkState(record["state"]), action)
    except InvalidTransition as refused:
        raise invalid_state(f"{refused} ({kind.label} {record['number']})", ("action",)) from None
    values: dict[str, Any] = {"state": move.target.value, **(extra or {})}
    if kind.has_progress:
        values["progress"] = move.progress.value
    updated = await update_versioned(work, kind.table, record, expected_version, values)
    audit_action = f"{kind.record_type}.{action.value.lower()}"
    await journal_change(work, kind.record_type, audit_action, record, updated, values)
    return updated


OPEN_WORK = [state.value for state in WorkState if state.is_open]


async def cancel_open_plays(work: UnitOfWork, initiative: RowMapping) -> None:
    """DOMAIN.md: closing an initiative cancels its open plays, the success cases launched
    under it and the success plays launched from it, each journaled and audited."""
    canceled = WorkState.CANCELED.value
    cases, plays = t.success_cases, t.success_plays
    for table, record_type, match in (
        (cases, RecordType.SUCCESS_CASE, cases.c.initiative_id == initiative["id"]),
        (
            plays,
            RecordType.SUCCESS_PLAY,
            (plays.c.source_type == PlaySource.INITIATIVE.value)
            & (plays.c.source_id == initiative["id"]),
        ),
    ):
        changed = await work.rows(
            update(table)
            .where(match, table.c.state.in_(OPEN_WORK))
            .values(state=canceled, version=table.c.version + 1, updated_at=func.now())
            .returning(table.c.id, table.c.account_id)
        )
        for row in changed:
            change = {"state": {"to": canceled}, "reason": "initiative closed"}
            await work.record_activity(
                record_type, row["id"], row["account_id"], ActivityKind.STATE_CHANGE, changes=change
            )
            await work.audit(f"{record_type}.cancel", record_type, row["id"], change)
