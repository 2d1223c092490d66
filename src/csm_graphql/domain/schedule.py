"""Working hours of a Schedule (DOMAIN.md 4): the time SLAs with a schedule are measured in.

A schedule stores its hours as text and an IANA time zone. The grammar of the text::

    hours    := span ("," span)*
    span     := days " " time "-" time        e.g. "Mon-Fri 08:00-18:00"
    days     := day-item ("," day-item)*      e.g. "Mon,Wed,Fri" or "Mon-Wed,Fri"
    day-item := day | day "-" day             a range may wrap: "Sun-Thu"
    day      := Mon | Tue | Wed | Thu | Fri | Sat | Sun      (any letter case)
    time     := HH:MM, 00:00 .. 24:00         24:00 = the end of the day

Whitespace around commas and dashes is allowed. A span's start must be before its end (an
overnight span is written as two: "Mon-Fri 22:00-24:00, Tue-Sat 00:00-06:00"). Spans that
overlap on a day are merged. Anything else raises ``InvalidWorkingHours``.

Times are the zone's local wall-clock times. A span lasts the real time between its local
start and end, so a "00:00-24:00" day lasts 23 or 25 hours when the clocks change; a local
time that does not exist (in the spring-forward gap) is read with the offset before the change
(PEP 495, fold=0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
_DAY = r"[A-Za-z]{3}"
_DAY_ITEM = rf"{_DAY}(?:\s*-\s*{_DAY})?"
_TIME = r"\d{2}:\d{2}"
_SPAN = re.compile(
    rf"\s*(?P<days>{_DAY_ITEM}(?:\s*,\s*{_DAY_ITEM})*)\s+(?P<start>{_TIME})\s*-\s*(?P<end>{_TIME})\s*"
)
_WEEK = timedelta(days=7)


class InvalidWorkingHours(ValueError):
    """The stored hours text or time zone does not follow the grammar above."""


def _day(name: str, text: str) -> int:
    try:
        return DAYS.index(name.lower())
    except ValueError:
        raise InvalidWorkingHours(
            f"unknown day {name!r} in {text!r}: use Mon, Tue, Wed, Thu, Fri, Sat, Sun"
        ) from None


def _minutes(value: str, text: str) -> int:
    hours, minutes = int(value[:2]), int(value[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise InvalidWorkingHours(f"invalid time {value!r} in {text!r}: use 00:00 .. 24:00")
    return hours * 60 + minutes


def _days(spec: str, text: str) -> list[int]:
    days: list[int] = []
    for item in spec.split(","):
        first, _, last = (part.strip() for part in item.partition("-"))
        start = _day(first, text)
        count = (_day(last, text) - start) % 7 + 1 if last else 1
        days.extend((start + offset) % 7 for offset in range(count))
    return days


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """When time counts: per weekday (Mon = 0), sorted disjoint (start, end) minutes of the
    local day, in ``zone``."""

    week: tuple[tuple[tuple[int, int], ...], ...]
    zone: ZoneInfo

    # The SLA clock's caches (domain/sla.py) key on the hours many times per request: the
    # small tuple is hashed once per object, not on every lookup.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.week, self.zone)))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def parse(cls, hours: str, time_zone: str) -> WorkingHours:
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidWorkingHours(f"unknown time zone {time_zone!r}") from None
        per_day: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        position = 0
        while True:
            match = _SPAN.match(hours, position)
            if match is None:
                raise InvalidWorkingHours(
                    f"cannot read working hours {hours!r} at position {position}: expected "
                    "comma-separated spans such as 'Mon-Fri 08:00-18:00'"
                )
            start, end = _minutes(match["start"], hours), _minutes(match["end"], hours)
            if start >= end:
                raise InvalidWorkingHours(
                    f"span {match.group().strip()!r} in {hours!r} must start before it ends "
                    "(split overnight spans at 24:00)"
                )
            for day in _days(match["days"], hours):
                per_day[day].append((start, end))
            position = match.end()
            if position == len(hours):
                break
            if hours[position] != ",":
                raise InvalidWorkingHours(
                    f"cannot read working hours {hours!r} at position {position}: spans are "
                    "separated by commas"
                )
            position += 1
        return cls(tuple(_merge(spans) for spans in per_day), zone)

    @property
    def weekly_minutes(self) -> int:
        """Working minutes of a week on the local clock (a week without clock changes)."""
        return _weekly_minutes(self.week)

    def _spans(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        return _day_spans(self.zone, self.week[day.weekday()], day)

    def _steady_week(self, day: date) -> bool:
        """Whether the UTC offset is the same at the local midnights a week apart, so the week
        from ``day`` lasts its local working minutes (the zone does not change its offset
        twice within seven days)."""
        return _midnight_offset(self.zone, day) == _midnight_offset(self.zone, day + _WEEK)

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two instants, in seconds (negative if ``end`` is earlier)."""
        if end < start:
            return -self.working_seconds(end, start)
        # In UTC: the difference of two datetimes sharing a zone ignores clock changes.
        start, end, total = start.astimezone(UTC), end.astimezone(UTC), 0.0
        day, last = self._local_date(start), self._local_date(end)
        first, weekly = day, self.weekly_minutes * 60
        while day <= last:
            if day > first and day + _WEEK <= last and self._steady_week(day):
                total += weekly
                day += _WEEK
                continue
            for span_start, span_end in self._spans(day):
                overlap = min(span_end, end) - max(span_start, start)
                total += max(overlap.total_seconds(), 0.0)
            day += timedelta(days=1)
        return total

    def add_working(self, start: datetime, seconds: float) -> datetime:
        """The first instant at which ``seconds`` of working time have passed after ``start``
        (``start`` itself for zero; the end of a working span rather than the start of the
        next one when the time runs out exactly at a span's end)."""
        if seconds < 0:
            raise ValueError("cannot add negative working time")
        if seconds == 0:
            return start.astimezone(UTC)
        start, remaining = start.astimezone(UTC), float(seconds)
        day = first = self._local_date(start)
        weekly = self.weekly_minutes * 60
        while True:
            if day > first and remaining > weekly and self._steady_week(day):
                remaining -= weekly
                day += _WEEK
                continue
            for span_start, span_end in self._spans(day):
                begin = max(span_start, start)
                available = (span_end - begin).total_seconds()
                if available <= 0:
                    continue
                if remaining <= available:
                    return begin + timedelta(seconds=remaining)
                remaining -= available
            day += timedelta(days=1)


def _at(zone: ZoneInfo, day: date, minutes: int) -> datetime:
    """The UTC instant of a local day's minute (24:00 = the next midnight)."""
    local = datetime.combine(day, time(), zone) + timedelta(minutes=minutes)
    # Adding to an aware datetime is wall-clock arithmetic: the offset is the one in force at
    # the resulting local time (fold=0 in a gap or an overlap).
    return local.astimezone(UTC)


@lru_cache(maxsize=65_536)
def _day_spans(
    zone: ZoneInfo, spans: tuple[tuple[int, int], ...], day: date
) -> tuple[tuple[datetime, datetime], ...]:
    """A day's working spans as UTC instants (cached: SLAs of a schedule ask for the same
    days again and again)."""
    instants = ((_at(zone, day, start), _at(zone, day, end)) for start, end in spans)
    return tuple((start, end) for start, end in instants if end > start)


@lru_cache(maxsize=256)
def _weekly_minutes(week: tuple[tuple[tuple[int, int], ...], ...]) -> int:
    return sum(end - start for spans in week for start, end in spans)


@lru_cache(maxsize=65_536)
def _midnight_offset(zone: ZoneInfo, day: date) -> timedelta | None:
    """The zone's UTC offset at a local midnight (cached: long spans ask week after week)."""
    return datetime.combine(day, time(), zone).utcoffset()


@lru_cache(maxsize=256)
def working_hours(hours: str, time_zone: str) -> WorkingHours:
    """The parsed hours of a stored schedule (cached: a few schedules serve every SLA)."""
    return WorkingHours.parse(hours, time_zone)
