"""Customer service cases: the case form, its related lists, SLAs, work orders, interactions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from csm_graphql import tables as t
from csm_graphql.access.fields import may_read_resolution_notes
from csm_graphql.domain.cases import (
    CaseChannel,
    CaseState,
    Impact,
    InteractionChannel,
    InteractionState,
    RelatedRecordKind,
    ResolutionCode,
    Urgency,
    WorkOrderState,
)
from csm_graphql.domain.enums import RecordType
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import (
    Declared,
    activity_stream,
    attachment_list,
    column,
    comment_stream,
    computed,
    connection,
    link_list,
    link_many,
    reference,
    row_type,
    to_one,
    version_column,
    work_note_stream,
)
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.graphql.pagination import Connection
from csm_graphql.graphql.types.case_records import (
    Customer360,
    Customer360Kind,
    ProjectReference,
    RelatedRecord,
    TaskSla,
)
from csm_graphql.graphql.types.common import Priority
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, Contact, User
from csm_graphql.graphql.types.records import Activity, Attachment, KnowledgeArticle, Product
from csm_graphql.graphql.types.service import (
    Asset,
    Contract,
    Entitlement,
    SupportGroup,
)
from csm_graphql.repositories import case_entities, entities

if TYPE_CHECKING:
    from csm_graphql.graphql.types.projects import (
        Project,
        ProjectChangeRequest,
        ProjectIssue,
        ProjectTask,
    )

# Projects list their cases, so their types import this module; these refer back lazily.
_PROJECTS = "csm_graphql.graphql.types.projects"


@row_type(case_entities.WORK_ORDER, description="Field-service work for a case or a project.")
class WorkOrder(Node, Declared):
    number: str = column("Work order number, e.g. WO0000031.")
    short_description: str = column("One-line summary.")
    state: WorkOrderState = column("State.")
    scheduled_at: datetime | None = column("When the visit is planned.")
    created_at: datetime = column("When it was created.")
    case: Case | None = to_one(case_entities.CASE, "case_id", "The case it serves, when visible.")
    assigned_to: User | None = to_one(entities.USER, "assigned_to_id", "The field technician.")
    attachments: Connection[Attachment] = attachment_list(
        RecordType.WORK_ORDER,
        "Attached files, newest first (whoever sees the work order sees them).",
    )


@row_type(
    case_entities.INTERACTION,
    description="A phone call, chat, email or walk-in an agent opened before any case existed.",
)
class Interaction(Node, Declared):
    number: str = column("Interaction number, e.g. IMS0000004.")
    channel: InteractionChannel = column("How they got in touch.")
    state: InteractionState = column("State.")
    short_description: str | None = column("What it is about.")
    created_at: datetime = column("When it was opened.")
    opened_for: User | None = to_one(
        entities.USER,
        "opened_for_user_id",
        "The employee it was opened for (e.g. a proxy contact).",
    )
    account: Account | None = to_one(entities.ACCOUNT, "account_id", "The customer account.")
    contact: Contact | None = to_one(entities.CONTACT, "contact_id", "The customer contact.")
    case: Case | None = to_one(case_entities.CASE, "case_id", "The case created from it.")


# -- values of a case computed in Python -------------------------------------------------------


def _resolution_notes(root: Any, info: Info) -> str | None:
    # The one row-dependent field rule (access/fields.py): shared notes reach contacts too.
    if may_read_resolution_notes(info.context.viewer, root.share_resolution_notes):
        notes: str | None = root.resolution_notes
        return notes
    return None


async def _customer360(root: Any, info: Info) -> Customer360 | None:
    loaders, kind = info.context.loaders, Customer360Kind
    if root.contact_id is not None:
        row = await loaders.by_id(entities.CONTACT).load(root.contact_id)
        return Customer360.of(kind.CONTACT, contact=Contact.from_row(row) if row else None)
    if root.consumer_name is not None:
        return Customer360(kind=kind.CONSUMER, name=root.consumer_name, email=root.consumer_email)
    if root.internal_contact_id is not None:
        row = await loaders.by_id(entities.USER).load(root.internal_contact_id)
        return Customer360.of(kind.INTERNAL_CONTACT, user=User.from_row(row) if row else None)
    return None


def _related(kind: RelatedRecordKind, description: str) -> Any:
    return connection(case_entities.RELATED_RECORD, "case_id", description, kinds=[kind.value])


@row_type(
    case_entities.CASE,
    description="A customer service case: the case form of DOMAIN.md section 4.",
)
class Case(Node, Declared):
    number: str = column("Case number, e.g. CS0001042.")
    channel: CaseChannel = column("How the case came in.")
    consumer: str | None = column(
        "The consumer (free text: an end customer without a contact record).",
        name="consumer_name",
    )
    consumer_email: str | None = column("How to reach the consumer.")
    category: str | None = column("Category.")
    impact: Impact = column("Impact.")
    urgency: Urgency = column("Urgency.")
    priority: Priority = column(
        "Derived from impact x urgency (see the priority matrix in the README); never set directly."
    )
    share_resolution_notes: bool = column(
        "Whether the resolution notes are shown to external viewers."
    )
    state: CaseState = column("Lifecycle state.")
    short_description: str = column("One-line summary.")
    description: str | None = column("Details.")
    resolution_code: ResolutionCode | None = column("How it was resolved.")
    assigned_to_name: str | None = column(
        "The name of the agent working it (the rest of them is internal)."
    )
    opened_by_name: str | None = column("Who opened it, by name.")
    closed_at: datetime | None = column("When it was closed or canceled.")
    created_at: datetime = column("When it was opened.")
    updated_at: datetime = column("When it last changed.")
    version: int = version_column()
    shown_resolution_notes: str | None = computed(
        _resolution_notes,
        "Resolution notes. External viewers get them only when shareResolutionNotes is true "
        "(null otherwise).",
        reads=["resolution_notes", "share_resolution_notes"],
        name="resolutionNotes",
    )
    account: Account | None = to_one(entities.ACCOUNT, "account_id", "The customer account.")
    contact: Contact | None = to_one(
        entities.CONTACT, "contact_id", "The customer contact, when visible."
    )
    internal_contact: User | None = to_one(
        entities.USER,
        "internal_contact_id",
        "The proxy-contact employee who raised the case for the customer.",
    )
    asset: Asset | None = to_one(
        case_entities.ASSET, "asset_id", "The asset (installed product) the case is about."
    )
    product: Product | None = to_one(
        entities.PRODUCT, "product_id", "The product the case is about."
    )
    support_group: SupportGroup | None = to_one(
        case_entities.SUPPORT_GROUP, "support_group_id", "The support group working it."
    )
    assigned_to: User | None = to_one(entities.USER, "assigned_to_id", "The agent working it.")
    contract: Contract | None = to_one(
        case_entities.CONTRACT, "contract_id", "The contract it is served under."
    )
    entitlement: Entitlement | None = to_one(
        case_entities.ENTITLEMENT, "entitlement_id", "The entitlement it is served under."
    )
    parent: Case | None = to_one(case_entities.CASE, "parent_id", "The parent case, when visible.")
    project: Annotated[Project, strawberry.lazy(_PROJECTS)] | None = to_one(
        entities.PROJECT,
        "project_id",
        "The customer project it was raised for, when the viewer sees that project.",
    )
    raised_for: ProjectReference | None = reference(
        entities.PROJECT_REFERENCE,
        "project_id",
        "The customer project it was raised for, by number and name, to whoever sees the case "
        "(project above is the full project, for those who see it).",
        shown_as=ProjectReference,
    )
    project_task: Annotated[ProjectTask, strawberry.lazy(_PROJECTS)] | None = to_one(
        entities.PROJECT_TASK,
        "project_task_id",
        "The project task it was raised for, when the viewer sees that task.",
    )
    change_requests: Connection[Annotated[ProjectChangeRequest, strawberry.lazy(_PROJECTS)]] = (
        connection(
            entities.PROJECT_CHANGE_REQUEST,
            "case_id",
            "Project change requests raised for the case (externally: project contacts only).",
        )
    )
    project_issues: Connection[Annotated[ProjectIssue, strawberry.lazy(_PROJECTS)]] = connection(
        entities.PROJECT_ISSUE,
        "case_id",
        "Project issues raised for the case (externally: project contacts only).",
    )
    informed_users: list[User] = link_list(
        entities.USER,
        t.case_informed_users,
        "case_id",
        "user_id",
        "Employees kept informed of the case.",
    )
    customer360: Customer360 | None = computed(
        _customer360,
        "The contact if set, else the consumer, else the internal contact.",
        reads=["contact_id", "consumer_name", "internal_contact_id"],
    )
    activities: Connection[Activity] = activity_stream(
        RecordType.CASE,
        "The activity stream, newest first: what the viewer may read (work notes are "
        "internal; proxy contacts never get them).",
    )
    comments: Connection[Activity] = comment_stream(RecordType.CASE)
    # Internal, so nullable: a denial resolves to null.
    work_notes: Connection[Activity] | None = work_note_stream(RecordType.CASE)
    attachments: Connection[Attachment] = attachment_list(RecordType.CASE)
    child_cases: Connection[Case] = connection(
        case_entities.CASE, "parent_id", "Child cases the viewer may see, newest first."
    )
    slas: Connection[TaskSla] = connection(
        case_entities.TASK_SLA, "case_id", "SLAs running on the case."
    )
    work_orders: Connection[WorkOrder] = connection(
        case_entities.WORK_ORDER, "case_id", "Work orders of the case."
    )
    interactions: Connection[Interaction] | None = connection(
        case_entities.INTERACTION, "case_id", "Interactions the case was created from."
    )
    incidents: Connection[RelatedRecord] | None = _related(
        RelatedRecordKind.INCIDENT, "Incidents raised from the case."
    )
    problems: Connection[RelatedRecord] | None = _related(
        RelatedRecordKind.PROBLEM, "Problems raised from the case."
    )
    changes: Connection[RelatedRecord] | None = _related(
        RelatedRecordKind.CHANGE, "Changes raised from the case."
    )
    requests: Connection[RelatedRecord] = _related(
        RelatedRecordKind.REQUEST, "Requests raised from the case."
    )
    knowledge: Connection[KnowledgeArticle] = link_many(
        entities.KNOWLEDGE_ARTICLE,
        t.case_articles,
        "case_id",
        "article_id",
        "Knowledge articles linked to the case, newest link first.",
        loader=Loaders.case_articles,
    )


__all__ = [
    "Case",
    "CaseChannel",
    "CaseState",
    "Customer360",
    "Interaction",
    "RelatedRecord",
    "TaskSla",
    "WorkOrder",
]
