"""The write side's machinery against a real PostgreSQL: one transaction per unit of work,
audit and outbox rows inside it, optimistic concurrency that loses no update.

Each test has a database of its own (``isolated``, tests/factories.py) holding one account
with an engagement, a success case and a task, an agent and a customer; so counts are
exact, not relative to what other tests wrote."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, true

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import PrincipalKind, Viewer
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.principals import load_viewer
from csm_graphql.services.errors import UserError, UserErrorCode
from csm_graphql.services.records import load_for_update, update_versioned
from csm_graphql.services.unit_of_work import jsonable, unit_of_work
from tests.factories import Isolated, Row


@dataclass
class World:
    db: Database
    agent: Viewer
    customer: Viewer
    task: Row  # of a success case hidden from customers
    visible_task: Row  # of a success case shown to customers

    async def count(self, table: Any, *where: Any) -> int:
        return await _count(self.db, table, *where)


async def _viewer(db: Database, kind: PrincipalKind, row: Row) -> Viewer:
    viewer = await load_viewer(db, kind, row["id"])
    assert viewer is not None
    return viewer


@pytest.fixture
async def world(isolated: Isolated) -> World:
    make = isolated.make
    acme = await make.account("Acme")
    agent = await make.user("customer_success_agent")
    customer = await make.contact(acme, "customer_case_manager")
    engagement = await make.engagement(acme)
    hidden = await make.success_case(engagement)
    shown = await make.success_case(engagement, visible_to_customer=True)
    db = Database(isolated.engine)
    return World(
        db,
        await _viewer(db, PrincipalKind.USER, agent),
        await _viewer(db, PrincipalKind.CONTACT, customer),
        await make.success_task(hidden, visible_to_customer=True),
        await make.success_task(shown, visible_to_customer=True),
    )


async def _count(db: Database, table: Any, *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(table).where(true(), *where)))


async def _task(world: World) -> dict[str, Any]:
    row = await world.db.first(
        select(t.success_tasks).where(t.success_tasks.c.id == world.task["id"])
    )
    assert row is not None
    return dict(row)


async def test_a_unit_of_work_commits_the_change_its_audit_activity_and_notifications(
    world: World,
) -> None:
    agent, task, customer_id = world.agent, world.task, world.customer.id

    async with unit_of_work(world.db, agent, "req-1") as work:
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
    [audit] = await world.db.rows(select(t.audit_log))
    assert audit["action"] == "test.touch"
    assert audit["record_id"] == task["id"]
    assert audit["actor_user_id"] == agent.id
    assert audit["request_id"] == "req-1"
    assert audit["changes"] == {"due": jsonable(task["due_date"])}
    [activity] = await world.db.rows(select(t.activities))
    assert (activity["record_id"], activity["kind"], activity["body"]) == (
        task["id"],
        ActivityKind.COMMENT.value,
        "hi",
    )
    outbox = await world.db.rows(select(t.notifications))
    assert [(n["event"], n["recipient_contact_id"], n["payload"]) for n in outbox] == [
        ("test.touched", customer_id, {"number": task["number"]})
    ]


async def test_a_user_error_rolls_back_everything_the_unit_wrote(world: World) -> None:
    task = world.task

    async def write_then_refuse() -> None:
        async with unit_of_work(world.db, world.agent) as work:
            row = await load_for_update(work, t.success_tasks, task["id"], true())
            await update_versioned(
                work, t.success_tasks, row, row["version"], {"short_description": "changed"}
            )
            await work.audit("test.rollback", RecordType.SUCCESS_TASK, task["id"])
            await work.record_activity(
                RecordType.SUCCESS_TASK, task["id"], task["account_id"], ActivityKind.COMMENT
            )
            await work.notify(
                "test.rollback", RecordType.SUCCESS_TASK, task["id"], user_ids=[world.agent.id]
            )
            raise UserError(UserErrorCode.BAD_USER_INPUT, "no")

    with pytest.raises(UserError):
        await write_then_refuse()

    assert await _task(world) == task
    for table in (t.audit_log, t.activities, t.notifications):
        assert await world.count(table) == 0, table.name


async def test_a_record_the_viewer_may_not_see_fails_exactly_like_a_missing_one(
    world: World,
) -> None:
    customer = world.customer
    visible = await world.db.scalar(
        select(func.count())
        .select_from(t.success_tasks)
        .where(t.success_tasks.c.id == world.visible_task["id"], rows.success_tasks(customer))
    )
    assert visible == 1  # the rule lets the customer load a task at all
    missing_id = 10**12
    failures = []

    async def load(record_id: int) -> None:
        async with unit_of_work(world.db, customer) as work:
            await load_for_update(
                work, t.success_tasks, record_id, rows.success_tasks(customer), what="task"
            )

    await load(world.visible_task["id"])
    for record_id in (world.task["id"], missing_id):  # its success case is hidden
        with pytest.raises(UserError) as raised:
            await load(record_id)
        failures.append((raised.value.code, raised.value.message, raised.value.field))
    assert failures[0] == failures[1] == (UserErrorCode.NOT_FOUND, "No task with this id.", ("id",))


async def test_update_versioned_bumps_the_version_only_when_something_changes(
    world: World,
) -> None:
    task = world.task

    async with unit_of_work(world.db, world.agent) as work:
        row = await load_for_update(work, t.success_tasks, task["id"], true())
        same = await update_versioned(
            work,
            t.success_tasks,
            row,
            task["version"],
            {"short_description": task["short_description"]},
        )
    assert same["version"] == task["version"] == 1
    assert same["updated_at"] == task["updated_at"]

    async with unit_of_work(world.db, world.agent) as work:
        row = await load_for_update(work, t.success_tasks, task["id"], true())
        changed = await update_versioned(
            work, t.success_tasks, row, task["version"], {"short_description": "Renamed task"}
        )
    assert changed["version"] == 2
    assert changed["short_description"] == "Renamed task"
    assert changed["updated_at"] > task["updated_at"]


async def test_a_stale_version_changes_nothing(world: World) -> None:
    task = world.task

    async def write_stale() -> None:
        async with unit_of_work(world.db, world.agent) as work:
            row = await load_for_update(work, t.success_tasks, task["id"], true())
            await update_versioned(
                work, t.success_tasks, row, task["version"] - 1, {"short_description": "lost"}
            )

    with pytest.raises(UserError) as raised:
        await write_stale()
    assert raised.value.code is UserErrorCode.STALE_VERSION
    assert raised.value.field == ("expectedVersion",)
    assert await _task(world) == task


async def test_concurrent_writers_of_one_version_exactly_one_wins(world: World) -> None:
    """Ten real transactions race with the same expectedVersion: one commits, nine get
    STALE_VERSION, and the stored value is the winner's (no lost update)."""
    task = world.task
    start = asyncio.Event()

    async def write(n: int) -> str:
        await start.wait()
        try:
            async with unit_of_work(world.db, world.agent) as work:
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
    final = await _task(world)
    assert final["short_description"] == winners[0]
    assert final["version"] == 2


def test_jsonable_keeps_decimals_exact_and_dates_iso() -> None:
    from datetime import date
    from decimal import Decimal

    assert jsonable({"v": Decimal("0.10"), "d": date(2026, 1, 2), "k": ActivityKind.COMMENT}) == {
        "v": "0.10",
        "d": "2026-01-02",
        "k": "COMMENT",
    }
    assert jsonable([PrincipalKind.USER, (1, 2)]) == ["USER", [1, 2]]
