"""Customer project writes: task updates by their assignees, comments, completion, and the
project workers' actions (editing and assigning tasks, managing project contacts).

Every function runs inside the caller's unit of work: it reads the record through the viewer's
visibility rule (invisible fails like missing), checks the write policy, validates, writes,
journals and audits; a UserError anywhere rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import RowMapping, delete, insert

from csm_graphql import tables as t
from csm_graphql.access import rows, writes
from csm_graphql.domain.enums import ActivityKind, ProjectState, RecordType
from csm_graphql.domain.timeline import change_kind
from csm_graphql.repositories import checks, entities, project_writes
from csm_graphql.services import cases
from csm_graphql.services.errors import (
    UserError,
    UserErrors,
    bad_input,
    forbidden,
    invalid_state,
    not_found,
)
from csm_graphql.services.records import diff, load_for_update, update_versioned
from csm_graphql.services.text import LONG_TEXT, SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork

# The fields a project worker may edit; an assignee may change only the actual dates.
EDITABLE_TASK_FIELDS = frozenset(
    {
        "short_description",
        "description",
        "state",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "visible_to_customer",
    }
)
ASSIGNEE_TASK_FIELDS = frozenset({"actual_start", "actual_end"})
# Setting an actual start on a task that has not started moves it to work in progress.
NOT_STARTED = frozenset({ProjectState.PENDING, ProjectState.OPEN})


async def _task(work: UnitOfWork, task_id: int | None) -> RowMapping:
    visible = rows.project_tasks(work.viewer)
    return await load_for_update(work, t.project_tasks, task_id, visible, what="project task")


async def _project(
    work: UnitOfWork, project_id: int | None, field: str = "projectId"
) -> RowMapping:
    visible = rows.projects(work.viewer)
    return await load_for_update(
        work, t.projects, project_id, visible, what="project", field=(field,)
    )


def _open(task: RowMapping) -> None:
    if ProjectState(task["state"]).is_closed:
        raise invalid_state(f"Task {task['number']} is closed; it accepts no updates.")


def _validated(task: RowMapping, values: Mapping[str, Any]) -> dict[str, Any]:
    """The task's new values, if together with its current ones they make a valid task."""
    cleaned = dict(values)
    problems: list[UserError] = []
    for name, field, required, limit in (
        ("short_description", "shortDescription", True, SHORT_TEXT),
        ("description", "description", False, LONG_TEXT),
    ):
        if name in values:
            try:
                cleaned[name] = clean_text(values[name], field, required=required, limit=limit)
            except UserError as problem:
                problems.append(problem)
    merged = {**task, **cleaned}
    for start, end, field in (
        ("planned_start", "planned_end", "plannedEnd"),
        ("actual_start", "actual_end", "actualEnd"),
    ):
        if merged[start] and merged[end] and merged[end] < merged[start]:
            label = field.removesuffix("End")
            problems.append(bad_input(f"The {label} end must not be before its start.", (field,)))
    if merged["assigned_contact_id"] is not None and not merged["visible_to_customer"]:
        problems.append(
            bad_input(
                "A task assigned to a contact is visible to customers; unassign it first.",
                ("visibleToCustomer",),
            )
        )
    if problems:
        raise UserErrors(problems)
    return cleaned


async def _journal_change(
    work: UnitOfWork, action: str, before: RowMapping, after: RowMapping
) -> None:
    changes = diff(before, {name: after[name] for name in EDITABLE_TASK_FIELDS})
    if not changes:
        return
    kind = change_kind(RecordType.PROJECT_TASK, changes)
    await work.record_activity(
        RecordType.PROJECT_TASK, after["id"], after["account_id"], kind, changes=changes
    )
    await work.audit(action, RecordType.PROJECT_TASK, after["id"], changes)


async def update_task_dates(
    work: UnitOfWork, task_id: int | None, expected_version: int, values: Mapping[str, date | None]
) -> RowMapping:
    """An assignee (or a project worker) records when work on a task actually started and
    ended. Only the actual dates are accepted here; everything else is editTask's."""
    unknown = set(values) - ASSIGNEE_TASK_FIELDS
    if unknown:
        raise forbidden("Only actualStart and actualEnd can be changed here.")
    task = await _task(work, task_id)
    if not writes.works_on_project_task(work.viewer, task):
        raise forbidden("Only the task's assignee may update it.")
    _open(task)
    changes = _validated(task, values)
    if changes.get("actual_start") and ProjectState(task["state"]) in NOT_STARTED:
        changes["state"] = ProjectState.WORK_IN_PROGRESS.value
    updated = await update_versioned(work, t.project_tasks, task, expected_version, changes)
    await _journal_change(work, "project_task.update", task, updated)
    return updated


async def complete_task(
    work: UnitOfWork, task_id: int | None, expected_version: int | None
) -> RowMapping:
    """Close a task as complete; an empty actual end becomes today (and an empty actual start
    the same day). Completing a closed task is refused, not repeated."""
    task = await _task(work, task_id)
    if not writes.works_on_project_task(work.viewer, task):
        raise forbidden("Only the task's assignee may complete it.")
    if ProjectState(task["state"]).is_closed:
        raise invalid_state(f"Task {task['number']} is already closed.")
    actual_start = task["actual_start"]
    actual_end = task["actual_end"] or max(work.today, actual_start or work.today)
    values = {
        "state": ProjectState.CLOSED_COMPLETE.value,
        "actual_end": actual_end,
        "actual_start": actual_start or actual_end,
    }
    version = task["version"] if expected_version is None else expected_version
    updated = await update_versioned(work, t.project_tasks, task, version, values)
    await _journal_change(work, "project_task.complete", task, updated)
    await work.notify(
        "project_task.completed",
        RecordType.PROJECT_TASK,
        updated["id"],
        user_ids=[updated["assigned_to_id"]],
        contact_ids=[updated["assigned_contact_id"]],
        payload={"number": updated["number"], "state": updated["state"]},
    )
    return updated


async def comment_on_task(work: UnitOfWork, task_id: int | None, body: str) -> int:
    """A customer-visible comment on the task; returns the new activity's id."""
    text = clean_text(body, "body", required=True) or ""
    task = await _task(work, task_id)
    if not writes.works_on_project_task(work.viewer, task):
        raise forbidden("Only the task's assignee may comment on it.")
    activity_id = await work.record_activity(
        RecordType.PROJECT_TASK, task["id"], task["account_id"], ActivityKind.COMMENT, text
    )
    await work.audit("project_task.comment", RecordType.PROJECT_TASK, task["id"], {"body": text})
    # Comments are customer-visible, so the text may go to the external assignee too.
    await work.notify(
        "project_task.commented",
        RecordType.PROJECT_TASK,
        task["id"],
        user_ids=[task["assigned_to_id"]],
        contact_ids=[task["assigned_contact_id"]],
        payload={"number": task["number"], "comment": text},
    )
    return activity_id


async def edit_task(
    work: UnitOfWork, task_id: int | None, expected_version: int, values: Mapping[str, Any]
) -> RowMapping:
    """A project worker changes any field of a task (reopening it included)."""
    task = await _task(work, task_id)
    if not writes.edits_project_tasks(work.viewer):
        raise forbidden("Only project workers may change these fields of a task.")
    unknown = set(values) - EDITABLE_TASK_FIELDS
    if unknown:
        raise bad_input(f"Unknown task fields: {', '.join(sorted(unknown))}.")
    changes = _validated(task, values)
    updated = await update_versioned(work, t.project_tasks, task, expected_version, changes)
    await _journal_change(work, "project_task.edit", task, updated)
    return updated


async def assign_task(
    work: UnitOfWork,
    task_id: int | None,
    expected_version: int,
    *,
    contact_id: int | None = None,
    user_id: int | None = None,
) -> RowMapping:
    """Assign a task to a project contact (which makes it visible to customers), to an
    employee, or to nobody; the new assignee is notified."""
    if contact_id is not None and user_id is not None:
        raise bad_input("Assign a task to a contact or to a user, not both.", ("contactId",))
    task = await _task(work, task_id)
    if not writes.edits_project_tasks(work.viewer):
        raise forbidden("Only project workers may assign tasks.")
    if contact_id is not None and not await project_writes.is_project_contact(
        work, task["project_id"], contact_id
    ):
        raise bad_input("The contact is not a contact of the task's project.", ("contactId",))
    if user_id is not None and not await project_writes.is_active_project_worker(work, user_id):
        raise bad_input("Tasks are assigned to active project workers.", ("userId",))
    values: dict[str, Any] = {"assigned_contact_id": contact_id, "assigned_to_id": user_id}
    if contact_id is not None:
        values["visible_to_customer"] = True
    updated = await update_versioned(work, t.project_tasks, task, expected_version, values)
    changes = diff(task, values)
    if changes:
        await work.record_activity(
            RecordType.PROJECT_TASK,
            updated["id"],
            updated["account_id"],
            change_kind(RecordType.PROJECT_TASK, changes),
            changes=changes,
        )
        await work.audit("project_task.assign", RecordType.PROJECT_TASK, updated["id"], changes)
        await work.notify(
            "project_task.assigned",
            RecordType.PROJECT_TASK,
            updated["id"],
            user_ids=[user_id],
            contact_ids=[contact_id],
            payload={"number": updated["number"], "shortDescription": updated["short_description"]},
        )
    return updated


async def add_project_contact(
    work: UnitOfWork, project_id: int | None, contact_id: int | None
) -> RowMapping:
    """Make a contact one of the project's contacts: a contact of the project's account (its
    own or by contact relationship) or of a partner account serving it."""
    project = await _project(work, project_id)
    if not writes.manages_projects(work.viewer):
        raise forbidden("Only project workers may change a project's contacts.")
    if contact_id is None or not await project_writes.may_join(
        work, project["account_id"], contact_id
    ):
        raise bad_input(
            "The contact must be an active contact of the project's account or of a partner "
            "serving it.",
            ("contactId",),
        )
    if await project_writes.is_project_contact(work, project["id"], contact_id):
        raise invalid_state("The contact is already a contact of this project.", ("contactId",))
    await work.execute(
        insert(t.project_contacts).values(project_id=project["id"], contact_id=contact_id)
    )
    await work.audit(
        "project.add_contact", RecordType.PROJECT, project["id"], {"contactId": contact_id}
    )
    return project


async def remove_project_contact(
    work: UnitOfWork, project_id: int | None, contact_id: int | None
) -> RowMapping:
    """Remove a contact from the project; refused while tasks of the project are assigned to
    it (it would lose sight of its own work)."""
    project = await _project(work, project_id)
    if not writes.manages_projects(work.viewer):
        raise forbidden("Only project workers may change a project's contacts.")
    if contact_id is None or not await project_writes.is_project_contact(
        work, project["id"], contact_id
    ):
        raise not_found("project contact", ("contactId",))
    if await project_writes.has_tasks_assigned_to(work, project["id"], contact_id):
        raise invalid_state(
            "Tasks of this project are assigned to the contact; reassign them first.",
            ("contactId",),
        )
    await work.execute(
        delete(t.project_contacts).where(
            t.project_contacts.c.project_id == project["id"],
            t.project_contacts.c.contact_id == contact_id,
        )
    )
    await work.audit(
        "project.remove_contact", RecordType.PROJECT, project["id"], {"contactId": contact_id}
    )
    return project


async def create_project_case(
    work: UnitOfWork,
    project_id: int | None,
    draft: cases.CaseDraft,
) -> RowMapping:
    """A case about a project (and optionally one of its tasks): only for a project of one of
    the viewer's accounts that it can see (ACCESS.md). The case is the project's account's;
    everything else is createCase's, whose rules and validation apply unchanged."""
    project = await checks.visible_row(work, entities.PROJECT, work.viewer, project_id)
    if project is None:
        raise not_found("project", ("projectId",))
    if not writes.raises_cases_for_project(work.viewer, project):
        raise forbidden("Cases can be raised only for projects of your accounts.", ("projectId",))
    return await cases.create_case(
        work, replace(draft, account_id=project["account_id"], project_id=project["id"])
    )


__all__ = [
    "add_project_contact",
    "assign_task",
    "comment_on_task",
    "complete_task",
    "create_project_case",
    "edit_task",
    "remove_project_contact",
    "update_task_dates",
]
