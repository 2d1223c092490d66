"""Working hours of schedules (domain/schedule.py): the grammar, working time across days,
weekends and clock changes, and the demo's stored schedules."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from csm_graphql.demo.case_setup import SCHEDULES
from csm_graphql.domain.schedule import InvalidWorkingHours, WorkingHours, working_hours

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


OFFICE = WorkingHours.parse("Mon-Fri 08:00-18:00", "Europe/Berlin")
ALWAYS = WorkingHours.parse("Mon-Sun 00:00-24:00", "Europe/Berlin")


# -- grammar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri 08:00-18:00", dict.fromkeys(range(5), ((480, 1080),))),
        ("Mon-Sun 00:00-24:00", dict.fromkeys(range(7), ((0, 1440),))),
        ("mon-fri 08:00-18:00", dict.fromkeys(range(5), ((480, 1080),))),
        ("Mon,Wed,Fri 09:00-17:00", {0: ((540, 1020),), 2: ((540, 1020),), 4: ((540, 1020),)}),
        ("Mon-Tue, Thu 09:00-12:00", {0: ((540, 720),), 1: ((540, 720),), 3: ((540, 720),)}),
        (
            "Mon-Fri 08:00-12:00, Mon-Fri 13:00-17:00, Sat 10:00-14:00",
            {**dict.fromkeys(range(5), ((480, 720), (780, 1020))), 5: ((600, 840),)},
        ),
        # A range wraps over the week's end.
        ("Sun-Tue 10:00-11:00", {6: ((600, 660),), 0: ((600, 660),), 1: ((600, 660),)}),
        # Overlapping and touching spans on a day merge.
        ("Mon 08:00-12:00,Mon 11:00-14:00, Mon 14:00-15:00", {0: ((480, 900),)}),
        ("  Sat   10:00 - 12:00 ", {5: ((600, 720),)}),
    ],
)
def test_parses_the_grammar(text: str, expected: dict[int, tuple[tuple[int, int], ...]]) -> None:
    hours = WorkingHours.parse(text, "UTC")
    assert hours.week == tuple(expected.get(day, ()) for day in range(7))
    assert hours.zone == ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("text", "zone", "message"),
    [
        ("", "UTC", "cannot read"),
        ("Mon-Fri", "UTC", "cannot read"),
        ("08:00-18:00", "UTC", "cannot read"),
        ("Mon-Fri 8:00-18:00", "UTC", "cannot read"),
        ("Mon-Fri 08:00-18:00,", "UTC", "cannot read"),
        ("Mon-Fri 08:00-18:00; Sat 10:00-12:00", "UTC", "separated by commas"),
        ("Mon-Fri 08:00-18:00 Sat 10:00-12:00", "UTC", "separated by commas"),
        ("Mon-Fry 08:00-18:00", "UTC", "unknown day 'Fry'"),
        ("Monday 08:00-18:00", "UTC", "cannot read"),
        ("Mon-Fri 08:00-25:00", "UTC", "invalid time '25:00'"),
        ("Mon-Fri 08:60-18:00", "UTC", "invalid time '08:60'"),
        ("Mon-Fri 24:30-24:45", "UTC", "invalid time"),
        ("Mon-Fri 18:00-08:00", "UTC", "must start before it ends"),
        ("Mon-Fri 08:00-08:00", "UTC", "must start before it ends"),
        ("Mon-Fri 08:00-18:00", "Europe/Nowhere", "unknown time zone"),
        ("Mon-Fri 08:00-18:00", "", "unknown time zone"),
        ("Mon-Fri 08:00-18:00", "../etc/passwd", "unknown time zone"),
    ],
)
def test_rejects_anything_else(text: str, zone: str, message: str) -> None:
    with pytest.raises(InvalidWorkingHours, match=message):
        WorkingHours.parse(text, zone)


def test_the_demo_schedules_parse() -> None:
    assert SCHEDULES  # the schedules demo/case_setup.py stores
    for _name, zone, text in SCHEDULES:
        assert working_hours(text, zone).weekly_minutes > 0


def test_parsed_hours_are_cached() -> None:
    assert working_hours("Mon-Fri 08:00-18:00", "UTC") is working_hours(
        "Mon-Fri 08:00-18:00", "UTC"
    )


# -- working time --------------------------------------------------------------------------

# 2026-06-01 is a Monday; Berlin is UTC+2 in summer, UTC+1 in winter. Clocks go forward on
# Sunday 2026-03-29 (02:00 -> 03:00) and back on Sunday 2026-10-25 (03:00 -> 02:00).


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (berlin(2026, 6, 1, 9), berlin(2026, 6, 1, 12), 3),  # within a day
        (berlin(2026, 6, 1, 6), berlin(2026, 6, 1, 9), 1),  # starts before opening
        (berlin(2026, 6, 1, 17), berlin(2026, 6, 1, 20), 1),  # ends after closing
        (berlin(2026, 6, 1, 19), berlin(2026, 6, 2, 7), 0),  # overnight, all closed
        (berlin(2026, 6, 1, 17), berlin(2026, 6, 2, 9), 2),  # across a night
        (berlin(2026, 6, 5, 17), berlin(2026, 6, 8, 9), 2),  # across a weekend
        (berlin(2026, 6, 6, 10), berlin(2026, 6, 7, 15), 0),  # within a weekend
        (berlin(2026, 6, 6, 10), berlin(2026, 6, 8, 10), 2),  # starts on a Saturday
        (berlin(2026, 6, 1, 8), berlin(2026, 6, 8, 8), 50),  # a whole week
        (berlin(2026, 6, 1, 0), berlin(2026, 8, 31, 0), 13 * 50),  # 13 weeks
        (berlin(2026, 6, 3, 12), berlin(2026, 6, 24, 12), 3 * 50),  # 3 weeks, mid-day
        (berlin(2026, 6, 1, 9), berlin(2026, 6, 1, 9), 0),
        (berlin(2026, 6, 1, 12), berlin(2026, 6, 1, 9), -3),  # backwards is negative
        # The clock changes happen at night: office hours are unaffected by them.
        (berlin(2026, 3, 27, 17), berlin(2026, 3, 30, 9), 2),
        (berlin(2026, 3, 20, 8), berlin(2026, 4, 3, 18), 11 * 10),
        (berlin(2026, 10, 23, 17), berlin(2026, 10, 26, 9), 2),
    ],
)
def test_office_working_seconds(start: datetime, end: datetime, hours: int) -> None:
    assert OFFICE.working_seconds(start, end) == hours * HOUR
    if hours >= 0:
        assert OFFICE.working_seconds(start.astimezone(UTC), end.astimezone(UTC)) == hours * HOUR


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Around the clock is real elapsed time: 23 hours on the spring-forward Sunday ...
        (berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0), 23),
        (berlin(2026, 3, 29, 1), berlin(2026, 3, 29, 4), 2),
        # ... 25 hours on the fall-back Sunday ...
        (berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0), 25),
        # ... and week jumps over a change are exact.
        (berlin(2026, 3, 16, 0), berlin(2026, 4, 13, 0), 28 * 24 - 1),
        (berlin(2026, 10, 12, 0), berlin(2026, 11, 9, 0), 28 * 24 + 1),
        (berlin(2026, 1, 1, 0), berlin(2027, 1, 1, 0), 365 * 24),
    ],
)
def test_around_the_clock_across_clock_changes(start: datetime, end: datetime, hours: int) -> None:
    assert ALWAYS.working_seconds(start, end) == hours * HOUR
    assert ALWAYS.add_working(start, hours * HOUR) == end


def test_night_shift_across_clock_changes() -> None:
    night = WorkingHours.parse("Sat-Sun 01:00-04:00", "Europe/Berlin")
    # 01:00-02:00 CET then 03:00-04:00 CEST: two real hours on the spring-forward night.
    assert night.working_seconds(berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)) == 2 * HOUR
    assert night.add_working(berlin(2026, 3, 29, 0), 1.5 * HOUR) == berlin(2026, 3, 29, 3, 30)
    # 01:00-04:00 CET/CEST lasts four real hours on the fall-back night.
    assert night.working_seconds(berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0)) == 4 * HOUR
    assert night.add_working(berlin(2026, 10, 25, 0), 4 * HOUR) == berlin(2026, 10, 25, 4)
    # Over a four-week stretch including the change: 8 nights of 3 hours, one of 2.
    assert night.working_seconds(berlin(2026, 3, 9), berlin(2026, 4, 6)) == 23 * HOUR


@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        (berlin(2026, 6, 1, 9), 3, berlin(2026, 6, 1, 12)),
        (berlin(2026, 6, 1, 9), 9, berlin(2026, 6, 1, 18)),  # ends at closing, not next day
        (berlin(2026, 6, 1, 9), 10, berlin(2026, 6, 2, 9)),
        # Starting outside working hours: the time starts counting at the next opening.
        (berlin(2026, 6, 1, 6), 1, berlin(2026, 6, 1, 9)),
        (berlin(2026, 6, 1, 19), 1, berlin(2026, 6, 2, 9)),
        (berlin(2026, 6, 5, 17), 4, berlin(2026, 6, 8, 11)),  # over a weekend
        (berlin(2026, 6, 6, 12), 1, berlin(2026, 6, 8, 9)),  # from a Saturday
        (berlin(2026, 6, 1, 8), 50, berlin(2026, 6, 5, 18)),  # a whole week
        (berlin(2026, 6, 1, 8), 51, berlin(2026, 6, 8, 9)),
        (berlin(2026, 6, 3, 12), 3 * 50 + 1, berlin(2026, 6, 24, 13)),  # week jumps
        (berlin(2026, 3, 27, 17), 2, berlin(2026, 3, 30, 9)),  # over spring forward
        (berlin(2026, 10, 23, 17), 2, berlin(2026, 10, 26, 9)),  # over fall back
        (berlin(2026, 3, 2, 8), 500, berlin(2026, 5, 8, 18)),  # 10 weeks around the change
    ],
)
def test_office_add_working(start: datetime, hours: float, end: datetime) -> None:
    assert OFFICE.add_working(start, hours * HOUR) == end
    assert OFFICE.add_working(start, hours * HOUR).tzinfo is UTC


def test_add_working_zero_and_negative() -> None:
    saturday = berlin(2026, 6, 6, 12)
    assert OFFICE.add_working(saturday, 0) == saturday
    with pytest.raises(ValueError, match="negative"):
        OFFICE.add_working(saturday, -1)


def test_working_seconds_of_split_days_and_fractions() -> None:
    split = WorkingHours.parse("Mon-Fri 08:00-12:00, Mon-Fri 13:00-17:00", "UTC")
    assert split.working_seconds(utc(2026, 6, 1, 11, 30), utc(2026, 6, 1, 13, 15)) == 45 * 60
    assert split.add_working(utc(2026, 6, 1, 11, 30), 45 * 60) == utc(2026, 6, 1, 13, 15)
    assert split.add_working(utc(2026, 6, 1, 11, 59, 59), 1.5) == utc(2026, 6, 1, 13, 0, 0, 500_000)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Mon-Fri 08:00-18:00", "Europe/Berlin"),
        ("Mon-Sun 00:00-24:00", "Europe/Berlin"),
        ("Sat-Sun 01:00-04:00", "Europe/Berlin"),
        ("Mon,Wed 09:00-12:00, Fri 13:30-17:45", "America/New_York"),
        ("Sun-Thu 08:00-16:00", "Asia/Jerusalem"),
        ("Mon-Fri 00:00-24:00", "Australia/Lord_Howe"),  # a 30-minute clock change
    ],
)
def test_add_working_inverts_working_seconds(text: str, zone: str) -> None:
    """Against a brute-force minute count and as each other's inverse, at random instants
    over two years (so every clock change is crossed)."""
    hours = WorkingHours.parse(text, zone)
    rng = random.Random(f"{text}{zone}")
    origin = utc(2026, 1, 1)
    for _ in range(60):
        start = origin + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        seconds = rng.randrange(1, 400 * HOUR)
        end = hours.add_working(start, seconds)
        assert hours.working_seconds(start, end) == seconds
        # Nothing earlier reaches it: a second before, the working time is short.
        assert hours.working_seconds(start, end - timedelta(seconds=1)) < seconds
    # Brute force, minute by minute, over five weeks holding the zones' spring clock changes.
    start = utc(2026, 3, 5)
    minutes = 34 * 24 * 60
    count = 0
    for minute in range(minutes):
        local = (start + timedelta(minutes=minute)).astimezone(hours.zone)
        of_day = local.hour * 60 + local.minute
        count += any(a <= of_day < b for a, b in hours.week[local.weekday()])
    assert hours.working_seconds(start, start + timedelta(minutes=minutes)) == count * 60
