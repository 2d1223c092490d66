"""The compiled reads' loaded fields (graphql/compiled/loaded.py): the dashboard's health and
adoption values are computed by the resolvers' own code from rows the statement carries. The
replay batches like the resolvers' DataLoaders: each repository fetch runs once per loaded
field for every engagement of the response, and an engagement shown twice gets its values
once, not its rows twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from csm_graphql.repositories import workspace as reads
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
IDS = "{ engagements(first: 3) { nodes { id } } }"
# Three fields read the health loader: healthScore, healthColour and healthIndicators.
REPEATED = """
query Repeated($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on Engagement { number healthScore healthColour
    healthIndicators(first: 10) { totalCount nodes { metric target actual score } } } }
}"""
HEALTH_FIELDS = 3


async def _repeated_ids(client: GraphQLClient) -> list[str]:
    """Three engagements of the agent's, each but the last twice: [a, b, a, c, b]."""
    nodes = (await client.query(IDS, as_=AGENT))["engagements"]["nodes"]
    a, b, c = (node["id"] for node in nodes)
    return [a, b, a, c, b]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The engagement ids each call of the health readings' fetch asked for."""
    calls: list[list[int]] = []
    fetch: Callable[..., Awaitable[Any]] = reads.health_readings

    async def counted(db: Any, viewer: Any, engagement_ids: Any) -> Any:
        calls.append(list(engagement_ids))
        return await fetch(db, viewer, engagement_ids)

    monkeypatch.setattr(reads, "health_readings", counted)
    return calls


async def test_an_engagement_shown_twice_has_the_same_values_on_both_paths(
    resolver_client: GraphQLClient, compiled_client: GraphQLClient
) -> None:
    ids = await _repeated_ids(resolver_client)
    expected = await resolver_client.query(REPEATED, {"ids": ids}, as_=AGENT)
    assert await compiled_client.query(REPEATED, {"ids": ids}, as_=AGENT) == expected
    nodes = expected["nodes"]
    assert [node["id"] for node in nodes] == ids
    assert nodes[0] == nodes[2]
    assert nodes[1] == nodes[4]
    # Something to compare: these engagements have indicators.
    assert any(node["healthIndicators"]["totalCount"] for node in nodes)


async def test_the_replay_fetches_once_per_field_for_every_engagement(
    compiled_client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _repeated_ids(compiled_client)
    variables = {"query": REPEATED, "variables": {"ids": ids}}
    answered = await compiled_client.http.post(
        "/graphql", json=variables, headers=_bearer(compiled_client)
    )
    assert answered.json()["extensions"]["compiledReads"]["path"] == "compiled"
    calls = _counting(monkeypatch)
    await compiled_client.query(REPEATED, {"ids": ids}, as_=AGENT)
    # Per field at most one capture (the placeholder parent, id 0) and exactly one replay,
    # which asks for the three engagements once each (the resolvers ask per field per level).
    replays = [call for call in calls if call != [0]]
    assert len(replays) == HEALTH_FIELDS
    assert all(len(call) == len(set(call)) == 3 for call in replays)
    assert len(calls) <= 2 * HEALTH_FIELDS


def _bearer(client: GraphQLClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.token(AGENT)}"}
