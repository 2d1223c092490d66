"""Product adoption: weekly adoption category per sold product, and counts per category."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from csm_graphql.domain.descriptions import describe_values


@describe_values(
    LOW="A weekly adoption score below 40 (the default band).",
    MEDIUM="A weekly adoption score from 40 to 69 (the default band).",
    HIGH="A weekly adoption score of 70 or more (the default band).",
    NONE="No adoption score that week.",
)
class AdoptionCategory(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    NONE = "NONE"  # no score that week


@dataclass(frozen=True, slots=True)
class AdoptionBands:
    """Configurable bands (ours: < 40 LOW, 40-69 MEDIUM, >= 70 HIGH)."""

    medium_from: float = 40
    high_from: float = 70

    def __post_init__(self) -> None:
        if not 0 <= self.medium_from <= self.high_from <= 100:
            raise ValueError("bands need 0 <= medium_from <= high_from <= 100")

    def category(self, score: float | None) -> AdoptionCategory:
        if score is None:
            return AdoptionCategory.NONE
        if score >= self.high_from:
            return AdoptionCategory.HIGH
        if score >= self.medium_from:
            return AdoptionCategory.MEDIUM
        return AdoptionCategory.LOW


DEFAULT_BANDS = AdoptionBands()


def distribution(
    scores: Iterable[float | None], bands: AdoptionBands = DEFAULT_BANDS
) -> dict[AdoptionCategory, int]:
    """How many sold products fall in each category (every category present, zeros too)."""
    counts = dict.fromkeys(AdoptionCategory, 0)
    for value in scores:
        counts[bands.category(value)] += 1
    return counts


def weekly_distribution(
    sold_product_ids: Iterable[int],
    scores: Mapping[tuple[int, date], float],
    mondays: Iterable[date],
    bands: AdoptionBands = DEFAULT_BANDS,
) -> list[tuple[date, dict[AdoptionCategory, int]]]:
    """For each week, the count of sold products per category: every sold product is counted
    every week (NONE when it has no score that week), so each week sums to the sold products."""
    products = list(sold_product_ids)
    return [
        (monday, distribution((scores.get((pid, monday)) for pid in products), bands))
        for monday in mondays
    ]
