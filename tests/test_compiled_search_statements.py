"""``search(text:)``'s compiled statement is cached (issue 10): the text is a value the cached
statement binds (with the record number the exact match reads from it), not a part of the
key, so every text of one query shape shares one statement, and each answers exactly as the
resolvers answer it: hits, ranks, counts, cursors and the pages after them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.repositories import prepared
from csm_graphql.repositories import search as search_repository
from csm_graphql.repositories.prepared import Prepared, StatementCache, Uncacheable
from csm_graphql.settings import Settings
from tests.support import GraphQLClient
from tests.test_compiled_statements import (
    ACME_CUSTOMER,
    AGENT,
    _app_client,
    _built_afresh,
    _cache,
    _fields,
    _samples,
    _through_cache,
    _viewer,
)

SEARCH = """
query Search($text: String!, $after: String) {
  search(text: $text, first: 3) {
    successCases(after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { number subject } } }
    successTasks { totalCount nodes { number } }
    successInitiatives { totalCount nodes { number } }
    touchpoints { totalCount nodes { number } }
    cases { totalCount nodes { number } }
    knowledgeArticles { totalCount nodes { number } } }
}"""

NUMBERS = "{ successCases(first: 1) { nodes { number } } }"


def _texts(number: str) -> list[str]:
    """Texts of every kind: words, the same word in other cases and spaces, a record's number
    in lower case with spaces around (the exact match, which ranks first), websearch syntax,
    quotes and a backslash (values, never SQL)."""
    return [
        "adoption",
        "  ADOPTION ",
        f"  {number.lower()}  ",
        '"business review" -renewal',
        "onboarding or training",
        "O'Brien's \\ adoption \"",
        "zzzz-nothing-matches",
    ]


@pytest.fixture
async def compiled(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    """A fresh app (its own statement cache and counters) with the compiled reads on."""
    async for client in _app_client(engine, replace(settings, compiled_reads=True), principals):
        yield client


async def _number(client: GraphQLClient, email: str) -> str:
    found: str = (await client.query(NUMBERS, as_=email))["successCases"]["nodes"][0]["number"]
    return found


def _body(response: Any) -> bytes:
    """The response as JSON text, the compiled path's explanation left out (the resolvers
    have none): the key order, the numbers and the strings as they were sent."""
    body = response.json()
    assert response.status_code == 200, body
    explained = body.get("extensions", {}).pop("compiledReads", None)
    assert explained is None or explained["path"] == "compiled", explained
    return orjson.dumps(body)


@pytest.mark.parametrize("email", [AGENT, ACME_CUSTOMER])
async def test_every_search_text_shares_one_statement_and_answers_as_the_resolvers(
    resolver_client: GraphQLClient, compiled: GraphQLClient, email: str
) -> None:
    number = await _number(resolver_client, email)
    before = await _samples(compiled.http)
    requests = 0
    hits_seen = 0
    for text in _texts(number):
        variables: dict[str, Any] = {"text": text}
        for _ in range(3):  # the first page, and each page after it while there is one
            reference = await resolver_client.post(SEARCH, variables, as_=email)
            answer = await compiled.post(SEARCH, variables, as_=email)
            requests += 1
            assert _body(answer) == _body(reference), text
            assert "errors" not in answer.json()
            page = answer.json()["data"]["search"]["successCases"]
            hits_seen += len(page["edges"])
            if text.strip() == number.lower():
                assert variables.get("after") or page["edges"][0]["node"]["number"] == number
            if not page["pageInfo"]["hasNextPage"]:
                break
            variables = {"text": text, "after": page["pageInfo"]["endCursor"]}
    assert hits_seen > 0
    after = await _samples(compiled.http)
    outcomes = {o: _cache(after, o) - _cache(before, o) for o in ("miss", "hit", "uncacheable")}
    # The first page's statement and the one after a cursor: one miss each, the rest hits.
    pages_after = 1 if requests > len(_texts(number)) else 0
    assert outcomes == {"miss": 1 + pages_after, "hit": requests - 1 - pages_after,
                        "uncacheable": 0}  # fmt: skip
    assert pages_after == 1  # the texts page past their first page: a cursor was bound too


@pytest.mark.parametrize("email", [AGENT, ACME_CUSTOMER])
async def test_the_cached_search_binds_the_text_and_its_record_number(
    engine: AsyncEngine,
    principals: dict[str, Any],
    resolver_client: GraphQLClient,
    email: str,
) -> None:
    viewer = await _viewer(engine, principals, email)
    texts = _texts(await _number(resolver_client, email))
    cache = StatementCache()
    for text in texts:
        fields = _fields(SEARCH, viewer, {"text": text})
        answer = await _through_cache(cache, engine, viewer, fields)
        assert answer == await _built_afresh(engine, viewer, fields)
    assert (cache.stats.misses, cache.stats.hits, cache.stats.uncacheable) == (
        1,
        len(texts) - 1,
        0,
    )
    assert len(cache) == 1
    entry = cache.entry(_fields(SEARCH, viewer, {"text": "anything"}), viewer)
    assert isinstance(entry, Prepared)
    slots = {slot for slot, _ in entry.slots}
    # One text and one record number per source, nothing of the first text kept.
    assert {prepared.SearchTextSlot(i) for i in range(4)} <= slots
    assert {prepared.SearchNumberSlot(i) for i in range(4)} <= slots
    constants = [slot.constant for slot in slots if isinstance(slot, prepared.Fixed)]
    assert not any(isinstance(c, str) and "adoption" in c.lower() for c in constants)


async def test_a_text_derived_otherwise_is_refused_not_served(
    engine: AsyncEngine,
    principals: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should the search read its text in a way the cache was not taught (here: the number
    match lower-cased instead), the symbolic builds' parameters give it away: the shape is
    built per request, each answer still its own."""
    real = search_repository.search_terms

    def lowered(entity: Any, viewer: Any, text: str) -> Any:
        return real(entity, viewer, text.lower())

    monkeypatch.setattr("csm_graphql.repositories.compiled.search_terms", lowered)
    agent = await _viewer(engine, principals, AGENT)
    cache = StatementCache()
    # An all-lower-case first text: the real request alone could not tell.
    for text in ("adoption", "Onboarding"):
        fields = _fields(SEARCH, agent, {"text": text})
        assert await _through_cache(cache, engine, agent, fields) == await _built_afresh(
            engine, agent, fields
        )
    assert isinstance(cache.entry(_fields(SEARCH, agent, {"text": "x"}), agent), Uncacheable)
    assert (cache.stats.misses, cache.stats.uncacheable, cache.stats.hits) == (1, 1, 0)
