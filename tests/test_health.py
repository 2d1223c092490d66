"""Probes: /healthz (the process is up) and /readyz (the database answers and is migrated)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from csm_graphql.app import create_app
from csm_graphql.db import create_engine
from csm_graphql.db.migrate import upgrade
from csm_graphql.settings import Settings
from tests.conftest import create_database, drop_database
from tests.support import GraphQLClient

CLOSED_PORT_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/x"


async def _get(app: object, path: str, **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
async def empty_database_url(server_url: str) -> AsyncIterator[str]:
    """A database that exists but was never migrated."""
    url = await create_database(server_url, prefix="csm_unmigrated")
    yield url
    await drop_database(server_url, url)


async def test_healthz_needs_no_token_and_no_database(client: GraphQLClient) -> None:
    response = await client.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["content-type"].startswith("application/json")


async def test_healthz_is_ok_even_when_the_database_is_unreachable() -> None:
    settings = Settings(environment="test", database_url=CLOSED_PORT_URL)
    engine = create_engine(CLOSED_PORT_URL, settings)
    try:
        response = await _get(create_app(settings, engine=engine), "/healthz")
    finally:
        await engine.dispose()
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_on_the_migrated_database(client: GraphQLClient) -> None:
    response = await client.http.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


async def test_probes_ignore_a_bad_token(client: GraphQLClient) -> None:
    headers = {"Authorization": "Bearer not-a-token"}
    assert (await client.http.get("/healthz", headers=headers)).status_code == 200
    assert (await client.http.get("/readyz", headers=headers)).status_code == 200


async def test_readyz_503_until_the_database_is_migrated(empty_database_url: str) -> None:
    settings = Settings(environment="test", database_url=empty_database_url)
    engine = create_engine(empty_database_url, settings)
    try:
        app = create_app(settings, engine=engine)
        ready = await _get(app, "/readyz")
        healthy = await _get(app, "/healthz")
        assert ready.status_code == 503, ready.text
        assert ready.json()["status"] != "ready"
        assert "not migrated" in ready.text
        assert "unreachable" not in ready.text
        assert healthy.status_code == 200

        # The probe reads the revision on every call; it does not cache its verdict.
        await upgrade(engine)
        ready = await _get(app, "/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready"
    finally:
        await engine.dispose()


async def test_readyz_503_when_the_database_is_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(environment="test", database_url=CLOSED_PORT_URL)
    engine = create_engine(CLOSED_PORT_URL, settings)
    try:
        with caplog.at_level(logging.WARNING, logger="csm_graphql.app"):
            response = await _get(create_app(settings, engine=engine), "/readyz")
    finally:
        await engine.dispose()
    # One line a probe, without a traceback: an outage must not bury the log.
    [record] = [r for r in caplog.records if r.name == "csm_graphql.app"]
    assert record.getMessage().startswith("readiness check failed: ")
    assert record.exc_info is None
    assert response.status_code == 503, response.text
    assert response.json()["status"] != "ready"
    assert "unreachable" in response.text
    # Nothing about the connection (host, port, driver error) leaks into the answer.
    assert "127.0.0.1" not in response.text
    assert "refused" not in response.text.lower()
