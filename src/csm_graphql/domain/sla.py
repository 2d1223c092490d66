"""Task SLA progress against a clock (ours; the definitions' schedules are not applied yet).

A task SLA stores when it started, its planned end (start + the definition's duration), the
seconds spent in finished pauses, when the current pause began (if paused) and when it
stopped (if completed or canceled). Time does not run while paused, so:

- the clock is ``stopped_at`` if stopped, else ``paused_at`` if paused, else the request's now;
- elapsed = clock - start - paused seconds;
- plannedEnd (as shown) = planned end + paused seconds + the current pause so far, i.e. the
  moment the SLA breaches if the clock keeps running;
- percentElapsed = elapsed / (planned end - start) x 100, rounded to 0.01, never negative;
- breached = elapsed > planned duration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SlaProgress:
    planned_end: datetime
    percent_elapsed: float
    breached: bool


def sla_progress(
    start_at: datetime,
    planned_end_at: datetime,
    paused_seconds: int,
    paused_at: datetime | None,
    stopped_at: datetime | None,
    now: datetime,
) -> SlaProgress:
    clock = stopped_at or paused_at or now
    current_pause = (now - paused_at) if paused_at is not None and stopped_at is None else None
    paused = timedelta(seconds=paused_seconds)
    elapsed = clock - start_at - paused
    duration = planned_end_at - start_at
    percent = max(0.0, elapsed / duration * 100)
    shown_end = planned_end_at + paused + (current_pause or timedelta())
    return SlaProgress(shown_end, round(percent, 2), elapsed > duration)
