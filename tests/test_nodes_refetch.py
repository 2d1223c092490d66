"""Every `Node` is refetchable: `node(id:)` answers every type that implements `Node`, and an
activity or an attachment by id is visible exactly when one of its streams shows it to the
viewer (a record's activities, comments, work notes and attachments, an engagement's timeline),
for every persona; hidden and missing ids look the same (null).

Expected visibility is read through the streams themselves (what the API shows under each
record), not from the rule under test; candidates are every entry of the sampled records, so
each candidate's every stream is read.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo import personas
from csm_graphql.graphql.declared.registry import NODES, fetchable
from csm_graphql.graphql.schema import build_schema
from tests.expectations import global_id
from tests.support import GraphQLClient

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]

# The streams of each record type, as fields of its GraphQL type.
STREAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "case": ("Case", ("activities", "comments", "workNotes", "attachments")),
    "success_case": ("SuccessCase", ("activities", "attachments")),
    "success_task": ("SuccessTask", ("activities", "comments", "attachments")),
    "touchpoint": ("Touchpoint", ("activities", "attachments")),
    "project": ("Project", ("activities",)),
    "project_task": ("ProjectTask", ("activities", "comments")),
    "engagement": ("Engagement", ("timeline", "attachments")),
    "request": ("Request", ("activities", "comments", "workNotes", "attachments")),
    "work_order": ("WorkOrder", ("attachments",)),
}
# The records under an engagement whose activities its timeline shows.
UNDER_ENGAGEMENT = (
    "success_initiatives",
    "success_cases",
    "success_tasks",
    "touchpoints",
    "success_objectives",
    "internal_plays",
    "internal_play_tasks",
    "risk_signals",
    "success_plays",
    "contracts",
)

STREAM_PAGE = """
query Stream($id: ID!, $after: String) {
  node(id: $id) { ... on %(type)s { %(field)s(first: 100, after: $after) {
    nodes { id } pageInfo { hasNextPage endCursor } } } }
}
"""
NODES_QUERY = "query Many($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


@pytest.fixture
def compiled(compiled_client: GraphQLClient) -> GraphQLClient:
    """The same app with the compiled reads on: `node(id:)` compiles there too."""
    return compiled_client


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def _parents(engine: AsyncEngine) -> set[tuple[str, int]]:
    """Sampled records: a few engagements with every record under them, and a few cases,
    projects and project tasks that have entries (work notes and comments among them)."""
    parents: set[tuple[str, int]] = set()
    engagements = await _rows(
        engine,
        "SELECT record_id FROM activities WHERE record_type = 'engagement' "
        "GROUP BY record_id ORDER BY count(*) DESC, record_id LIMIT 3",
    )
    engagement_ids = [row.record_id for row in engagements]
    parents |= {("engagement", engagement_id) for engagement_id in engagement_ids}
    for table in UNDER_ENGAGEMENT:
        records = await _rows(
            engine,
            f"SELECT id FROM {table} WHERE engagement_id = ANY(:ids)",
            ids=engagement_ids,
        )
        parents |= {(table.removesuffix("s"), row.id) for row in records}
    for record_type in ("case", "project", "project_task", "request"):
        records = await _rows(
            engine,
            "SELECT record_id FROM activities WHERE record_type = :t GROUP BY record_id "
            "ORDER BY count(DISTINCT kind) DESC, record_id LIMIT 8",
            t=record_type,
        )
        parents |= {(record_type, row.record_id) for row in records}
    # Work orders with files, of cases and of projects (whose work orders only project
    # workers see).
    work_orders = await _rows(
        engine,
        "SELECT record_id FROM attachments WHERE record_type = 'work_order' "
        "GROUP BY record_id ORDER BY record_id LIMIT 8",
    )
    assert work_orders
    parents |= {("work_order", row.record_id) for row in work_orders}
    return parents


async def _candidates(
    engine: AsyncEngine, table: str, parents: set[tuple[str, int]]
) -> dict[str, str]:
    """Global id -> kind (or 'FILE') of every entry of the sampled records."""
    found: dict[str, str] = {}
    type_name = "Activity" if table == "activities" else "Attachment"
    kind = "kind" if table == "activities" else "'FILE'"
    for record_type in {record_type for record_type, _ in parents}:
        ids = [record_id for kind_, record_id in parents if kind_ == record_type]
        rows = await _rows(
            engine,
            f"SELECT id, {kind} AS kind FROM {table} "
            "WHERE record_type = :t AND record_id = ANY(:ids)",
            t=record_type,
            ids=ids,
        )
        found |= {global_id(type_name, row.id): row.kind for row in rows}
    return found


async def _stream(client: GraphQLClient, email: str, type_name: str, field: str, id_: str) -> set:
    """Every entry id the stream shows, page by page."""
    shown: set[str] = set()
    after = None
    while True:
        query = STREAM_PAGE % {"type": type_name, "field": field}
        data = await client.query(query, {"id": id_, "after": after}, as_=email)
        page = (data["node"] or {}).get(field)
        if not page:  # record or field not visible
            return shown
        shown |= {node["id"] for node in page["nodes"]}
        if not page["pageInfo"]["hasNextPage"]:
            return shown
        after = page["pageInfo"]["endCursor"]


async def _shown_in_streams(
    client: GraphQLClient, email: str, parents: set[tuple[str, int]]
) -> set[str]:
    shown: set[str] = set()
    for record_type, record_id in sorted(parents):
        if record_type not in STREAMS:
            continue  # no stream of its own: its entries show in its engagement's timeline
        type_name, fields = STREAMS[record_type]
        for field in fields:
            shown |= await _stream(client, email, type_name, field, global_id(type_name, record_id))
    return shown


async def _fetched(client: GraphQLClient, email: str, ids: list[str]) -> set[str]:
    fetched: set[str] = set()
    for start in range(0, len(ids), 100):
        data = await client.query(NODES_QUERY, {"ids": ids[start : start + 100]}, as_=email)
        fetched |= {node["id"] for node in data["nodes"] if node is not None}
    return fetched


@pytest.fixture(scope="module")
async def sample(engine: AsyncEngine) -> tuple[set[tuple[str, int]], dict[str, str]]:
    parents = await _parents(engine)
    entries = {
        **await _candidates(engine, "activities", parents),
        **await _candidates(engine, "attachments", parents),
    }
    kinds = set(entries.values())
    # The rule must bite: internal entries, customer-visible ones and files are all sampled.
    assert {"WORK_NOTE", "COMMENT", "FILE"} <= kinds, kinds
    return parents, entries


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_an_entry_by_id_is_visible_exactly_when_a_stream_shows_it(
    resolver_client: GraphQLClient,
    compiled: GraphQLClient,
    sample: tuple[set[tuple[str, int]], dict[str, str]],
    email: str,
) -> None:
    """On both paths, whatever the run's default (the streams as the resolvers show them)."""
    parents, entries = sample
    shown = await _shown_in_streams(resolver_client, email, parents)
    assert shown <= set(entries)
    ids = sorted(entries)
    assert await _fetched(resolver_client, email, ids) == shown
    assert await _fetched(compiled, email, ids) == shown
    if email in ("admin@csm.example", "agent@csm.example"):
        assert {entries[i] for i in shown} >= {"WORK_NOTE", "COMMENT", "FILE"}


async def test_some_personas_see_some_entries_and_not_others(
    client: GraphQLClient, sample: tuple[set[tuple[str, int]], dict[str, str]]
) -> None:
    """Not vacuous: internal entries reach employees and never a contact."""
    parents, entries = sample
    agent = await _shown_in_streams(client, "agent@csm.example", parents)
    contact = await _shown_in_streams(client, "success@acme.example", parents)
    assert contact
    assert agent - contact
    assert "WORK_NOTE" not in {entries[i] for i in contact}


@pytest.mark.parametrize("type_name", ["Activity", "Attachment"])
async def test_missing_entries_look_like_hidden_ones(client: GraphQLClient, type_name: str) -> None:
    data = await client.query(
        NODES_QUERY, {"ids": [global_id(type_name, 999_999_999)]}, as_="admin@csm.example"
    )
    assert data == {"nodes": [None]}


def _node_types() -> list[str]:
    type_map = build_schema()._schema.type_map
    return sorted(
        name
        for name, graphql_type in type_map.items()
        if any(interface.name == "Node" for interface in getattr(graphql_type, "interfaces", ()))
    )


def test_every_node_type_in_the_schema_is_registered_and_fetchable() -> None:
    assert _node_types()
    assert [name for name in _node_types() if fetchable(name) is None] == []


@pytest.mark.parametrize("type_name", _node_types())
async def test_every_node_type_answers_node_for_someone(
    client: GraphQLClient, engine: AsyncEngine, type_name: str
) -> None:
    """Some persona fetches some of the first rows of every Node type by id."""
    table = NODES[type_name].entity.table.name
    rows = await _rows(engine, f"SELECT id FROM {table} ORDER BY id LIMIT 40")
    assert rows, type_name
    ids = [global_id(type_name, row.id) for row in rows]
    seen: set[str] = set()
    for email in EVERY_PERSONA:
        seen |= await _fetched(client, email, ids)
    assert seen, type_name
    assert seen <= set(ids)


HEALTH = """
query($ids: [ID!]!) { nodes(ids: $ids) { ... on Engagement {
  healthIndicators(first: 100) { nodes { id metric } } } } }
"""


async def test_health_indicators_have_stable_distinct_ids_that_node_does_not_fetch(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    rows = await _rows(engine, "SELECT id FROM engagements ORDER BY id LIMIT 3")
    ids = [global_id("Engagement", row.id) for row in rows]
    first = await client.query(HEALTH, {"ids": ids}, as_="agent@csm.example")
    again = await client.query(HEALTH, {"ids": ids}, as_="agent@csm.example")
    assert first == again
    indicator_ids = [
        indicator["id"]
        for engagement in first["nodes"]
        for indicator in engagement["healthIndicators"]["nodes"]
    ]
    # Several engagements share the global definition: their indicators still differ.
    assert len(indicator_ids) > len(ids)
    assert len(set(indicator_ids)) == len(indicator_ids)
    assert await _fetched(client, "agent@csm.example", indicator_ids[:5]) == set()
