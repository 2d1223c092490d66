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
from csm_graphql.graphql.declared.registry import builder
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.types.common import ActivityKind, EngagementStage, child_connection
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
    RiskSignalFilter,
    RiskSignalOrder,
    WorkItemFilter,
    WorkItemOrder,
    risk_conditions,
)
from csm_graphql.graphql.workspace_loaders import ArticleKeywords, batched, ranked_articles
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace as reads
from csm_graphql.repositories import workspace_entities as ws
from csm_graphql.repositories import workspace_summaries as summaries
from csm_graphql.repositories.filters import ActiveContracts
from csm_graphql.repositories.paging import Page

if TYPE_CHECKING:
    from csm_graphql.graphql.types.success import (
        SuccessCase,
        SuccessInitiative,
        SuccessTask,
        Touchpoint,
    )

SUCCESS = "csm_graphql.graphql.types.success"
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


@strawberry.type(description="The engagement workspace (mixed into Engagement only).")
class EngagementWorkspace:
    # Engagement's own fields, declared private here so that only Engagement serves them.
    db_id: strawberry.Private[int]
    stage: strawberry.Private[EngagementStage]
    renewal_date: strawberry.Private[date | None]

    # -- risks and work -------------------------------------------------------------------------

    @strawberry.field(description="Risk signals: new, overdue, high-priority, unaddressed ones.")
    async def risk_signals(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            RiskSignalFilter | None, strawberry.argument(description="Only matching risks.")
        ] = None,
        order_by: Annotated[
            RiskSignalOrder | None, strawberry.argument(description="Sort order.")
        ] = None,
    ) -> Connection[RiskSignal] | None:
        query = ChildQuery(
            ws.RISK_SIGNAL,
            "engagement_id",
            page_request(info, first, after),
            ordering=order_by.ordering() if order_by else None,
            record_filter=risk_conditions(filter, info.context.today),
        )
        return await child_connection(info, query, self.db_id, RiskSignal.from_row)

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

    @strawberry.field(description="Internal plays of this engagement, by due date.")
    async def internal_plays(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[InternalPlay] | None:
        query = ChildQuery(ws.INTERNAL_PLAY, "engagement_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, InternalPlay.from_row)

    @strawberry.field(description="Success plays launched from this engagement or under it.")
    async def success_plays(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[SuccessPlay] | None:
        query = ChildQuery(ws.SUCCESS_PLAY, "engagement_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, SuccessPlay.from_row)

    # -- renewal, team, touchpoints ---------------------------------------------------------------

    @strawberry.field(description="Contracts of this engagement, by end date.")
    async def contracts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        active_only: Annotated[
            bool, strawberry.argument(description="Only contracts in force.")
        ] = True,
    ) -> Connection[Contract] | None:
        query = ChildQuery(
            ws.CONTRACT,
            "engagement_id",
            page_request(info, first, after),
            record_filter=ActiveContracts() if active_only else None,
        )
        return await child_connection(info, query, self.db_id, Contract.from_row)

    async def _team(
        self, info: Info, first: int | None, after: str | None, team: TeamRole | None
    ) -> Connection[Any]:
        request = page_request(info, first, after)
        viewer, db = info.context.viewer, info.context.db
        loader = batched(
            info,
            ("team", team, request),
            lambda ids: reads.team_pages(db, viewer, ids, request, team and team.value),
            Page(),
        )
        # The customer team are contacts; the squad and the account team employees.
        build = builder(entities.USER if team else entities.CONTACT)
        return Connection.from_page(await loader.load(self.db_id), build)

    @strawberry.field(description="The customer team: contacts, by name.")
    async def customer_team(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Contact] | None:
        return await EngagementWorkspace._team(self, info, first, after, None)

    @strawberry.field(description="The squad: employees working the engagement, by name.")
    async def squad(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[User] | None:
        return await EngagementWorkspace._team(self, info, first, after, TeamRole.SQUAD)

    @strawberry.field(description="The account team: employees owning the account, by name.")
    async def account_team(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[User] | None:
        return await EngagementWorkspace._team(self, info, first, after, TeamRole.ACCOUNT_TEAM)

    @strawberry.field(description="The latest touchpoint that took place (not canceled).")
    async def last_active_touchpoint(
        self, info: Info
    ) -> Annotated[Touchpoint, strawberry.lazy(SUCCESS)] | None:
        viewer, db, now = info.context.viewer, info.context.db, info.context.now
        loader = batched(
            info, "last_touchpoint", lambda ids: reads.last_touchpoints(db, viewer, ids, now), None
        )
        row = await loader.load(self.db_id)
        return builder(entities.TOUCHPOINT)(row) if row else None

    @strawberry.field(description="Touchpoints scheduled ahead and still open, soonest first.")
    async def upcoming_touchpoints(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Annotated[Touchpoint, strawberry.lazy(SUCCESS)]] | None:
        query = ChildQuery(
            entities.TOUCHPOINT,
            "engagement_id",
            page_request(info, first, after),
            ordering=reads.UPCOMING,
            record_filter=reads.Upcoming(info.context.now),
        )
        return await child_connection(info, query, self.db_id, builder(entities.TOUCHPOINT))

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

    @strawberry.field(description="Files attached to the engagement, newest first.")
    async def attachments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Attachment] | None:
        query = ChildQuery(
            entities.ATTACHMENT,
            "record_id",
            page_request(info, first, after),
            record_type=RecordType.ENGAGEMENT.value,
        )
        return await child_connection(info, query, self.db_id, Attachment.from_row)

    @strawberry.field(
        description="Knowledge articles ranked by full-text relevance to the engagement's name "
        "and stage, or to the keywords in text, best first."
    )
    async def recommended_articles(
        self, info: Info, first: First = None, after: After = None, text: ArticleKeywords = None
    ) -> Connection[KnowledgeArticle] | None:
        return await ranked_articles(info, "engagement", self.db_id, first, after, text)

    @strawberry.field(description="Internal discussions about the engagement, newest first.")
    async def discussions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Discussion] | None:
        query = ChildQuery(ws.DISCUSSION, "engagement_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, Discussion.from_row)


__all__ = ["EngagementWorkspace"]
