"""Customer projects: projects, their tasks, change requests and issues (DOMAIN.md section 3)."""

from __future__ import annotations

from datetime import date, datetime

from csm_graphql import tables as t
from csm_graphql.domain.enums import ProjectState, RecordType
from csm_graphql.graphql.declared import (
    Declared,
    activity_stream,
    column,
    comment_stream,
    connection,
    link_many,
    row_type,
    to_one,
    version_column,
)
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.graphql.pagination import Connection
from csm_graphql.graphql.project_inputs import (
    ProjectTaskFilter,
    ProjectTaskFilterArg,
    ProjectTaskOrderArg,
)
from csm_graphql.graphql.types.cases import Case, WorkOrder
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, Contact, User
from csm_graphql.graphql.types.records import Activity
from csm_graphql.repositories import case_entities, entities


@row_type(
    entities.PROJECT,
    description="A customer project. External viewers see a project only as one of its "
    "contacts, and only read it.",
)
class Project(Node, Declared):
    number: str = column("Project number, e.g. PRJ0000012.")
    name: str = column("Project name.")
    description: str | None = column("What the project delivers.")
    state: ProjectState = column("Lifecycle state.")
    planned_start: date | None = column("Planned start date.")
    planned_end: date | None = column("Planned end date.")
    actual_start: date | None = column("Actual start date.")
    actual_end: date | None = column("Actual end date.")
    version: int = version_column()
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    account: Account | None = to_one(entities.ACCOUNT, "account_id", "The customer account.")
    contacts: Connection[Contact] = link_many(
        entities.CONTACT,
        t.project_contacts,
        "project_id",
        "contact_id",
        "The project's contacts the viewer may see, by name.",
        loader=Loaders.project_contacts,
    )
    tasks: Connection[ProjectTask] = connection(
        entities.PROJECT_TASK,
        "project_id",
        "Tasks of this project the viewer may see.",
        filter_arg=ProjectTaskFilterArg,
        to_filter=ProjectTaskFilter.to_task_filter,
        order_arg=ProjectTaskOrderArg,
    )
    cases: Connection[Case] = connection(
        case_entities.CASE,
        "project_id",
        "Cases raised for this project or its tasks that the viewer may see, newest first.",
    )
    work_orders: Connection[WorkOrder] = connection(
        case_entities.WORK_ORDER,
        "project_id",
        "Field-service work orders of this project the viewer may see.",
    )
    change_requests: Connection[ProjectChangeRequest] = connection(
        entities.PROJECT_CHANGE_REQUEST,
        "project_id",
        "Change requests raised for cases of this project.",
    )
    issues: Connection[ProjectIssue] = connection(
        entities.PROJECT_ISSUE, "project_id", "Issues raised for cases of this project."
    )
    activities: Connection[Activity] | None = activity_stream(
        RecordType.PROJECT, "The project's activity stream, newest first."
    )


@row_type(
    entities.PROJECT_TASK,
    description="A task of a customer project. External viewers see it when it is visible to "
    "customers and they are a contact of its project; its assignee may update its actual "
    "dates, comment on it and complete it.",
)
class ProjectTask(Node, Declared):
    number: str = column("Task number, e.g. PTASK0000042.")
    short_description: str = column("One-line summary.")
    description: str | None = column("What to do.")
    state: ProjectState = column("Lifecycle state.")
    planned_start: date | None = column("Planned start date.")
    planned_end: date | None = column("Planned end date.")
    actual_start: date | None = column("Actual start date.")
    actual_end: date | None = column("Actual end date.")
    visible_to_customer: bool = column("Shown in the portal.")
    version: int = version_column()
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    project: Project | None = to_one(entities.PROJECT, "project_id", "The project it belongs to.")
    account: Account | None = to_one(entities.ACCOUNT, "account_id", "The project's account.")
    assigned_contact: Contact | None = to_one(
        entities.CONTACT,
        "assigned_contact_id",
        "The external contact it is assigned to, when visible.",
    )
    assigned_to: User | None = to_one(
        entities.USER, "assigned_to_id", "The employee it is assigned to."
    )
    comments: Connection[Activity] = comment_stream(
        RecordType.PROJECT_TASK, "Comments (customer-visible), newest first."
    )
    cases: Connection[Case] = connection(
        case_entities.CASE,
        "project_task_id",
        "Cases raised for this task that the viewer may see.",
    )
    activities: Connection[Activity] | None = activity_stream(
        RecordType.PROJECT_TASK, "The whole activity stream, work notes included."
    )


@row_type(
    entities.PROJECT_CHANGE_REQUEST,
    description="A change to a project's scope, raised for a case. External viewers see it "
    "only as contacts of the project.",
)
class ProjectChangeRequest(Node, Declared):
    number: str = column("Change request number, e.g. PCHG0000007.")
    short_description: str = column("One-line summary.")
    description: str | None = column("The change asked for.")
    state: ProjectState = column("Lifecycle state.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    project: Project | None = to_one(entities.PROJECT, "project_id", "The project it changes.")


@row_type(
    entities.PROJECT_ISSUE,
    description="A problem on a project, raised for a case. External viewers see it only as "
    "contacts of the project.",
)
class ProjectIssue(Node, Declared):
    number: str = column("Issue number, e.g. PISS0000003.")
    short_description: str = column("One-line summary.")
    description: str | None = column("The problem.")
    state: ProjectState = column("Lifecycle state.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    project: Project | None = to_one(entities.PROJECT, "project_id", "The project it affects.")
