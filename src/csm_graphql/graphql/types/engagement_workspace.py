"""The agent's engagement workspace as fields of Engagement and Account.

``EngagementWorkspace`` and ``AccountWorkspace`` are inherited by Engagement and Account only
(one type each, so no field object is shared between two schema types); every field here is
INTERNAL in access/fields.py: null or empty for external viewers, silently. Each nested read
goes through a per-request loader, one statement per level whatever the number of parents.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union

import strawberry
from sqlalchemy import RowMapping
from strawberry.types import Info

from csm_graphql.domain import blueprint, health
from csm_graphql.domain.adoption import AdoptionCategory, distribution, weekly_distribution
from csm_graphql.domain.enums import ActivityKind as ActivityKindValue
from csm_graphql.domain.enums import RecordType
from csm_graphql.domain.weeks import fill_weeks, last_weeks
from csm_graphql.domain.workspace import TeamRole, UsagePlan, WorkItemKind
from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.inputs import OrderDirection
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import After, Connection, Edge, First, PageInfo, page_request
from csm_graphql.graphql.types.common import (
    ActivityKind,
    EngagementStage,
    EngagementState,
    PerceivedHealth,
    child_connection,
)
from csm_graphql.graphql.types.people import Contact, User
from csm_graphql.graphql.types.records import Activity, Attachment, KnowledgeArticle
from csm_graphql.graphql.types.workspace import (
    Contract,
    Discussion,
    InternalPlay,
    InternalPlayTask,
    ProductAdoptionRoadmap,
    RiskSignal,
    SoldProduct,
    SuccessObjective,
    SuccessPlay,
)
from csm_graphql.graphql.workspace_inputs import (
    ActiveContracts,
    HealthIndicatorOrder,
    HealthIndicatorOrderField,
    RiskConditions,
    RiskSignalFilter,
    RiskSignalOrder,
    SoldProductOrder,
    WorkItemFilter,
    WorkItemOrder,
    objective_states,
    usage_plans,
)
from csm_graphql.repositories import entities, paging
from csm_graphql.repositories import workspace as reads
from csm_graphql.repositories import workspace_entities as ws
from csm_graphql.repositories.paging import Ordering, Page, PageRequest

if TYPE_CHECKING:
    from csm_graphql.graphql.types.success import (
        SuccessCase,
        SuccessInitiative,
        SuccessTask,
        Touchpoint,
    )

T = TypeVar("T")
SUCCESS = "csm_graphql.graphql.types.success"
WORK_ITEM = strawberry.union(
    "WorkItem",
    description="Work on an engagement: an internal play or task, a success case, initiative "
    "or task.",
)

Weeks = Annotated[
    int, strawberry.argument(description="How many weeks, ending with the current one (1-104).")
]
DEFAULT_WEEKS = 12


def _loader(
    info: Info, key: Hashable, fetch: Callable[[list[int]], Awaitable[dict[int, Any]]], default: Any
) -> Any:
    return info.context.loaders.batched(key, fetch, default)


def _mondays(info: Info, weeks: int) -> list[date]:
    try:
        return last_weeks(info.context.today, weeks)
    except ValueError as error:
        raise BadUserInput(str(error), field="weeks") from error


# -- value types ----------------------------------------------------------------------------------


@strawberry.type(description="A health indicator of the engagement's effective definition.")
class HealthIndicator:
    metric: str = strawberry.field(description="What is measured.")
    target: float = strawberry.field(description="The value aimed at.")
    weight: int = strawberry.field(description="Its weight; a definition's weights sum to 100.")
    direction: health.Direction = strawberry.field(description="Better high or low.")
    actual: float | None = strawberry.field(description="The measured value; null if unmeasured.")
    attainment: float = strawberry.field(
        description="clamp(actual/target, 0, 1) (MAXIMIZE) or clamp(target/actual, 0, 1)."
    )
    gap_percent: float | None = strawberry.field(
        description="How far short of the target, in percent of it (mirrored for MINIMIZE)."
    )
    score: float = strawberry.field(description="Its contribution: weight x attainment.")


def _indicator(reading: reads.IndicatorReading) -> HealthIndicator:
    i = reading.indicator
    reached = health.attainment(i.target, i.actual, i.direction)
    return HealthIndicator(
        metric=i.metric,
        target=i.target,
        weight=i.weight,
        direction=i.direction,
        actual=i.actual,
        attainment=reached,
        gap_percent=health.gap_percent(i.target, i.actual, i.direction),
        score=i.weight * reached,
    )


@strawberry.type(description="One week of an engagement's health.")
class HealthPoint:
    week_start: date = strawberry.field(description="The week's Monday.")
    has_snapshot: bool = strawberry.field(description="False for a week never snapshotted.")
    score: float | None = strawberry.field(description="The week's score; null without one.")
    colour: PerceivedHealth = strawberry.field(description="Its colour band; UNKNOWN without one.")


@strawberry.type(description="How many sold products fall in each adoption category.")
class AdoptionCounts:
    low: int = strawberry.field(description="Score below 40.")
    medium: int = strawberry.field(description="Score 40 to 69.")
    high: int = strawberry.field(description="Score 70 or more.")
    none: int = strawberry.field(description="No score.")
    total: int = strawberry.field(description="All sold products (the sum of the four).")

    @classmethod
    def of(cls, counts: dict[AdoptionCategory, int]) -> AdoptionCounts:
        return cls(
            low=counts[AdoptionCategory.LOW],
            medium=counts[AdoptionCategory.MEDIUM],
            high=counts[AdoptionCategory.HIGH],
            none=counts[AdoptionCategory.NONE],
            total=sum(counts.values()),
        )


@strawberry.type(description="One week of an engagement's product adoption.")
class AdoptionPoint:
    week_start: date = strawberry.field(description="The week's Monday.")
    counts: AdoptionCounts = strawberry.field(description="Sold products per category.")


@strawberry.type(description="A related list of the engagement and how many records it holds.")
class RelatedList:
    name: str = strawberry.field(description="The list, named as the Engagement field.")
    count: int = strawberry.field(description="Records in it the viewer may see.")


def _connection(
    nodes: list[T], cursors: list[str], has_next: bool, has_previous: bool, total: int | None
) -> Connection[T]:
    """A connection over already-built nodes (work items, computed indicators)."""
    return Connection(
        total_count=total or 0,
        page_info=PageInfo(
            has_next_page=has_next,
            end_cursor=cursors[-1] if cursors else None,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
        ),
        edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
        nodes=nodes,
    )


def _computed_page(
    items: list[tuple[int, HealthIndicator]],
    key: Callable[[HealthIndicator], float],
    name: str,
    descending: bool,
    request: PageRequest,
) -> Connection[HealthIndicator]:
    """Keyset paging of a small computed list (an engagement's indicators, whose score and gap
    exist only once the formula ran): sorted by (key, id) and cut after the cursor, like the
    SQL pages, and counted before the cut."""
    ordering = Ordering(name, key=lambda table: table.c.id, descending=descending)

    def position(item: tuple[int, HealthIndicator]) -> tuple[float, int]:
        return key(item[1]), item[0]

    ranked = sorted(items, key=position, reverse=descending)
    if request.after:
        sort_key, row_id = paging.decode_cursor(request.after, ordering)
        try:
            boundary = (float(sort_key), row_id)
        except ValueError as error:
            raise BadUserInput("Invalid cursor.", field="after") from error
        if descending:
            ranked = [item for item in ranked if position(item) < boundary]
        else:
            ranked = [item for item in ranked if position(item) > boundary]
    shown = ranked[: request.first]
    cursors = [paging.encode_cursor(ordering, repr(key(i)), ident) for ident, i in shown]
    return _connection(
        [indicator for _, indicator in shown],
        cursors,
        len(ranked) > request.first,
        request.after is not None,
        len(items),
    )


INDICATOR_KEYS: dict[HealthIndicatorOrderField, Callable[[HealthIndicator], float]] = {
    HealthIndicatorOrderField.SCORE: lambda indicator: indicator.score,
    HealthIndicatorOrderField.WEIGHT: lambda indicator: float(indicator.weight),
    # An unmeasured indicator has no gap; it sorts as the largest one (it is the least known).
    HealthIndicatorOrderField.GAP: lambda indicator: (
        101.0 if indicator.gap_percent is None else indicator.gap_percent
    ),
}


# -- loaders --------------------------------------------------------------------------------------


def _health(info: Info, engagement_id: int) -> Awaitable[reads.HealthReading]:
    viewer, db = info.context.viewer, info.context.db
    loader = _loader(
        info, "health", lambda ids: reads.health_readings(db, viewer, ids), reads.HealthReading()
    )
    return loader.load(engagement_id)


def _work_item_builders() -> dict[str, tuple[Any, Callable[[RowMapping], Any]]]:
    from csm_graphql.graphql.types import success

    return {
        WorkItemKind.INTERNAL_PLAY: (ws.INTERNAL_PLAY, InternalPlay.from_row),
        WorkItemKind.INTERNAL_PLAY_TASK: (ws.INTERNAL_PLAY_TASK, InternalPlayTask.from_row),
        WorkItemKind.SUCCESS_CASE: (entities.SUCCESS_CASE, success.SuccessCase.from_row),
        WorkItemKind.SUCCESS_INITIATIVE: (
            entities.SUCCESS_INITIATIVE,
            success.SuccessInitiative.from_row,
        ),
        WorkItemKind.SUCCESS_TASK: (entities.SUCCESS_TASK, success.SuccessTask.from_row),
    }


# -- the engagement's fields ----------------------------------------------------------------------


@strawberry.type(description="The engagement workspace (mixed into Engagement only).")
class EngagementWorkspace:
    # Engagement's own fields, declared private here so that only Engagement serves them.
    db_id: strawberry.Private[int]
    stage: strawberry.Private[EngagementStage]
    renewal_date: strawberry.Private[date | None]

    # -- health ---------------------------------------------------------------------------------

    @strawberry.field(description="Health score, 0-100: sum of weight x attainment.")
    async def health_score(self, info: Info) -> float | None:
        reading = await _health(info, self.db_id)
        return health.score(r.indicator for r in reading.indicators)

    @strawberry.field(description="The health score's colour band (bands of its definition).")
    async def health_colour(self, info: Info) -> PerceivedHealth | None:
        reading = await _health(info, self.db_id)
        bands = health.ColourBands(reading.green_from, reading.yellow_from)
        return bands.colour(health.score(r.indicator for r in reading.indicators))

    @strawberry.field(description="Indicators of its health definition (its own, else global).")
    async def health_indicators(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        order_by: Annotated[
            HealthIndicatorOrder | None, strawberry.argument(description="Sort order.")
        ] = None,
    ) -> Connection[HealthIndicator] | None:
        order = order_by or HealthIndicatorOrder()
        request = page_request(info, first, after)
        reading = await _health(info, self.db_id)
        pairs = [(r.id, _indicator(r)) for r in reading.indicators]
        return _computed_page(
            pairs,
            INDICATOR_KEYS[order.field],
            f"INDICATOR_{order.field.value}_{order.direction.value}",
            order.direction is OrderDirection.DESC,
            request,
        )

    @strawberry.field(description="Weekly health, oldest first, one point per week.")
    async def health_series(self, info: Info, weeks: Weeks = DEFAULT_WEEKS) -> list[HealthPoint]:
        mondays = _mondays(info, weeks)
        viewer, db = info.context.viewer, info.context.db
        loader = _loader(
            info,
            ("health_series", mondays[0]),
            lambda ids: reads.health_snapshots(db, viewer, ids, mondays[0]),
            {},
        )
        snapshots, reading = await asyncio.gather(
            loader.load(self.db_id), _health(info, self.db_id)
        )
        bands = health.ColourBands(reading.green_from, reading.yellow_from)
        return [
            HealthPoint(
                week_start=point.week_start,
                has_snapshot=point.has_value,
                score=point.value,
                colour=bands.colour(point.value),
            )
            for point in fill_weeks(snapshots, info.context.today, weeks)
        ]

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
            record_filter=RiskConditions.of(filter, info.context.today),
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
        loader = _loader(
            info,
            ("work_items", request, ordering.name, kinds, states),
            lambda ids: reads.work_item_pages(db, viewer, ids, request, ordering, kinds, states),
            Page(),
        )
        page: Page = await loader.load(self.db_id)
        builders = _work_item_builders()
        loaded = await asyncio.gather(
            *(
                info.context.loaders.by_id(builders[row["kind"]][0]).load(row["record_id"])
                for row in page.rows
            )
        )
        found = [
            (builders[row["kind"]][1](record), cursor)
            for row, record, cursor in zip(page.rows, loaded, page.cursors, strict=True)
            if record is not None
        ]
        return _connection(
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

    # -- blueprint ------------------------------------------------------------------------------

    @strawberry.field(description="Success objectives (the blueprint), by due date.")
    async def objectives(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        state: Annotated[
            list[EngagementState] | None,
            strawberry.argument(description="Any of these states; omit for all."),
        ] = None,
        direction: Annotated[
            OrderDirection, strawberry.argument(description="Due date order; empty last.")
        ] = OrderDirection.ASC,
    ) -> Connection[SuccessObjective] | None:
        query = ChildQuery(
            ws.SUCCESS_OBJECTIVE,
            "engagement_id",
            page_request(info, first, after),
            ordering=ws.workspace_ordering(
                ws.WorkspaceOrder.DUE_DATE, descending=direction is OrderDirection.DESC
            ),
            record_filter=objective_states(state),
        )
        return await child_connection(info, query, self.db_id, SuccessObjective.from_row)

    @strawberry.field(
        description="Success rate of its objectives in percent: Achieved 1, Partial 0.5, "
        "Missed 0, Canceled and open ones skipped; null when none is scored."
    )
    async def success_rate(self, info: Info) -> float | None:
        viewer, db = info.context.viewer, info.context.db
        loader = _loader(
            info, "closure_codes", lambda ids: reads.closure_codes(db, viewer, ids), []
        )
        codes = await loader.load(self.db_id)
        return blueprint.success_rate(blueprint.ClosureCode(c) if c else None for c in codes)

    # -- adoption -------------------------------------------------------------------------------

    @strawberry.field(description="Sold products; filter by activation status.")
    async def sold_products(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        usage_plan: Annotated[
            list[UsagePlan] | None,
            strawberry.argument(description="Any of these (omit for all)."),
        ] = None,
        order_by: Annotated[
            SoldProductOrder | None, strawberry.argument(description="Sort order.")
        ] = None,
    ) -> Connection[SoldProduct] | None:
        query = ChildQuery(
            ws.SOLD_PRODUCT,
            "engagement_id",
            page_request(info, first, after),
            ordering=order_by.ordering() if order_by else None,
            record_filter=usage_plans(usage_plan),
        )
        return await child_connection(info, query, self.db_id, SoldProduct.from_row)

    async def _adoption(self, info: Info, since: date) -> reads.AdoptionHistory:
        viewer, db = info.context.viewer, info.context.db
        loader = _loader(
            info,
            ("adoption", since),
            lambda ids: reads.adoption_histories(db, viewer, ids, since),
            reads.AdoptionHistory(),
        )
        history: reads.AdoptionHistory = await loader.load(self.db_id)
        return history

    @strawberry.field(
        description="Sold products per adoption category, week by week, oldest first; each "
        "week's counts sum to the sold products."
    )
    async def adoption_series(
        self, info: Info, weeks: Weeks = DEFAULT_WEEKS
    ) -> list[AdoptionPoint]:
        mondays = _mondays(info, weeks)
        history = await EngagementWorkspace._adoption(self, info, mondays[0])
        return [
            AdoptionPoint(week_start=monday, counts=AdoptionCounts.of(counts))
            for monday, counts in weekly_distribution(history.current, history.weekly, mondays)
        ]

    @strawberry.field(description="Today's distribution: sold products per latest category.")
    async def adoption_today(self, info: Info) -> AdoptionCounts | None:
        history = await EngagementWorkspace._adoption(self, info, info.context.today)
        return AdoptionCounts.of(distribution(history.current.values()))

    @strawberry.field(description="Product adoption roadmaps, by planned start.")
    async def adoption_roadmaps(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ProductAdoptionRoadmap] | None:
        query = ChildQuery(
            ws.PRODUCT_ADOPTION_ROADMAP, "engagement_id", page_request(info, first, after)
        )
        return await child_connection(info, query, self.db_id, ProductAdoptionRoadmap.from_row)

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
    ) -> Page:
        request = page_request(info, first, after)
        viewer, db = info.context.viewer, info.context.db
        loader = _loader(
            info,
            ("team", team, request),
            lambda ids: reads.team_pages(db, viewer, ids, request, team and team.value),
            Page(),
        )
        page: Page = await loader.load(self.db_id)
        return page

    @strawberry.field(description="The customer team: contacts, by name.")
    async def customer_team(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Contact] | None:
        page = await EngagementWorkspace._team(self, info, first, after, None)
        return Connection.from_page(page, Contact.from_row)

    @strawberry.field(description="The squad: employees working the engagement, by name.")
    async def squad(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[User] | None:
        page = await EngagementWorkspace._team(self, info, first, after, TeamRole.SQUAD)
        return Connection.from_page(page, User.from_row)

    @strawberry.field(description="The account team: employees owning the account, by name.")
    async def account_team(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[User] | None:
        page = await EngagementWorkspace._team(self, info, first, after, TeamRole.ACCOUNT_TEAM)
        return Connection.from_page(page, User.from_row)

    @strawberry.field(description="The latest touchpoint that took place (not canceled).")
    async def last_active_touchpoint(
        self, info: Info
    ) -> Annotated[Touchpoint, strawberry.lazy(SUCCESS)] | None:
        from csm_graphql.graphql.types.success import Touchpoint

        viewer, db, now = info.context.viewer, info.context.db, info.context.now
        loader = _loader(
            info, "last_touchpoint", lambda ids: reads.last_touchpoints(db, viewer, ids, now), None
        )
        row = await loader.load(self.db_id)
        return Touchpoint.from_row(row) if row else None

    @strawberry.field(description="Touchpoints scheduled ahead and still open, soonest first.")
    async def upcoming_touchpoints(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Annotated[Touchpoint, strawberry.lazy(SUCCESS)]] | None:
        from csm_graphql.graphql.types.success import Touchpoint

        query = ChildQuery(
            entities.TOUCHPOINT,
            "engagement_id",
            page_request(info, first, after),
            ordering=reads.UPCOMING,
            record_filter=reads.Upcoming(info.context.now),
        )
        return await child_connection(info, query, self.db_id, Touchpoint.from_row)

    # -- timeline and side panel ------------------------------------------------------------------

    @strawberry.field(
        description="The customer timeline: activities of the engagement and of the records "
        "under it, newest first."
    )
    async def timeline(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        kind: Annotated[
            list[ActivityKind] | None, strawberry.argument(description="Only these kinds.")
        ] = None,
    ) -> Connection[Activity] | None:
        request = page_request(info, first, after)
        kinds = tuple(ActivityKindValue(k).value for k in kind or ())
        viewer, db = info.context.viewer, info.context.db
        loader = _loader(
            info,
            ("timeline", request, kinds),
            lambda ids: reads.timeline_pages(db, viewer, entities.ACTIVITY, ids, request, kinds),
            Page(),
        )
        return Connection.from_page(await loader.load(self.db_id), Activity.from_row)

    @strawberry.field(description="Each related list of the engagement with its record count.")
    async def related_lists(self, info: Info) -> list[RelatedList]:
        viewer, db = info.context.viewer, info.context.db
        loader = _loader(
            info, "related_counts", lambda ids: reads.related_counts(db, viewer, ids), {}
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
        description="Knowledge articles ranked by full-text relevance to the engagement (a "
        "ranking, so a top list rather than pages)."
    )
    async def recommended_articles(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="How many (at most 20).")] = 5,
    ) -> list[KnowledgeArticle]:
        if not 0 <= first <= 20:
            raise BadUserInput("first must be between 0 and 20.", field="first")
        viewer, db = info.context.viewer, info.context.db
        loader = _loader(
            info,
            ("recommended", first),
            lambda ids: reads.recommended_articles(db, viewer, ids, first),
            [],
        )
        return [KnowledgeArticle.from_row(row) for row in await loader.load(self.db_id)]

    @strawberry.field(description="Internal discussions about the engagement, newest first.")
    async def discussions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Discussion] | None:
        query = ChildQuery(ws.DISCUSSION, "engagement_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, Discussion.from_row)

    @strawberry.field(
        description="The initiative roadmap: initiatives on a timeline (by due date) with the "
        "engagement's current health, stage and next renewal date."
    )
    async def initiative_roadmap(self, info: Info) -> InitiativeRoadmap | None:
        reading = await _health(info, self.db_id)
        bands = health.ColourBands(reading.green_from, reading.yellow_from)
        score = health.score(r.indicator for r in reading.indicators)
        return InitiativeRoadmap(
            engagement_id=self.db_id,
            health_score=score,
            health_colour=bands.colour(score),
            stage=self.stage,
            renewal_date=self.renewal_date,
        )


@strawberry.type(description="An engagement's initiatives on a timeline, with its context.")
class InitiativeRoadmap:
    engagement_id: strawberry.Private[int]
    health_score: float | None = strawberry.field(description="Current health score.")
    health_colour: PerceivedHealth = strawberry.field(description="Its colour band.")
    stage: EngagementStage = strawberry.field(description="Customer journey stage.")
    renewal_date: date | None = strawberry.field(description="Next renewal date.")

    @strawberry.field(description="Initiatives by due date (the timeline's bars end there).")
    async def initiatives(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Annotated[SuccessInitiative, strawberry.lazy(SUCCESS)]]:
        from csm_graphql.graphql.types.success import SuccessInitiative

        query = ChildQuery(
            entities.SUCCESS_INITIATIVE, "engagement_id", page_request(info, first, after)
        )
        return await child_connection(info, query, self.engagement_id, SuccessInitiative.from_row)


__all__ = ["EngagementWorkspace", "InitiativeRoadmap"]
