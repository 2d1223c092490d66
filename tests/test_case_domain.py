"""Pure case domain logic: the priority matrix and task-SLA progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csm_graphql.domain.cases import PRIORITY_MATRIX, Impact, Urgency, priority
from csm_graphql.domain.enums import Priority
from csm_graphql.domain.sla import sla_progress

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
