"""Values the workspace computes rather than reads: indicators with their attainment and gap,
weekly points, adoption counts, related-list counts; and keyset paging of computed lists."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import strawberry

from csm_graphql.domain import health
from csm_graphql.domain.adoption import AdoptionCategory
from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.pagination import Connection, Edge, PageInfo
from csm_graphql.graphql.types import workspace_enums  # noqa: F401 (registers the enums)
from csm_graphql.graphql.types.common import PerceivedHealth
from csm_graphql.graphql.workspace_inputs import HealthIndicatorOrderField
from csm_graphql.repositories import paging
from csm_graphql.repositories import workspace as reads
from csm_graphql.repositories.paging import Ordering, PageRequest

T = TypeVar("T")


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


def indicator_id(engagement_id: int, indicator_definition_id: int) -> str:
    """base64url("HealthIndicator:<engagement>.<indicator definition>"): opaque, like a
    global id, and never mistaken for one (``node`` gives null for it)."""
    raw = f"HealthIndicator:{engagement_id}.{indicator_definition_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


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


def computed_connection(
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


def indicator_page(
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
    return computed_connection(
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
