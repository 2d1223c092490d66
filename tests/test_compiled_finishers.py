"""The SLA clock fields on the compiled path (issue 10): a finisher computes them in Python
from the row the statement sends once per SLA, whichever way the document asks for them
(aliases, fragments, twice, out of order, through ``node`` and ``nodes``), and the case
list's statement is the same text every request, with its page sizes in it, so PostgreSQL
keeps one plan for it instead of planning it again per execution.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from bench import queries
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import GraphQLClient, StatementLog
from tests.test_compiled_reads import AGENT, EVERY_PERSONA, _both, _compiled, client, compiled
from tests.test_compiled_reads_coverage import frozen_now

__all__ = ["client", "compiled", "frozen_now"]

CASE_MANAGER = "manager@acme.example"

# The clock fields twice, under aliases, in a fragment, in another order than declared and
# with other fields between them.
SLA_CLOCK_TWICE = """
query SlaClockTwice {
  cases(first: 15) { nodes { number
    slas(first: 5) { nodes { late: breached plannedEnd ...Clock name
      again: plannedEnd percentElapsed } } } }
}
fragment Clock on TaskSla { breached percentElapsed stage startAt }"""

SLA_NODES = """
query SlaNodes($ids: [ID!]!, $id: ID!) {
  nodes(ids: $ids) { id ... on TaskSla { stage percentElapsed plannedEnd breached } }
  node(id: $id) { ... on TaskSla { breached name plannedEnd } }
}"""


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_clock_fields_asked_in_every_way_are_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    answer, statements = await _both(client, compiled, statement_log, SLA_CLOCK_TWICE, None, email)
    _compiled(statements)
    if email == AGENT:
        slas = [s for case in answer["data"]["cases"]["nodes"] for s in case["slas"]["nodes"]]
        assert slas
        assert all(sla["again"] == sla["plannedEnd"] and sla["late"] == sla["breached"]
                   for sla in slas)  # fmt: skip
        assert {sla["breached"] for sla in slas} == {True, False}


@pytest.mark.usefixtures("frozen_now")
async def test_clock_fields_through_node_and_nodes_are_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    listed = (await client.post(
        "{ cases(first: 10) { nodes { slas(first: 5) { nodes { id } } } } }", as_=AGENT
    )).json()  # fmt: skip
    ids = [s["id"] for case in listed["data"]["cases"]["nodes"] for s in case["slas"]["nodes"]]
    assert len(ids) > 2
    variables = {"ids": [ids[0], "bm90IGFuIGlk", ids[-1], ids[0]], "id": ids[1]}
    answer, statements = await _both(client, compiled, statement_log, SLA_NODES, variables, AGENT)
    _compiled(statements)
    found = [item for item in answer["data"]["nodes"] if item is not None]
    assert len(found) == 3
    assert all(item["plannedEnd"] for item in found)
    assert answer["data"]["node"]["plannedEnd"]


async def test_the_agents_case_list_statement_has_no_parameters(
    compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    """With ``LIMIT $n`` PostgreSQL judged its generic plan dearer than a custom one and
    planned the case list again on every execution; with the page sizes written in and
    nothing else to bind for the agent, the prepared statement keeps one plan."""
    texts = []
    for _ in range(2):
        with statement_log.record() as statements:
            response = await compiled.post(queries.CASES, as_=AGENT)
        assert "errors" not in response.json()
        _compiled(list(statements))
        texts.append(statements[1])
    assert texts[0] == texts[1]
    assert not re.search(r"\$\d", texts[0])
    assert "LIMIT 21" in texts[0]
    assert "LIMIT 6" in texts[0]


async def test_a_case_managers_case_list_is_planned_once_per_connection(
    compiled: GraphQLClient, engine: AsyncEngine
) -> None:
    """The case manager's rules bind its account lists as arrays. Left to choose, PostgreSQL
    judged a generic plan (sized for arrays of ten) dearer than a custom plan for the
    manager's few accounts and planned the statement again on every execution; the engine's
    connections keep one generic plan per prepared statement (db/engine.py)."""
    sent: list[tuple[str, tuple[Any, ...]]] = []

    def record(_conn: Any, _cursor: Any, text: str, parameters: Any, *_: Any) -> None:
        sent.append((text, tuple(parameters or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        response = await compiled.post(queries.CASES, as_=CASE_MANAGER)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert response.json()["data"]["cases"]["nodes"]
    read, parameters = sent[-1]
    assert any(isinstance(value, list) for value in parameters)  # the account lists
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        statement = await driver.prepare(read)
        for _ in range(8):
            await statement.fetchval(*parameters)
        plans = await driver.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1",
            statement.get_name(),
        )
    assert (plans["generic_plans"], plans["custom_plans"]) == (8, 0)
