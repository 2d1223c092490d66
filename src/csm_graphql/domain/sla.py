"""Task SLA progress against a clock, in the working time of the definition's schedule.

An SLA whose definition has a schedule runs only during the schedule's working hours
(domain/schedule.py); one without a schedule runs on wall-clock time. "Time" below is measured
in that way; ``W(a, b)`` is the time between two instants.

A task SLA stores when it started, its planned end (the instant at which the definition's
duration has run from the start, i.e. start + duration in the schedule's time), the time spent
in finished pauses (``paused_seconds``, measured in the same time), when the current pause began
(if paused) and when it stopped (if completed or canceled). Time does not run while paused, so:

- the clock is ``stopped_at`` if stopped, else ``paused_at`` if paused, else the request's now;
- elapsed = W(start, clock) - paused seconds;
- duration = W(start, planned end);
- plannedEnd (as shown) = planned end + paused seconds + the current pause so far W(paused_at,
  now), added in the schedule's time, i.e. the moment the SLA breaches if the clock keeps
  running (from now on, for a paused SLA);
- percentElapsed = elapsed / duration x 100, rounded to 0.01, never negative (100 for a
  duration of zero, which only rows stored before schedules applied can have);
- breached = elapsed > duration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from csm_graphql.domain.schedule import WorkingHours, working_hours


@dataclass(frozen=True, slots=True)
class SlaProgress:
    planned_end: datetime
    percent_elapsed: float
    breached: bool


def sla_hours(hours: str | None, time_zone: str | None) -> WorkingHours | None:
    """The working hours of a definition's schedule (stored text), None without a schedule."""
    if hours is None or time_zone is None:
        return None
    return working_hours(hours, time_zone)


def time_between(start: datetime, end: datetime, hours: WorkingHours | None) -> float:
    """Seconds of SLA time between two instants: working time with a schedule, else wall."""
    if hours is None:
        return (end - start).total_seconds()
    return hours.working_seconds(start, end)


def time_after(start: datetime, seconds: float, hours: WorkingHours | None) -> datetime:
    """The instant ``seconds`` of SLA time after ``start``."""
    if hours is None:
        return start + timedelta(seconds=seconds)
    return hours.add_working(start, max(seconds, 0.0))


def planned_end(start: datetime, duration_minutes: int, hours: WorkingHours | None) -> datetime:
    """Where an SLA starting at ``start`` plans to end (stored when it starts)."""
    return time_after(start, duration_minutes * 60, hours)


def paused_for(paused_at: datetime, until: datetime, hours: WorkingHours | None) -> int:
    """The whole seconds of SLA time a pause took (added to ``paused_seconds`` on resume)."""
    return max(round(time_between(paused_at, until, hours)), 0)


def sla_progress(
    start_at: datetime,
    planned_end_at: datetime,
    paused_seconds: int,
    paused_at: datetime | None,
    stopped_at: datetime | None,
    now: datetime,
    hours: WorkingHours | None = None,
) -> SlaProgress:
    if stopped_at is not None:
        # A stopped SLA's clock is its stop, whatever the time now: asking at the stop gives
        # the same progress, and lets one cached entry serve every request (the case list
        # computes it for each SLA on the page; most are completed or canceled).
        now = stopped_at
    return _sla_progress(start_at, planned_end_at, paused_seconds, paused_at, stopped_at, now,
                         hours)  # fmt: skip


@lru_cache(maxsize=4096)
def _sla_progress(
    start_at: datetime,
    planned_end_at: datetime,
    paused_seconds: int,
    paused_at: datetime | None,
    stopped_at: datetime | None,
    now: datetime,
    hours: WorkingHours | None,
) -> SlaProgress:
    clock = stopped_at or paused_at or now
    current_pause = 0.0
    if paused_at is not None and stopped_at is None:
        current_pause = time_between(paused_at, now, hours)
    elapsed = _time_until(start_at, clock, hours) - paused_seconds
    duration = _time_between(start_at, planned_end_at, hours)
    zero = 100.0 if elapsed > 0 else 0.0
    percent = max(0.0, elapsed / duration * 100) if duration > 0 else zero
    if current_pause:
        shown_end = time_after(planned_end_at, paused_seconds + current_pause, hours)
    else:
        shown_end = _time_after(planned_end_at, paused_seconds, hours)
    return SlaProgress(shown_end, round(percent, 2), elapsed > duration)


# A running SLA's progress depends on "now", so each request computes it again; what does
# not (its duration, its planned end moved by the finished pauses, the time from its start to
# the hour the clock is in) is cached, and only the time since that hour is counted per
# request: a few spans instead of every day since the start (issue 10: the case list's SLAs
# were most of its Python time). Working time is additive, W(a, c) = W(a, b) + W(b, c).
_HOUR = timedelta(hours=1)


def _time_until(start: datetime, clock: datetime, hours: WorkingHours | None) -> float:
    """W(start, clock), the part up to the start of the clock's hour from the cache."""
    if hours is None:
        return (clock - start).total_seconds()
    anchor = clock - (clock - _EPOCH) % _HOUR
    return _time_between(start, anchor, hours) + hours.working_seconds(anchor, clock)


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=16_384)
def _time_between(start: datetime, end: datetime, hours: WorkingHours | None) -> float:
    return time_between(start, end, hours)


@lru_cache(maxsize=16_384)
def _time_after(start: datetime, seconds: float, hours: WorkingHours | None) -> datetime:
    return time_after(start, seconds, hours)
