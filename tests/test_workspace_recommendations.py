"""Recommended knowledge (Engagement / SuccessCase ``recommendedArticles``) is a keyset-paged
connection ordered by full-text rank, then id: pages walk the whole ranking, ``totalCount``
counts every match the viewer may read, and one statement serves a level whatever its size."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.compiled_path import pinned
from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient, StatementLog

AGENT = "agent@csm.example"
SUCCESS_CONTACT = "success@acme.example"

# (GraphQL type, table, the text an article is ranked against), written out again here.
RECORDS = {
    "Engagement": ("engagements", "name || ' ' || replace(stage, '_', ' ')"),
    "SuccessCase": ("success_cases", "short_description"),
}


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def _ranking(engine: AsyncEngine, typename: str, record_id: int) -> list[str]:
    """Every article matching any word of the record's text, best first; ties by id, newest
    first (the keyset runs one way)."""
    table, text_sql = RECORDS[typename]
    rows = await _rows(
        engine,
        f"""
        WITH q AS (SELECT to_tsquery('english', replace(
            plainto_tsquery('english', {text_sql})::text, ' & ', ' | ')) AS query
          FROM {table} WHERE id = :id)
        SELECT k.number FROM knowledge_articles k, q WHERE k.search_vector @@ q.query
        ORDER BY ts_rank(k.search_vector, q.query) DESC, k.id DESC
        """,
        id=record_id,
    )
    return [row.number for row in rows]


PAGE = """
query($id: ID!, $first: Int!, $after: String) { node(id: $id) {
  ... on Engagement { recommendedArticles(first: $first, after: $after) { ...Page } }
  ... on SuccessCase { recommendedArticles(first: $first, after: $after) { ...Page } } } }
fragment Page on KnowledgeArticleConnection {
  totalCount pageInfo { hasNextPage endCursor } nodes { number } }
"""


@pytest.mark.parametrize("typename", sorted(RECORDS))
async def test_pages_walk_the_whole_ranking(
    client: GraphQLClient, engine: AsyncEngine, typename: str
) -> None:
    table = RECORDS[typename][0]
    walked_records = 0
    for row in await _rows(engine, f"SELECT id FROM {table} ORDER BY id LIMIT 12"):
        expected = await _ranking(engine, typename, row.id)
        walked: list[str] = []
        after = None
        while True:
            variables = {"id": global_id(typename, row.id), "first": 3, "after": after}
            data = await client.query(PAGE, variables, as_=AGENT)
            page = data["node"]["recommendedArticles"]
            assert page["totalCount"] == len(expected)
            walked += [node["number"] for node in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert walked == expected
        walked_records += len(expected) > 3
    assert walked_records > 3


async def test_a_cursor_of_another_ranking_is_refused(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    (case,) = await _rows(engine, "SELECT id, engagement_id FROM success_cases LIMIT 1")
    data = await client.query(
        PAGE, {"id": global_id("SuccessCase", case.id), "first": 1}, as_=AGENT
    )
    cursor = data["node"]["recommendedArticles"]["pageInfo"]["endCursor"]
    assert cursor
    response = await client.post(
        PAGE,
        {"id": global_id("Engagement", case.engagement_id), "first": 1, "after": cursor},
        as_=AGENT,
    )
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"]


async def test_contacts_get_null(client: GraphQLClient) -> None:
    data = await client.query(
        "{ engagements(first: 20) { nodes { recommendedArticles(first: 5) { totalCount } "
        "successCases(first: 20) { nodes { recommendedArticles { totalCount } } } } } }",
        as_=SUCCESS_CONTACT,
    )
    engagements = data["engagements"]["nodes"]
    cases = [case for e in engagements for case in e["successCases"]["nodes"]]
    assert engagements
    assert cases
    assert all(node["recommendedArticles"] is None for node in [*engagements, *cases])


SIDE_PANEL = """
query($n: Int!, $cases: Int!, $k: Int!) { engagements(first: $n) { nodes { number
  recommendedArticles(first: $k) { totalCount nodes { number title } }
  successCases(first: $cases) { nodes { number
    recommendedArticles(first: $k) { totalCount pageInfo { endCursor } nodes { number } } } }
} } }
"""


@pytest.mark.parametrize("email", [AGENT, SUCCESS_CONTACT])
async def test_recommendations_cost_one_statement_per_level(
    each_path: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    """Pinned on both paths: one statement per level on the resolvers, two compiled."""
    client = each_path
    counts = []
    for variables in ({"n": 1, "cases": 1, "k": 1}, {"n": 40, "cases": 20, "k": 20}):
        with statement_log.record() as statements:
            data = await client.query(SIDE_PANEL, variables, as_=email)
        counts.append(len(statements))
    engagements = data["engagements"]["nodes"]
    assert len(engagements) > 1
    # Viewer, engagements, their recommendations, their success cases, the cases'
    # recommendations; contacts get null recommendations without a statement.
    # Compiled: recommendedArticles has no SQL, so the agent's query falls back to the
    # resolvers (the same five); the contact is denied it (a constant null): two statements.
    if email == AGENT:
        assert counts == [pinned(client, resolvers=5, compiled=5)] * 2
    else:
        assert counts == [pinned(client, resolvers=3)] * 2
    if email == AGENT:
        ranked = [e["recommendedArticles"] for e in engagements]
        assert any(len(page["nodes"]) > 1 for page in ranked)
        assert all(page["totalCount"] >= len(page["nodes"]) for page in ranked)


async def test_decoded_ids_are_articles(client: GraphQLClient) -> None:
    data = await client.query(
        "{ engagements(first: 5) { nodes { recommendedArticles(first: 5) { nodes { id } } } } }",
        as_=AGENT,
    )
    ids = [
        decode_global_id(node["id"])
        for engagement in data["engagements"]["nodes"]
        for node in engagement["recommendedArticles"]["nodes"]
    ]
    assert ids
    assert {typename for typename, _ in ids} == {"KnowledgeArticle"}
