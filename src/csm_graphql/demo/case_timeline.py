"""When each demo case's events happened, and so how its SLAs stand at the demo's "today".

A case is opened some time ago that fits its state (a NEW case hours ago, a closed one weeks
ago), drawn log-uniformly so that young cases, whose SLAs are still within target, are as
common as old ones. Its events then follow in order: an agent accepts it (the response), it
may wait on the customer (info requested, a solution proposed), it is resolved, closed or
canceled. Each task SLA is then exactly what the service would have made of those events
(services/case_slas.py): started when the case opened, planned its definition's duration
ahead in its schedule's working hours, paused while the case waited, stopped when it ended.
Breaches happen because cases take longer than their targets, never because a duration was
distorted.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from csm_graphql.domain.cases import CaseState, SlaStage, SlaTarget
from csm_graphql.domain.schedule import WorkingHours
from csm_graphql.domain.sla import paused_for

HOUR = 3_600

# How long ago a case in each state was opened: (fewest, most) wall-clock hours.
AGE_HOURS = {
    CaseState.NEW: (0.25, 72),
    CaseState.OPEN: (2, 30 * 24),
    CaseState.AWAITING_INFO: (12, 30 * 24),
    CaseState.RESOLVED: (24, 30 * 24),
    CaseState.CLOSED: (48, 120 * 24),
    CaseState.CANCELED: (24, 120 * 24),
}
# How long an agent takes to accept a case: (fastest, slowest) wall-clock hours.
ACCEPT_HOURS = (5 / 60, 24)
# The share of worked cases that waited on the customer for info at some point and got it.
WAITED_SHARE = 1 / 3


@dataclass(frozen=True, slots=True)
class SlaCourse:
    """A task SLA's stored state: its stage and the instants and pauses that measure it."""

    stage: SlaStage
    paused_seconds: int = 0
    paused_at: datetime | None = None
    stopped_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CaseTimeline:
    state: CaseState
    opened: datetime
    accepted: datetime | None = None  # the response: NEW -> OPEN
    waited: tuple[datetime, datetime] | None = None  # a finished wait for info
    waiting_since: datetime | None = None  # awaiting info, or a solution awaits acceptance
    resolved: datetime | None = None  # a solution was proposed (RESOLVED, CLOSED)
    ended: datetime | None = None  # closed or canceled

    @property
    def last(self) -> datetime:
        """The latest event: when the case was last updated."""
        events = (self.accepted, self.waiting_since, self.resolved, self.ended)
        return max([self.opened, *(at for at in events if at is not None)])

    def sla(self, target: SlaTarget, hours: WorkingHours | None) -> SlaCourse:
        """How an SLA for ``target`` running in ``hours`` (None: wall clock) stands."""
        if target is SlaTarget.RESPONSE:
            if self.accepted is not None:
                return SlaCourse(SlaStage.COMPLETED, stopped_at=self.accepted)
            if self.ended is not None:
                return SlaCourse(SlaStage.CANCELED, stopped_at=self.ended)
            return SlaCourse(SlaStage.IN_PROGRESS)
        paused = paused_for(*self.waited, hours) if self.waited else 0
        if self.state is CaseState.CLOSED:
            # Accepting the solution completes the SLA where it was proposed.
            return SlaCourse(SlaStage.COMPLETED, paused, stopped_at=self.resolved)
        if self.state is CaseState.CANCELED:
            return SlaCourse(SlaStage.CANCELED, paused, stopped_at=self.ended)
        if self.waiting_since is not None:
            return SlaCourse(SlaStage.PAUSED, paused, paused_at=self.waiting_since)
        return SlaCourse(SlaStage.IN_PROGRESS, paused)


def draw_timeline(rng: random.Random, now: datetime, state: CaseState) -> CaseTimeline:
    """A case's events up to ``now``, in an order its state allows."""
    opened = now - timedelta(seconds=round(_log_uniform(rng, *AGE_HOURS[state]) * HOUR))
    if state is CaseState.NEW:
        return CaseTimeline(state, opened)
    if state is CaseState.CANCELED and rng.random() < 0.5:
        return CaseTimeline(state, opened, ended=_between(rng, opened, now))  # never accepted
    # Accepted within its time to accept, but always in the first half of the case's life, so
    # that what follows has room.
    delay = timedelta(seconds=round(_log_uniform(rng, *ACCEPT_HOURS) * HOUR))
    accepted = min(opened + delay, opened + (now - opened) / 2)
    # What follows acceptance ends at the solution, the cancel, or (still open) now.
    settled = _between(rng, accepted, now) if state is not CaseState.OPEN else now
    waited = None
    if state is not CaseState.CANCELED and rng.random() < WAITED_SHARE:
        start, end = sorted((_between(rng, accepted, settled), _between(rng, accepted, settled)))
        waited = (start, end)
    match state:
        case CaseState.OPEN:
            return CaseTimeline(state, opened, accepted, waited)
        case CaseState.AWAITING_INFO:
            return CaseTimeline(state, opened, accepted, waited, waiting_since=settled)
        case CaseState.RESOLVED:
            return CaseTimeline(state, opened, accepted, waited, settled, resolved=settled)
        case CaseState.CLOSED:
            closed = _between(rng, settled, now)
            return CaseTimeline(state, opened, accepted, waited, resolved=settled, ended=closed)
        case _:
            return CaseTimeline(state, opened, accepted, ended=settled)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment in [start, end], to the second."""
    return start + timedelta(seconds=rng.randint(0, max(int((end - start).total_seconds()), 0)))
