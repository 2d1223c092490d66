"""Pure case domain logic: the priority matrix and task-SLA progress (wall-clock and in a
schedule's working hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csm_graphql.domain.cases import PRIORITY_MATRIX, Impact, Urgency, priority
from csm_graphql.domain.enums import Priority
from csm_graphql.domain.schedule import WorkingHours
from csm_graphql.domain.sla import (
    paused_for,
    planned_end,
    sla_hours,
    sla_progress,
    time_after,
    time_between,
)

START = datetime(2026, 6, 1, 8, tzinfo=UTC)
END = START + timedelta(hours=10)


def test_the_priority_matrix_is_the_documented_one() -> None:
    H, M, L = Impact.HIGH, Impact.MEDIUM, Impact.LOW
    expected = {
        (H, Urgency.HIGH): Priority.CRITICAL,
        (H, Urgency.MEDIUM): Priority.HIGH,
        (H, Urgency.LOW): Priority.MODERATE,
        (M, Urgency.HIGH): Priority.HIGH,
        (M, Urgency.MEDIUM): Priority.MODERATE,
        (M, Urgency.LOW): Priority.LOW,
        (L, Urgency.HIGH): Priority.MODERATE,
        (L, Urgency.MEDIUM): Priority.LOW,
        (L, Urgency.LOW): Priority.VERY_LOW,
    }
    assert expected == PRIORITY_MATRIX
    assert all(priority(i, u) == p for (i, u), p in expected.items())


@pytest.mark.parametrize(
    ("paused_seconds", "paused_at", "stopped_at", "now", "percent", "breached", "end_shift"),
    [
        (0, None, None, START + timedelta(hours=5), 50.0, False, 0),
        (0, None, None, START + timedelta(hours=11), 110.0, True, 0),
        (0, None, None, START - timedelta(hours=1), 0.0, False, 0),
        # Finished pauses do not count and move the planned end.
        (3_600, None, None, START + timedelta(hours=11), 100.0, False, 3_600),
        # While paused the clock stands still; the planned end moves with the pause.
        (0, START + timedelta(hours=2), None, START + timedelta(hours=20), 20.0, False, 18 * 3600),
        # A stopped SLA is measured at its stop.
        (0, None, START + timedelta(hours=12), START + timedelta(days=9), 120.0, True, 0),
    ],
)
def test_sla_progress(
    paused_seconds: int,
    paused_at: datetime | None,
    stopped_at: datetime | None,
    now: datetime,
    percent: float,
    breached: bool,
    end_shift: int,
) -> None:
    progress = sla_progress(START, END, paused_seconds, paused_at, stopped_at, now)
    assert progress.percent_elapsed == percent
    assert progress.breached is breached
    assert progress.planned_end == END + timedelta(seconds=end_shift)


# -- in working hours ------------------------------------------------------------------------
# Europe/Berlin office hours; 2026-06-01 is a Monday (UTC+2). An 8-hour SLA started Monday
# 16:00 plans to end Tuesday 14:00 (2 hours on Monday, 6 on Tuesday).

OFFICE = WorkingHours.parse("Mon-Fri 08:00-18:00", "Europe/Berlin")
BERLIN = ZoneInfo("Europe/Berlin")


def _berlin(day: int, hour: int) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=BERLIN)


def test_planned_end_and_pauses_in_working_hours() -> None:
    assert planned_end(_berlin(1, 16), 480, OFFICE) == _berlin(2, 14)
    assert planned_end(_berlin(1, 16), 480, None) == _berlin(2, 0)
    # Starting on a Saturday, time starts counting on Monday morning.
    assert planned_end(datetime(2026, 6, 6, 10, tzinfo=BERLIN), 60, OFFICE) == _berlin(8, 9)
    assert paused_for(_berlin(1, 17), _berlin(3, 9), OFFICE) == 12 * 3600
    assert paused_for(_berlin(1, 17), _berlin(3, 9), None) == 40 * 3600
    assert paused_for(_berlin(3, 9), _berlin(1, 17), OFFICE) == 0


@pytest.mark.parametrize(
    ("paused_seconds", "paused_at", "stopped_at", "now", "percent", "breached", "end"),
    [
        # Monday 16:00 to Tuesday 10:00 is 4 working hours of 8 (wall-clock: 18 hours).
        (0, None, None, _berlin(2, 10), 50.0, False, _berlin(2, 14)),
        (0, None, None, _berlin(1, 20), 25.0, False, _berlin(2, 14)),  # the night is free
        (0, None, None, _berlin(3, 9), 162.5, True, _berlin(2, 14)),
        (0, None, None, _berlin(1, 12), 0.0, False, _berlin(2, 14)),  # before the start
        # Finished pauses count in working time: 2 working hours paused.
        (7_200, None, None, _berlin(2, 10), 25.0, False, _berlin(2, 16)),
        # Paused since Monday 17:00: 1 hour elapsed; the 12 working hours paused so far move
        # the end to Wednesday 16:00 (if it resumes now, its 7 hours left end then).
        (0, _berlin(1, 17), None, _berlin(3, 9), 12.5, False, _berlin(3, 16)),
        # A stopped SLA is measured at its stop; pauses before it count, none runs.
        (0, _berlin(2, 9), _berlin(2, 9), _berlin(5, 12), 37.5, False, _berlin(2, 14)),
        (3_600, None, _berlin(2, 13), _berlin(5, 12), 75.0, False, _berlin(2, 15)),
    ],
)
def test_sla_progress_in_working_hours(
    paused_seconds: int,
    paused_at: datetime | None,
    stopped_at: datetime | None,
    now: datetime,
    percent: float,
    breached: bool,
    end: datetime,
) -> None:
    start, planned = _berlin(1, 16), _berlin(2, 14)
    progress = sla_progress(start, planned, paused_seconds, paused_at, stopped_at, now, OFFICE)
    assert progress.percent_elapsed == percent
    assert progress.breached is breached
    assert progress.planned_end == end


def test_around_the_clock_is_wall_clock() -> None:
    always = WorkingHours.parse("Mon-Sun 00:00-24:00", "UTC")
    for paused_at, stopped_at, now in (
        (None, None, START + timedelta(hours=5)),
        (START + timedelta(hours=2), None, START + timedelta(hours=20)),
        (None, START + timedelta(hours=12), START + timedelta(days=9)),
    ):
        wall = sla_progress(START, END, 1_800, paused_at, stopped_at, now)
        assert sla_progress(START, END, 1_800, paused_at, stopped_at, now, always) == wall


def test_sla_hours_of_stored_schedules() -> None:
    assert sla_hours(None, None) is None
    assert sla_hours("Mon-Fri 08:00-18:00", "Europe/Berlin") == OFFICE


# -- the clock's caches ------------------------------------------------------------------------
# A running SLA's progress reuses what does not depend on "now" (its duration, its shown end,
# the working time from its start to the hour the clock is in) and counts only the time since
# that hour per request (domain/sla.py). It must be the formula of the module docstring
# computed directly, whatever the instants (microseconds, clock changes, weekends).

_SCHEDULES = (
    OFFICE,
    WorkingHours.parse("Mon-Fri 09:00-12:30, Mon-Fri 13:30-17:00, Sat 10:00-14:00", "US/Eastern"),
    WorkingHours.parse("Mon-Sun 00:00-24:00", "Australia/Lord_Howe"),  # a half-hour DST shift
    None,
)


def _direct(start: datetime, planned: datetime, paused: int, paused_at: datetime | None,
            now: datetime, hours: WorkingHours | None) -> tuple[datetime, float, bool]:  # fmt: skip
    clock = paused_at or now
    current_pause = time_between(paused_at, now, hours) if paused_at is not None else 0.0
    elapsed = time_between(start, clock, hours) - paused
    duration = time_between(start, planned, hours)
    percent = max(0.0, elapsed / duration * 100) if duration > 0 else (100.0 if elapsed else 0.0)
    return time_after(planned, paused + current_pause, hours), round(percent, 2), elapsed > duration


@given(
    start=st.datetimes(datetime(2025, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
    minutes=st.integers(1, 60 * 24 * 40),
    paused=st.integers(0, 3_600 * 20),
    pause_after=st.none() | st.timedeltas(timedelta(0), timedelta(days=30)),
    later=st.timedeltas(timedelta(0), timedelta(days=90)),
    schedule=st.sampled_from(_SCHEDULES),
)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_a_running_slas_progress_is_the_formula_computed_directly(
    start: datetime,
    minutes: int,
    paused: int,
    pause_after: timedelta | None,
    later: timedelta,
    schedule: WorkingHours | None,
) -> None:
    planned = planned_end(start, minutes, schedule)
    paused_at = None if pause_after is None else start + pause_after
    now = (paused_at or start) + later
    progress = sla_progress(start, planned, paused, paused_at, None, now, schedule)
    # Twice: the second answer comes from the caches the first filled.
    again = sla_progress(start, planned, paused, paused_at, None, now + timedelta(0), schedule)
    expected = _direct(start, planned, paused, paused_at, now, schedule)
    assert (progress.planned_end, progress.percent_elapsed, progress.breached) == expected
    assert again == progress
