"""The success blueprint: objectives' closure codes and the success rate (DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ClosureCode(StrEnum):
    ACHIEVED = "ACHIEVED"
    PARTIALLY_ACHIEVED = "PARTIALLY_ACHIEVED"
    MISSED = "MISSED"
    CANCELED = "CANCELED"


# Achieved 1, Partial 0.5, Missed 0; Canceled is skipped (it neither helps nor hurts).
CLOSURE_SCORES: dict[ClosureCode, float] = {
    ClosureCode.ACHIEVED: 1.0,
    ClosureCode.PARTIALLY_ACHIEVED: 0.5,
    ClosureCode.MISSED: 0.0,
}


def objective_score(code: ClosureCode | None) -> float | None:
    """One objective's success rate (0..1); None while open or when canceled."""
    return None if code is None else CLOSURE_SCORES.get(code)


def success_rate(codes: Iterable[ClosureCode | None]) -> float | None:
    """Mean of the scored objectives, as a percentage (one Achieved + one Partial = 75.0);
    None when no objective is scored yet."""
    scores = [s for s in (objective_score(code) for code in codes) if s is not None]
    if not scores:
        return None
    return sum(scores) / len(scores) * 100
