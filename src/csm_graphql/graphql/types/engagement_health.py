"""The engagement's health, blueprint and adoption, as fields of Engagement (mixed into it
alone, like EngagementWorkspace): INTERNAL in access/fields.py, batched by per-request loaders
(the dashboard's health readings, snapshots and adoption history are one statement each)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from csm_graphql.domain import blueprint, health
from csm_graphql.domain.adoption import distribution, weekly_distribution
from csm_graphql.domain.weeks import fill_weeks
from csm_graphql.graphql.computed_pages import computed_page
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import connection, field_group
from csm_graphql.graphql.inputs import OrderDirection
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.types.common import EngagementStage, PerceivedHealth
from csm_graphql.graphql.types.workspace import (
    ProductAdoptionRoadmap,
    SoldProduct,
    SuccessObjective,
)
from csm_graphql.graphql.types.workspace_values import (
    AdoptionCounts,
    AdoptionPoint,
    HealthIndicator,
    HealthPoint,
    indicator_of,
)
from csm_graphql.graphql.workspace_inputs import (
    INDICATOR_KEYS,
    HealthIndicatorOrder,
    narrow_objectives,
    narrow_sold_products,
)
from csm_graphql.graphql.workspace_loaders import batched, health_reading, mondays_before
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace as reads
from csm_graphql.repositories import workspace_entities as ws

if TYPE_CHECKING:
    from csm_graphql.graphql.types.success import SuccessInitiative

SUCCESS = "csm_graphql.graphql.types.success"
Weeks = Annotated[
    int, strawberry.argument(description="How many weeks, ending with the current one (1-104).")
]
DEFAULT_WEEKS = 12


@field_group(description="Health, blueprint and adoption (mixed into Engagement only).")
class EngagementHealth:
    # Engagement's own fields, declared private here so that only Engagement serves them.
    db_id: strawberry.Private[int]
    stage: strawberry.Private[EngagementStage]
    renewal_date: strawberry.Private[date | None]

    # -- health ---------------------------------------------------------------------------------

    @strawberry.field(
        description="Health score, 0-100: sum of weight x attainment, to two decimals."
    )
    async def health_score(self, info: Info) -> float | None:
        reading = await health_reading(info, self.db_id)
        return health.shown(health.score(r.indicator for r in reading.indicators))

    @strawberry.field(description="The health score's colour band (bands of its definition).")
    async def health_colour(self, info: Info) -> PerceivedHealth | None:
        reading = await health_reading(info, self.db_id)
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
        reading = await health_reading(info, self.db_id)
        pairs = [(r.id, indicator_of(r, self.db_id)) for r in reading.indicators]
        return computed_page(
            pairs,
            INDICATOR_KEYS[order.field],
            f"INDICATOR_{order.field.value}_{order.direction.value}",
            order.direction is OrderDirection.DESC,
            request,
        )

    @strawberry.field(description="Weekly health, oldest first, one point per week.")
    async def health_series(self, info: Info, weeks: Weeks = DEFAULT_WEEKS) -> list[HealthPoint]:
        mondays = mondays_before(info, weeks)
        viewer, db = info.context.viewer, info.context.db
        loader = batched(
            info,
            ("health_series", mondays[0]),
            lambda ids: reads.health_snapshots(db, viewer, ids, mondays[0]),
            {},
        )
        snapshots, reading = await asyncio.gather(
            loader.load(self.db_id), health_reading(info, self.db_id)
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

    # -- blueprint ------------------------------------------------------------------------------

    objectives: Connection[SuccessObjective] | None = connection(
        ws.SUCCESS_OBJECTIVE,
        "engagement_id",
        "Success objectives (the blueprint), by due date.",
        narrow=narrow_objectives,
    )

    @strawberry.field(
        description="Success rate of its objectives in percent: Achieved 1, Partial 0.5, "
        "Missed 0, Canceled and open ones skipped; null when none is scored."
    )
    async def success_rate(self, info: Info) -> float | None:
        viewer, db = info.context.viewer, info.context.db
        loader = batched(
            info, "closure_codes", lambda ids: reads.closure_codes(db, viewer, ids), []
        )
        codes = await loader.load(self.db_id)
        return blueprint.success_rate(blueprint.ClosureCode(c) if c else None for c in codes)

    # -- adoption -------------------------------------------------------------------------------

    sold_products: Connection[SoldProduct] | None = connection(
        ws.SOLD_PRODUCT,
        "engagement_id",
        "Sold products; filter by activation status.",
        narrow=narrow_sold_products,
    )

    async def _adoption(self, info: Info, since: date) -> reads.AdoptionHistory:
        viewer, db = info.context.viewer, info.context.db
        loader = batched(
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
        mondays = mondays_before(info, weeks)
        history = await EngagementHealth._adoption(self, info, mondays[0])
        return [
            AdoptionPoint(week_start=monday, counts=AdoptionCounts.of(counts))
            for monday, counts in weekly_distribution(history.current, history.weekly, mondays)
        ]

    @strawberry.field(description="Today's distribution: sold products per latest category.")
    async def adoption_today(self, info: Info) -> AdoptionCounts | None:
        history = await EngagementHealth._adoption(self, info, info.context.today)
        return AdoptionCounts.of(distribution(history.current.values()))

    adoption_roadmaps: Connection[ProductAdoptionRoadmap] | None = connection(
        ws.PRODUCT_ADOPTION_ROADMAP, "engagement_id", "Product adoption roadmaps, by planned start."
    )

    @strawberry.field(
        description="The initiative roadmap: initiatives on a timeline (by due date) with the "
        "engagement's current health, stage and next renewal date."
    )
    async def initiative_roadmap(self, info: Info) -> InitiativeRoadmap | None:
        reading = await health_reading(info, self.db_id)
        bands = health.ColourBands(reading.green_from, reading.yellow_from)
        score = health.score(r.indicator for r in reading.indicators)
        return InitiativeRoadmap(
            db_id=self.db_id,
            health_score=health.shown(score),
            health_colour=bands.colour(score),
            stage=self.stage,
            renewal_date=self.renewal_date,
        )


@strawberry.type(description="An engagement's initiatives on a timeline, with its context.")
class InitiativeRoadmap:
    db_id: strawberry.Private[int]  # the engagement's
    health_score: float | None = strawberry.field(
        description="Current health score, to two decimals."
    )
    health_colour: PerceivedHealth = strawberry.field(description="Its colour band.")
    stage: EngagementStage = strawberry.field(description="Customer journey stage.")
    renewal_date: date | None = strawberry.field(description="Next renewal date.")

    initiatives: Connection[Annotated[SuccessInitiative, strawberry.lazy(SUCCESS)]] = connection(
        entities.SUCCESS_INITIATIVE,
        "engagement_id",
        "Initiatives by due date (the timeline's bars end there); each names the objective it "
        "serves.",
    )
