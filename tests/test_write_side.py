"""The write side's machinery against a real PostgreSQL: one transaction per unit of work,
audit and outbox rows inside it, optimistic concurrency that loses no update."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import PrincipalKind, Viewer
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.principals import load_viewer
from csm_graphql.services.errors import UserError, UserErrorCode
from csm_graphql.services.records import load_for_update, update_versioned
from csm_graphql.services.unit_of_work import jsonable, unit_of_work


@pytest.fixture(scope="module")
def db(write_engine: AsyncEngine) -> Database:
    return Database(write_engine)


async def _viewer(db: Database, principals: dict[str, Any], email: str) -> Viewer:
    kind, principal_id = principals[email]
    viewer = await load_viewer(db, kind, principal_id)
    assert viewer is not None
    return viewer


async def _count(db: Database, table: Any, *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(table).where(true(), *where)))


async def _a_task(db: Database) -> dict[str, Any]:
    row = await db.first(select(t.success_tasks).order_by(t.success_tasks.c.id).limit(1))
    assert row is not None
    return dict(row)


async def test_a_unit_of_work_commits_the_change_its_audit_activity_and_notifications(
    db: Database, write_principals: dict[str, Any]
) -> None:
    agent = await _viewer(db, write_principals, "agent@csm.example")
    task = await _a_task(db)
    _, customer_id = write_principals["customer@acme.example"]
    where = (t.audit_log.c.record_id == task["id"], t.audit_log.c.action == "test.touch")
    before = await _count(db, t.audit_log, *where)

    async with unit_of_work(db, agent, "req-1") as work:
        await work.audit(
            "test.touch", RecordType.SUCCESS_TASK, task["id"], {"due": task["due_date"]}
        )
        await work.record_activity(
            RecordType.SUCCESS_TASK, task["id"], task["account_id"], ActivityKind.COMMENT, "hi"
        )
        queued = await work.notify(
            "test.touched",
            RecordType.SUCCESS_TASK,
            task["id"],
            user_ids=[agent.id, None],  # the actor is not told of their own change
            contact_ids=[customer_id, customer_id],  # one event per recipient
            payload={"number": task["number"]},
        )

    assert queued == 1
    assert await _count(db, t.audit_log, *where) == before + 1
    audit = await db.first(select(t.audit_log).where(*where).order_by(t.audit_log.c.id.desc()))
    assert audit is not None
    assert audit["actor_user_id"] == agent.id
    assert audit["request_id"] == "req-1"
    assert audit["changes"] == {"due": jsonable(task["due_date"])}
    outbox = await db.rows(select(t.notifications).where(t.notifications.c.event == "test.touched"))
    assert [(n["recipient_contact_id"], n["payload"]) for n in outbox] == [
        (customer_id, {"number": task["number"]})
    ]


async def test_a_user_error_rolls_back_everything_the_unit_wrote(
    db: Database, write_principals: dict[str, Any]
) -> None:
    agent = await _viewer(db, write_principals, "agent@csm.example")
    task = await _a_task(db)
    audits = await _count(db, t.audit_log)
    activities = await _count(db, t.activities)
    notifications = await _count(db, t.notifications)

    async def write_then_refuse() -> None:
        async with unit_of_work(db, agent) as work:
            row = await load_for_update(work, t.success_tasks, task["id"], true())
            await update_versioned(
                work, t.success_tasks, row, row["version"], {"short_description": "changed"}
            )
            await work.audit("test.rollback", RecordType.SUCCESS_TASK, task["id"])
            await work.record_activity(
                RecordType.SUCCESS_TASK, task["id"], task["account_id"], ActivityKind.COMMENT
            )
            await work.notify("test.rollback", RecordType.SUCCESS_TASK, task["id"], user_ids=[1])
            raise UserError(UserErrorCode.BAD_USER_INPUT, "no")

    with pytest.raises(UserError):
        await write_then_refuse()

    assert await _a_task(db) == task
    assert await _count(db, t.audit_log) == audits
    assert await _count(db, t.activities) == activities
    assert await _count(db, t.notifications) == notifications


async def test_a_record_the_viewer_may_not_see_fails_exactly_like_a_missing_one(
    db: Database, write_principals: dict[str, Any]
) -> None:
    customer = await _viewer(db, write_principals, "customer@acme.example")
    hidden = await db.scalar(
        select(t.success_tasks.c.id)
        .where(~rows.success_tasks(customer))
        .order_by(t.success_tasks.c.id)
        .limit(1)
    )
    missing_id = 10**12
    failures = []

    async def load(record_id: int) -> None:
        async with unit_of_work(db, customer) as work:
            await load_for_update(
                work, t.success_tasks, record_id, rows.success_tasks(customer), what="task"
            )

    for record_id in (hidden, missing_id):
        with pytest.raises(UserError) as raised:
            await load(record_id)
        failures.append((raised.value.code, raised.value.message, raised.value.field))
    assert failures[0] == failures[1] == (UserErrorCode.NOT_FOUND, "No task with this id.", ("id",))


async def test_update_versioned_bumps_the_version_only_when_something_changes(
    db: Database, write_principals: dict[str, Any]
) -> None:
    agent = await _viewer(db, write_principals, "agent@csm.example")
    task = await _a_task(db)

    async with unit_of_work(db, agent) as work:
        row = await load_for_update(work, t.success_tasks, task["id"], true())
        same = await update_versioned(
            work,
            t.success_tasks,
            row,
            task["version"],
            {"short_description": task["short_description"]},
        )
    assert same["version"] == task["version"]
    assert same["updated_at"] == task["updated_at"]

    async with unit_of_work(db, agent) as work:
        row = await load_for_update(work, t.success_tasks, task["id"], true())
        changed = await update_versioned(
            work, t.success_tasks, row, task["version"], {"short_description": "Renamed task"}
        )
    assert changed["version"] == task["version"] + 1
    assert changed["short_description"] == "Renamed task"
    assert changed["updated_at"] > task["updated_at"]


async def test_a_stale_version_changes_nothing(
    db: Database, write_principals: dict[str, Any]
) -> None:
    agent = await _viewer(db, write_principals, "agent@csm.example")
    task = await _a_task(db)

    async def write_stale() -> None:
        async with unit_of_work(db, agent) as work:
            row = await load_for_update(work, t.success_tasks, task["id"], true())
            await update_versioned(
                work, t.success_tasks, row, task["version"] - 1, {"short_description": "lost"}
            )

    with pytest.raises(UserError) as raised:
        await write_stale()
    assert raised.value.code is UserErrorCode.STALE_VERSION
    assert raised.value.field == ("expectedVersion",)
    assert await _a_task(db) == task


async def test_concurrent_writers_of_one_version_exactly_one_wins(
    db: Database, write_principals: dict[str, Any]
) -> None:
    """Ten real transactions race with the same expectedVersion: one commits, nine get
    STALE_VERSION, and the stored value is the winner's (no lost update)."""
    agent = await _viewer(db, write_principals, "agent@csm.example")
    task = await _a_task(db)
    start = asyncio.Event()

    async def write(n: int) -> str:
        await start.wait()
        try:
            async with unit_of_work(db, agent) as work:
                row = await load_for_update(work, t.success_tasks, task["id"], true())
                await asyncio.sleep(0.01)  # hold the lock while the others queue on it
                await update_versioned(
                    work, t.success_tasks, row, task["version"], {"short_description": f"w{n}"}
                )
        except UserError as error:
            return error.code.value
        return f"w{n}"

    writers = [asyncio.create_task(write(n)) for n in range(10)]
    start.set()
    results = await asyncio.gather(*writers)

    winners = [result for result in results if result.startswith("w")]
    assert len(winners) == 1
    assert sorted(set(results) - set(winners)) == ["STALE_VERSION"]
    final = await _a_task(db)
    assert final["short_description"] == winners[0]
    assert final["version"] == task["version"] + 1


def test_jsonable_keeps_decimals_exact_and_dates_iso() -> None:
    from datetime import date
    from decimal import Decimal

    assert jsonable({"v": Decimal("0.10"), "d": date(2026, 1, 2), "k": ActivityKind.COMMENT}) == {
        "v": "0.10",
        "d": "2026-01-02",
        "k": "COMMENT",
    }
    assert jsonable([PrincipalKind.USER, (1, 2)]) == ["USER", [1, 2]]
