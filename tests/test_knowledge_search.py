"""Knowledge articles in search, and recommendedArticles(text:) re-searching them by keyword.

Expectations come from SQL written here from ACCESS.md and the issue: an article's document is
``number || title || body``; the query is ``websearch_to_tsquery('english', text)``; internal
viewers read every article, contacts every article but the INTERNAL-audience ones (docs/access.md,
knowledge articles). The shared session database is only read.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import global_id
from tests.support import GraphQLClient, StatementLog

AGENT = "agent@csm.example"
CONTACTS = ["success@acme.example", "manager@acme.example", "partner@globex.example"]
INTERNAL = [AGENT, "viewer@csm.example", "admin@csm.example", "caseagent@csm.example"]
# Words in articles of every audience, a phrase, an exclusion, an alternative, and a number.
WORDS = ["onboarding", "getting started", '"business review"', "adoption -okta", "okta or azure"]
DOCUMENT = "to_tsvector('english', k.number || ' ' || k.title || ' ' || k.body)"


async def _numbers(engine: AsyncEngine, sql: str, **params: Any) -> list[str]:
    async with engine.connect() as connection:
        return [row.number for row in await connection.execute(text(sql), params)]


async def _expected_hits(engine: AsyncEngine, words: str, *, internal: bool) -> list[str]:
    audience = "" if internal else "AND k.audience <> 'INTERNAL'"
    return await _numbers(
        engine,
        f"""
        SELECT k.number FROM knowledge_articles k
        WHERE ({DOCUMENT} @@ websearch_to_tsquery('english', :words)
               OR k.number = upper(trim(:words))) {audience}
        ORDER BY ts_rank({DOCUMENT}, websearch_to_tsquery('english', :words))
                 + (k.number = upper(trim(:words)))::int DESC, k.id DESC
        """,
        words=words,
    )


SEARCH = """
query Search($text: String!, $first: Int!, $after: String) { search(text: $text, first: $first) {
  knowledgeArticles(after: $after) { totalCount pageInfo { hasNextPage endCursor }
    nodes { number title } } } }
"""


async def _walk_search(client: GraphQLClient, words: str, email: str) -> tuple[list[str], int]:
    walked: list[str] = []
    after, total = None, -1
    while True:
        data = await client.query(SEARCH, {"text": words, "first": 4, "after": after}, as_=email)
        page = data["search"]["knowledgeArticles"]
        total = page["totalCount"]
        walked += [node["number"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return walked, total
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("email", INTERNAL + CONTACTS)
async def test_search_finds_the_articles_the_viewer_may_read(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    internal = email in INTERNAL
    found_internal_only = False
    for words in WORDS:
        expected = await _expected_hits(engine, words, internal=internal)
        walked, total = await _walk_search(client, words, email)
        assert walked == expected, words
        assert total == len(expected)
        every = await _expected_hits(engine, words, internal=True)
        found_internal_only |= len(every) > len(expected)
    # The contacts' lists are shorter exactly by the INTERNAL-audience articles.
    assert found_internal_only is not internal


async def test_an_internal_articles_number_finds_nothing_for_a_contact(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    (number,) = await _numbers(
        engine,
        "SELECT number FROM knowledge_articles WHERE audience = 'INTERNAL' ORDER BY id LIMIT 1",
    )
    agent = await client.query(SEARCH, {"text": number.lower(), "first": 5}, as_=AGENT)
    assert agent["search"]["knowledgeArticles"]["nodes"][0]["number"] == number
    for contact in CONTACTS:
        data = await client.query(SEARCH, {"text": number, "first": 5}, as_=contact)
        assert data["search"]["knowledgeArticles"] == {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "nodes": [],
        }


KEYWORDS = """
query Keywords($id: ID!, $text: String, $first: Int!, $after: String) { node(id: $id) {
  ... on Engagement { recommendedArticles(text: $text, first: $first, after: $after) { ...P } }
  ... on SuccessCase { recommendedArticles(text: $text, first: $first, after: $after) { ...P } }
} }
fragment P on KnowledgeArticleConnection {
  totalCount pageInfo { hasNextPage endCursor } nodes { number } }
"""


async def _expected_recommendations(engine: AsyncEngine, words: str) -> list[str]:
    """The keyword ranking: all words (websearch syntax), ts_rank, then id; no number match."""
    return await _numbers(
        engine,
        f"""
        SELECT k.number FROM knowledge_articles k
        WHERE {DOCUMENT} @@ websearch_to_tsquery('english', :words)
        ORDER BY ts_rank({DOCUMENT}, websearch_to_tsquery('english', :words)) DESC, k.id DESC
        """,
        words=words,
    )


@pytest.mark.parametrize("typename", ["Engagement", "SuccessCase"])
async def test_recommendations_re_search_by_keyword(
    client: GraphQLClient, engine: AsyncEngine, typename: str
) -> None:
    table = {"Engagement": "engagements", "SuccessCase": "success_cases"}[typename]
    async with engine.connect() as connection:
        record_id = await connection.scalar(text(f"SELECT min(id) FROM {table}"))
    record = global_id(typename, record_id)
    unfiltered = await client.query(KEYWORDS, {"id": record, "first": 50}, as_=AGENT)
    by_record = [n["number"] for n in unfiltered["node"]["recommendedArticles"]["nodes"]]
    rankings = []
    for words in WORDS:
        expected = await _expected_recommendations(engine, words)
        assert expected, words
        walked: list[str] = []
        after = None
        while True:
            variables = {"id": record, "text": words, "first": 3, "after": after}
            page = (await client.query(KEYWORDS, variables, as_=AGENT))["node"][
                "recommendedArticles"
            ]
            assert page["totalCount"] == len(expected)
            walked += [node["number"] for node in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert walked == expected, words
        rankings.append(walked)
    assert any(walked != by_record for walked in rankings), "the keywords ranked the pages"


async def test_keyword_cursors_and_record_cursors_do_not_mix(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as connection:
        case_id = await connection.scalar(text("SELECT min(id) FROM success_cases"))
    record = global_id("SuccessCase", case_id)
    data = await client.query(KEYWORDS, {"id": record, "text": "onboarding", "first": 1}, as_=AGENT)
    cursor = data["node"]["recommendedArticles"]["pageInfo"]["endCursor"]
    response = await client.post(KEYWORDS, {"id": record, "first": 1, "after": cursor}, as_=AGENT)
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("words", ["", "   ", "x" * 201, "a\x00b"])
async def test_bad_keywords_are_refused(
    client: GraphQLClient, engine: AsyncEngine, words: str
) -> None:
    async with engine.connect() as connection:
        engagement_id = await connection.scalar(text("SELECT min(id) FROM engagements"))
    variables = {"id": global_id("Engagement", engagement_id), "text": words, "first": 1}
    response = await client.post(KEYWORDS, variables, as_=AGENT)
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    # NUL is refused with the request (data null), the others at the field.
    node = (body.get("data") or {}).get("node")
    assert node is None or node["recommendedArticles"] is None


async def test_contacts_get_null_with_keywords_too(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    data = await client.query(
        '{ engagements(first: 5) { nodes { recommendedArticles(text: "onboarding") '
        "{ totalCount } } } }",
        as_=CONTACTS[0],
    )
    nodes = data["engagements"]["nodes"]
    assert nodes
    assert all(node["recommendedArticles"] is None for node in nodes)


async def test_keywords_keep_one_statement_per_level(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    query = (
        "query($n: Int!) { engagements(first: $n) { nodes { "
        'recommendedArticles(first: 5, text: "adoption") { totalCount } '
        'successCases(first: 5) { nodes { recommendedArticles(first: 5, text: "review") '
        "{ totalCount } } } } } }"
    )
    counts = []
    for n in (1, 30):
        with statement_log.record() as statements:
            await client.query(query, {"n": n}, as_=AGENT)
        counts.append(len(statements))
    # Viewer, engagements, their recommendations, their success cases, the cases'.
    assert counts == [5, 5]
