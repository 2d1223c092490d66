"""The demo's task SLAs are plausible at every scale: each runs exactly its definition's
duration (in its schedule's working hours), belongs to a definition that applies to its case,
starts when its case was opened, and the data shows breached, running, paused and completed
SLAs side by side. Run on freshly seeded databases at two scales and seeds."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.db import create_engine
from csm_graphql.db.migrate import upgrade
from csm_graphql.demo.sampling import Clock
from csm_graphql.demo.seed import seed
from csm_graphql.domain.sla import sla_hours, sla_progress, time_between
from csm_graphql.settings import Settings
from tests.conftest import create_database, drop_database

ANCHOR = date(2026, 3, 30)  # a Monday in the week European clocks change: hours are tested

SLAS = """
SELECT s.id, s.stage, s.start_at, s.planned_end_at, s.paused_seconds, s.paused_at, s.stopped_at,
       d.id AS definition_id, d.priority AS definition_priority, d.duration_minutes,
       d.contract_id AS definition_contract_id, d.entitlement_id AS definition_entitlement_id,
       sc.hours, sc.time_zone,
       c.id AS case_id, c.priority, c.state, c.created_at AS opened_at, c.contract_id,
       c.entitlement_id
FROM task_slas s
JOIN sla_definitions d ON d.id = s.sla_definition_id
LEFT JOIN schedules sc ON sc.id = d.schedule_id
JOIN cases c ON c.id = s.case_id
ORDER BY s.id
"""
# Every definition applying to each case (README "Which SLAs a case runs": its priority, and
# its contract and entitlement when the definition names them).
APPLYING = """
SELECT c.id AS case_id, d.id AS definition_id
FROM cases c JOIN sla_definitions d ON d.priority = c.priority
 AND (d.contract_id IS NULL OR d.contract_id = c.contract_id)
 AND (d.entitlement_id IS NULL OR d.entitlement_id = c.entitlement_id)
"""


@dataclass(frozen=True)
class Demo:
    scale: int
    seed: int
    now: datetime
    slas: list[dict[str, Any]]
    applying: set[tuple[int, int]]


@pytest.fixture(scope="module", params=[(1, 42), (2, 7)], ids=["scale1-seed42", "scale2-seed7"])
async def demo(request: pytest.FixtureRequest, server_url: str) -> AsyncIterator[Demo]:
    scale, seed_ = request.param
    url = await create_database(server_url, prefix="csm_demo_slas")
    engine: AsyncEngine = create_engine(url, Settings(environment="test", database_url=url))
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await seed(connection, scale=scale, seed=seed_, anchor=ANCHOR)
            slas = [dict(row) for row in (await connection.execute(text(SLAS))).mappings()]
            applying = {tuple(row) for row in await connection.execute(text(APPLYING))}
        yield Demo(scale, seed_, Clock(ANCHOR).now, slas, applying)  # type: ignore[arg-type]
    finally:
        await engine.dispose()
        await drop_database(server_url, url)


def _planned_seconds(sla: dict[str, Any]) -> float:
    hours = sla_hours(sla["hours"], sla["time_zone"])
    return time_between(sla["start_at"], sla["planned_end_at"], hours)


def test_every_sla_runs_its_definitions_duration(demo: Demo) -> None:
    wrong = [
        (sla["id"], sla["duration_minutes"], round(_planned_seconds(sla) / 60))
        for sla in demo.slas
        if abs(_planned_seconds(sla) - sla["duration_minutes"] * 60) > 1
    ]
    assert demo.slas
    assert wrong == []


def test_every_sla_is_of_a_definition_that_applies_to_its_case(demo: Demo) -> None:
    foreign = [
        (sla["id"], sla["definition_priority"], sla["priority"])
        for sla in demo.slas
        if (sla["case_id"], sla["definition_id"]) not in demo.applying
    ]
    assert foreign == []
    # Definitions limited to an entitlement (the premium one) take part too.
    assert any(sla["definition_entitlement_id"] is not None for sla in demo.slas)
    # ... and every definition that applies to a case runs on it (once).
    attached = Counter((sla["case_id"], sla["definition_id"]) for sla in demo.slas)
    assert set(attached) == demo.applying
    assert set(attached.values()) == {1}


def test_slas_start_when_their_case_opened_and_nothing_lies_ahead(demo: Demo) -> None:
    misplaced = [
        sla["id"]
        for sla in demo.slas
        if sla["start_at"] != sla["opened_at"]
        or not all(
            sla["start_at"] <= moment <= demo.now
            for moment in (sla["start_at"], sla["paused_at"], sla["stopped_at"])
            if moment is not None
        )
    ]
    assert misplaced == []


def test_breached_running_paused_and_completed_slas_all_occur(demo: Demo) -> None:
    kinds: Counter[str] = Counter()
    for sla in demo.slas:
        progress = sla_progress(
            sla["start_at"],
            sla["planned_end_at"],
            sla["paused_seconds"],
            sla["paused_at"],
            sla["stopped_at"],
            demo.now,
            sla_hours(sla["hours"], sla["time_zone"]),
        )
        kinds[sla["stage"]] += 1
        if progress.breached:
            kinds["breached"] += 1
        elif sla["stage"] == "IN_PROGRESS":
            kinds["running within target"] += 1
        if sla["stage"] == "COMPLETED":
            kinds["completed breached" if progress.breached else "completed in time"] += 1
    for kind in (
        "breached",
        "running within target",
        "IN_PROGRESS",
        "PAUSED",
        "COMPLETED",
        "completed in time",
        "completed breached",
        "CANCELED",
    ):
        assert kinds[kind] > 0, (kind, kinds)
    # Most SLAs are met: breaches are the exception a service desk chases, not the rule.
    assert kinds["breached"] < len(demo.slas) / 2, kinds
