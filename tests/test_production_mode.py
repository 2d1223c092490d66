"""Production mode: refuses unsafe configuration; no GraphiQL, introspection or suggestions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.auth import issue_token
from csm_graphql.settings import DEV_SECRET, Settings, SettingsError
from tests.support import GraphQLClient

PRODUCTION_SECRET = "p" * 24 + "R0duct10n-S3cret-0f-48-chars"
assert len(PRODUCTION_SECRET) == 52
GOOD_URL = "postgresql://csm@db.internal:5432/csm"

INTROSPECTION = "{ __schema { types { name } } }"
# Each is a misspelling graphql-core answers with "Did you mean ...?" in development.
MISSPELLINGS = [
    "{ viewr { id } }",
    "{ viewer { emial } }",
    "{ successCases(frist: 2) { totalCount } }",
    "{ successCases(orderBy: { field: NUMBR }) { totalCount } }",
    "{ successCases(filter: { stat: [NEW] }) { totalCount } }",
    "{ node(id: 1) { ... on SuccesCase { number } } }",
]
MISSPELLED_VARIABLE = (
    "query($o: SuccessRecordOrder) { successCases(orderBy: $o) { totalCount } }",
    {"o": {"field": "NUMBR"}},
)


# -- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"CSM_ENV": "production", "CSM_DATABASE_URL": GOOD_URL},
        {"CSM_ENV": "production", "CSM_DATABASE_URL": GOOD_URL, "CSM_SECRET_KEY": ""},
        {"CSM_ENV": "production", "CSM_DATABASE_URL": GOOD_URL, "CSM_SECRET_KEY": "short"},
        {"CSM_ENV": "production", "CSM_DATABASE_URL": GOOD_URL, "CSM_SECRET_KEY": "x" * 31},
        {"CSM_ENV": "production", "CSM_DATABASE_URL": GOOD_URL, "CSM_SECRET_KEY": DEV_SECRET},
        {"CSM_ENV": "production", "CSM_SECRET_KEY": PRODUCTION_SECRET},
        {"CSM_ENV": "production", "CSM_SECRET_KEY": PRODUCTION_SECRET, "CSM_DATABASE_URL": ""},
        {"CSM_ENV": "staging", "CSM_SECRET_KEY": PRODUCTION_SECRET, "CSM_DATABASE_URL": GOOD_URL},
    ],
    ids=[
        "no-secret",
        "empty-secret",
        "short-secret",
        "31-char-secret",
        "development-secret",
        "no-database-url",
        "empty-database-url",
        "unknown-environment",
    ],
)
def test_production_settings_refuse_unsafe_configuration(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_production_settings_accept_a_real_secret_and_a_database() -> None:
    settings = Settings.from_env(
        {"CSM_ENV": "production", "CSM_SECRET_KEY": PRODUCTION_SECRET, "CSM_DATABASE_URL": GOOD_URL}
    )
    assert settings.production
    assert not settings.graphiql
    assert settings.secret_key == PRODUCTION_SECRET
    assert settings.database_url == GOOD_URL


def test_development_settings_need_nothing() -> None:
    settings = Settings.from_env({})
    assert not settings.production
    assert settings.graphiql
    assert settings.database_url is None


def test_settings_from_env_do_not_read_the_process_environment_when_given_a_mapping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CSM_ENV", "production")
    assert not Settings.from_env({}).production


# -- a production app ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def production(
    engine: AsyncEngine, database_url: str, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    settings = Settings(
        environment="production", secret_key=PRODUCTION_SECRET, database_url=database_url
    )
    settings.check()
    # A crash shows as the 500 a real server would send, not as an exception in the test.
    transport = httpx.ASGITransport(
        app=create_app(settings, engine=engine), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, settings, principals)


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


async def test_production_does_not_serve_graphiql(production: GraphQLClient) -> None:
    response = await production.http.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in response.text.lower()
    assert not response.headers.get("content-type", "").startswith("text/html")
    # Not there (404), rather than a crash: nobody is authenticated on this request.
    assert response.status_code == 404, (response.status_code, response.text)


async def test_development_serves_graphiql(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_production_answers_normal_queries(production: GraphQLClient) -> None:
    data = await production.query(
        "{ viewer { email kind } successCases(first: 2) { totalCount nodes { number } } }",
        as_="agent@csm.example",
    )
    assert data["viewer"] == {"email": "agent@csm.example", "kind": "USER"}
    assert len(data["successCases"]["nodes"]) == 2
    data = await production.query("{ viewer { email } }", as_="success@acme.example")
    assert data["viewer"]["email"] == "success@acme.example"


async def test_production_rejects_a_development_token(
    production: GraphQLClient, client: GraphQLClient
) -> None:
    development_token = client.token("agent@csm.example")
    response = await production.post("{ viewer { email } }", token=development_token)
    assert response.status_code == 401
    body = response.json()
    assert _codes(body) == ["UNAUTHENTICATED"]
    assert body.get("data") is None
    # And the other way round: a production token means nothing to a development server.
    production_token = production.token("agent@csm.example")
    response = await client.post("{ viewer { email } }", token=production_token)
    assert response.status_code == 401


async def test_production_tokens_are_signed_with_the_production_secret(
    production: GraphQLClient,
) -> None:
    kind, principal_id = production.principals["agent@csm.example"]
    token = issue_token(production.settings, kind, principal_id)
    response = await production.post("{ viewer { email } }", token=token)
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["email"] == "agent@csm.example"


@pytest.mark.parametrize(
    "query",
    [
        INTROSPECTION,
        '{ __type(name: "Query") { fields { name } } }',
        "query { viewer { email } __schema { queryType { name } } }",
        "fragment F on Query { __schema { types { name } } } { ...F }",
    ],
)
async def test_production_rejects_introspection(production: GraphQLClient, query: str) -> None:
    response = await production.post(query, as_="agent@csm.example")
    body = response.json()
    assert "GRAPHQL_VALIDATION_FAILED" in _codes(body), body
    assert not body.get("data"), body


async def test_production_rejects_introspection_over_get(production: GraphQLClient) -> None:
    token = production.token("agent@csm.example")
    response = await production.http.get(
        "/graphql",
        params={"query": INTROSPECTION},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    body = response.json()
    assert "GRAPHQL_VALIDATION_FAILED" in _codes(body), body
    assert not body.get("data"), body


async def test_development_allows_introspection(client: GraphQLClient) -> None:
    data = await client.query(INTROSPECTION, as_="agent@csm.example")
    assert any(t["name"] == "SuccessCase" for t in data["__schema"]["types"])


@pytest.mark.parametrize("query", MISSPELLINGS)
async def test_production_gives_no_suggestions(
    production: GraphQLClient, client: GraphQLClient, query: str
) -> None:
    # The same mistake in development does get a suggestion: the test is about the mode.
    development = (await client.post(query, as_="agent@csm.example")).json()
    assert "did you mean" in str(development["errors"]).lower(), development

    body = (await production.post(query, as_="agent@csm.example")).json()
    assert body.get("errors"), body
    assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"] * len(body["errors"])
    assert "did you mean" not in str(body["errors"]).lower(), body
    assert not body.get("data"), body


async def test_production_gives_no_suggestions_for_variables(
    production: GraphQLClient, client: GraphQLClient
) -> None:
    query, variables = MISSPELLED_VARIABLE
    development = (await client.post(query, variables, as_="agent@csm.example")).json()
    assert "did you mean" in str(development["errors"]).lower(), development

    body = (await production.post(query, variables, as_="agent@csm.example")).json()
    assert _codes(body) == ["BAD_USER_INPUT"], body
    assert "did you mean" not in str(body["errors"]).lower(), body
