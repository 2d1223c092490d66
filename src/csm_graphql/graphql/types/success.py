"""The customer-success graph: engagements, initiatives, success cases, tasks, touchpoints."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from csm_graphql import tables as t
from csm_graphql.domain.enums import RecordType
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import (
    Declared,
    activity_stream,
    attachment_list,
    column,
    comment_stream,
    computed,
    link_many,
    row_list,
    row_type,
    to_one,
    version_column,
)
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.graphql.pagination import After, Connection, First
from csm_graphql.graphql.types.common import (
    EngagementStage,
    EngagementState,
    PerceivedHealth,
    Priority,
    Progress,
    TouchpointType,
    WorkState,
)
from csm_graphql.graphql.types.engagement_health import EngagementHealth
from csm_graphql.graphql.types.engagement_workspace import EngagementWorkspace
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, Contact, User
from csm_graphql.graphql.types.records import Activity, Attachment, KnowledgeArticle, Product
from csm_graphql.graphql.types.work_fields import (
    account_field,
    assigned_to_field,
    days_remaining_field,
    engagement_field,
    success_list,
)
from csm_graphql.graphql.types.workspace import SuccessObjective
from csm_graphql.graphql.workspace_loaders import ArticleKeywords, ranked_articles
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace_entities as ws
from csm_graphql.repositories.entities import Entity

# -- the contact filter, which only the four customer-success record types have ------------


def _contact_filter_field(entity: Entity) -> Any:
    return row_list(
        entities.CONTACT,
        "The contact filter: the record's contact plus its explicit contact list.",
        rows=lambda loaders: loaders.contact_filter(entity.table),
    )


@row_type(entities.ENGAGEMENT, description="The relationship with one customer account.")
class Engagement(Node, EngagementWorkspace, EngagementHealth, Declared):
    number: str = column("Engagement number, e.g. ENG0000017.")
    name: str = column("Engagement name.")
    stage: EngagementStage = column("Customer journey stage.")
    go_live_date: date | None = column("Planned or actual go-live.")
    state: EngagementState | None = column("Lifecycle state.")
    contract_value: Decimal | None = column(
        "Total contract value: the sum of the values of the engagement's active contracts "
        "(Engagement.contracts with active true); null when it has none.",
        name="active_contract_value",
    )
    renewal_date: date | None = column("Next renewal date.")
    perceived_health: PerceivedHealth | None = column("Perceived health.")
    created_at: datetime | None = column("When the record was created.")
    updated_at: datetime | None = column("When the record last changed.")
    version: int | None = version_column()
    account: Account | None = account_field()
    parent: Engagement | None = to_one(
        entities.ENGAGEMENT, "parent_id", "The parent engagement in the hierarchy."
    )
    initiatives: Connection[SuccessInitiative] = success_list(
        entities.SUCCESS_INITIATIVE,
        "engagement_id",
        "Success initiatives of this engagement the viewer may see.",
    )
    success_cases: Connection[SuccessCase] = success_list(
        entities.SUCCESS_CASE, "engagement_id", "Success cases (customer plays) of this engagement."
    )
    touchpoints: Connection[Touchpoint] = success_list(
        entities.TOUCHPOINT, "engagement_id", "Touchpoints of this engagement the viewer may see."
    )


@row_type(
    entities.SUCCESS_INITIATIVE,
    description="A success initiative: planned work towards an objective.",
)
class SuccessInitiative(Node, Declared):
    number: str = column("Initiative number, e.g. SINIT0000003.")
    short_description: str = column("One-line summary.")
    description: str | None = column("Details.")
    state: WorkState = column("State.")
    progress: Progress = column("Progress.")
    priority: Priority = column("Priority.")
    due_date: date | None = column("Due date.")
    visible_to_customer: bool | None = column("Shown in the portal.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    version: int = version_column()
    days_remaining: int | None = days_remaining_field()
    engagement: Engagement | None = engagement_field()
    account: Account | None = account_field()
    assigned_to: User | None = assigned_to_field()
    contact_filter: list[Contact] = _contact_filter_field(entities.SUCCESS_INITIATIVE)
    objective: SuccessObjective | None = to_one(
        ws.SUCCESS_OBJECTIVE,
        "objective_id",
        "The success objective it serves (of its own engagement).",
    )
    success_cases: Connection[SuccessCase] = success_list(
        entities.SUCCESS_CASE, "initiative_id", "Success cases launched under this initiative."
    )
    tasks: Connection[SuccessTask] = success_list(
        entities.SUCCESS_TASK, "initiative_id", "Planned tasks of this initiative."
    )


async def _recommended_articles(
    root: Any, info: Info, first: First = None, after: After = None, text: ArticleKeywords = None
) -> Connection[KnowledgeArticle] | None:
    return await ranked_articles(info, "success_case", root.db_id, first, after, text)


@row_type(entities.SUCCESS_CASE, description='A success case, the portal\'s "customer play".')
class SuccessCase(Node, Declared):
    number: str = column("Success case number, e.g. SCASE0001042.")
    subject: str = column("The subject (its short description).", name="short_description")
    short_description: str = column("One-line summary.")
    description: str | None = column("General instructions.")
    state: WorkState = column("State.")
    priority: Priority = column("Priority.")
    due_date: date | None = column("Due date.")
    visible_to_customer: bool | None = column("Shown in the portal.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    version: int = version_column()
    days_remaining: int | None = days_remaining_field()
    engagement: Engagement | None = engagement_field()
    account: Account | None = account_field()
    assigned_to: User | None = assigned_to_field()
    contact_filter: list[Contact] = _contact_filter_field(entities.SUCCESS_CASE)
    initiative: SuccessInitiative | None = to_one(
        entities.SUCCESS_INITIATIVE,
        "initiative_id",
        "The initiative it was launched under, when visible.",
    )
    product: Product | None = to_one(entities.PRODUCT, "product_id", "The product it is about.")
    tasks: Connection[SuccessTask] = success_list(
        entities.SUCCESS_TASK, "success_case_id", "Unplanned tasks of this success case."
    )
    activities: Connection[Activity] = activity_stream(RecordType.SUCCESS_CASE)
    attachments: Connection[Attachment] = attachment_list(RecordType.SUCCESS_CASE)
    # Ranked by full-text relevance in SQL: a query of its own, not a plain relation.
    recommended_articles: Connection[KnowledgeArticle] | None = computed(
        _recommended_articles,
        "Knowledge articles ranked by full-text relevance to its short description "
        "(the side panel's recommendations), or to the keywords in text, best first.",
    )
    shared_articles: Connection[KnowledgeArticle] = link_many(
        entities.KNOWLEDGE_ARTICLE,
        t.success_case_articles,
        "success_case_id",
        "article_id",
        "Knowledge articles shared on this case, newest share first.",
        loader=Loaders.shared_articles,
    )


async def _parent(root: Any, info: Info) -> Node | None:
    if root.initiative_id is not None:
        row = await info.context.loaders.by_id(entities.SUCCESS_INITIATIVE).load(root.initiative_id)
        return SuccessInitiative.from_row(row) if row else None
    row = await info.context.loaders.by_id(entities.SUCCESS_CASE).load(root.success_case_id)
    return SuccessCase.from_row(row) if row else None


@row_type(
    entities.SUCCESS_TASK,
    description="A task under an initiative (planned) or a success case (unplanned). "
    "External viewers see only its number, description line, state, progress, priority, "
    "dates, account and additional comments.",
)
class SuccessTask(Node, Declared):
    number: str = column("Task number, e.g. STASK0000311.")
    short_description: str = column("One-line summary.")
    description: str | None = column("Details.")
    state: WorkState = column("State.")
    progress: Progress = column("Progress.")
    priority: Priority = column("Priority.")
    due_date: date | None = column("Due date.")
    visible_to_customer: bool | None = column("Shown in the portal.")
    created_at: datetime | None = column("When the record was created.")
    updated_at: datetime | None = column("When the record last changed.")
    version: int | None = version_column()
    days_remaining: int | None = days_remaining_field()
    engagement: Engagement | None = engagement_field()
    account: Account | None = account_field()
    assigned_to: User | None = assigned_to_field()
    contact_filter: list[Contact] = _contact_filter_field(entities.SUCCESS_TASK)
    # One of two parents: a to-one whose target depends on which key is set.
    parent: Node | None = computed(
        _parent, "Its initiative or success case.", reads=["initiative_id", "success_case_id"]
    )
    comments: Connection[Activity] = comment_stream(RecordType.SUCCESS_TASK)
    # The task detail's stream and files, to whoever sees the task: the activities' and
    # attachments' row rules keep work notes (and discussions) from contacts on every path.
    activities: Connection[Activity] = activity_stream(RecordType.SUCCESS_TASK)
    attachments: Connection[Attachment] = attachment_list(RecordType.SUCCESS_TASK)


@row_type(entities.TOUCHPOINT, description="A meeting or contact moment on an engagement.")
class Touchpoint(Node, Declared):
    number: str = column("Touchpoint number, e.g. TPNT0000052.")
    short_description: str = column("One-line summary.")
    description: str | None = column("Agenda or notes.")
    type: TouchpointType = column("Kind of contact moment.")
    scheduled_at: datetime | None = column("When it takes place.")
    state: WorkState = column("State.")
    priority: Priority = column("Priority.")
    due_date: date | None = column("Due date.")
    visible_to_customer: bool | None = column("Shown in the portal.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    version: int = version_column()
    days_remaining: int | None = days_remaining_field()
    engagement: Engagement | None = engagement_field()
    account: Account | None = account_field()
    assigned_to: User | None = assigned_to_field()
    contact_filter: list[Contact] = _contact_filter_field(entities.TOUCHPOINT)
    activities: Connection[Activity] = activity_stream(RecordType.TOUCHPOINT)
    attachments: Connection[Attachment] = attachment_list(
        RecordType.TOUCHPOINT, "Attached files (agenda, minutes), newest first."
    )
