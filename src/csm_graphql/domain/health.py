"""Engagement health (DOMAIN.md section 2): indicator attainment, gap, score and colour band.

Pure functions over plain values, so that the read side, ``refreshHealth`` and the tests all
use one formula. (ours) choices where DOMAIN.md is silent are marked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import PerceivedHealth

TOTAL_WEIGHT = 100


@describe_values(
    MAXIMIZE="Higher is better: attainment is actual / target, capped at 1.",
    MINIMIZE=(
        "Lower is better (for example open escalations): attainment is target / actual, "
        "capped at 1."
    ),
)
class Direction(StrEnum):
    """Whether an indicator is better high (MAXIMIZE) or low (MINIMIZE)."""

    MAXIMIZE = "MAXIMIZE"
    MINIMIZE = "MINIMIZE"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator as measured: the definition's metric, target, weight and direction, and
    the engagement's actual value (None when not measured yet)."""

    metric: str
    target: float
    weight: int
    direction: Direction
    actual: float | None


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def attainment(target: float, actual: float | None, direction: Direction) -> float:
    """clamp(actual/target, 0, 1) for MAXIMIZE, clamp(target/actual, 0, 1) for MINIMIZE.

    (ours) An unmeasured indicator attains nothing. A zero denominator means the ideal was
    reached (MAXIMIZE towards 0 with actual >= 0; MINIMIZE with actual 0), else nothing.
    """
    if actual is None:
        return 0.0
    if direction is Direction.MAXIMIZE:
        if target == 0:
            return 1.0 if actual >= 0 else 0.0
        return _clamp(actual / target)
    if actual == 0:
        return 1.0 if target >= 0 else 0.0
    return _clamp(target / actual)


def gap_percent(target: float, actual: float | None, direction: Direction) -> float | None:
    """How far the actual falls short of the target, in percent of the target, never negative:
    max(0, (target - actual) / target x 100), mirrored for MINIMIZE
    (max(0, (actual - target) / target x 100)). None when unmeasured or the target is 0."""
    if actual is None or target == 0:
        return None
    shortfall = target - actual if direction is Direction.MAXIMIZE else actual - target
    return max(0.0, shortfall / target * 100)


def score(indicators: Iterable[Indicator]) -> float | None:
    """sum(weight x attainment) on 0..100; None for an engagement without indicators."""
    items = list(indicators)
    if not items:
        return None
    return sum(i.weight * attainment(i.target, i.actual, i.direction) for i in items)


def shown(value: float | None) -> float | None:
    """A score or gap as a dashboard shows it: two decimals, like the weekly series' stored
    snapshots (95.51 rather than 95.51162790697674). Colour bands use the unrounded score."""
    return None if value is None else round(value, 2)


class InvalidWeights(ValueError):
    """The weights of one health definition do not sum to 100."""


def check_weights(weights: Sequence[int]) -> None:
    """Weights of one definition are positive and sum to 100 (DOMAIN.md)."""
    if any(weight <= 0 for weight in weights):
        raise InvalidWeights("Every indicator weight must be positive.")
    if sum(weights) != TOTAL_WEIGHT:
        raise InvalidWeights(f"Indicator weights must sum to 100, not {sum(weights)}.")


@dataclass(frozen=True, slots=True)
class ColourBands:
    """Configurable colour bands (DOMAIN.md: e.g. 70-100 green): a score at or above
    ``green_from`` is GREEN, at or above ``yellow_from`` YELLOW, else RED."""

    green_from: float = 70
    yellow_from: float = 40

    def __post_init__(self) -> None:
        if not 0 <= self.yellow_from <= self.green_from <= TOTAL_WEIGHT:
            raise ValueError("bands need 0 <= yellow_from <= green_from <= 100")

    def colour(self, value: float | None) -> PerceivedHealth:
        if value is None:
            return PerceivedHealth.UNKNOWN
        if value >= self.green_from:
            return PerceivedHealth.GREEN
        if value >= self.yellow_from:
            return PerceivedHealth.YELLOW
        return PerceivedHealth.RED


@dataclass(frozen=True, slots=True)
class Definition:
    """A health definition: global (engagement None) or specific to one engagement."""

    id: int
    engagement_id: int | None


def effective_definition(definitions: Iterable[Definition], engagement_id: int) -> int | None:
    """The engagement's own definition when it has one, else the global one (DOMAIN.md: an
    engagement-specific definition overrides the global one)."""
    global_id = None
    for definition in definitions:
        if definition.engagement_id == engagement_id:
            return definition.id
        if definition.engagement_id is None:
            global_id = definition.id
    return global_id


def colour_of(value: float | None, green_from: float, yellow_from: float) -> PerceivedHealth:
    """The colour of a score under a definition's bands."""
    return ColourBands(green_from, yellow_from).colour(value)
