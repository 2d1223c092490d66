"""Bad input: every kind gets a clear, coded error, no data, and nothing is written."""

from __future__ import annotations

import jwt
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables
from csm_graphql.settings import Settings
from tests.support import GraphQLClient

AGENT = "agent@csm.example"


def _deep_query(depth: int) -> str:
    inner = "id"
    for level in range(depth):
        inner = f"parent {{ {inner} }}" if level % 2 else f"account {{ {inner} }}"
    return f"{{ engagements(first: 1) {{ nodes {{ {inner} }} }} }}"


def _nested_engagement_query(depth: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"parent {{ {inner} }}"
    return f"{{ engagements(first: 1) {{ nodes {{ {inner} }} }} }}"


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(count)) + " }"


BAD_QUERIES = {
    "unknown field": ("{ viewer { id salary } }", None, "GRAPHQL_VALIDATION_FAILED"),
    "syntax error": ("{ viewer { id ", None, "GRAPHQL_PARSE_FAILED"),
    "depth 20": (_nested_engagement_query(20), None, "QUERY_TOO_COMPLEX"),
    "100 aliases": (_aliases(100), None, "QUERY_TOO_COMPLEX"),
    "first 1000": ("{ successCases(first: 1000) { nodes { id } } }", None, "BAD_USER_INPUT"),
    "first 1000 in a variable": (
        "query($n: Int) { successCases(first: $n) { nodes { id } } }",
        {"n": 1000},
        "BAD_USER_INPUT",
    ),
    "too many nodes": (
        "{ engagements(first: 100) { nodes { initiatives(first: 100) { nodes {"
        " successCases(first: 100) { nodes { id } } } } } } }",
        None,
        "QUERY_TOO_COMPLEX",
    ),
    "malformed id in a filter": (
        '{ successCases(filter: {engagement: "!!!"}) { nodes { id } } }',
        None,
        "BAD_USER_INPUT",
    ),
    "id of another type in a filter": (
        '{ successCases(filter: {engagement: "QWNjb3VudDox"}) { nodes { id } } }',
        None,
        "BAD_USER_INPUT",
    ),
    "wrong variable type": (
        "query($n: Int) { successCases(first: $n) { nodes { id } } }",
        {"n": "many"},
        "BAD_USER_INPUT",
    ),
    "bad cursor": ('{ successCases(after: "nonsense") { nodes { id } } }', None, "BAD_USER_INPUT"),
    "inverted due range": (
        '{ successCases(filter: {dueFrom: "2026-02-01", dueTo: "2026-01-01"}) { nodes { id } } }',
        None,
        "BAD_USER_INPUT",
    ),
}


async def _fingerprint(engine: AsyncEngine) -> dict[str, str]:
    """A digest of every application table: any write would change it."""
    digests = {}
    async with engine.connect() as connection:
        for name in sorted(tables.metadata.tables):
            rows = f"SELECT t::text AS row FROM {name} t"
            digest = f"SELECT md5(coalesce(string_agg(row, ',' ORDER BY row), '')) FROM ({rows}) r"
            digests[name] = await connection.scalar(text(digest))
    return digests


@pytest.mark.parametrize("case", sorted(BAD_QUERIES))
async def test_bad_query_gets_a_coded_error_and_no_data(client: GraphQLClient, case: str) -> None:
    query, variables, code = BAD_QUERIES[case]
    response = await client.post(query, variables, as_=AGENT)
    body = response.json()
    assert body.get("data") is None, body
    assert [error["extensions"]["code"] for error in body["errors"]][:1] == [code], body
    for error in body["errors"]:
        assert error["message"]
        assert "Traceback" not in error["message"]


async def test_malformed_node_id_is_null_not_an_error(client: GraphQLClient) -> None:
    data = await client.query('{ node(id: "%%%") { id } nodes(ids: ["x", ""]) { id } }', as_=AGENT)
    assert data == {"node": None, "nodes": [None, None]}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "A bearer token is required."),
        ("Basic dXNlcjpwYXNz", "A bearer token is required."),
        ("Bearer not-a-jwt", "The token is not valid."),
    ],
)
async def test_missing_or_malformed_token(
    client: GraphQLClient, header: str | None, message: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.http.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers=headers
    )
    assert response.status_code == 401
    assert response.json() == {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
    }


async def test_expired_token(client: GraphQLClient) -> None:
    response = await client.post("{ viewer { id } }", token=client.token(AGENT, ttl=-60))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.json()["errors"][0]["message"] == "The token has expired."


async def test_forged_token(client: GraphQLClient, settings: Settings) -> None:
    genuine = jwt.decode(client.token(AGENT), options={"verify_signature": False})
    forged = jwt.encode(
        genuine, "a-secret-the-server-does-not-have-xxxxxxxxxxxx", algorithm="HS256"
    )
    unsigned = jwt.encode(genuine, None, algorithm="none")
    for token in (forged, unsigned):
        response = await client.post("{ viewer { id } }", token=token)
        assert response.status_code == 401
        assert response.json()["errors"][0]["message"] == "The token is not valid."


async def test_token_of_unknown_principal(client: GraphQLClient, settings: Settings) -> None:
    from csm_graphql.access.viewer import PrincipalKind
    from csm_graphql.auth import issue_token

    token = issue_token(settings, PrincipalKind.USER, 987654321)
    response = await client.post("{ viewer { id } }", token=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_oversized_body(client: GraphQLClient, settings: Settings) -> None:
    padding = "x" * (settings.limits.max_body_bytes + 1)
    response = await client.http.post(
        "/graphql",
        json={"query": "{ viewer { id } }", "variables": {"padding": padding}},
        headers={"Authorization": f"Bearer {client.token(AGENT)}"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_nothing_is_written_by_bad_input(client: GraphQLClient, engine: AsyncEngine) -> None:
    before = await _fingerprint(engine)
    for query, variables, _ in BAD_QUERIES.values():
        await client.post(query, variables, as_=AGENT)
    await client.post("{ viewer { id } }", token="forged")
    await client.http.post("/graphql", content=b"{" * 100_000)
    assert await _fingerprint(engine) == before
