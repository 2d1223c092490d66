"""Values the workspace computes rather than reads: indicators with their attainment and gap,
weekly points, adoption counts, related-list counts."""

from __future__ import annotations

from datetime import date

import strawberry

from csm_graphql.domain import health
from csm_graphql.domain.adoption import AdoptionCategory
from csm_graphql.graphql.ids import indicator_id
from csm_graphql.graphql.types import workspace_enums  # noqa: F401 (registers the enums)
from csm_graphql.graphql.types.common import PerceivedHealth
from csm_graphql.repositories import workspace as reads


@strawberry.type(description="A health indicator of the engagement's effective definition.")
class HealthIndicator:
    # Not a Node: its values exist only on its engagement (a global definition's indicator is
    # measured per engagement), so there is no row to refetch; refetch the engagement.
    id: strawberry.ID = strawberry.field(
        description="Opaque id of this indicator on this engagement, stable across reads."
    )
    metric: str = strawberry.field(description="What is measured.")
    target: float = strawberry.field(description="The value aimed at.")
    weight: int = strawberry.field(description="Its weight; a definition's weights sum to 100.")
    direction: health.Direction = strawberry.field(description="Better high or low.")
    actual: float | None = strawberry.field(description="The measured value; null if unmeasured.")
    attainment: float = strawberry.field(
        description="clamp(actual/target, 0, 1) (MAXIMIZE) or clamp(target/actual, 0, 1)."
    )
    gap_percent: float | None = strawberry.field(
        description="How far short of the target, in percent of it (mirrored for MINIMIZE), "
        "to two decimals."
    )
    score: float = strawberry.field(description="Its contribution: weight x attainment.")


def indicator_of(reading: reads.IndicatorReading, engagement_id: int) -> HealthIndicator:
    i = reading.indicator
    reached = health.attainment(i.target, i.actual, i.direction)
    return HealthIndicator(
        id=strawberry.ID(indicator_id(engagement_id, reading.id)),
        metric=i.metric,
        target=i.target,
        weight=i.weight,
        direction=i.direction,
        actual=i.actual,
        attainment=reached,
        gap_percent=health.shown(health.gap_percent(i.target, i.actual, i.direction)),
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
