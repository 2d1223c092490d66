"""Weekly series: one point per week, oldest first, no missing weeks.

A week is identified by its Monday (ISO weeks). A week without a value is still a point, and
says so, so a chart never silently skips a week.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_WEEKS = 104


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def last_weeks(today: date, weeks: int) -> list[date]:
    """The Mondays of the ``weeks`` weeks ending with the current one, oldest first."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}")
    current = week_start(today)
    return [current - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


@dataclass(frozen=True, slots=True)
class WeekPoint(Generic[T]):
    week_start: date
    value: T | None

    @property
    def has_value(self) -> bool:
        return self.value is not None


def fill_weeks(values: Mapping[date, T], today: date, weeks: int) -> list[WeekPoint[T]]:
    """One point per week of the window, oldest first; weeks absent from ``values`` (keyed by
    their Monday) get ``None``. Values outside the window are ignored."""
    return [WeekPoint(monday, values.get(monday)) for monday in last_weeks(today, weeks)]
