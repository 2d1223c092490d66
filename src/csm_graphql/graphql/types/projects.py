"""Customer projects: projects, their tasks, change requests and issues (DOMAIN.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Self

import strawberry
from sqlalchemy import ColumnElement, RowMapping
from strawberry.types import Info

from csm_graphql.domain.enums import ActivityKind as ActivityKindValue
from csm_graphql.domain.enums import ProjectState, RecordType
from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.ids import database_id, to_global_id
from csm_graphql.graphql.inputs import OrderDirection, to_ordering
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.cases import Case, WorkOrder
from csm_graphql.graphql.types.common import activity_children, child_connection
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, Contact, User
from csm_graphql.graphql.types.records import Activity
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.entities import Entity, OrderField

strawberry.enum(ProjectState, description="Lifecycle of a customer project or project task.")


# -- list arguments --------------------------------------------------------------------------


@strawberry.enum(description="What project lists sort by (then by id). Dates: empty last.")
class ProjectOrderField(Enum):
    NUMBER = OrderField.NUMBER
    NAME = OrderField.NAME
    PLANNED_START = OrderField.PLANNED_START
    PLANNED_END = OrderField.PLANNED_END
    UPDATED_AT = OrderField.UPDATED_AT


@strawberry.enum(description="What project task lists sort by (then by id). Dates: empty last.")
class ProjectTaskOrderField(Enum):
    PLANNED_END = OrderField.PLANNED_END
    PLANNED_START = OrderField.PLANNED_START
    NUMBER = OrderField.NUMBER
    UPDATED_AT = OrderField.UPDATED_AT


@strawberry.input(description="Sort order of a project list.")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(
        default=ProjectOrderField.NUMBER, description="Sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Sort direction."
    )


@strawberry.input(description="Sort order of a project task list.")
class ProjectTaskOrder:
    field: ProjectTaskOrderField = strawberry.field(
        default=ProjectTaskOrderField.PLANNED_END, description="Sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Sort direction."
    )


@strawberry.input(description="Filters of project lists; all given filters apply.")
class ProjectFilter:
    state: list[ProjectState] | None = strawberry.field(
        default=None, description="Any of these states."
    )
    account: strawberry.ID | None = strawberry.field(
        default=None, description="Only projects of this account."
    )

    def conditions(self) -> list[ColumnElement[bool]]:
        columns = entities.PROJECT.table.c
        conditions: list[ColumnElement[bool]] = []
        if self.state:
            conditions.append(columns.state.in_([state.value for state in self.state]))
        if (account_id := database_id(self.account, "Account", field="filter.account")) is not None:
            conditions.append(columns.account_id == account_id)
        return conditions


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """A project task filter by value, so that equal filters batch together in the loader."""

    states: tuple[ProjectState, ...] = ()
    project_id: int | None = None
    planned_end_from: date | None = None
    planned_end_to: date | None = None

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        columns = entity.table.c
        conditions: list[ColumnElement[bool]] = []
        if self.states:
            conditions.append(columns.state.in_([state.value for state in self.states]))
        if self.project_id is not None:
            conditions.append(columns.project_id == self.project_id)
        if self.planned_end_from is not None:
            conditions.append(columns.planned_end >= self.planned_end_from)
        if self.planned_end_to is not None:
            conditions.append(columns.planned_end <= self.planned_end_to)
        return conditions


@strawberry.input(description="Filters of project task lists; all given filters apply.")
class ProjectTaskFilter:
    state: list[ProjectState] | None = strawberry.field(
        default=None, description="Any of these states."
    )
    project: strawberry.ID | None = strawberry.field(
        default=None, description="Only tasks of this project."
    )
    planned_end_from: date | None = strawberry.field(
        default=None, description="Planned to end on or after this date."
    )
    planned_end_to: date | None = strawberry.field(
        default=None, description="Planned to end on or before this date."
    )

    def to_task_filter(self) -> TaskFilter:
        start, end = self.planned_end_from, self.planned_end_to
        if start and end and start > end:
            raise BadUserInput(
                "plannedEndFrom must not be after plannedEndTo.", field="filter.plannedEndFrom"
            )
        return TaskFilter(
            states=tuple(self.state or ()),
            project_id=database_id(self.project, "Project", field="filter.project"),
            planned_end_from=start,
            planned_end_to=end,
        )


ProjectTaskFilterArg = Annotated[
    ProjectTaskFilter | None, strawberry.argument(description="Only matching tasks.")
]
ProjectTaskOrderArg = Annotated[
    ProjectTaskOrder | None, strawberry.argument(description="Sort order; planned end first.")
]


# -- shared resolvers ------------------------------------------------------------------------


async def _account(root: Any, info: Info) -> Account | None:
    row = await info.context.loaders.by_id(entities.ACCOUNT).load(root.account_id)
    return Account.from_row(row) if row else None


async def _project(root: Any, info: Info) -> Project | None:
    row = await info.context.loaders.by_id(entities.PROJECT).load(root.project_id)
    return Project.from_row(row) if row else None


def _dates(row: RowMapping) -> dict[str, date | None]:
    return {
        "planned_start": row["planned_start"],
        "planned_end": row["planned_end"],
        "actual_start": row["actual_start"],
        "actual_end": row["actual_end"],
    }


# -- types -----------------------------------------------------------------------------------


@field_rules
@strawberry.type(
    description="A customer project. External viewers see a project only as one of its "
    "contacts, and only read it."
)
class Project(Node):
    db_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    number: str = strawberry.field(description="Project number, e.g. PRJ0000012.")
    name: str = strawberry.field(description="Project name.")
    description: str | None = strawberry.field(description="What the project delivers.")
    state: ProjectState = strawberry.field(description="Lifecycle state.")
    planned_start: date | None = strawberry.field(description="Planned start date.")
    planned_end: date | None = strawberry.field(description="Planned end date.")
    actual_start: date | None = strawberry.field(description="Actual start date.")
    actual_end: date | None = strawberry.field(description="Actual end date.")
    version: int = strawberry.field(description="Optimistic-concurrency version.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    account = strawberry.field(resolver=_account, description="The customer account.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Project", row["id"])),
            db_id=row["id"],
            account_id=row["account_id"],
            number=row["number"],
            name=row["name"],
            description=row["description"],
            state=ProjectState(row["state"]),
            **_dates(row),
            version=row["version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(description="The project's contacts the viewer may see, by name.")
    async def contacts(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Contact]:
        loader = info.context.loaders.project_contacts(page_request(info, first, after))
        return Connection.from_page(await loader.load(self.db_id), Contact.from_row)

    @strawberry.field(description="Tasks of this project the viewer may see.")
    async def tasks(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: ProjectTaskFilterArg = None,
        order_by: ProjectTaskOrderArg = None,
    ) -> Connection[ProjectTask]:
        entity = entities.PROJECT_TASK
        query = ChildQuery(
            entity,
            "project_id",
            page_request(info, first, after),
            ordering=to_ordering(entity, order_by, info.context.viewer),
            record_filter=filter.to_task_filter() if filter else None,
        )
        return await child_connection(info, query, self.db_id, ProjectTask.from_row)

    @strawberry.field(
        description="Cases raised for this project or its tasks that the viewer may see, "
        "newest first."
    )
    async def cases(self, info: Info, first: First = None, after: After = None) -> Connection[Case]:
        query = ChildQuery(case_entities.CASE, "project_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, Case.from_row)

    @strawberry.field(description="Field-service work orders of this project the viewer may see.")
    async def work_orders(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[WorkOrder]:
        query = ChildQuery(case_entities.WORK_ORDER, "project_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, WorkOrder.from_row)

    @strawberry.field(description="Change requests raised for cases of this project.")
    async def change_requests(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ProjectChangeRequest]:
        entity = entities.PROJECT_CHANGE_REQUEST
        query = ChildQuery(entity, "project_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, ProjectChangeRequest.from_row)

    @strawberry.field(description="Issues raised for cases of this project.")
    async def issues(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ProjectIssue]:
        query = ChildQuery(entities.PROJECT_ISSUE, "project_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, ProjectIssue.from_row)

    @strawberry.field(description="The project's activity stream, newest first.")
    async def activities(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Activity] | None:
        query = activity_children(info, RecordType.PROJECT, first, after)
        return await child_connection(info, query, self.db_id, Activity.from_row)


@field_rules
@strawberry.type(
    description="A task of a customer project. External viewers see it when it is visible to "
    "customers and they are a contact of its project; its assignee may update its actual "
    "dates, comment on it and complete it."
)
class ProjectTask(Node):
    db_id: strawberry.Private[int]
    project_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    assigned_contact_id: strawberry.Private[int | None]
    assigned_to_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Task number, e.g. PTASK0000042.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="What to do.")
    state: ProjectState = strawberry.field(description="Lifecycle state.")
    planned_start: date | None = strawberry.field(description="Planned start date.")
    planned_end: date | None = strawberry.field(description="Planned end date.")
    actual_start: date | None = strawberry.field(description="Actual start date.")
    actual_end: date | None = strawberry.field(description="Actual end date.")
    visible_to_customer: bool = strawberry.field(description="Shown in the portal.")
    version: int = strawberry.field(description="Optimistic-concurrency version.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    project = strawberry.field(resolver=_project, description="The project it belongs to.")
    account = strawberry.field(resolver=_account, description="The project's account.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("ProjectTask", row["id"])),
            db_id=row["id"],
            project_id=row["project_id"],
            account_id=row["account_id"],
            assigned_contact_id=row["assigned_contact_id"],
            assigned_to_id=row["assigned_to_id"],
            number=row["number"],
            short_description=row["short_description"],
            description=row["description"],
            state=ProjectState(row["state"]),
            **_dates(row),
            visible_to_customer=row["visible_to_customer"],
            version=row["version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(description="The external contact it is assigned to, when visible.")
    async def assigned_contact(self, info: Info) -> Contact | None:
        if self.assigned_contact_id is None:
            return None
        row = await info.context.loaders.by_id(entities.CONTACT).load(self.assigned_contact_id)
        return Contact.from_row(row) if row else None

    @strawberry.field(description="The employee it is assigned to.")
    async def assigned_to(self, info: Info) -> User | None:
        if self.assigned_to_id is None:
            return None
        row = await info.context.loaders.by_id(entities.USER).load(self.assigned_to_id)
        return User.from_row(row) if row else None

    @strawberry.field(description="Comments (customer-visible), newest first.")
    async def comments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Activity]:
        comment = ActivityKindValue.COMMENT.value
        query = activity_children(info, RecordType.PROJECT_TASK, first, after, comment)
        return await child_connection(info, query, self.db_id, Activity.from_row)

    @strawberry.field(description="Cases raised for this task that the viewer may see.")
    async def cases(self, info: Info, first: First = None, after: After = None) -> Connection[Case]:
        query = ChildQuery(case_entities.CASE, "project_task_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, Case.from_row)

    @strawberry.field(description="The whole activity stream, work notes included.")
    async def activities(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Activity] | None:
        query = activity_children(info, RecordType.PROJECT_TASK, first, after)
        return await child_connection(info, query, self.db_id, Activity.from_row)


def _raised_for_a_case(row: RowMapping, type_name: str) -> dict[str, Any]:
    return {
        "id": strawberry.ID(to_global_id(type_name, row["id"])),
        "project_id": row["project_id"],
        "number": row["number"],
        "short_description": row["short_description"],
        "description": row["description"],
        "state": ProjectState(row["state"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


@field_rules
@strawberry.type(
    description="A change to a project's scope, raised for a case. External viewers see it "
    "only as contacts of the project."
)
class ProjectChangeRequest(Node):
    project_id: strawberry.Private[int]
    number: str = strawberry.field(description="Change request number, e.g. PCHG0000007.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="The change asked for.")
    state: ProjectState = strawberry.field(description="Lifecycle state.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    project = strawberry.field(resolver=_project, description="The project it changes.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(**_raised_for_a_case(row, "ProjectChangeRequest"))


@field_rules
@strawberry.type(
    description="A problem on a project, raised for a case. External viewers see it only as "
    "contacts of the project."
)
class ProjectIssue(Node):
    project_id: strawberry.Private[int]
    number: str = strawberry.field(description="Issue number, e.g. PISS0000003.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="The problem.")
    state: ProjectState = strawberry.field(description="Lifecycle state.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    project = strawberry.field(resolver=_project, description="The project it affects.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(**_raised_for_a_case(row, "ProjectIssue"))
