"""The root Query: thin resolvers over the repositories."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from csm_graphql.access.scope import ListScope
from csm_graphql.domain.workspace import TemplateTarget
from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.case_inputs import CaseFilterArg, CaseOrderArg, case_ordering
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared.registry import builder, fetchable
from csm_graphql.graphql.ids import from_global_id, to_global_id
from csm_graphql.graphql.inputs import (
    AccountOrder,
    EngagementFilter,
    EngagementOrder,
    Filter,
    OrderBy,
    SortOrder,
    SuccessRecordFilter,
    SuccessRecordOrder,
    record_filter,
    to_ordering,
)
from csm_graphql.graphql.list_filters import check_search, converted_filter, project_task_filter
from csm_graphql.graphql.lookup_inputs import LookupSearchArg, UserLookupArg
from csm_graphql.graphql.lookups import LookupQueries
from csm_graphql.graphql.pagination import (
    After,
    Connection,
    First,
    page_request,
)
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.project_inputs import (
    ProjectFilter,
    ProjectOrder,
    ProjectTaskFilterArg,
    ProjectTaskOrderArg,
)
from csm_graphql.graphql.sla_definitions import SlaDefinitionQueries
from csm_graphql.graphql.types.cases import Case
from csm_graphql.graphql.types.common import Scope
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, User, ViewerInfo
from csm_graphql.graphql.types.projects import Project, ProjectTask
from csm_graphql.graphql.types.search import SearchResults
from csm_graphql.graphql.types.success import (
    Engagement,
    SuccessCase,
    SuccessInitiative,
    SuccessTask,
    Touchpoint,
)
from csm_graphql.graphql.types.workspace import (
    EmailTemplate,
    FormTemplate,
)
from csm_graphql.repositories import case_entities, entities, reads, workspace_entities
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.filters import Equals
from csm_graphql.repositories.filters import Filter as RowFilter

ListScopeArg = Annotated[
    Scope, strawberry.argument(description='ALL: the "All ..." list; MINE: "My ...".')
]


async def _load_node(info: Info, global_id: str) -> Node | None:
    """The node, or None: missing, hidden, malformed and wrong-type ids all look the same."""
    decoded = from_global_id(global_id)
    entry = fetchable(decoded[0]) if decoded else None
    if decoded is None or entry is None:
        return None
    row = await info.context.loaders.by_id(entry.entity).load(decoded[1])
    return entry.build(row) if row else None


async def _root_list(
    info: Info,
    entity: Entity,
    build: Callable[[Row], Any],
    first: int | None,
    after: str | None,
    *,
    scope: ListScope = ListScope.ALL,
    filter: RowFilter | None = None,
    order: SortOrder | None = None,
) -> Connection[Any]:
    page = await reads.page(
        info.context.db,
        entity,
        info.context.viewer,
        page_request(info, first, after),
        scope=scope,
        filter=filter,
        ordering=to_ordering(entity, order, info.context.viewer),
    )
    return Connection.from_page(page, build)


async def _success_list(
    info: Info,
    entity: Entity,
    build: Callable[[Row], Any],
    scope: Scope,
    first: int | None,
    after: str | None,
    filter: SuccessRecordFilter | None,
    order_by: SuccessRecordOrder | None,
) -> Connection[Any]:
    return await _root_list(
        info,
        entity,
        build,
        first,
        after,
        scope=ListScope(scope),
        filter=record_filter(filter),
        order=order_by,
    )


def _applies_to(target: TemplateTarget | None) -> Equals:
    return Equals.of(applies_to=target.value if target else None)


def _success_root_list(entity: Entity, node_type: type, description: str) -> Any:
    """A root customer-success list ("All ..." or "My ...") of ``node_type``."""

    async def resolve(
        root: Any,
        info: Info,
        scope: ListScopeArg = Scope.ALL,
        first: First = None,
        after: After = None,
        filter: Filter = None,
        order_by: OrderBy = None,
    ) -> Any:
        build = builder(entity)
        return await _success_list(info, entity, build, scope, first, after, filter, order_by)

    connection = Connection[node_type]  # type: ignore[valid-type]  # built at import
    return strawberry.field(resolver=resolve, graphql_type=connection, description=description)


@field_rules
@strawberry.type(description="Everything the viewer may read.")
class Query(LookupQueries, SlaDefinitionQueries):
    @strawberry.field(description="The principal this request acts for.")
    def viewer(self, info: Info) -> ViewerInfo:
        viewer = info.context.viewer
        return ViewerInfo(
            id=strawberry.ID(to_global_id(viewer.kind.value.title(), viewer.id)),
            kind=viewer.kind,
            name=viewer.name,
            email=viewer.email,
            roles=sorted(viewer.roles),
            account_ids=viewer.account_ids,
        )

    @strawberry.field(description="Any record by global id; null when missing or not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _load_node(info, id)

    @strawberry.field(description="Records by global id, in order; null where not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        limit = info.context.settings.limits.max_first
        if len(ids) > limit:
            raise BadUserInput(f"ids takes at most {limit} ids.", field="ids")
        # Gathered, not awaited in turn, so that the loaders batch them: one statement per type.
        return list(await asyncio.gather(*(_load_node(info, global_id) for global_id in ids)))

    @strawberry.field(description="Accounts the viewer may see (contacts: their accounts).")
    async def accounts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        order_by: Annotated[AccountOrder | None, strawberry.argument(description="Order.")] = None,
        filter: LookupSearchArg = None,
    ) -> Connection[Account]:
        value = converted_filter(filter)
        return await _root_list(
            info, entities.ACCOUNT, Account.from_row, first, after, filter=value, order=order_by
        )

    @strawberry.field(
        description="Employees; empty for external viewers. Filtered: active ones only."
    )
    async def users(
        self, info: Info, first: First = None, after: After = None, filter: UserLookupArg = None
    ) -> Connection[User]:
        value = converted_filter(filter)
        return await _root_list(info, entities.USER, User.from_row, first, after, filter=value)

    @strawberry.field(description="Engagements the viewer may see.")
    async def engagements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            EngagementFilter | None, strawberry.argument(description="Only matching ones.")
        ] = None,
        order_by: Annotated[
            EngagementOrder | None, strawberry.argument(description="Sort order.")
        ] = None,
    ) -> Connection[Engagement]:
        return await _root_list(
            info,
            entities.ENGAGEMENT,
            Engagement.from_row,
            first,
            after,
            filter=converted_filter(filter),
            order=order_by,
        )

    success_initiatives = _success_root_list(
        entities.SUCCESS_INITIATIVE, SuccessInitiative, "Success initiatives: all visible, or mine."
    )

    success_cases = _success_root_list(
        entities.SUCCESS_CASE, SuccessCase, "Success cases (customer plays): all visible, or mine."
    )

    success_tasks = _success_root_list(
        entities.SUCCESS_TASK, SuccessTask, "Success tasks: all visible, or mine."
    )

    touchpoints = _success_root_list(
        entities.TOUCHPOINT, Touchpoint, "Touchpoints: all visible, or mine."
    )

    @strawberry.field(description="Email templates for success agents; empty for others.")
    async def email_templates(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        applies_to: Annotated[
            TemplateTarget | None, strawberry.argument(description="Only those for these records.")
        ] = None,
    ) -> Connection[EmailTemplate]:
        return await _root_list(
            info,
            workspace_entities.EMAIL_TEMPLATE,
            EmailTemplate.from_row,
            first,
            after,
            filter=_applies_to(applies_to),
        )

    @strawberry.field(description="Form templates for success agents; empty for others.")
    async def form_templates(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        applies_to: Annotated[
            TemplateTarget | None, strawberry.argument(description="Only those for these records.")
        ] = None,
    ) -> Connection[FormTemplate]:
        return await _root_list(
            info,
            workspace_entities.FORM_TEMPLATE,
            FormTemplate.from_row,
            first,
            after,
            filter=_applies_to(applies_to),
        )

    @strawberry.field(description="Customer projects the viewer may see (contacts: theirs).")
    async def projects(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ProjectFilter | None, strawberry.argument(description="Only matching projects.")
        ] = None,
        order_by: Annotated[
            ProjectOrder | None, strawberry.argument(description="Sort order; number first.")
        ] = None,
    ) -> Connection[Project]:
        value = converted_filter(filter)
        return await _root_list(
            info, entities.PROJECT, Project.from_row, first, after, filter=value, order=order_by
        )

    @strawberry.field(description="Project tasks: all visible, or those assigned to me.")
    async def project_tasks(
        self,
        info: Info,
        scope: ListScopeArg = Scope.ALL,
        first: First = None,
        after: After = None,
        filter: ProjectTaskFilterArg = None,
        order_by: ProjectTaskOrderArg = None,
    ) -> Connection[ProjectTask]:
        entity = entities.PROJECT_TASK
        return await _root_list(
            info,
            entity,
            ProjectTask.from_row,
            first,
            after,
            scope=ListScope(scope),
            filter=project_task_filter(filter),
            order=order_by,
        )

    @strawberry.field(
        description="Customer service cases: all the viewer may see, or MINE (assigned to me "
        "for agents; the cases I am the contact or internal contact of for everyone else)."
    )
    async def cases(
        self,
        info: Info,
        scope: ListScopeArg = Scope.ALL,
        first: First = None,
        after: After = None,
        filter: CaseFilterArg = None,
        order_by: CaseOrderArg = None,
    ) -> Connection[Case]:
        page = await reads.page(
            info.context.db,
            case_entities.CASE,
            info.context.viewer,
            page_request(info, first, after),
            scope=ListScope(scope),
            filter=converted_filter(filter),
            ordering=case_ordering(order_by, info.context.viewer),
        )
        return Connection.from_page(page, Case.from_row)

    @strawberry.field(
        description="Full-text search over number, short description and description."
    )
    def search(
        self,
        info: Info,
        text: Annotated[str, strawberry.argument(description="Words, phrases or a number.")],
        first: Annotated[int, strawberry.argument(description="Hits per source.")] = 10,
    ) -> SearchResults:
        check_search(text, first, info.context.settings.limits)
        return SearchResults(text=text, first=first)
