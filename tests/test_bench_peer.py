"""The peer comparison's two claims that need no Node (issue 10, "Proof of speed"):

- the SQL floor statement (bench/peer/portal_floor.sql) returns exactly the project's portal
  data for the agent, keys in the same order, so pgbench times the real answer;
- the name mapping of bench/peer/documents.py turns PostGraphile's answers into the
  project's, checked on answers recorded from both servers (bench/peer/sample.json), and
  reports a difference when there is one.

PostGraphile itself runs only in `python -m bench.peer` (Node 22 and an npm install are not
part of CI); that command checks the live answers the same way before it measures.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from bench import queries
from bench.peer import documents, floor
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import GraphQLClient

AGENT = "agent@csm.example"
SAMPLE = json.loads((Path(documents.__file__).parent / "sample.json").read_text())


def _ordered(value: Any) -> Any:
    """A JSON value with every object as its list of (key, value) pairs: equal only when
    the keys also come in the same order."""
    if isinstance(value, dict):
        return [(key, _ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


async def test_the_sql_floor_returns_the_portal_data_of_the_agent(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    data = await client.query(queries.PORTAL, as_=AGENT)
    async with engine.connect() as connection:
        # As text, as pgbench receives it (the driver would decode a json column itself).
        statement = f"SELECT ({floor.statement()})::text"
        text = (await connection.exec_driver_sql(statement)).scalar_one()
    assert data["engagements"]["nodes"], "the portal must have content to compare"
    assert any(
        initiative["successCases"]["nodes"]
        for engagement in data["engagements"]["nodes"]
        for initiative in engagement["initiatives"]["nodes"]
    )
    assert _ordered(json.loads(text)) == _ordered(data)


@pytest.mark.parametrize("query", ["portal", "cases", "detail"])
def test_the_mapping_turns_postgraphile_answers_into_the_projects(query: str) -> None:
    project, peer = SAMPLE["project"][query], SAMPLE["postgraphile"][query]
    assert documents.difference(query, project, peer) is None


def test_a_different_record_or_order_is_reported() -> None:
    project, peer = SAMPLE["project"]["portal"], SAMPLE["postgraphile"]["portal"]
    swapped = copy.deepcopy(peer)
    initiatives = swapped["allEngagements"]["nodes"][0][
        "successInitiativesByEngagementIdAndAccountId"
    ]["nodes"]
    initiatives[0], initiatives[1] = initiatives[1], initiatives[0]
    found = documents.difference("portal", project, swapped)
    assert found is not None
    assert found.startswith(".engagements.nodes[0].initiatives.nodes[0].id:")

    renamed = copy.deepcopy(SAMPLE["postgraphile"]["cases"])
    renamed["allCases"]["nodes"][0]["accountByAccountId"]["name"] = "Someone Else"
    found = documents.difference("cases", SAMPLE["project"]["cases"], renamed)
    assert found is not None
    assert found.startswith(".cases.nodes[0].account.name:")


def test_ids_priorities_and_computed_fields() -> None:
    assert documents.project_id("Engagement", 1) == "RW5nYWdlbWVudDox"
    assert documents.project_id("SuccessCase", 10) == "U3VjY2Vzc0Nhc2U6MTA"
    assert documents.row_id(SAMPLE["detail_case"]) == int(
        SAMPLE["project"]["detail"]["node"]["number"].removeprefix("SCASE")
    )
    assert documents.row_id(documents.project_id("Case", 1782)) == 1782
    assert documents.PRIORITIES[1] == "CRITICAL"
    # The project computes these in Python; they are left out of the comparison, and only
    # they: every other field of the detail is compared.
    comparable = documents.comparable("detail", SAMPLE["project"]["detail"])
    assert "daysRemaining" not in comparable["node"]
    assert set(comparable["node"]) == set(SAMPLE["project"]["detail"]["node"]) - {"daysRemaining"}
    sla = documents.comparable("cases", SAMPLE["project"]["cases"])["cases"]["nodes"][0]["slas"]
    assert set(sla["nodes"][0]) == {"name", "stage"}
