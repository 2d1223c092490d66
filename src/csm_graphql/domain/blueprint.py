"""The success blueprint: objectives' closure codes and the success rate (DOMAIN.md)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from csm_graphql.domain.descriptions import describe_values


@describe_values(
    ACHIEVED="The goal was met; counts 1 in the success rate.",
    PARTIALLY_ACHIEVED="The goal was partly met; counts 0.5 in the success rate.",
    MISSED="The goal was not met; counts 0 in the success rate.",
    CANCELED="Abandoned; left out of the success rate.",
)
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


class ClosureRequired(ValueError):
    """Closing (or canceling) work without its closure code and notes."""


def closure_values(
    closing: bool, code: ClosureCode | None, notes: str | None
) -> dict[str, str | None]:
    """The closure columns for a record moving to a state: closing (Closed or Canceled) needs
    a closure code and notes; any other state clears both, so a reopened record does not carry
    the outcome of its previous closing."""
    if not closing:
        return {"closure_code": None, "closure_notes": None}
    if code is None or not (notes or "").strip():
        raise ClosureRequired("A closure code and closure notes are required to close it.")
    return {"closure_code": code.value, "closure_notes": (notes or "").strip()}
