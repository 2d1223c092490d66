"""Customer project mutations: thin resolvers over services/projects.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

import strawberry

from csm_graphql.domain.cases import Impact, Urgency
from csm_graphql.domain.enums import ProjectState
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.ids import from_global_id
from csm_graphql.graphql.mutations.common import UserError, perform, reload
from csm_graphql.graphql.types.cases import Case
from csm_graphql.graphql.types.projects import Project, ProjectTask
from csm_graphql.graphql.types.records import Activity
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.database import Row
from csm_graphql.services import projects
from csm_graphql.services.cases import CaseDraft
from csm_graphql.services.unit_of_work import UnitOfWork


def id_of(global_id: strawberry.ID | None, type_name: str) -> int | None:
    """A record id from a global id; anything else (malformed, another type) is None, which the
    services report as NOT_FOUND, exactly like a missing record."""
    decoded = from_global_id(global_id) if global_id else None
    return decoded[1] if decoded and decoded[0] == type_name else None


def _given(**values: Any) -> dict[str, Any]:
    """The arguments the client actually sent (null included: it clears the field)."""
    return {name: value for name, value in values.items() if value is not strawberry.UNSET}


def _assignee(global_id: strawberry.ID | None, type_name: str) -> int | None:
    # A malformed or wrong-type id names nobody who exists (id 0): an invalid assignee, not
    # "no assignee", which is what omitting it means.
    if global_id is None:
        return None
    return id_of(global_id, type_name) or 0


TaskId = Annotated[strawberry.ID, strawberry.argument(description="The project task.")]
ExpectedVersion = Annotated[
    int, strawberry.argument(description="The task's version as last read (optimistic lock).")
]
Day = Annotated[date | None, strawberry.argument(description="A date; null clears it.")]


@strawberry.type(description="The result of changing a project task.")
class ProjectTaskPayload:
    project_task: ProjectTask | None = strawberry.field(
        description="The task as the viewer now sees it; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of commenting on a project task.")
class AddProjectTaskCommentPayload:
    project_task: ProjectTask | None = strawberry.field(description="The task commented on.")
    comment: Activity | None = strawberry.field(description="The new comment.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of raising a case for a project.")
class CreateProjectCasePayload:
    case: Case | None = strawberry.field(
        description="The new case, linked to the project (and task); null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of changing a project's contacts.")
class ProjectContactsPayload:
    project: Project | None = strawberry.field(description="The project; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


async def _task_payload(
    info: Info, change: Callable[[UnitOfWork], Awaitable[Row]]
) -> ProjectTaskPayload:
    outcome = await perform(info, change)
    if not outcome.ok or outcome.value is None:
        return ProjectTaskPayload(project_task=None, user_errors=outcome.user_errors)
    row = await reload(info, entities.PROJECT_TASK, outcome.value["id"])
    return ProjectTaskPayload(
        project_task=ProjectTask.from_row(row) if row else None, user_errors=[]
    )


async def _project_payload(
    info: Info, change: Callable[[UnitOfWork], Awaitable[Row]]
) -> ProjectContactsPayload:
    outcome = await perform(info, change)
    if not outcome.ok or outcome.value is None:
        return ProjectContactsPayload(project=None, user_errors=outcome.user_errors)
    row = await reload(info, entities.PROJECT, outcome.value["id"])
    return ProjectContactsPayload(project=Project.from_row(row) if row else None, user_errors=[])


@strawberry.type(description="Customer project changes.")
class ProjectMutations:
    @strawberry.mutation(
        description="Record when work on a task actually started or ended (its assignee, or a "
        "project worker). Setting the actual start of a pending or open task puts it in "
        "progress. Omitted arguments stay as they are."
    )
    async def update_project_task(
        self,
        info: Info,
        id: TaskId,
        expected_version: ExpectedVersion,
        actual_start: Day = strawberry.UNSET,
        actual_end: Day = strawberry.UNSET,
    ) -> ProjectTaskPayload:
        values = _given(actual_start=actual_start, actual_end=actual_end)
        task_id = id_of(id, "ProjectTask")
        return await _task_payload(
            info, lambda work: projects.update_task_dates(work, task_id, expected_version, values)
        )

    @strawberry.mutation(
        description="Complete a task (its assignee, or a project worker): the state becomes "
        "CLOSED_COMPLETE and an empty actual end today. A closed task cannot be completed again."
    )
    async def complete_project_task(
        self,
        info: Info,
        id: TaskId,
        expected_version: Annotated[
            int | None, strawberry.argument(description="Optional optimistic lock.")
        ] = None,
    ) -> ProjectTaskPayload:
        task_id = id_of(id, "ProjectTask")
        return await _task_payload(
            info, lambda work: projects.complete_task(work, task_id, expected_version)
        )

    @strawberry.mutation(description="Add a customer-visible comment to a task.")
    async def add_project_task_comment(
        self,
        info: Info,
        id: TaskId,
        body: Annotated[str, strawberry.argument(description="The comment, 1 to 4000 chars.")],
    ) -> AddProjectTaskCommentPayload:
        task_id = id_of(id, "ProjectTask")
        outcome = await perform(info, lambda work: projects.comment_on_task(work, task_id, body))
        if not outcome.ok or outcome.value is None:
            return AddProjectTaskCommentPayload(
                project_task=None, comment=None, user_errors=outcome.user_errors
            )
        task = await reload(info, entities.PROJECT_TASK, task_id)
        comment = await reload(info, entities.ACTIVITY, outcome.value)
        return AddProjectTaskCommentPayload(
            project_task=ProjectTask.from_row(task) if task else None,
            comment=Activity.from_row(comment) if comment else None,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Change any field of a task (project workers only; external viewers get "
        "FORBIDDEN). Omitted arguments stay as they are."
    )
    async def edit_project_task(
        self,
        info: Info,
        id: TaskId,
        expected_version: ExpectedVersion,
        short_description: Annotated[
            str | None, strawberry.argument(description="One-line summary.")
        ] = strawberry.UNSET,
        description: Annotated[
            str | None, strawberry.argument(description="What to do.")
        ] = strawberry.UNSET,
        state: Annotated[
            ProjectState | None, strawberry.argument(description="Lifecycle state.")
        ] = strawberry.UNSET,
        planned_start: Day = strawberry.UNSET,
        planned_end: Day = strawberry.UNSET,
        actual_start: Day = strawberry.UNSET,
        actual_end: Day = strawberry.UNSET,
        visible_to_customer: Annotated[
            bool | None, strawberry.argument(description="Shown in the portal.")
        ] = strawberry.UNSET,
    ) -> ProjectTaskPayload:
        values = _given(
            short_description=short_description,
            description=description,
            state=state.value if isinstance(state, ProjectState) else state,
            planned_start=planned_start,
            planned_end=planned_end,
            actual_start=actual_start,
            actual_end=actual_end,
            visible_to_customer=visible_to_customer,
        )
        for required in ("short_description", "state", "visible_to_customer"):
            if required in values and values[required] is None:
                values.pop(required)  # null means "leave as is" for fields that cannot be empty
        task_id = id_of(id, "ProjectTask")
        return await _task_payload(
            info, lambda work: projects.edit_task(work, task_id, expected_version, values)
        )

    @strawberry.mutation(
        description="Assign a task to a contact of its project (which makes it visible to "
        "customers), to an employee, or to nobody when both are omitted (project workers "
        "only). The new assignee is notified."
    )
    async def assign_project_task(
        self,
        info: Info,
        id: TaskId,
        expected_version: ExpectedVersion,
        contact_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="A contact of the project.")
        ] = None,
        user_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="An active employee.")
        ] = None,
    ) -> ProjectTaskPayload:
        task_id = id_of(id, "ProjectTask")
        contact, user = _assignee(contact_id, "Contact"), _assignee(user_id, "User")
        return await _task_payload(
            info,
            lambda work: projects.assign_task(
                work, task_id, expected_version, contact_id=contact, user_id=user
            ),
        )

    @strawberry.mutation(
        description="Raise a case about a project, or one of its tasks, of one of your "
        "accounts that you can see. The case belongs to the project's account and is "
        "visible to you at once; createCase's rules and validation apply."
    )
    async def create_project_case(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        short_description: Annotated[str, strawberry.argument(description="One-line summary.")],
        description: Annotated[str | None, strawberry.argument(description="Details.")] = None,
        project_task_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="A task of the project.")
        ] = None,
        contact_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="On behalf of this contact (admins, agents)."),
        ] = None,
        impact: Annotated[Impact, strawberry.argument(description="Impact.")] = Impact.MEDIUM,
        urgency: Annotated[Urgency, strawberry.argument(description="Urgency.")] = Urgency.MEDIUM,
        category: Annotated[str | None, strawberry.argument(description="Category.")] = None,
    ) -> CreateProjectCasePayload:
        draft = CaseDraft(
            account_id=None,
            short_description=short_description,
            description=description,
            project_task_id=_assignee(project_task_id, "ProjectTask"),
            contact_id=_assignee(contact_id, "Contact"),
            impact=impact,
            urgency=urgency,
            category=category,
        )
        project = id_of(project_id, "Project")
        outcome = await perform(
            info, lambda work: projects.create_project_case(work, project, draft)
        )
        if not outcome.ok or outcome.value is None:
            return CreateProjectCasePayload(case=None, user_errors=outcome.user_errors)
        row = await reload(info, case_entities.CASE, outcome.value["id"])
        return CreateProjectCasePayload(case=Case.from_row(row) if row else None, user_errors=[])

    @strawberry.mutation(
        description="Add a contact to a project: a contact of its account, or of a partner "
        "serving that account (project workers only)."
    )
    async def add_project_contact(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        contact_id: Annotated[strawberry.ID, strawberry.argument(description="The contact.")],
    ) -> ProjectContactsPayload:
        project, contact = id_of(project_id, "Project"), id_of(contact_id, "Contact")
        return await _project_payload(
            info, lambda work: projects.add_project_contact(work, project, contact)
        )

    @strawberry.mutation(
        description="Remove a contact from a project (project workers only); refused while "
        "tasks of the project are assigned to it."
    )
    async def remove_project_contact(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        contact_id: Annotated[strawberry.ID, strawberry.argument(description="The contact.")],
    ) -> ProjectContactsPayload:
        project, contact = id_of(project_id, "Project"), id_of(contact_id, "Contact")
        return await _project_payload(
            info, lambda work: projects.remove_project_contact(work, project, contact)
        )
