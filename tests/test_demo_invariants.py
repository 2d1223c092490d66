"""The demo data obeys what the API enforces on writes, at two scales and seeds: assignees hold
the roles the services require (the same predicates the services use), nothing has happened
after the demo's "now", children's states agree with their parents' under the success
lifecycle, and every versioned row starts at version 1 or later. A row the API could never
have written is a demo that lies; this keeps the generator from drifting again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import DateTime, Table, and_, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from csm_graphql import tables as t
from csm_graphql.access import principals
from csm_graphql.db import create_engine
from csm_graphql.db.migrate import upgrade
from csm_graphql.demo.sampling import Clock
from csm_graphql.demo.seed import seed
from csm_graphql.domain.enums import ObjectiveState, WorkState
from csm_graphql.domain.success_lifecycle import TRANSITIONS, SuccessAction
from csm_graphql.domain.workspace import PlaySource
from csm_graphql.settings import Settings
from tests.conftest import create_database, drop_database

# Moments that are planned rather than happened: they may lie ahead.
PLANNED = frozenset({"scheduled_at", "planned_end_at", "locked_until", "expires_at"})
# Who the services accept as an assignee, table by table (the predicates they call).
SUCCESS_RECORDS = (t.success_initiatives, t.success_cases, t.success_tasks, t.touchpoints)
OPEN_WORK = [state.value for state in WorkState if state.is_open]
FINAL_OBJECTIVE = [state.value for state in ObjectiveState if state.is_final]


@dataclass(frozen=True)
class Demo:
    scale: int
    engine: AsyncEngine
    now: datetime


@pytest.fixture(scope="module", params=[(1, 42), (2, 7)], ids=["scale1-seed42", "scale2-seed7"])
async def demo(request: pytest.FixtureRequest, server_url: str) -> AsyncIterator[Demo]:
    scale, seed_ = request.param
    # Anchored today, as `csm-graphql seed` is by default: "the future" is the real one.
    anchor = datetime.now(UTC).date()
    url = await create_database(server_url, prefix="csm_demo_invariants")
    engine = create_engine(url, Settings(environment="test", database_url=url))
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await seed(connection, scale=scale, seed=seed_, anchor=anchor)
        yield Demo(scale, engine, Clock(anchor).now)
    finally:
        await engine.dispose()
        await drop_database(server_url, url)


async def _count(connection: AsyncConnection, table: Table, *where: object) -> int:
    found = await connection.scalar(select(func.count()).select_from(table).where(*where))
    return int(found or 0)


async def _violations(demo: Demo, checks: dict[str, tuple[Table, object]]) -> dict[str, int]:
    async with demo.engine.connect() as connection:
        counts = {
            name: await _count(connection, table, where) for name, (table, where) in checks.items()
        }
    return {name: count for name, count in counts.items() if count}


def _assignee_outside(table: Table, may_be_assigned: object) -> object:
    """The row's assignee is not among the users the service would accept."""
    accepted = select(t.users.c.id).where(may_be_assigned)
    return and_(table.c.assigned_to_id.is_not(None), table.c.assigned_to_id.not_in(accepted))


async def test_assignees_hold_the_roles_the_services_require(demo: Demo) -> None:
    checks: dict[str, tuple[Table, object]] = {
        # services/success_audience.assign_record: success_writes.may_be_assigned.
        **{
            table.name: (
                table,
                _assignee_outside(table, principals.users_writing_success_records()),
            )
            for table in SUCCESS_RECORDS
        },
        # services/case_references.check_employees: an active case agent.
        "cases": (t.cases, _assignee_outside(t.cases, principals.users_working_cases())),
        # services/workspace_common.active_user: an active employee.
        **{
            table.name: (table, _assignee_outside(table, t.users.c.active))
            for table in (t.internal_plays, t.internal_play_tasks, t.risk_signals)
        },
    }
    assert await _violations(demo, checks) == {}


async def test_nothing_happened_after_now(demo: Demo) -> None:
    """Whatever the hour the demo is seeded, nothing in it has happened later than that (the
    database's now() is read after seeding)."""
    checks: dict[str, tuple[Table, object]] = {}
    for table in t.metadata.sorted_tables:
        for column in table.c:
            if isinstance(column.type, DateTime) and column.name not in PLANNED:
                checks[f"{table.name}.{column.name}"] = (table, column > func.now())
    assert await _violations(demo, checks) == {}
    # The demo's own "now" is not ahead either: what it calls upcoming is ahead of the real now.
    assert demo.now <= datetime.now(UTC)


async def test_children_agree_with_their_parents(demo: Demo) -> None:
    initiative, objective = t.success_initiatives, t.success_objectives
    cases, plays = t.success_cases, t.success_plays
    closed = WorkState.CLOSED.value
    checks: dict[str, tuple[Table, object]] = {
        # services/workspace_updates.update_objective refuses to close an objective that open
        # initiatives serve, and no initiative is created under a closed one.
        "open initiatives of a closed or canceled objective": (
            initiative,
            and_(
                initiative.c.state.in_(OPEN_WORK),
                initiative.c.objective_id.in_(
                    select(objective.c.id).where(objective.c.state.in_(FINAL_OBJECTIVE))
                ),
            ),
        ),
        # services/success.cancel_open_plays: closing an initiative cancels its open plays.
        "open success cases of a closed initiative": (
            cases,
            and_(
                cases.c.state.in_(OPEN_WORK),
                cases.c.initiative_id.in_(
                    select(initiative.c.id).where(initiative.c.state == closed)
                ),
            ),
        ),
        "open success plays launched from a closed initiative": (
            plays,
            and_(
                plays.c.state.in_(OPEN_WORK),
                plays.c.source_type == PlaySource.INITIATIVE.value,
                plays.c.source_id.in_(select(initiative.c.id).where(initiative.c.state == closed)),
            ),
        ),
    }
    # domain/success_lifecycle: closing and canceling set the progress, and nothing else does.
    for table in (t.success_initiatives, t.success_tasks):
        for action in (SuccessAction.CLOSE, SuccessAction.CANCEL):
            move = TRANSITIONS[action]
            checks[f"{table.name} {move.target.value} but not {move.progress.value}"] = (
                table,
                or_(
                    and_(
                        table.c.state == move.target.value, table.c.progress != move.progress.value
                    ),
                    and_(
                        table.c.progress == move.progress.value, table.c.state != move.target.value
                    ),
                ),
            )
    assert await _violations(demo, checks) == {}


async def test_every_version_starts_at_one(demo: Demo) -> None:
    checks = {
        table.name: (table, not_(table.c.version >= 1))
        for table in t.metadata.sorted_tables
        if "version" in table.c
    }
    assert await _violations(demo, checks) == {}
