"""The engagement workspace's records: objectives, internal plays and their tasks, risk
signals, success plays, sold products, adoption roadmaps, contracts, discussions, templates.

Their rows are read by the internal success roles alone (access/rows.py), by every path; so
their own fields are PUBLIC to whoever sees the row, and the Engagement / Account fields that
lead to them are INTERNAL (null or empty for everyone else).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy import RowMapping
from strawberry.scalars import JSON
from strawberry.types import Info

from csm_graphql.domain.adoption import DEFAULT_BANDS, AdoptionCategory
from csm_graphql.domain.blueprint import ClosureCode, objective_score
from csm_graphql.domain.dates import days_remaining
from csm_graphql.domain.workspace import (
    Criticality,
    PlaySource,
    Probability,
    RiskScope,
    RiskState,
    TemplateTarget,
    UsagePlan,
)
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.inputs import Filter, OrderBy, record_filter, to_ordering
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types import workspace_enums  # noqa: F401 (registers the enums)
from csm_graphql.graphql.types.common import (
    EngagementState,
    Priority,
    WorkState,
    child_connection,
)
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import User
from csm_graphql.graphql.types.records import Product
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace_entities as ws

# Lazy references to the success types, which import this module.
SUCCESS = "csm_graphql.graphql.types.success"

if TYPE_CHECKING:
    from csm_graphql.graphql.types.success import Engagement, SuccessInitiative


async def _engagement(
    root: Any, info: Info
) -> Annotated[Engagement, strawberry.lazy(SUCCESS)] | None:
    from csm_graphql.graphql.types.success import Engagement

    row = await info.context.loaders.by_id(entities.ENGAGEMENT).load(root.engagement_id)
    return Engagement.from_row(row) if row else None


async def _assigned_to(root: Any, info: Info) -> User | None:
    if root.assigned_to_id is None:
        return None
    row = await info.context.loaders.by_id(entities.USER).load(root.assigned_to_id)
    return User.from_row(row) if row else None


def engagement_field() -> Any:
    return strawberry.field(resolver=_engagement, description="The engagement it belongs to.")


def assigned_to_field() -> Any:
    return strawberry.field(resolver=_assigned_to, description="The employee it is assigned to.")


def _days_remaining(root: Any, info: Info) -> int | None:
    return days_remaining(root.due_date, info.context.today)


def days_remaining_field() -> Any:
    return strawberry.field(
        resolver=_days_remaining, description="Days until the due date; negative when overdue."
    )


def _gid(type_name: str, row: RowMapping) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, row["id"]))


@field_rules
@strawberry.type(description="A success objective of the engagement's blueprint.")
class SuccessObjective(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    number: str = strawberry.field(description="Objective number, e.g. SOBJ0000012.")
    short_description: str = strawberry.field(description="What the customer wants to achieve.")
    description: str | None = strawberry.field(description="Details.")
    state: EngagementState = strawberry.field(description="State (as an engagement's).")
    due_date: date | None = strawberry.field(description="Due date.")
    closure_code: ClosureCode | None = strawberry.field(description="How it ended, once closed.")
    closure_notes: str | None = strawberry.field(description="Why, once closed.")
    success_rate: float | None = strawberry.field(
        description="100 when achieved, 50 partially, 0 missed; null while open or canceled."
    )
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    version: int = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    engagement = engagement_field()

    @strawberry.field(description="The success initiatives serving this objective.")
    async def initiatives(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Filter = None,
        order_by: OrderBy = None,
    ) -> Connection[Annotated[SuccessInitiative, strawberry.lazy(SUCCESS)]]:
        from csm_graphql.graphql.types.success import SuccessInitiative

        entity = entities.SUCCESS_INITIATIVE
        query = ChildQuery(
            entity,
            "objective_id",
            page_request(info, first, after),
            ordering=to_ordering(entity, order_by, info.context.viewer),
            record_filter=record_filter(filter),
        )
        return await child_connection(info, query, self.db_id, SuccessInitiative.from_row)

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        code = ClosureCode(row["closure_code"]) if row["closure_code"] else None
        score = objective_score(code)
        return cls(
            id=_gid("SuccessObjective", row),
            db_id=row["id"],
            engagement_id=row["engagement_id"],
            number=row["number"],
            short_description=row["short_description"],
            description=row["description"],
            state=EngagementState(row["state"]),
            due_date=row["due_date"],
            closure_code=code,
            closure_notes=row["closure_notes"],
            success_rate=None if score is None else score * 100,
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )


def _work_fields(type_name: str, row: RowMapping) -> dict[str, Any]:
    return {
        "id": _gid(type_name, row),
        "db_id": row["id"],
        "engagement_id": row["engagement_id"],
        "assigned_to_id": row["assigned_to_id"],
        "number": row["number"],
        "short_description": row["short_description"],
        "description": row["description"],
        "state": WorkState(row["state"]),
        "priority": Priority(row["priority"]),
        "due_date": row["due_date"],
        "closure_code": ClosureCode(row["closure_code"]) if row["closure_code"] else None,
        "closure_notes": row["closure_notes"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "version": row["version"],
    }


@field_rules
@strawberry.type(description="Internal-only work on an engagement; it has no parent play.")
class InternalPlay(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    assigned_to_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Play number, e.g. IPLAY0000007.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="Details.")
    state: WorkState = strawberry.field(description="State.")
    priority: Priority = strawberry.field(description="Priority.")
    due_date: date | None = strawberry.field(description="Due date.")
    closure_code: ClosureCode | None = strawberry.field(description="How it ended, once closed.")
    closure_notes: str | None = strawberry.field(description="Why, once closed.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    version: int = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    days_remaining = days_remaining_field()
    engagement = engagement_field()
    assigned_to = assigned_to_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(**_work_fields("InternalPlay", row))

    @strawberry.field(description="Tasks of this play, by due date.")
    async def tasks(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[InternalPlayTask]:
        query = ChildQuery(
            ws.INTERNAL_PLAY_TASK, "internal_play_id", page_request(info, first, after)
        )
        return await child_connection(info, query, self.db_id, InternalPlayTask.from_row)


@field_rules
@strawberry.type(description="A task of an internal play (internal only).")
class InternalPlayTask(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    assigned_to_id: strawberry.Private[int | None]
    internal_play_id: strawberry.Private[int]
    number: str = strawberry.field(description="Task number, e.g. IPTASK0000031.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="Details.")
    state: WorkState = strawberry.field(description="State.")
    priority: Priority = strawberry.field(description="Priority.")
    due_date: date | None = strawberry.field(description="Due date.")
    closure_code: ClosureCode | None = strawberry.field(description="How it ended, once closed.")
    closure_notes: str | None = strawberry.field(description="Why, once closed.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    version: int = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )
    days_remaining = days_remaining_field()
    engagement = engagement_field()
    assigned_to = assigned_to_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            **_work_fields("InternalPlayTask", row), internal_play_id=row["internal_play_id"]
        )

    @strawberry.field(description="The internal play it belongs to.")
    async def play(self, info: Info) -> InternalPlay | None:
        row = await info.context.loaders.by_id(ws.INTERNAL_PLAY).load(self.internal_play_id)
        return InternalPlay.from_row(row) if row else None


@field_rules
@strawberry.type(description="A risk to the engagement (internal only).")
class RiskSignal(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    assigned_to_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Risk number, e.g. RISK0000004.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="Details.")
    probability: Probability = strawberry.field(description="How likely it is.")
    priority: Priority = strawberry.field(description="Priority.")
    state: RiskState = strawberry.field(description="State.")
    scope: RiskScope = strawberry.field(description="What it threatens.")
    due_date: date | None = strawberry.field(description="When it must be dealt with.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    days_remaining = days_remaining_field()
    engagement = engagement_field()
    assigned_to = assigned_to_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=_gid("RiskSignal", row),
            db_id=row["id"],
            engagement_id=row["engagement_id"],
            assigned_to_id=row["assigned_to_id"],
            number=row["number"],
            short_description=row["short_description"],
            description=row["description"],
            probability=Probability(row["probability"]),
            priority=Priority(row["priority"]),
            state=RiskState(row["state"]),
            scope=RiskScope(row["scope"]),
            due_date=row["due_date"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )


@field_rules
@strawberry.type(description="A playbook launched from an engagement or a record under it.")
class SuccessPlay(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    number: str = strawberry.field(description="Play number, e.g. SPLAY0000002.")
    category: str = strawberry.field(description="Playbook category.")
    subcategory: str = strawberry.field(description="Playbook subcategory.")
    activity: str = strawberry.field(description="The activity launched.")
    state: WorkState = strawberry.field(description="State.")
    source_type: PlaySource = strawberry.field(description="What it was launched from.")
    source_id: strawberry.ID = strawberry.field(description="The record it was launched from.")
    created_at: datetime = strawberry.field(description="When it was launched.")
    engagement = engagement_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        source = PlaySource(row["source_type"])
        return cls(
            id=_gid("SuccessPlay", row),
            db_id=row["id"],
            engagement_id=row["engagement_id"],
            number=row["number"],
            category=row["category"],
            subcategory=row["subcategory"],
            activity=row["activity"],
            state=WorkState(row["state"]),
            source_type=source,
            source_id=strawberry.ID(to_global_id(SOURCE_TYPES[source], row["source_id"])),
            created_at=row["created_at"],
        )


SOURCE_TYPES = {
    PlaySource.ENGAGEMENT: "Engagement",
    PlaySource.OBJECTIVE: "SuccessObjective",
    PlaySource.INITIATIVE: "SuccessInitiative",
    PlaySource.TOUCHPOINT: "Touchpoint",
    PlaySource.INTERNAL_PLAY: "InternalPlay",
    PlaySource.RISK_SIGNAL: "RiskSignal",
}


@field_rules
@strawberry.type(description="A product sold to the engagement, and how it is being adopted.")
class SoldProduct(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    product_id: strawberry.Private[int]
    usage_plan: UsagePlan = strawberry.field(description="Activation status.")
    customer_priority: Criticality = strawberry.field(description="How much the customer cares.")
    business_criticality: Criticality = strawberry.field(description="How critical it is.")
    adoption_score: float | None = strawberry.field(description="The latest weekly score, 0-100.")
    adoption_category: AdoptionCategory = strawberry.field(
        description="The latest score's band (LOW < 40, MEDIUM 40-69, HIGH >= 70; NONE)."
    )
    usage_detail: str | None = strawberry.field(description="Product usage detail.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    engagement = engagement_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=_gid("SoldProduct", row),
            db_id=row["id"],
            engagement_id=row["engagement_id"],
            product_id=row["product_id"],
            usage_plan=UsagePlan(row["usage_plan"]),
            customer_priority=Criticality(row["customer_priority"]),
            business_criticality=Criticality(row["business_criticality"]),
            adoption_score=row["adoption_score"],
            adoption_category=DEFAULT_BANDS.category(row["adoption_score"]),
            usage_detail=row["usage_detail"],
            created_at=row["created_at"],
        )

    @strawberry.field(description="The product.")
    async def product(self, info: Info) -> Product | None:
        row = await info.context.loaders.by_id(entities.PRODUCT).load(self.product_id)
        return Product.from_row(row) if row else None


@field_rules
@strawberry.type(description="Planned adoption milestones of a product on an engagement.")
class ProductAdoptionRoadmap(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    sold_product_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Roadmap number, e.g. PAR0000003.")
    name: str = strawberry.field(description="Name.")
    milestone: str | None = strawberry.field(description="The milestone planned.")
    planned_start: date = strawberry.field(description="Planned start.")
    planned_end: date = strawberry.field(description="Planned end (not before the start).")
    target_score: float | None = strawberry.field(description="Adoption score aimed at.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    engagement = engagement_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=_gid("ProductAdoptionRoadmap", row),
            db_id=row["id"],
            engagement_id=row["engagement_id"],
            sold_product_id=row["sold_product_id"],
            number=row["number"],
            name=row["name"],
            milestone=row["milestone"],
            planned_start=row["planned_start"],
            planned_end=row["planned_end"],
            target_score=row["target_score"],
            created_at=row["created_at"],
        )

    @strawberry.field(description="The sold product it plans, if any.")
    async def sold_product(self, info: Info) -> SoldProduct | None:
        if self.sold_product_id is None:
            return None
        row = await info.context.loaders.by_id(ws.SOLD_PRODUCT).load(self.sold_product_id)
        return SoldProduct.from_row(row) if row else None


@field_rules
@strawberry.type(description="An email template for success agents.")
class EmailTemplate(Node):
    name: str = strawberry.field(description="Name.")
    applies_to: TemplateTarget = strawberry.field(description="The records it applies to.")
    subject: str = strawberry.field(description="Subject line.")
    body: str = strawberry.field(description="Body with {placeholders}.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=_gid("EmailTemplate", row),
            name=row["name"],
            applies_to=TemplateTarget(row["applies_to"]),
            subject=row["subject"],
            body=row["body"],
        )


@field_rules
@strawberry.type(description="A form template for success agents.")
class FormTemplate(Node):
    name: str = strawberry.field(description="Name.")
    applies_to: TemplateTarget = strawberry.field(description="The records it applies to.")
    description: str | None = strawberry.field(description="What the form is for.")
    fields: JSON = strawberry.field(description="The form's fields: label and type.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=_gid("FormTemplate", row),
            name=row["name"],
            applies_to=TemplateTarget(row["applies_to"]),
            description=row["description"],
            fields=row["fields"],
        )


@field_rules
@strawberry.type(description="A message of a discussion.")
class DiscussionMessage(Node):
    author_id: strawberry.Private[int]
    at: datetime = strawberry.field(description="When it was posted.")
    body: str = strawberry.field(description="The text.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=_gid("DiscussionMessage", row),
            author_id=row["author_id"],
            at=row["at"],
            body=row["body"],
        )

    @strawberry.field(description="Who posted it.")
    async def author(self, info: Info) -> User | None:
        row = await info.context.loaders.by_id(entities.USER).load(self.author_id)
        return User.from_row(row) if row else None


@field_rules
@strawberry.type(
    description="An internal discussion about an engagement or a record under it; only its "
    "participants and the internal success roles read it."
)
class Discussion(Node):
    db_id: strawberry.Private[int]
    engagement_id: strawberry.Private[int]
    started_by_id: strawberry.Private[int]
    subject: str = strawberry.field(description="What it is about.")
    record_type: str = strawberry.field(description="The kind of record it is about.")
    record_id: strawberry.ID = strawberry.field(description="The record it is about.")
    created_at: datetime = strawberry.field(description="When it was started.")
    engagement = engagement_field()

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        type_name = "".join(part.title() for part in row["record_type"].split("_"))
        return cls(
            id=_gid("Discussion", row),
            db_id=row["id"],
            engagement_id=row["engagement_id"],
            started_by_id=row["started_by_id"],
            subject=row["subject"],
            record_type=row["record_type"],
            record_id=strawberry.ID(to_global_id(type_name, row["record_id"])),
            created_at=row["created_at"],
        )

    @strawberry.field(description="Who started it.")
    async def started_by(self, info: Info) -> User | None:
        row = await info.context.loaders.by_id(entities.USER).load(self.started_by_id)
        return User.from_row(row) if row else None

    @strawberry.field(description="Messages, oldest first.")
    async def messages(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[DiscussionMessage]:
        query = ChildQuery(ws.DISCUSSION_MESSAGE, "discussion_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, DiscussionMessage.from_row)


# Every workspace type `node(id:)` can return, with its entity (for the visibility rule).
WORKSPACE_NODE_TYPES: dict[str, tuple[Any, Any]] = {
    "SuccessObjective": (ws.SUCCESS_OBJECTIVE, SuccessObjective.from_row),
    "InternalPlay": (ws.INTERNAL_PLAY, InternalPlay.from_row),
    "InternalPlayTask": (ws.INTERNAL_PLAY_TASK, InternalPlayTask.from_row),
    "RiskSignal": (ws.RISK_SIGNAL, RiskSignal.from_row),
    "SuccessPlay": (ws.SUCCESS_PLAY, SuccessPlay.from_row),
    "SoldProduct": (ws.SOLD_PRODUCT, SoldProduct.from_row),
    "ProductAdoptionRoadmap": (ws.PRODUCT_ADOPTION_ROADMAP, ProductAdoptionRoadmap.from_row),
    "EmailTemplate": (ws.EMAIL_TEMPLATE, EmailTemplate.from_row),
    "FormTemplate": (ws.FORM_TEMPLATE, FormTemplate.from_row),
    "Discussion": (ws.DISCUSSION, Discussion.from_row),
    "DiscussionMessage": (ws.DISCUSSION_MESSAGE, DiscussionMessage.from_row),
}
WORKSPACE_NODE_CLASSES = [
    SuccessObjective,
    InternalPlay,
    InternalPlayTask,
    RiskSignal,
    SuccessPlay,
    SoldProduct,
    ProductAdoptionRoadmap,
    EmailTemplate,
    FormTemplate,
    Discussion,
    DiscussionMessage,
]
