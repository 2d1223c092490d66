"""The blueprint's "View by state" includes Paused (issue 11): an objective takes DOMAIN.md's
states, the blueprint filters by each of them, and updateSuccessObjective follows the
objective lifecycle (domain/success_lifecycle.py) both ways, refusing what it does not allow
with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated, Row
from tests.support import GraphQLClient

AGENT = "agent@csm.example"

BLUEPRINT = """query($id: ID!, $state: [ObjectiveState!]) { node(id: $id) { ... on Engagement {
  objectives(first: 50, state: $state) { totalCount nodes { id state } } } } }"""
MOVE = """mutation($id: ID!, $v: Int!, $state: ObjectiveState!, $code: ClosureCode,
  $notes: String) { updateSuccessObjective(id: $id, expectedVersion: $v, state: $state,
  closureCode: $code, closureNotes: $notes) {
  objective { state version closureCode } userErrors { code field } } }"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def test_the_demo_has_every_objective_state_and_define_is_gone(engine: AsyncEngine) -> None:
    states = {row.state for row in await _rows(engine, "SELECT state FROM success_objectives")}
    assert states == {"NEW", "IN_PROGRESS", "PAUSED", "CLOSED", "CANCELED"}


@pytest.mark.parametrize("state", ["PAUSED", "IN_PROGRESS", "CLOSED"])
async def test_view_by_state_lists_exactly_that_state(
    client: GraphQLClient, engine: AsyncEngine, state: str
) -> None:
    (row,) = await _rows(
        engine,
        "SELECT engagement_id FROM success_objectives WHERE state = :s "
        "GROUP BY engagement_id ORDER BY count(*) DESC, engagement_id LIMIT 1",
        s=state,
    )
    expected = {
        r.id
        for r in await _rows(
            engine,
            "SELECT id FROM success_objectives WHERE engagement_id = :e AND state = :s",
            e=row.engagement_id,
            s=state,
        )
    }
    data = await client.query(
        BLUEPRINT, {"id": global_id("Engagement", row.engagement_id), "state": [state]}, as_=AGENT
    )
    objectives = data["node"]["objectives"]
    assert objectives["totalCount"] == len(expected) > 0
    assert {decode_global_id(n["id"])[1] for n in objectives["nodes"]} == expected
    assert {n["state"] for n in objectives["nodes"]} == {state}


async def _objective(isolated: Isolated, **values: Any) -> Row:
    """An objective of an engagement of its own, and the success agent who moves it."""
    await isolated.make.user("customer_success_agent", email=AGENT)
    engagement = await isolated.make.engagement(await isolated.make.account("Acme Corp"))
    return await isolated.make.objective(engagement, **values)


async def test_an_objective_pauses_and_resumes_and_refused_moves_change_nothing(
    isolated: Isolated,
) -> None:
    client, engine = isolated.client, isolated.engine
    made = await _objective(isolated)
    (new,) = await _rows(
        engine,
        "SELECT id, state, version FROM success_objectives WHERE id = :i",
        i=made["id"],
    )
    assert (new.state, new.version) == ("NEW", 1)
    oid = global_id("SuccessObjective", new.id)

    async def move(version: int, state: str, **extra: str) -> Any:
        data = await client.query(
            MOVE, {"id": oid, "v": version, "state": state, **extra}, as_=AGENT
        )
        return data["updateSuccessObjective"]

    refused = {"objective": None, "userErrors": [{"code": "INVALID_STATE", "field": ["state"]}]}
    # NEW cannot pause: it has not started.
    assert await move(new.version, "PAUSED") == refused
    assert await isolated.count("success_objectives", "state = 'NEW' AND version = 1") == 1
    started = await move(new.version, "IN_PROGRESS")
    assert started["objective"] == {
        "state": "IN_PROGRESS",
        "version": new.version + 1,
        "closureCode": None,
    }
    paused = await move(new.version + 1, "PAUSED")
    assert paused["objective"]["state"] == "PAUSED"
    # A paused objective does not go back to NEW; it resumes, or closes.
    assert await move(new.version + 2, "NEW") == refused
    assert await isolated.count("success_objectives", "state = 'PAUSED' AND version = 3") == 1
    resumed = await move(new.version + 2, "IN_PROGRESS")
    assert resumed["objective"]["state"] == "IN_PROGRESS"
    (row,) = await _rows(
        engine, "SELECT state, version FROM success_objectives WHERE id = :i", i=new.id
    )
    assert (row.state, row.version) == ("IN_PROGRESS", new.version + 3)
    journal = await _rows(
        engine,
        "SELECT kind, changes -> 'state' ->> 'to' AS target FROM activities "
        "WHERE record_type = 'success_objective' AND record_id = :i AND kind = 'STATE_CHANGE' "
        "ORDER BY id",
        i=new.id,
    )
    assert [r.target for r in journal] == ["IN_PROGRESS", "PAUSED", "IN_PROGRESS"]
    # The refusals journalled and audited nothing: three moves, three of each.
    assert await isolated.count("activities") == 3
    assert await isolated.count("audit_log") == 3


async def test_a_closed_objective_cannot_pause_but_reopens(isolated: Isolated) -> None:
    client = isolated.client
    made = await _objective(
        isolated, state="CLOSED", closure_code="ACHIEVED", closure_notes="All live."
    )
    closed = (await _rows(
        isolated.engine, "SELECT id, version FROM success_objectives WHERE id = :i", i=made["id"]
    ))[0]  # fmt: skip
    oid = global_id("SuccessObjective", closed.id)
    paused = await client.query(
        MOVE, {"id": oid, "v": closed.version, "state": "PAUSED"}, as_=AGENT
    )
    assert paused["updateSuccessObjective"] == {
        "objective": None,
        "userErrors": [{"code": "INVALID_STATE", "field": ["state"]}],
    }
    assert await isolated.count("success_objectives", "state = 'CLOSED' AND version = 1") == 1
    reopened = await client.query(
        MOVE, {"id": oid, "v": closed.version, "state": "IN_PROGRESS"}, as_=AGENT
    )
    assert reopened["updateSuccessObjective"]["objective"] == {
        "state": "IN_PROGRESS",
        "version": closed.version + 1,
        "closureCode": None,
    }
    stored = await _rows(
        isolated.engine,
        "SELECT state, version, closure_code, closure_notes FROM success_objectives",
    )
    assert [tuple(row) for row in stored] == [("IN_PROGRESS", 2, None, None)]
