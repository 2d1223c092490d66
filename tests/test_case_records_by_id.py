"""Task SLAs and records raised from a case, by id: `node` resolves one exactly when the viewer
sees it in its case's lists (ACCESS.md: not visible looks like not there), for every persona.

The lists are the reference: what the case form shows a persona is what `node` gives it."""

from __future__ import annotations

from typing import Any

import pytest

from csm_graphql.demo import personas
from tests.support import GraphQLClient

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]
ADMIN = "admin@csm.example"

CASE_RECORDS = """
query Cases($first: Int, $after: String) {
  cases(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      slas(first: 50) { nodes { id } }
      incidents(first: 50) { nodes { id } }
      problems(first: 50) { nodes { id } }
      changes(first: 50) { nodes { id } }
      requests(first: 50) { nodes { id } }
    }
  }
}
"""
LISTS = ("slas", "incidents", "problems", "changes", "requests")
NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on TaskSla { name stage plannedEnd }
    ... on RelatedRecord { number kind }
  }
}
"""


async def _listed(client: GraphQLClient, email: str) -> set[str]:
    """The ids of every task SLA and related record in the lists of the cases ``email`` sees
    (an internal-only list is null for contacts)."""
    ids: set[str] = set()
    after = None
    while True:
        data = await client.query(CASE_RECORDS, {"first": 50, "after": after}, as_=email)
        for case in data["cases"]["nodes"]:
            for name in LISTS:
                if case[name] is not None:
                    ids |= {node["id"] for node in case[name]["nodes"]}
        if not data["cases"]["pageInfo"]["hasNextPage"]:
            return ids
        after = data["cases"]["pageInfo"]["endCursor"]


async def _fetched(client: GraphQLClient, email: str, ids: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        data = await client.query(NODES, {"ids": chunk}, as_=email)
        found |= dict(zip(chunk, data["nodes"], strict=True))
    return found


@pytest.fixture(scope="module")
async def every_case_record(client: GraphQLClient) -> list[str]:
    ids = sorted(await _listed(client, ADMIN))
    assert len(ids) > 50
    return ids


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_a_case_record_by_id_is_visible_exactly_when_its_case_lists_it(
    client: GraphQLClient, every_case_record: list[str], email: str
) -> None:
    listed = await _listed(client, email)
    fetched = await _fetched(client, email, every_case_record)
    assert {global_id for global_id, node in fetched.items() if node} == listed
    for global_id in listed:
        node = fetched[global_id]
        assert node["id"] == global_id
        assert node["__typename"] in {"TaskSla", "RelatedRecord"}


async def test_the_rule_has_both_sides(client: GraphQLClient, every_case_record: list[str]) -> None:
    """Some persona sees some case records and not others, so the rule decides something."""
    for email in ("customer@acme.example", "proxy@csm.example"):
        listed = await _listed(client, email)
        assert 0 < len(listed) < len(every_case_record), email
