"""The case list query costs a fixed number of SQL statements, whatever the page sizes."""

from __future__ import annotations

import pytest
from bench.queries import CASES

from tests.compiled_path import pinned
from tests.support import GraphQLClient, StatementLog

CASE_LIST = """
query CaseList($cases: Int!, $slas: Int!, $activities: Int!) {
  cases(first: $cases) {
    totalCount
    nodes {
      id number state priority shortDescription
      contact { name } account { name } product { name }
      slas(first: $slas) { nodes { name stage plannedEnd breached percentElapsed } }
      activities(first: $activities) { nodes { kind at body actorName } }
    }
  }
}
"""
FULL = {"cases": 20, "slas": 5, "activities": 5}


@pytest.fixture
def client(each_path: GraphQLClient) -> GraphQLClient:
    """Every count here is pinned on both paths: the resolvers' and the compiled reads'."""
    return each_path


@pytest.mark.parametrize(
    "email",
    [
        "caseagent@csm.example",
        "agent@csm.example",
        "proxy@csm.example",
        "manager@acme.example",
        "partneradmin@globex.example",
        "customer@acme.example",
    ],
)
async def test_case_list_costs_seven_statements(
    client: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    with statement_log.record() as statements:
        data = await client.query(CASE_LIST, FULL, as_=email)
    nodes = data["cases"]["nodes"]
    assert nodes
    assert any(node["contact"] for node in nodes)
    assert any(node["slas"]["nodes"] for node in nodes)
    assert any(node["activities"]["nodes"] for node in nodes)
    # Viewer, cases (with totalCount), then one statement per relation: contact, account,
    # product, SLAs, activities. Compiled: the viewer's, then one.
    assert len(statements) == pinned(client, resolvers=7)


async def test_case_list_cost_does_not_grow_with_page_sizes(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    with statement_log.record() as small:
        few = await client.query(
            CASE_LIST, {"cases": 5, "slas": 1, "activities": 1}, as_="caseagent@csm.example"
        )
    assert any(node["contact"] for node in few["cases"]["nodes"])
    with statement_log.record() as large:
        data = await client.query(CASE_LIST, FULL, as_="caseagent@csm.example")
    assert len(data["cases"]["nodes"]) == 20
    assert len(small) == len(large) == pinned(client, resolvers=7)


async def test_the_benchmarked_case_list_is_the_pinned_one(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    with statement_log.record() as statements:
        data = await client.query(CASES, as_="manager@acme.example")
    assert len(data["cases"]["nodes"]) == 20
    assert len(statements) == pinned(client, resolvers=7)


async def test_a_contact_without_cases_costs_two_statements(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    """A contact with no case sees an empty list: viewer and cases, nothing under them."""
    with statement_log.record() as statements:
        data = await client.query(CASE_LIST, FULL, as_="success@acme.example")
    assert data["cases"] == {"totalCount": 0, "nodes": []}
    assert len(statements) == pinned(client, resolvers=2)
