"""Timeouts against a real PostgreSQL: a statement that cannot finish is cancelled by the
server (statement_timeout), and a request that takes too long is answered by the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.app import create_app
from csm_graphql.db import create_engine
from csm_graphql.settings import Limits, Settings
from tests.support import GraphQLClient

QUERY = "{ engagements(first: 1) { totalCount nodes { number } } }"


@asynccontextmanager
async def _locked(engine: AsyncEngine, table: str) -> AsyncIterator[None]:
    """Another session holds an exclusive lock on ``table``: reads of it wait."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        yield
        await transaction.rollback()


@pytest.fixture
async def engagements_locked(engine: AsyncEngine) -> AsyncIterator[None]:
    async with _locked(engine, "engagements"):
        yield


@pytest.fixture
async def users_locked(engine: AsyncEngine) -> AsyncIterator[None]:
    async with _locked(engine, "users"):
        yield


async def _post_with(settings: Settings, client: GraphQLClient) -> httpx.Response:
    engine = create_engine(settings.database_url or "", settings)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            token = client.token("agent@csm.example")
            return await http.post(
                "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("engagements_locked")
async def test_statement_timeout_is_a_coded_timeout(
    client: GraphQLClient, database_url: str
) -> None:
    limits = Limits(statement_timeout_ms=1000, request_timeout_seconds=10)
    settings = Settings(environment="test", database_url=database_url, limits=limits)
    response = await _post_with(settings, client)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == "The request took too long."
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "engagements" not in str(body["errors"][0].get("extensions"))


@pytest.mark.usefixtures("engagements_locked")
async def test_request_timeout_answers_504(client: GraphQLClient, database_url: str) -> None:
    limits = Limits(statement_timeout_ms=10_000, request_timeout_seconds=0.5)
    settings = Settings(environment="test", database_url=database_url, limits=limits)
    response = await _post_with(settings, client)
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


@pytest.mark.usefixtures("users_locked")
async def test_statement_timeout_while_authenticating_is_a_timeout_not_an_outage(
    client: GraphQLClient, database_url: str
) -> None:
    limits = Limits(statement_timeout_ms=1000, request_timeout_seconds=10)
    settings = Settings(environment="test", database_url=database_url, limits=limits)
    response = await _post_with(settings, client)
    assert response.status_code == 504
    assert response.json() == {
        "data": None,
        "errors": [{"message": "The request took too long.", "extensions": {"code": "TIMEOUT"}}],
    }
