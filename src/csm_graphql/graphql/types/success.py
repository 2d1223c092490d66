"""The customer-success graph: engagements, initiatives, success cases, tasks, touchpoints."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Self

import strawberry
from sqlalchemy import RowMapping
from strawberry.types import Info

from csm_graphql import tables as t
from csm_graphql.domain.dates import days_remaining
from csm_graphql.domain.enums import ActivityKind as ActivityKindValue
from csm_graphql.domain.enums import RecordType
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.inputs import (
    Filter,
    OrderBy,
    SuccessRecordFilter,
    SuccessRecordOrder,
    record_filter,
    to_ordering,
)
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import (
    After,
    Connection,
    First,
    page_request,
)
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.common import (
    EngagementStage,
    EngagementState,
    PerceivedHealth,
    Priority,
    Progress,
    TouchpointType,
    WorkState,
    activity_children,
    child_connection,
)
from csm_graphql.graphql.types.engagement_health import EngagementHealth
from csm_graphql.graphql.types.engagement_workspace import EngagementWorkspace, ranked_articles
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, Contact, User
from csm_graphql.graphql.types.records import Activity, Attachment, KnowledgeArticle, Product
from csm_graphql.graphql.types.workspace import SuccessObjective
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace_entities as ws
from csm_graphql.repositories.entities import Entity

# The side tables that hold each record's explicit contact list.
CONTACT_LISTS = {
    "success_initiatives": t.success_initiative_contacts,
    "success_cases": t.success_case_contacts,
    "success_tasks": t.success_task_contacts,
    "touchpoints": t.touchpoint_contacts,
}


def _success_children(
    info: Info,
    entity: Entity,
    parent_column: str,
    first: int | None,
    after: str | None,
    filter: SuccessRecordFilter | None,
    order_by: SuccessRecordOrder | None,
) -> ChildQuery:
    return ChildQuery(
        entity,
        parent_column,
        page_request(info, first, after),
        ordering=to_ordering(entity, order_by, info.context.viewer),
        record_filter=record_filter(filter),
    )


# Resolvers shared by the four customer-success record types. Each type declares its own
# fields from these factories, so field rules attach to that type's field alone.


async def _engagement(root: Any, info: Info) -> Engagement | None:
    row = await info.context.loaders.by_id(entities.ENGAGEMENT).load(root.engagement_id)
    return Engagement.from_row(row) if row else None


async def _account(root: Any, info: Info) -> Account | None:
    row = await info.context.loaders.by_id(entities.ACCOUNT).load(root.account_id)
    return Account.from_row(row) if row else None


async def _assigned_to(root: Any, info: Info) -> User | None:
    if root.assigned_to_id is None:
        return None
    row = await info.context.loaders.by_id(entities.USER).load(root.assigned_to_id)
    return User.from_row(row) if row else None


async def _contact_filter(root: Any, info: Info) -> list[Contact]:
    table = root.ENTITY.table
    loader = info.context.loaders.contact_filter(table, CONTACT_LISTS[table.name])
    return [Contact.from_row(row) for row in await loader.load(root.db_id)]


def _days_remaining(root: Any, info: Info) -> int | None:
    return days_remaining(root.due_date, info.context.today)


def _record_fields(row: RowMapping, type_name: str) -> dict[str, Any]:
    """The constructor arguments the four customer-success record types share."""
    return {
        "id": strawberry.ID(to_global_id(type_name, row["id"])),
        "db_id": row["id"],
        "engagement_id": row["engagement_id"],
        "account_id": row["account_id"],
        "assigned_to_id": row["assigned_to_id"],
        "number": row["number"],
        "short_description": row["short_description"],
        "description": row["description"],
        "state": WorkState(row["state"]),
        "priority": Priority(row["priority"]),
        "due_date": row["due_date"],
        "visible_to_customer": row["visible_to_customer"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "version": row["version"],
    }


def success_list_field(entity: Entity, parent_column: str, type_name: str, description: str) -> Any:
    """A nested customer-success list (e.g. an engagement's initiatives): the same arguments
    everywhere, batched per level by the loader. ``type_name`` names a type of this module;
    the return annotation is a string that strawberry resolves once the module is loaded."""

    async def resolve(
        root: Any,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Filter = None,
        order_by: OrderBy = None,
    ) -> Any:
        query = _success_children(info, entity, parent_column, first, after, filter, order_by)
        build = globals()[type_name].from_row
        return await child_connection(info, query, root.db_id, build)

    resolve.__annotations__["return"] = f"Connection[{type_name}]"
    return strawberry.field(resolver=resolve, description=description)


def engagement_field() -> Any:
    return strawberry.field(resolver=_engagement, description="The engagement it belongs to.")


def account_field() -> Any:
    return strawberry.field(
        resolver=_account, description="The customer account (the engagement's)."
    )


def assigned_to_field() -> Any:
    return strawberry.field(resolver=_assigned_to, description="The employee it is assigned to.")


def contact_filter_field() -> Any:
    return strawberry.field(
        resolver=_contact_filter,
        description="The contact filter: the record's contact plus its explicit contact list.",
    )


def days_remaining_field() -> Any:
    return strawberry.field(
        resolver=_days_remaining, description="Days until the due date; negative when overdue."
    )


@field_rules
@strawberry.type(description="The relationship with one customer account.")
class Engagement(Node, EngagementWorkspace, EngagementHealth):
    db_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Engagement number, e.g. ENG0000017.")
    name: str = strawberry.field(description="Engagement name.")
    stage: EngagementStage = strawberry.field(description="Customer journey stage.")
    go_live_date: date | None = strawberry.field(description="Planned or actual go-live.")
    state: EngagementState | None = strawberry.field(description="Lifecycle state.")
    contract_value: Decimal | None = strawberry.field(description="Total contract value.")
    renewal_date: date | None = strawberry.field(description="Next renewal date.")
    perceived_health: PerceivedHealth | None = strawberry.field(description="Perceived health.")
    created_at: datetime | None = strawberry.field(description="When the record was created.")
    updated_at: datetime | None = strawberry.field(description="When the record last changed.")
    version: int | None = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    account = account_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Engagement", row["id"])),
            db_id=row["id"],
            account_id=row["account_id"],
            parent_id=row["parent_id"],
            number=row["number"],
            name=row["name"],
            stage=EngagementStage(row["stage"]),
            go_live_date=row["go_live_date"],
            state=EngagementState(row["state"]),
            contract_value=row["contract_value"],
            renewal_date=row["renewal_date"],
            perceived_health=PerceivedHealth(row["perceived_health"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )

    @strawberry.field(description="The parent engagement in the hierarchy.")
    async def parent(self, info: Info) -> Engagement | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.by_id(entities.ENGAGEMENT).load(self.parent_id)
        return Engagement.from_row(row) if row else None

    initiatives = success_list_field(
        entities.SUCCESS_INITIATIVE,
        "engagement_id",
        "SuccessInitiative",
        "Success initiatives of this engagement the viewer may see.",
    )

    success_cases = success_list_field(
        entities.SUCCESS_CASE,
        "engagement_id",
        "SuccessCase",
        "Success cases (customer plays) of this engagement.",
    )

    touchpoints = success_list_field(
        entities.TOUCHPOINT,
        "engagement_id",
        "Touchpoint",
        "Touchpoints of this engagement the viewer may see.",
    )


@field_rules
@strawberry.type(description="A success initiative: planned work towards an objective.")
class SuccessInitiative(Node):
    ENTITY = entities.SUCCESS_INITIATIVE
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    assigned_to_id: strawberry.Private[int | None]
    objective_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Initiative number, e.g. SINIT0000003.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="Details.")
    state: WorkState = strawberry.field(description="State.")
    progress: Progress = strawberry.field(description="Progress.")
    priority: Priority = strawberry.field(description="Priority.")
    due_date: date | None = strawberry.field(description="Due date.")
    visible_to_customer: bool | None = strawberry.field(description="Shown in the portal.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    version: int = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    days_remaining = days_remaining_field()
    engagement = engagement_field()
    account = account_field()
    assigned_to = assigned_to_field()
    contact_filter = contact_filter_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            **_record_fields(row, "SuccessInitiative"),
            progress=Progress(row["progress"]),
            objective_id=row["objective_id"],
        )

    @strawberry.field(description="The success objective it serves (of its own engagement).")
    async def objective(self, info: Info) -> SuccessObjective | None:
        if self.objective_id is None:
            return None
        row = await info.context.loaders.by_id(ws.SUCCESS_OBJECTIVE).load(self.objective_id)
        return SuccessObjective.from_row(row) if row else None

    success_cases = success_list_field(
        entities.SUCCESS_CASE,
        "initiative_id",
        "SuccessCase",
        "Success cases launched under this initiative.",
    )

    tasks = success_list_field(
        entities.SUCCESS_TASK, "initiative_id", "SuccessTask", "Planned tasks of this initiative."
    )


@field_rules
@strawberry.type(description='A success case, the portal\'s "customer play".')
class SuccessCase(Node):
    ENTITY = entities.SUCCESS_CASE
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    assigned_to_id: strawberry.Private[int | None]
    initiative_id: strawberry.Private[int | None]
    product_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Success case number, e.g. SCASE0001042.")
    subject: str = strawberry.field(description="The subject (its short description).")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="General instructions.")
    state: WorkState = strawberry.field(description="State.")
    priority: Priority = strawberry.field(description="Priority.")
    due_date: date | None = strawberry.field(description="Due date.")
    visible_to_customer: bool | None = strawberry.field(description="Shown in the portal.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    version: int = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    days_remaining = days_remaining_field()
    engagement = engagement_field()
    account = account_field()
    assigned_to = assigned_to_field()
    contact_filter = contact_filter_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            **_record_fields(row, "SuccessCase"),
            initiative_id=row["initiative_id"],
            product_id=row["product_id"],
            subject=row["short_description"],
        )

    @strawberry.field(description="The initiative it was launched under, when visible.")
    async def initiative(self, info: Info) -> SuccessInitiative | None:
        if self.initiative_id is None:
            return None
        row = await info.context.loaders.by_id(entities.SUCCESS_INITIATIVE).load(self.initiative_id)
        return SuccessInitiative.from_row(row) if row else None

    @strawberry.field(description="The product it is about.")
    async def product(self, info: Info) -> Product | None:
        if self.product_id is None:
            return None
        row = await info.context.loaders.by_id(entities.PRODUCT).load(self.product_id)
        return Product.from_row(row) if row else None

    tasks = success_list_field(
        entities.SUCCESS_TASK,
        "success_case_id",
        "SuccessTask",
        "Unplanned tasks of this success case.",
    )

    @strawberry.field(description="The activity stream, newest first; work notes are internal.")
    async def activities(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Activity]:
        query = activity_children(info, RecordType.SUCCESS_CASE, first, after)
        return await child_connection(info, query, self.db_id, Activity.from_row)

    @strawberry.field(description="Attached files, newest first.")
    async def attachments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Attachment]:
        query = ChildQuery(
            entities.ATTACHMENT,
            "record_id",
            page_request(info, first, after),
            record_type=RecordType.SUCCESS_CASE.value,
        )
        return await child_connection(info, query, self.db_id, Attachment.from_row)

    @strawberry.field(
        description="Knowledge articles ranked by full-text relevance to its short description "
        "(the side panel's recommendations), best first."
    )
    async def recommended_articles(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[KnowledgeArticle] | None:
        return await ranked_articles(info, "success_case", self.db_id, first, after)

    @strawberry.field(description="Knowledge articles shared on this case, newest share first.")
    async def shared_articles(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[KnowledgeArticle]:
        loader = info.context.loaders.shared_articles(page_request(info, first, after))
        return Connection.from_page(await loader.load(self.db_id), KnowledgeArticle.from_row)


@field_rules
@strawberry.type(
    description="A task under an initiative (planned) or a success case (unplanned). "
    "External viewers see only its number, description line, state, progress, priority, "
    "dates, account and additional comments."
)
class SuccessTask(Node):
    ENTITY = entities.SUCCESS_TASK
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    assigned_to_id: strawberry.Private[int | None]
    initiative_id: strawberry.Private[int | None]
    success_case_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Task number, e.g. STASK0000311.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="Details.")
    state: WorkState = strawberry.field(description="State.")
    progress: Progress = strawberry.field(description="Progress.")
    priority: Priority = strawberry.field(description="Priority.")
    due_date: date | None = strawberry.field(description="Due date.")
    visible_to_customer: bool | None = strawberry.field(description="Shown in the portal.")
    created_at: datetime | None = strawberry.field(description="When the record was created.")
    updated_at: datetime | None = strawberry.field(description="When the record last changed.")
    version: int | None = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    days_remaining = days_remaining_field()
    engagement = engagement_field()
    account = account_field()
    assigned_to = assigned_to_field()
    contact_filter = contact_filter_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            **_record_fields(row, "SuccessTask"),
            initiative_id=row["initiative_id"],
            success_case_id=row["success_case_id"],
            progress=Progress(row["progress"]),
        )

    @strawberry.field(description="Its initiative or success case.")
    async def parent(self, info: Info) -> Node | None:
        if self.initiative_id is not None:
            loader = info.context.loaders.by_id(entities.SUCCESS_INITIATIVE)
            row = await loader.load(self.initiative_id)
            return SuccessInitiative.from_row(row) if row else None
        row = await info.context.loaders.by_id(entities.SUCCESS_CASE).load(self.success_case_id)
        return SuccessCase.from_row(row) if row else None

    @strawberry.field(description="Additional comments (customer-visible), newest first.")
    async def comments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Activity]:
        comment = ActivityKindValue.COMMENT.value
        query = activity_children(info, RecordType.SUCCESS_TASK, first, after, comment)
        return await child_connection(info, query, self.db_id, Activity.from_row)

    @strawberry.field(description="The whole activity stream, work notes included.")
    async def activities(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Activity] | None:
        query = activity_children(info, RecordType.SUCCESS_TASK, first, after)
        return await child_connection(info, query, self.db_id, Activity.from_row)


@field_rules
@strawberry.type(description="A meeting or contact moment on an engagement.")
class Touchpoint(Node):
    ENTITY = entities.TOUCHPOINT
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    assigned_to_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Touchpoint number, e.g. TPNT0000052.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="Agenda or notes.")
    type: TouchpointType = strawberry.field(description="Kind of contact moment.")
    scheduled_at: datetime | None = strawberry.field(description="When it takes place.")
    state: WorkState = strawberry.field(description="State.")
    priority: Priority = strawberry.field(description="Priority.")
    due_date: date | None = strawberry.field(description="Due date.")
    visible_to_customer: bool | None = strawberry.field(description="Shown in the portal.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    version: int = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    days_remaining = days_remaining_field()
    engagement = engagement_field()
    account = account_field()
    assigned_to = assigned_to_field()
    contact_filter = contact_filter_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            **_record_fields(row, "Touchpoint"),
            type=TouchpointType(row["type"]),
            scheduled_at=row["scheduled_at"],
        )
