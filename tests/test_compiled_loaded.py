"""The compiled reads' loaded fields (graphql/compiled/loaded.py): the dashboard's health and
adoption values are computed by the resolvers' own code from rows the statement carries. The
replay batches like the resolvers' DataLoaders: each repository fetch runs once for every
engagement of the response, shared by the loaded fields that read the same loader (one
request's DataLoader answers them all on the resolver path), and an engagement shown twice
gets its values once, not its rows twice. In the statement, a page's loaded fields read their
rows once for the whole page, as the DataLoaders do, not once per engagement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from typing import Any

import orjson
import pytest
from bench import queries
from sqlalchemy import ARRAY, BigInteger, Select, all_, any_, bindparam, event, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables as t
from csm_graphql.access.viewer import PrincipalKind, Viewer
from csm_graphql.repositories import compiled as sql
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


async def test_the_replay_fetches_once_for_every_engagement_and_field(
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
    # Per field at most one capture (the placeholder parent, id 0), and one replay for the
    # three fields, which asks for the three engagements once each (the resolvers' one
    # DataLoader of the level asks once too).
    replays = [call for call in calls if call != [0]]
    assert len(replays) == 1
    assert len(replays[0]) == len(set(replays[0])) == 3
    assert len(calls) <= HEALTH_FIELDS + 1


def _bearer(client: GraphQLClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.token(AGENT)}"}


# The tables the dashboard's loaded fields read in their own statements (health readings,
# snapshots, adoption histories), not per engagement by a LATERAL of the repository's.
ONCE_PER_PAGE = ("health_indicator_definitions", "health_snapshots", "sold_products")


def _scans(node: dict[str, Any], within: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, the subplan or CTE the scan runs in) for every scan of the plan."""
    if "Subplan Name" in node:
        within = node
    if "Relation Name" in node:
        yield node["Relation Name"], within
    for child in node.get("Plans", ()):
        yield from _scans(child, within)


async def test_a_pages_loaded_fields_read_their_rows_once_for_the_page(
    engine: AsyncEngine, resolver_client: GraphQLClient, compiled_client: GraphQLClient
) -> None:
    """The dashboard's engagements: each batched read runs once in the statement (the health
    reading once for all the fields that share its loader), as the resolvers' DataLoaders
    run it once for the page, and the answer is the resolvers'."""
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        answer = await compiled_client.post(queries.DASHBOARD, as_=AGENT)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert answer.json()["extensions"]["compiledReads"]["path"] == "compiled"
    expected = await resolver_client.query(queries.DASHBOARD, as_=AGENT)
    assert answer.json()["data"] == expected
    nodes = expected["engagements"]["nodes"]
    assert len(nodes) > 1
    assert any(node["healthIndicators"]["totalCount"] for node in nodes)
    assert any(point["counts"]["total"] for node in nodes for point in node["adoptionSeries"])

    text, parameters = sent[-1]
    assert "json_build_object" in text
    for table in ONCE_PER_PAGE:
        assert text.count(f"FROM {table}") + text.count(f"JOIN {table}") == 1, table
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        explained = await raw.driver_connection.fetchval(  # type: ignore[union-attr]
            "EXPLAIN (ANALYZE, FORMAT JSON) " + text, *parameters
        )
    # The engine's connections decode json (db.py's codecs); decode it here otherwise.
    plan = orjson.loads(explained) if isinstance(explained, str) else explained
    # Each table is read in one CTE of the statement, run once (before: in a correlated
    # subplan per engagement, 20 loops each, and the health reading four times over).
    runs: dict[str, list[tuple[str, int]]] = {}
    for table, within in _scans(plan[0]["Plan"], plan[0]["Plan"]):
        if table in ONCE_PER_PAGE:
            runs.setdefault(table, []).append((within["Subplan Name"], within["Actual Loops"]))
    assert set(runs) == set(ONCE_PER_PAGE)
    for table, found in runs.items():
        assert len(found) == 1, (table, found)
        [(subplan, loops)] = found
        assert subplan.startswith("CTE "), (table, subplan)
        assert loops == 1, (table, loops)


class _Recorded:
    """A ``db`` that records the SELECT a repository read builds and returns no rows."""

    statement: Select[Any]

    async def rows(self, statement: Select[Any]) -> list[Any]:
        self.statement = statement
        return []


async def test_the_parent_column_of_the_dashboards_reads() -> None:
    """Each batched read names the column that says whose row it is, so the statement can
    read it once for a page and hand every row its own."""
    viewer = Viewer(PrincipalKind.USER, 1, "agent", "agent@example.invalid", frozenset())
    monday = date(2026, 1, 5)
    reads_of: list[Callable[[Any], Awaitable[Any]]] = [
        lambda db: reads.health_readings(db, viewer, [7]),
        lambda db: reads.health_snapshots(db, viewer, [7], monday),
        lambda db: reads.adoption_histories(db, viewer, [7], monday),
        lambda db: reads.closure_codes(db, viewer, [7]),
    ]
    for read in reads_of:
        db = _Recorded()
        await read(db)
        assert sql.parent_column(db.statement) == "engagement_id"


def test_a_select_without_a_parent_column_is_not_read_per_page() -> None:
    """Only a selected column that every row must match against the parent ids (a conjunct
    ``= ANY(engagement_ids)``) says whose row it is; anything else keeps the per-row read."""
    snapshot = t.health_snapshots
    ids = bindparam(sql.PARENT_IDS, [7], type_=ARRAY(BigInteger))
    by_parent = snapshot.c.engagement_id == any_(ids)
    assert sql.parent_column(select(snapshot.c.engagement_id).where(by_parent)) == ("engagement_id")
    refused = [
        select(snapshot.c.score).where(by_parent),  # the parent is not selected
        select(snapshot.c.engagement_id).where(or_(by_parent, snapshot.c.score > 1)),
        select(snapshot.c.engagement_id).where(snapshot.c.engagement_id == all_(ids)),
        select(snapshot.c.engagement_id).where(snapshot.c.engagement_id > 1),
    ]
    for statement in refused:
        assert sql.parent_column(statement) is None, statement
