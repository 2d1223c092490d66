"""The agent's engagement workspace as fields of Engagement and Account.

``EngagementWorkspace`` and ``AccountWorkspace`` are inherited by Engagement and Account only
(one type each, so no field object is shared between two schema types); every field here is
INTERNAL in access/fields.py: null or empty for external viewers, silently. Each nested read
goes through a per-request loader, one statement per level whatever the number of parents.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Union

import strawberry

from csm_graphql.domain.enums import ActivityKind as ActivityKindValue
from csm_graphql.domain.enums import RecordType
from csm_graphql.domain.workspace import TeamRole, WorkItemKind
from csm_graphql.graphql.computed_pages import computed_connection
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import attachment_list, computed, connection, field_group
from csm_graphql.graphql.declared.registry import builder
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.types.common import ActivityKind, EngagementStage
from csm_graphql.graphql.types.people import Contact, User
from csm_graphql.graphql.types.records import Activity, Attachment, KnowledgeArticle
from csm_graphql.graphql.types.service import Contract
from csm_graphql.graphql.types.workspace import (
    Discussion,
    InternalPlay,
    InternalPlayTask,
    RiskSignal,
    SuccessPlay,
)
from csm_graphql.graphql.types.workspace_values import RelatedList
from csm_graphql.graphql.workspace_inputs import (
    WorkItemFilter,
    WorkItemOrder,
    narrow_contracts,
    narrow_risk_signals,
    upcoming_touchpoints,
)
from csm_graphql.graphql.workspace_loaders import ArticleKeywords, batched, ranked_articles
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace as reads
from csm_graphql.repositories import workspace_entities as ws
from csm_graphql.repositories import workspace_summaries as summaries
from csm_graphql.repositories.paging import Page

if TYPE_CHECKING:
    from csm_graphql.graphql.types.success import (
        SuccessCase,
        SuccessInitiative,
        SuccessTask,
        Touchpoint,
    )

SUCCESS = "csm_graphql.graphql.types.success"
LazyTouchpoint = Annotated["Touchpoint", strawberry.lazy(SUCCESS)]
WORK_ITEM = strawberry.union(
    "WorkItem",
    description="Work on an engagement: an internal play or task, a success case, initiative "
    "or task.",
)


# The records a work item row names, by its kind.
WORK_ITEM_ENTITIES = {
    WorkItemKind.INTERNAL_PLAY: ws.INTERNAL_PLAY,
    WorkItemKind.INTERNAL_PLAY_TASK: ws.INTERNAL_PLAY_TASK,
    WorkItemKind.SUCCESS_CASE: entities.SUCCESS_CASE,
    WorkItemKind.SUCCESS_INITIATIVE: entities.SUCCESS_INITIATIVE,
    WorkItemKind.SUCCESS_TASK: entities.SUCCESS_TASK,
}


# -- the engagement's fields ----------------------------------------------------------------------


def _team(role: TeamRole | None, description: str) -> Any:
    """An engagement team, by name: the customer team (no role) are contacts, the squad and
    the account team employees; one statement per level."""

    async def team(
        root: Any, info: Info, first: First = None, after: After = None
    ) -> Connection[Any]:
        request = page_request(info, first, after)
        viewer, db = info.context.viewer, info.context.db
        fetch = lambda ids: reads.team_pages(db, viewer, ids, request, role and role.value)  # noqa: E731
        loader = batched(info, ("team", role, request), fetch, Page())
        build = builder(entities.USER if role else entities.CONTACT)
        return Connection.from_page(await loader.load(root.db_id), build)

    return computed(team, description)


@field_group(description="The engagement workspace (mixed into Engagement only).")
class EngagementWorkspace:
    # Engagement's own fields, declared private here so that only Engagement serves them.
    db_id: strawberry.Private[int]
    stage: strawberry.Private[EngagementStage]
    renewal_date: strawberry.Private[date | None]

    # -- risks and work -------------------------------------------------------------------------

    risk_signals: Connection[RiskSignal] | None = connection(
        ws.RISK_SIGNAL,
        "engagement_id",
        "Risk signals: new, overdue, high-priority, unaddressed ones.",
        narrow=narrow_risk_signals,
    )

    @strawberry.field(
        description="Internal plays and their tasks, success cases, initiatives and tasks."
    )
    async def work_items(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            WorkItemFilter | None, strawberry.argument(description="Only matching items.")
        ] = None,
        order_by: Annotated[
            WorkItemOrder | None, strawberry.argument(description="Sort order.")
        ] = None,
    ) -> (
        Connection[
            Annotated[
                Union[  # noqa: UP007 (strawberry needs Union to hold lazy members)
                    InternalPlay,
                    InternalPlayTask,
                    Annotated[SuccessCase, strawberry.lazy(SUCCESS)],
                    Annotated[SuccessInitiative, strawberry.lazy(SUCCESS)],
                    Annotated[SuccessTask, strawberry.lazy(SUCCESS)],
                ],
                WORK_ITEM,
            ]
        ]
        | None
    ):
        request = page_request(info, first, after)
        ordering = (order_by or WorkItemOrder()).ordering()
        kinds = filter.kinds() if filter else ()
        states = filter.states() if filter else ()
        viewer, db = info.context.viewer, info.context.db
        loader = batched(
            info,
            ("work_items", request, ordering.name, kinds, states),
            lambda ids: reads.work_item_pages(db, viewer, ids, request, ordering, kinds, states),
            Page(),
        )
        page: Page = await loader.load(self.db_id)
        kinds_of = [WORK_ITEM_ENTITIES[WorkItemKind(row["kind"])] for row in page.rows]
        loaded = await asyncio.gather(
            *(
                info.context.loaders.by_id(entity).load(row["record_id"])
                for row, entity in zip(page.rows, kinds_of, strict=True)
            )
        )
        found = [
            (builder(entity)(record), cursor)
            for entity, record, cursor in zip(kinds_of, loaded, page.cursors, strict=True)
            if record is not None
        ]
        return computed_connection(
            [node for node, _ in found],
            [cursor for _, cursor in found],
            page.has_next,
            page.has_previous,
            page.total,
        )

    internal_plays: Connection[InternalPlay] | None = connection(
        ws.INTERNAL_PLAY, "engagement_id", "Internal plays of this engagement, by due date."
    )
    success_plays: Connection[SuccessPlay] | None = connection(
        ws.SUCCESS_PLAY,
        "engagement_id",
        "Success plays launched from this engagement or under it.",
    )

    # -- renewal, team, touchpoints ---------------------------------------------------------------

    contracts: Connection[Contract] | None = connection(
        ws.CONTRACT,
        "engagement_id",
        "Contracts of this engagement, by end date.",
        narrow=narrow_contracts,
        shown_as=entities.CONTRACT,
    )

    customer_team: Connection[Contact] | None = _team(None, "The customer team: contacts, by name.")
    squad: Connection[User] | None = _team(
        TeamRole.SQUAD, "The squad: employees working the engagement, by name."
    )
    account_team: Connection[User] | None = _team(
        TeamRole.ACCOUNT_TEAM, "The account team: employees owning the account, by name."
    )

    @strawberry.field(description="The latest touchpoint that took place (not canceled).")
    async def last_active_touchpoint(self, info: Info) -> LazyTouchpoint | None:
        viewer, db, now = info.context.viewer, info.context.db, info.context.now
        loader = batched(
            info, "last_touchpoint", lambda ids: reads.last_touchpoints(db, viewer, ids, now), None
        )
        row = await loader.load(self.db_id)
        return builder(entities.TOUCHPOINT)(row) if row else None

    upcoming_touchpoints: Connection[LazyTouchpoint] | None = connection(
        entities.TOUCHPOINT,
        "engagement_id",
        "Touchpoints scheduled ahead and still open, soonest first.",
        narrow=upcoming_touchpoints,
    )

    # -- timeline and side panel ------------------------------------------------------------------

    @strawberry.field(
        description="The customer timeline: activities of the engagement and of the records "
        "under it (objectives, initiatives, success cases and tasks, touchpoints, plays, risks, "
        "contracts), newest first; each entry links its record."
    )
    async def timeline(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        kind: Annotated[
            list[ActivityKind] | None, strawberry.argument(description="Only these kinds.")
        ] = None,
        record_type: Annotated[
            list[RecordType] | None,
            strawberry.argument(description="Only entries on records of these types."),
        ] = None,
    ) -> Connection[Activity] | None:
        request = page_request(info, first, after)
        kinds = tuple(ActivityKindValue(k).value for k in kind or ())
        types = tuple(RecordType(r).value for r in record_type or ())
        viewer, db = info.context.viewer, info.context.db
        loader = batched(
            info,
            ("timeline", request, kinds, types),
            lambda ids: reads.timeline_pages(
                db, viewer, entities.ACTIVITY, ids, request, kinds, types
            ),
            Page(),
        )
        return Connection.from_page(await loader.load(self.db_id), Activity.from_row)

    @strawberry.field(description="Each related list of the engagement with its record count.")
    async def related_lists(self, info: Info) -> list[RelatedList]:
        viewer, db = info.context.viewer, info.context.db
        loader = batched(
            info, "related_counts", lambda ids: summaries.related_counts(db, viewer, ids), {}
        )
        counts: dict[str, int] = await loader.load(self.db_id)
        return [RelatedList(name=name, count=count) for name, count in counts.items()]

    attachments: Connection[Attachment] | None = attachment_list(
        RecordType.ENGAGEMENT, "Files attached to the engagement, newest first."
    )

    @strawberry.field(
        description="Knowledge articles ranked by full-text relevance to the engagement's name "
        "and stage, or to the keywords in text, best first."
    )
    async def recommended_articles(
        self, info: Info, first: First = None, after: After = None, text: ArticleKeywords = None
    ) -> Connection[KnowledgeArticle] | None:
        return await ranked_articles(info, "engagement", self.db_id, first, after, text)

    discussions: Connection[Discussion] | None = connection(
        ws.DISCUSSION, "engagement_id", "Internal discussions about the engagement, newest first."
    )


__all__ = ["EngagementWorkspace"]
