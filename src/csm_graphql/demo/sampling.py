"""Deterministic randomness for the demo data: seeded generators, decks and a fixed clock.

Nothing here reads the global ``random`` module or the wall clock, so one (seed, scale, anchor)
always yields the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")


def child_rng(seed: int, *labels: object) -> random.Random:
    """A generator for one part of the data, independent of how much the other parts draw.

    Persona accounts get their own generator, so their records are the same at every scale.
    String seeds are hashed with SHA-512 by ``random``, which is stable across processes.
    """
    return random.Random("/".join(str(part) for part in (seed, *labels)))


class Deck(Generic[T]):
    """Draws without replacement from a shuffled deck and reshuffles when it runs out.

    As random as ``rng.choice`` to a reader, but every card comes up once per ``len(cards)``
    draws: an account with enough records is guaranteed to cover every combination.
    ``rounds`` counts the shuffles, so callers can vary something per pass through the deck.
    """

    def __init__(self, rng: random.Random, cards: Sequence[T]) -> None:
        if not cards:
            raise ValueError("a deck needs cards")
        self._rng = rng
        self._cards = list(cards)
        self._pile: list[T] = []
        self.rounds = 0

    def draw(self) -> T:
        if not self._pile:
            self._pile = self._cards.copy()
            self._rng.shuffle(self._pile)
            self.rounds += 1
        return self._pile.pop()


def weighted(*pairs: tuple[T, int]) -> tuple[T, ...]:
    """Cards for a deck: each value repeated by its weight."""
    return tuple(value for value, weight in pairs for _ in range(weight))


@dataclass(frozen=True)
class Clock:
    """ "Today" is the anchor date; every date and time of the demo is relative to it. "Now"
    is the start of that day (UTC), so a demo seeded today holds nothing later than the moment
    it was seeded, whatever the hour."""

    anchor: date
    now: datetime = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", datetime.combine(self.anchor, time(0), tzinfo=UTC))

    def due_date(self, rng: random.Random, null_share: float = 0.1) -> date | None:
        """From about 60 days overdue to 120 days ahead; some records have no due date."""
        if rng.random() < null_share:
            return None
        return self.anchor + timedelta(days=rng.randint(-60, 120))

    def days_ago(self, rng: random.Random, low: int, high: int) -> datetime:
        """A moment between ``high`` and ``low`` days before now, to the second."""
        return self.now - timedelta(days=rng.randint(low, high), seconds=rng.randint(0, 86_399))

    def between(self, rng: random.Random, start: datetime, end: datetime | None = None) -> datetime:
        """A moment in [start, end] (end defaults to now), to the second."""
        span = int(((end or self.now) - start).total_seconds())
        return start + timedelta(seconds=rng.randint(0, max(span, 0)))

    def series(self, rng: random.Random, start: datetime, count: int) -> list[datetime]:
        """``count`` increasing moments after ``start``: the times of a record's activities
        (none after now: a record created moments ago has its entries at now)."""
        span = max(int((self.now - start).total_seconds()), count)
        offsets = sorted(rng.sample(range(1, span + 1), count))
        return [min(start + timedelta(seconds=offset), self.now) for offset in offsets]

    def scheduled_at(self, rng: random.Random) -> datetime:
        """A meeting slot during working hours, from 60 days ago to 120 days ahead."""
        day = self.anchor + timedelta(days=rng.randint(-60, 120))
        return datetime.combine(day, time(rng.randint(8, 16), rng.choice((0, 30))), tzinfo=UTC)
