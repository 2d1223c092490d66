"""The migrations build exactly the tables the code defines, run both ways, and convert the
data whose meaning they change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.db import create_engine
from csm_graphql.db.migrate import current_revision, downgrade, head_revision, upgrade
from csm_graphql.demo.seed import seed
from csm_graphql.domain.sla import planned_end, sla_hours
from csm_graphql.settings import Settings
from csm_graphql.tables import metadata
from tests.conftest import create_database, drop_database


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


@pytest.fixture
async def empty_engine(server_url: str) -> AsyncIterator[AsyncEngine]:
    url = await create_database(server_url, prefix="csm_migrations")
    engine = create_engine(url, Settings(environment="test", database_url=url))
    yield engine
    await engine.dispose()
    await drop_database(server_url, url)


async def test_tables_and_migrations_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == [], "tables/ and migrations/ disagree: add a migration"
    assert await current_revision(engine) == head_revision()


async def test_upgrade_downgrade_upgrade(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(table_names) == set(metadata.tables)
    await downgrade(empty_engine, "base")
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(table_names) == set()
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == head_revision()


async def test_0010_adds_and_drops_only_the_idempotency_keys(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine, "0009")
    async with empty_engine.connect() as connection:
        before = await connection.run_sync(table_names)
    await upgrade(empty_engine, "0010")
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(table_names) == before | {"idempotency_keys"}
    await downgrade(empty_engine, "0009")
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(table_names) == before


async def test_0009_replans_scheduled_slas_in_working_hours(empty_engine: AsyncEngine) -> None:
    """Rows planned on the wall clock before 0009 are replanned in their schedule's working
    hours; SLAs without a schedule are left alone; the downgrade restores wall-clock ends."""
    # The demo writes today's tables, so it is seeded at the head and taken back to 0008.
    await upgrade(empty_engine)
    async with empty_engine.begin() as connection:
        await seed(connection, scale=1, seed=42, anchor=date(2026, 6, 1))
    await downgrade(empty_engine, "0008")
    async with empty_engine.begin() as connection:
        # One definition without a schedule, to prove its SLAs are not touched.
        await connection.execute(
            text(
                "UPDATE sla_definitions SET schedule_id = NULL "
                "WHERE id = (SELECT min(id) FROM sla_definitions)"
            )
        )
        # As 0008 planned them: start + duration on the wall clock, for every SLA.
        await connection.execute(text(_WALL_CLOCK_PLAN))
        before = await connection.execute(text(_PLANS))
        wall_plans = {row.id: row.planned_end_at for row in before}

    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        after = (await connection.execute(text(_PLANS))).mappings().all()
    assert after
    assert len(after) == len(wall_plans)
    moved = 0
    for row in after:
        hours = sla_hours(row["hours"], row["time_zone"])
        assert row["planned_end_at"] == planned_end(row["start_at"], row["minutes"], hours)
        if hours is None:
            assert row["planned_end_at"] == wall_plans[row["id"]]
        moved += row["planned_end_at"] != wall_plans[row["id"]]
    assert moved > len(after) / 2  # business-hours SLAs end later than on the wall clock
    assert any(row["hours"] is None for row in after)

    await downgrade(empty_engine, "0008")
    async with empty_engine.connect() as connection:
        restored = await connection.execute(text(_PLANS))
        assert {row.id: row.planned_end_at for row in restored} == wall_plans


_WALL_CLOCK_PLAN = (
    "UPDATE task_slas s SET planned_end_at = s.start_at "
    "+ make_interval(mins => d.duration_minutes) FROM sla_definitions d "
    "WHERE d.id = s.sla_definition_id"
)
_PLANS = (
    "SELECT s.id, s.start_at, s.planned_end_at, d.duration_minutes AS minutes, sc.hours, "
    "sc.time_zone FROM task_slas s JOIN sla_definitions d ON d.id = s.sla_definition_id "
    "LEFT JOIN schedules sc ON sc.id = d.schedule_id ORDER BY s.id"
)


_CONDITIONS = (
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'sla_definitions' "
    "AND column_name IN ('contract_id', 'entitlement_id') ORDER BY 1"
)


async def test_0011_adds_sla_conditions_and_takes_them_back(empty_engine: AsyncEngine) -> None:
    """Definitions gain their contract and entitlement conditions; the downgrade drops them and
    keeps every definition and task SLA."""
    await upgrade(empty_engine)
    async with empty_engine.begin() as connection:
        await seed(connection, scale=1, seed=42, anchor=date(2026, 6, 1))
        counts = (
            await connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM sla_definitions), "
                    "(SELECT count(*) FROM task_slas), "
                    "(SELECT count(*) FROM sla_definitions WHERE entitlement_id IS NOT NULL)"
                )
            )
        ).one()
    assert counts[2] == 1  # the demo's premium definition
    await downgrade(empty_engine, "0010")
    async with empty_engine.connect() as connection:
        assert (await connection.execute(text(_CONDITIONS))).all() == []
        kept = await connection.execute(
            text("SELECT (SELECT count(*) FROM sla_definitions), (SELECT count(*) FROM task_slas)")
        )
        assert tuple(kept.one()) == tuple(counts[:2])
    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        columns = [row[0] for row in await connection.execute(text(_CONDITIONS))]
        assert columns == ["contract_id", "entitlement_id"]
        assert (
            await connection.scalar(
                text("SELECT count(*) FROM sla_definitions WHERE entitlement_id IS NOT NULL")
            )
            == 0
        )
