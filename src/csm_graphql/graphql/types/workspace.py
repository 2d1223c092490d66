"""The engagement workspace's records: objectives, internal plays and their tasks, risk
signals, success plays, sold products, adoption roadmaps, contracts, discussions, templates.

Their rows are read by the internal success roles alone (access/rows.py), by every path; so
their own fields are PUBLIC to whoever sees the row, and the Engagement / Account fields that
lead to them are INTERNAL (null or empty for everyone else).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from csm_graphql.domain.adoption import DEFAULT_BANDS, AdoptionCategory
from csm_graphql.domain.blueprint import ClosureCode, objective_score
from csm_graphql.domain.workspace import (
    Criticality,
    PlaySource,
    Probability,
    RiskScope,
    RiskState,
    TemplateTarget,
    UsagePlan,
)
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import (
    Declared,
    column,
    computed,
    connection,
    row_type,
    to_one,
    version_column,
)
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.pagination import Connection
from csm_graphql.graphql.types import workspace_enums  # noqa: F401 (registers the enums)
from csm_graphql.graphql.types.common import ObjectiveState, Priority, WorkState
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import User
from csm_graphql.graphql.types.records import Product
from csm_graphql.graphql.types.work_fields import (
    assigned_to_field,
    days_remaining_field,
    engagement_field,
    success_list,
)
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace_entities as ws

# Lazy references to the success types, which import this module.
SUCCESS = "csm_graphql.graphql.types.success"

if TYPE_CHECKING:
    from csm_graphql.graphql.types.success import Engagement, SuccessInitiative

LazyEngagement = Annotated["Engagement", strawberry.lazy(SUCCESS)]


def _success_rate(root: Any, info: Info) -> float | None:
    score = objective_score(root.closure_code)
    return None if score is None else score * 100


@row_type(ws.SUCCESS_OBJECTIVE, description="A success objective of the engagement's blueprint.")
class SuccessObjective(Node, Declared):
    number: str = column("Objective number, e.g. SOBJ0000012.")
    short_description: str = column("What the customer wants to achieve.")
    description: str | None = column("Details.")
    state: ObjectiveState = column("State: the blueprint's View by state.")
    due_date: date | None = column("Due date.")
    closure_code: ClosureCode | None = column("How it ended, once closed.")
    closure_notes: str | None = column("Why, once closed.")
    success_rate: float | None = computed(
        _success_rate,
        "100 when achieved, 50 partially, 0 missed; null while open or canceled.",
        reads=["closure_code"],
    )
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    version: int = version_column()
    engagement: LazyEngagement | None = engagement_field()
    initiatives: Connection[Annotated[SuccessInitiative, strawberry.lazy(SUCCESS)]] = success_list(
        entities.SUCCESS_INITIATIVE,
        "objective_id",
        "The success initiatives serving this objective.",
    )


@row_type(
    ws.INTERNAL_PLAY,
    description="Internal-only work on an engagement; it has no parent play.",
)
class InternalPlay(Node, Declared):
    number: str = column("Play number, e.g. IPLAY0000007.")
    short_description: str = column("One-line summary.")
    description: str | None = column("Details.")
    state: WorkState = column("State.")
    priority: Priority = column("Priority.")
    due_date: date | None = column("Due date.")
    closure_code: ClosureCode | None = column("How it ended, once closed.")
    closure_notes: str | None = column("Why, once closed.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    version: int = version_column()
    days_remaining: int | None = days_remaining_field()
    engagement: LazyEngagement | None = engagement_field()
    assigned_to: User | None = assigned_to_field()
    tasks: Connection[InternalPlayTask] = connection(
        ws.INTERNAL_PLAY_TASK, "internal_play_id", "Tasks of this play, by due date."
    )


@row_type(ws.INTERNAL_PLAY_TASK, description="A task of an internal play (internal only).")
class InternalPlayTask(Node, Declared):
    number: str = column("Task number, e.g. IPTASK0000031.")
    short_description: str = column("One-line summary.")
    description: str | None = column("Details.")
    state: WorkState = column("State.")
    priority: Priority = column("Priority.")
    due_date: date | None = column("Due date.")
    closure_code: ClosureCode | None = column("How it ended, once closed.")
    closure_notes: str | None = column("Why, once closed.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    version: int = version_column()
    days_remaining: int | None = days_remaining_field()
    engagement: LazyEngagement | None = engagement_field()
    assigned_to: User | None = assigned_to_field()
    play: InternalPlay | None = to_one(
        ws.INTERNAL_PLAY, "internal_play_id", "The internal play it belongs to."
    )


@row_type(ws.RISK_SIGNAL, description="A risk to the engagement (internal only).")
class RiskSignal(Node, Declared):
    number: str = column("Risk number, e.g. RISK0000004.")
    short_description: str = column("One-line summary.")
    description: str | None = column("Details.")
    probability: Probability = column("How likely it is.")
    priority: Priority = column("Priority.")
    state: RiskState = column("State.")
    scope: RiskScope = column("What it threatens.")
    due_date: date | None = column("When it must be dealt with.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    days_remaining: int | None = days_remaining_field()
    engagement: LazyEngagement | None = engagement_field()
    assigned_to: User | None = assigned_to_field()


SOURCE_TYPES = {
    PlaySource.ENGAGEMENT: "Engagement",
    PlaySource.OBJECTIVE: "SuccessObjective",
    PlaySource.INITIATIVE: "SuccessInitiative",
    PlaySource.TOUCHPOINT: "Touchpoint",
    PlaySource.INTERNAL_PLAY: "InternalPlay",
    PlaySource.RISK_SIGNAL: "RiskSignal",
}


def _source_id(root: Any, info: Info) -> strawberry.ID:
    return strawberry.ID(to_global_id(SOURCE_TYPES[root.source_type], root.source_id))


@row_type(
    ws.SUCCESS_PLAY, description="A playbook launched from an engagement or a record under it."
)
class SuccessPlay(Node, Declared):
    number: str = column("Play number, e.g. SPLAY0000002.")
    category: str = column("Playbook category.")
    subcategory: str = column("Playbook subcategory.")
    activity: str = column("The activity launched.")
    state: WorkState = column("State.")
    source_type: PlaySource = column("What it was launched from.")
    # The global id of the record, whose type source_type names.
    source_global_id: strawberry.ID = computed(
        _source_id, "The record it was launched from.", reads=["source_id"], name="sourceId"
    )
    created_at: datetime = column("When it was launched.")
    engagement: LazyEngagement | None = engagement_field()


def _adoption_category(root: Any, info: Info) -> AdoptionCategory:
    return DEFAULT_BANDS.category(root.adoption_score)


@row_type(
    ws.SOLD_PRODUCT,
    description="A product sold to the engagement, and how it is being adopted.",
)
class SoldProduct(Node, Declared):
    usage_plan: UsagePlan = column("Activation status.")
    customer_priority: Criticality = column("How much the customer cares.")
    business_criticality: Criticality = column("How critical it is.")
    adoption_score: float | None = column("The latest weekly score, 0-100.")
    adoption_category: AdoptionCategory = computed(
        _adoption_category,
        "The latest score's band (LOW < 40, MEDIUM 40-69, HIGH >= 70; NONE).",
        reads=["adoption_score"],
    )
    usage_detail: str | None = column("Product usage detail.")
    created_at: datetime = column("When the record was created.")
    engagement: LazyEngagement | None = engagement_field()
    product: Product | None = to_one(entities.PRODUCT, "product_id", "The product.")


@row_type(
    ws.PRODUCT_ADOPTION_ROADMAP,
    description="Planned adoption milestones of a product on an engagement.",
)
class ProductAdoptionRoadmap(Node, Declared):
    number: str = column("Roadmap number, e.g. PAR0000003.")
    name: str = column("Name.")
    milestone: str | None = column("The milestone planned.")
    planned_start: date = column("Planned start.")
    planned_end: date = column("Planned end (not before the start).")
    target_score: float | None = column("Adoption score aimed at.")
    created_at: datetime = column("When the record was created.")
    engagement: LazyEngagement | None = engagement_field()
    sold_product: SoldProduct | None = to_one(
        ws.SOLD_PRODUCT, "sold_product_id", "The sold product it plans, if any."
    )


@row_type(ws.EMAIL_TEMPLATE, description="An email template for success agents.")
class EmailTemplate(Node, Declared):
    name: str = column("Name.")
    applies_to: TemplateTarget = column("The records it applies to.")
    subject: str = column("Subject line.")
    body: str = column("Body with {placeholders}.")


@row_type(ws.FORM_TEMPLATE, description="A form template for success agents.")
class FormTemplate(Node, Declared):
    name: str = column("Name.")
    applies_to: TemplateTarget = column("The records it applies to.")
    description: str | None = column("What the form is for.")
    fields: JSON = column("The form's fields: label and type.")


@row_type(ws.DISCUSSION_MESSAGE, description="A message of a discussion.")
class DiscussionMessage(Node, Declared):
    at: datetime = column("When it was posted.")
    body: str = column("The text.")
    author: User | None = to_one(entities.USER, "author_id", "Who posted it.")


def _record_id(root: Any, info: Info) -> strawberry.ID:
    type_name = "".join(part.title() for part in root.record_type.split("_"))
    return strawberry.ID(to_global_id(type_name, root.record_id))


@row_type(
    ws.DISCUSSION,
    description="An internal discussion about an engagement or a record under it; only its "
    "participants and the internal success roles read it.",
)
class Discussion(Node, Declared):
    subject: str = column("What it is about.")
    record_type: str = column("The kind of record it is about.")
    # The global id of the record, whose type record_type names.
    record_global_id: strawberry.ID = computed(
        _record_id, "The record it is about.", reads=["record_id"], name="recordId"
    )
    created_at: datetime = column("When it was started.")
    engagement: LazyEngagement | None = engagement_field()
    started_by: User | None = to_one(entities.USER, "started_by_id", "Who started it.")
    messages: Connection[DiscussionMessage] = connection(
        ws.DISCUSSION_MESSAGE, "discussion_id", "Messages, oldest first."
    )
