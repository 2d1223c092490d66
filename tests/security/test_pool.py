"""A saturated connection pool is a fast, coded refusal, not a wait for the request timeout.

Each test builds an app over its own small pool (the real engine factory, so the settings are
what is tested), checks out every connection of it for real, and asks for more.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from csm_graphql.app import create_app
from csm_graphql.db import create_engine
from csm_graphql.settings import Limits, Settings
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
POOL_SIZE = 2
POOL_TIMEOUT = 0.5
# Far beyond the pool timeout: a response before it proves the pool timeout ended the wait.
REQUEST_TIMEOUT = 30.0


def _settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "db_pool_size": POOL_SIZE,
        "db_max_overflow": 0,
        "db_pool_timeout_seconds": POOL_TIMEOUT,
        "limits": Limits(request_timeout_seconds=REQUEST_TIMEOUT),
    }
    return Settings(**{**values, **overrides})


@asynccontextmanager
async def _app(settings: Settings) -> AsyncIterator[tuple[AsyncEngine, httpx.AsyncClient]]:
    engine = create_engine(settings.database_url or "", settings)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield engine, http
    finally:
        await engine.dispose()


@asynccontextmanager
async def _every_connection_held(engine: AsyncEngine) -> AsyncIterator[list[AsyncConnection]]:
    """All the pool's connections checked out (and proven live) until the block ends."""
    async with AsyncExitStack() as stack:
        held = [await stack.enter_async_context(engine.connect()) for _ in range(POOL_SIZE)]
        for connection in held:
            await connection.execute(text("SELECT 1"))
        yield held


def _assert_busy(response: httpx.Response, elapsed: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["retry-after"]) >= 1
    assert len(response.headers["x-request-id"]) == 32
    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "The server is busy; retry shortly.",
                "extensions": {"code": "SERVICE_UNAVAILABLE"},
            }
        ],
    }
    assert POOL_TIMEOUT <= elapsed < REQUEST_TIMEOUT


async def test_the_default_pool_timeout_is_short() -> None:
    settings = Settings.from_env({})
    assert 0 < settings.db_pool_timeout_seconds <= 2
    assert settings.db_pool_timeout_seconds < settings.limits.request_timeout_seconds
    configured = Settings.from_env({"CSM_DB_POOL_TIMEOUT_SECONDS": "0.25"})
    assert configured.db_pool_timeout_seconds == 0.25
    engine = create_engine("postgresql://nobody@127.0.0.1:1/none", configured)
    try:
        assert engine.pool.timeout() == 0.25  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_full_pool_answers_503_when_authenticating(
    client: GraphQLClient, database_url: str
) -> None:
    async with _app(_settings(database_url)) as (engine, http):
        async with _every_connection_held(engine):
            started = time.monotonic()
            response = await http.post(
                "/graphql",
                json={"query": "{ viewer { id } }"},
                headers={"Authorization": f"Bearer {client.token(AGENT)}"},
            )
            elapsed = time.monotonic() - started
        _assert_busy(response, elapsed)
        # The pool recovers as soon as connections come back.
        again = await http.post(
            "/graphql",
            json={"query": "{ viewer { email } }"},
            headers={"Authorization": f"Bearer {client.token(AGENT)}"},
        )
        assert again.json()["data"] == {"viewer": {"email": AGENT}}


@asynccontextmanager
async def _locked(engine: AsyncEngine, table: str) -> AsyncIterator[None]:
    """Another session holds an exclusive lock on ``table``: reads of it wait."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        yield
        await transaction.rollback()


async def test_a_full_pool_inside_a_resolver_is_coded_service_unavailable(
    client: GraphQLClient, engine: AsyncEngine, database_url: str
) -> None:
    """A one-connection pool: authentication borrows and returns it, then one of two root
    fields keeps it (its read waits on a lock until the statement timeout) while the other
    waits for the pool, and gets the pool timeout. On the resolver path, where root fields read
    in parallel (the compiled reads answer both fields with one statement, on one connection)."""
    settings = _settings(
        database_url,
        db_pool_size=1,
        limits=Limits(request_timeout_seconds=REQUEST_TIMEOUT, statement_timeout_ms=3_000),
        compiled_reads=False,
    )
    page = "engagements(first: 1) { nodes { number } }"
    query = f"{{ a: {page} b: {page} }}"
    async with _app(settings) as (_, http), _locked(engine, "engagements"):
        response = await http.post(
            "/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {client.token(AGENT)}"},
        )
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    # The refused field nulls the (non-null) root, and graphql-core then cancels its sibling.
    [busy] = body["errors"]
    assert busy["path"] in (["a"], ["b"])
    assert busy["message"] == "The server is busy; retry shortly."
    assert busy["extensions"] == {"code": "SERVICE_UNAVAILABLE"}


@pytest.mark.usefixtures("engine")  # the database migrated, whichever tests ran before
async def test_readiness_answers_within_its_own_timeout_whatever_the_pool_does(
    database_url: str,
) -> None:
    # A pool that would make a checkout wait as long as the request may take: only the
    # readiness timeout can end the probe's wait.
    settings = _settings(
        database_url, db_pool_timeout_seconds=REQUEST_TIMEOUT, readiness_timeout_seconds=0.5
    )
    async with _app(settings) as (engine, http):
        assert (await http.get("/readyz")).json() == {"status": "ready"}
        async with _every_connection_held(engine):
            started = time.monotonic()
            response = await http.get("/readyz")
            elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "database": "no answer in time"}
        assert len(response.headers["x-request-id"]) == 32
        assert 0.5 <= elapsed < REQUEST_TIMEOUT
        assert (await http.get("/readyz")).json() == {"status": "ready"}


@pytest.mark.parametrize("name", ["db_pool_timeout_seconds", "readiness_timeout_seconds"])
async def test_timeouts_must_be_positive(name: str) -> None:
    from csm_graphql.settings import SettingsError

    with pytest.raises(SettingsError, match=name.upper()):
        Settings.from_env({f"CSM_{name.upper()}": "0"})
