"""Parsed documents are kept (graphql/parse_cache.py): a document sent again is not parsed
again, and whatever a fresh parse refuses (a syntax error, too many tokens) is still refused
every time."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry.schema.schema

from tests.support import GraphQLClient

AGENT = "agent@csm.example"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts Strawberry parses itself (the cache serves the others)."""
    seen: list[str] = []
    parse = strawberry.schema.schema.parse

    def counted(source: Any, **options: Any) -> Any:
        seen.append(str(source))
        return parse(source, **options)

    monkeypatch.setattr(strawberry.schema.schema, "parse", counted)
    return seen


async def test_a_document_sent_again_is_parsed_once(
    client: GraphQLClient, parses: list[str]
) -> None:
    query = "query ParsedOnce { accounts(first: 2) { totalCount } }"
    answers = [await client.query(query, as_=AGENT) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert parses.count(query) == 1


async def test_refused_documents_are_refused_every_time(
    client: GraphQLClient, parses: list[str]
) -> None:
    broken = "query Broken { accounts(first: 2) { totalCount }"
    too_long = "{ total(ns: [" + "1, " * 3000 + "]) }"
    for query, message in ((broken, "Syntax Error"), (too_long, "Query has too many tokens")):
        bodies = [(await client.post(query, as_=AGENT)).json() for _ in range(2)]
        assert bodies[0] == bodies[1]
        assert bodies[0]["errors"][0]["message"].startswith(message)
        assert parses.count(query) == 2  # nothing kept: parsed (and refused) each time
