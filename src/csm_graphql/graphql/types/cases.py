"""Customer service cases: the case form, its related lists, SLAs, work orders, interactions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy import RowMapping
from strawberry.types import Info

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
from csm_graphql.domain.enums import ActivityKind as ActivityKindValue
from csm_graphql.domain.enums import RecordType
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.case_records import (
    Customer360,
    Customer360Kind,
    RelatedRecord,
    TaskSla,
)
from csm_graphql.graphql.types.common import Priority, child_connection
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, Contact, User
from csm_graphql.graphql.types.records import Activity, Attachment, KnowledgeArticle, Product
from csm_graphql.graphql.types.service import (
    Asset,
    Contract,
    Entitlement,
    SupportGroup,
)
from csm_graphql.repositories import case_entities, case_relations, entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Page

if TYPE_CHECKING:
    from csm_graphql.graphql.types.projects import (
        Project,
        ProjectChangeRequest,
        ProjectIssue,
        ProjectTask,
    )

# Projects list their cases, so their types import this module; these two refer back lazily.
_PROJECTS = "csm_graphql.graphql.types.projects"


async def _by_id(info: Info, entity: Entity, record_id: int | None) -> RowMapping | None:
    if record_id is None:
        return None
    row: RowMapping | None = await info.context.loaders.by_id(entity).load(record_id)
    return row


async def _user(info: Info, user_id: int | None) -> User | None:
    row = await _by_id(info, entities.USER, user_id)
    return User.from_row(row) if row else None


async def _contact(info: Info, contact_id: int | None) -> Contact | None:
    row = await _by_id(info, entities.CONTACT, contact_id)
    return Contact.from_row(row) if row else None


async def _account(info: Info, account_id: int | None) -> Account | None:
    row = await _by_id(info, entities.ACCOUNT, account_id)
    return Account.from_row(row) if row else None


async def _case(info: Info, case_id: int | None) -> Case | None:
    row = await _by_id(info, case_entities.CASE, case_id)
    return Case.from_row(row) if row else None


@field_rules
@strawberry.type(description="Field-service work for a case or a project.")
class WorkOrder(Node):
    case_id: strawberry.Private[int | None]
    assigned_to_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Work order number, e.g. WO0000031.")
    short_description: str = strawberry.field(description="One-line summary.")
    state: WorkOrderState = strawberry.field(description="State.")
    scheduled_at: datetime | None = strawberry.field(description="When the visit is planned.")
    created_at: datetime = strawberry.field(description="When it was created.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("WorkOrder", row["id"])),
            case_id=row["case_id"],
            assigned_to_id=row["assigned_to_id"],
            number=row["number"],
            short_description=row["short_description"],
            state=WorkOrderState(row["state"]),
            scheduled_at=row["scheduled_at"],
            created_at=row["created_at"],
        )

    @strawberry.field(description="The case it serves, when visible.")
    async def case(self, info: Info) -> Case | None:
        return await _case(info, self.case_id)

    @strawberry.field(description="The field technician.")
    async def assigned_to(self, info: Info) -> User | None:
        return await _user(info, self.assigned_to_id)


@field_rules
@strawberry.type(
    description="A phone call, chat, email or walk-in an agent opened before any case existed."
)
class Interaction(Node):
    opened_for_user_id: strawberry.Private[int | None]
    account_id: strawberry.Private[int | None]
    contact_id: strawberry.Private[int | None]
    case_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Interaction number, e.g. IMS0000004.")
    channel: InteractionChannel = strawberry.field(description="How they got in touch.")
    state: InteractionState = strawberry.field(description="State.")
    short_description: str | None = strawberry.field(description="What it is about.")
    created_at: datetime = strawberry.field(description="When it was opened.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Interaction", row["id"])),
            opened_for_user_id=row["opened_for_user_id"],
            account_id=row["account_id"],
            contact_id=row["contact_id"],
            case_id=row["case_id"],
            number=row["number"],
            channel=InteractionChannel(row["channel"]),
            state=InteractionState(row["state"]),
            short_description=row["short_description"],
            created_at=row["created_at"],
        )

    @strawberry.field(description="The employee it was opened for (e.g. a proxy contact).")
    async def opened_for(self, info: Info) -> User | None:
        return await _user(info, self.opened_for_user_id)

    @strawberry.field(description="The customer account.")
    async def account(self, info: Info) -> Account | None:
        return await _account(info, self.account_id)

    @strawberry.field(description="The customer contact.")
    async def contact(self, info: Info) -> Contact | None:
        return await _contact(info, self.contact_id)

    @strawberry.field(description="The case created from it.")
    async def case(self, info: Info) -> Case | None:
        return await _case(info, self.case_id)


def _children(
    info: Info,
    entity: Entity,
    parent_column: str,
    first: int | None,
    after: str | None,
    *,
    record_type: str | None = None,
    kinds: tuple[str, ...] = (),
) -> ChildQuery:
    return ChildQuery(
        entity,
        parent_column,
        page_request(info, first, after),
        record_type=record_type,
        kinds=kinds,
    )


def _activity_field(description: str, *kinds: ActivityKindValue, internal: bool = False) -> Any:
    """An activity list; an internal one is nullable, so that a denial resolves to null."""

    async def resolve(
        root: Case, info: Info, first: First = None, after: After = None
    ) -> Connection[Activity] | None:
        query = _children(
            info,
            entities.ACTIVITY,
            "record_id",
            first,
            after,
            record_type=RecordType.CASE.value,
            kinds=tuple(kind.value for kind in kinds),
        )
        return await child_connection(info, query, root.db_id, Activity.from_row)

    if not internal:
        resolve.__annotations__["return"] = "Connection[Activity]"
    return strawberry.field(resolver=resolve, description=description)


def _related_field(kind: RelatedRecordKind, description: str, *, internal: bool = True) -> Any:
    async def resolve(
        root: Case, info: Info, first: First = None, after: After = None
    ) -> Connection[RelatedRecord] | None:
        query = _children(
            info,
            case_entities.RELATED_RECORD,
            "case_id",
            first,
            after,
            kinds=(kind.value,),
        )
        return await child_connection(info, query, root.db_id, RelatedRecord.from_row)

    if not internal:
        resolve.__annotations__["return"] = "Connection[RelatedRecord]"
    return strawberry.field(resolver=resolve, description=description)


@field_rules
@strawberry.type(description="A customer service case: the case form of DOMAIN.md section 4.")
class Case(Node):
    db_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    contact_id: strawberry.Private[int | None]
    internal_contact_id: strawberry.Private[int | None]
    asset_id: strawberry.Private[int | None]
    product_id: strawberry.Private[int | None]
    support_group_id: strawberry.Private[int | None]
    assigned_to_id: strawberry.Private[int | None]
    contract_id: strawberry.Private[int | None]
    entitlement_id: strawberry.Private[int | None]
    parent_id: strawberry.Private[int | None]
    project_id: strawberry.Private[int | None]
    project_task_id: strawberry.Private[int | None]
    resolution_notes_value: strawberry.Private[str | None]
    number: str = strawberry.field(description="Case number, e.g. CS0001042.")
    channel: CaseChannel = strawberry.field(description="How the case came in.")
    consumer: str | None = strawberry.field(
        description="The consumer (free text: an end customer without a contact record)."
    )
    consumer_email: str | None = strawberry.field(description="How to reach the consumer.")
    category: str | None = strawberry.field(description="Category.")
    impact: Impact = strawberry.field(description="Impact.")
    urgency: Urgency = strawberry.field(description="Urgency.")
    priority: Priority = strawberry.field(
        description="Derived from impact x urgency (see the priority matrix in the README); "
        "never set directly."
    )
    share_resolution_notes: bool = strawberry.field(
        description="Whether the resolution notes are shown to external viewers."
    )
    state: CaseState = strawberry.field(description="Lifecycle state.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(description="Details.")
    resolution_code: ResolutionCode | None = strawberry.field(description="How it was resolved.")
    assigned_to_name: str | None = strawberry.field(
        description="The name of the agent working it (the rest of them is internal)."
    )
    opened_by_name: str | None = strawberry.field(description="Who opened it, by name.")
    closed_at: datetime | None = strawberry.field(description="When it was closed or canceled.")
    created_at: datetime = strawberry.field(description="When it was opened.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    version: int = strawberry.field(
        description="Optimistic-concurrency version: pass it as expectedVersion to updates."
    )

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Case", row["id"])),
            db_id=row["id"],
            account_id=row["account_id"],
            contact_id=row["contact_id"],
            internal_contact_id=row["internal_contact_id"],
            asset_id=row["asset_id"],
            product_id=row["product_id"],
            support_group_id=row["support_group_id"],
            assigned_to_id=row["assigned_to_id"],
            contract_id=row["contract_id"],
            entitlement_id=row["entitlement_id"],
            parent_id=row["parent_id"],
            project_id=row["project_id"],
            project_task_id=row["project_task_id"],
            resolution_notes_value=row["resolution_notes"],
            number=row["number"],
            channel=CaseChannel(row["channel"]),
            consumer=row["consumer_name"],
            consumer_email=row["consumer_email"],
            category=row["category"],
            impact=Impact(row["impact"]),
            urgency=Urgency(row["urgency"]),
            priority=Priority(row["priority"]),
            share_resolution_notes=row["share_resolution_notes"],
            state=CaseState(row["state"]),
            short_description=row["short_description"],
            description=row["description"],
            resolution_code=ResolutionCode(row["resolution_code"])
            if row["resolution_code"]
            else None,
            assigned_to_name=row["assigned_to_name"],
            opened_by_name=row["opened_by_name"],
            closed_at=row["closed_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
        )

    @strawberry.field(
        description="Resolution notes. External viewers get them only when "
        "shareResolutionNotes is true (null otherwise)."
    )
    def resolution_notes(self, info: Info) -> str | None:
        if may_read_resolution_notes(info.context.viewer, self.share_resolution_notes):
            return self.resolution_notes_value
        return None

    @strawberry.field(description="The customer account.")
    async def account(self, info: Info) -> Account | None:
        return await _account(info, self.account_id)

    @strawberry.field(description="The customer contact, when visible.")
    async def contact(self, info: Info) -> Contact | None:
        return await _contact(info, self.contact_id)

    @strawberry.field(
        description="The proxy-contact employee who raised the case for the customer."
    )
    async def internal_contact(self, info: Info) -> User | None:
        return await _user(info, self.internal_contact_id)

    @strawberry.field(description="The asset (installed product) the case is about.")
    async def asset(self, info: Info) -> Asset | None:
        row = await _by_id(info, case_entities.ASSET, self.asset_id)
        return Asset.from_row(row) if row else None

    @strawberry.field(description="The product the case is about.")
    async def product(self, info: Info) -> Product | None:
        row = await _by_id(info, entities.PRODUCT, self.product_id)
        return Product.from_row(row) if row else None

    @strawberry.field(description="The support group working it.")
    async def support_group(self, info: Info) -> SupportGroup | None:
        row = await _by_id(info, case_entities.SUPPORT_GROUP, self.support_group_id)
        return SupportGroup.from_row(row) if row else None

    @strawberry.field(description="The agent working it.")
    async def assigned_to(self, info: Info) -> User | None:
        return await _user(info, self.assigned_to_id)

    @strawberry.field(description="The contract it is served under.")
    async def contract(self, info: Info) -> Contract | None:
        row = await _by_id(info, case_entities.CONTRACT, self.contract_id)
        return Contract.from_row(row) if row else None

    @strawberry.field(description="The entitlement it is served under.")
    async def entitlement(self, info: Info) -> Entitlement | None:
        row = await _by_id(info, case_entities.ENTITLEMENT, self.entitlement_id)
        return Entitlement.from_row(row) if row else None

    @strawberry.field(description="The parent case, when visible.")
    async def parent(self, info: Info) -> Case | None:
        return await _case(info, self.parent_id)

    @strawberry.field(
        description="The customer project it was raised for, when the viewer sees that project."
    )
    async def project(self, info: Info) -> Annotated[Project, strawberry.lazy(_PROJECTS)] | None:
        from csm_graphql.graphql.types.projects import Project

        row = await _by_id(info, entities.PROJECT, self.project_id)
        return Project.from_row(row) if row else None

    @strawberry.field(
        description="The project task it was raised for, when the viewer sees that task."
    )
    async def project_task(
        self, info: Info
    ) -> Annotated[ProjectTask, strawberry.lazy(_PROJECTS)] | None:
        from csm_graphql.graphql.types.projects import ProjectTask

        row = await _by_id(info, entities.PROJECT_TASK, self.project_task_id)
        return ProjectTask.from_row(row) if row else None

    @strawberry.field(
        description="Project change requests raised for the case (externally: project contacts "
        "only)."
    )
    async def change_requests(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Annotated[ProjectChangeRequest, strawberry.lazy(_PROJECTS)]]:
        from csm_graphql.graphql.types.projects import ProjectChangeRequest

        query = _children(info, entities.PROJECT_CHANGE_REQUEST, "case_id", first, after)
        return await child_connection(info, query, self.db_id, ProjectChangeRequest.from_row)

    @strawberry.field(
        description="Project issues raised for the case (externally: project contacts only)."
    )
    async def project_issues(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Annotated[ProjectIssue, strawberry.lazy(_PROJECTS)]]:
        from csm_graphql.graphql.types.projects import ProjectIssue

        query = _children(info, entities.PROJECT_ISSUE, "case_id", first, after)
        return await child_connection(info, query, self.db_id, ProjectIssue.from_row)

    @strawberry.field(description="Employees kept informed of the case.")
    async def informed_users(self, info: Info) -> list[User]:
        loader = info.context.loaders.batched(
            "case_informed_users", _informed_users_fetch(info), []
        )
        return [User.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(
        description="The contact if set, else the consumer, else the internal contact."
    )
    async def customer360(self, info: Info) -> Customer360 | None:
        if self.contact_id is not None:
            contact = await _contact(info, self.contact_id)
            return Customer360(
                kind=Customer360Kind.CONTACT,
                name=contact.name if contact else None,
                email=contact.email if contact else None,
                contact=contact,
                user=None,
            )
        if self.consumer is not None:
            return Customer360(
                kind=Customer360Kind.CONSUMER,
                name=self.consumer,
                email=self.consumer_email,
                contact=None,
                user=None,
            )
        if self.internal_contact_id is not None:
            user = await _user(info, self.internal_contact_id)
            return Customer360(
                kind=Customer360Kind.INTERNAL_CONTACT,
                name=user.name if user else None,
                email=user.email if user else None,
                contact=None,
                user=user,
            )
        return None

    activities = _activity_field(
        "The activity stream, newest first: what the viewer may read (work notes are "
        "internal; proxy contacts never get them)."
    )
    comments = _activity_field(
        "Additional comments (customer-visible), newest first.", ActivityKindValue.COMMENT
    )
    work_notes = _activity_field(
        "Work notes (internal communication), newest first.",
        ActivityKindValue.WORK_NOTE,
        internal=True,
    )

    @strawberry.field(description="Attached files, newest first.")
    async def attachments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Attachment]:
        query = _children(
            info, entities.ATTACHMENT, "record_id", first, after, record_type=RecordType.CASE.value
        )
        return await child_connection(info, query, self.db_id, Attachment.from_row)

    @strawberry.field(description="Child cases the viewer may see, newest first.")
    async def child_cases(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Case]:
        query = _children(info, case_entities.CASE, "parent_id", first, after)
        return await child_connection(info, query, self.db_id, Case.from_row)

    @strawberry.field(description="SLAs running on the case.")
    async def slas(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[TaskSla]:
        query = _children(info, case_entities.TASK_SLA, "case_id", first, after)
        return await child_connection(info, query, self.db_id, TaskSla.from_row)

    @strawberry.field(description="Work orders of the case.")
    async def work_orders(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[WorkOrder]:
        query = _children(info, case_entities.WORK_ORDER, "case_id", first, after)
        return await child_connection(info, query, self.db_id, WorkOrder.from_row)

    @strawberry.field(description="Interactions the case was created from.")
    async def interactions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Interaction] | None:
        query = _children(info, case_entities.INTERACTION, "case_id", first, after)
        return await child_connection(info, query, self.db_id, Interaction.from_row)

    incidents = _related_field(RelatedRecordKind.INCIDENT, "Incidents raised from the case.")
    problems = _related_field(RelatedRecordKind.PROBLEM, "Problems raised from the case.")
    changes = _related_field(RelatedRecordKind.CHANGE, "Changes raised from the case.")
    requests = _related_field(
        RelatedRecordKind.REQUEST, "Requests raised from the case.", internal=False
    )

    @strawberry.field(description="Knowledge articles linked to the case, newest link first.")
    async def knowledge(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[KnowledgeArticle]:
        request = page_request(info, first, after)
        viewer, db = info.context.viewer, info.context.db

        def fetch(ids: list[int]) -> Awaitable[dict[int, Any]]:
            return case_relations.case_articles(db, viewer, ids, request)

        loader = info.context.loaders.batched(("case_articles", request), fetch, Page())
        page = await loader.load(self.db_id)
        return Connection.from_page(page, KnowledgeArticle.from_row)


def _informed_users_fetch(info: Info) -> Callable[[list[int]], Awaitable[dict[int, Any]]]:
    viewer, db = info.context.viewer, info.context.db

    def fetch(ids: list[int]) -> Awaitable[dict[int, Any]]:
        return case_relations.informed_users(db, viewer, ids)

    return fetch


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
