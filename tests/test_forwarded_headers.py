"""X-Forwarded-For and X-Forwarded-Proto count only from the proxies CSM_FORWARDED_ALLOW_IPS
names: anyone else's claim leaves the client address (what the access log records) alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from csm_graphql.app import create_app
from csm_graphql.settings import ENVIRONMENT_VARIABLES, Settings, SettingsError
from tests.test_logs import Captured, _capture

PROXY = "10.0.0.5"
STRANGER = "203.0.113.9"
CLAIMED = "198.51.100.7"
FORWARDED = {"X-Forwarded-For": CLAIMED, "X-Forwarded-Proto": "https"}


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    yield from _capture("json")


async def _access_line(
    settings: Settings, engine: AsyncEngine, peer: str, logs: Captured
) -> dict[str, Any]:
    """One request from ``peer`` claiming to forward for CLAIMED; its access log line."""
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        response = await http.get("/healthz", headers=FORWARDED)
    assert response.status_code == 200
    [line] = [line for line in logs.json_lines() if line["logger"] == "csm_graphql.access"]
    return line


async def test_by_default_no_peer_is_trusted(
    settings: Settings, engine: AsyncEngine, json_logs: Captured
) -> None:
    assert settings.forwarded_allow_ips == ()
    for peer in (STRANGER, "127.0.0.1"):
        json_logs.stream.truncate(0)
        json_logs.stream.seek(0)
        assert (await _access_line(settings, engine, peer, json_logs))["client"] == peer


async def test_a_peer_that_is_not_the_named_proxy_is_not_believed(
    settings: Settings, engine: AsyncEngine, json_logs: Captured
) -> None:
    trusting = replace(settings, forwarded_allow_ips=(PROXY,))
    assert (await _access_line(trusting, engine, STRANGER, json_logs))["client"] == STRANGER


async def test_the_named_proxy_is_believed(
    settings: Settings, engine: AsyncEngine, json_logs: Captured
) -> None:
    trusting = replace(settings, forwarded_allow_ips=("10.0.0.0/24",))
    assert (await _access_line(trusting, engine, PROXY, json_logs))["client"] == CLAIMED


async def test_the_application_sees_the_forwarded_client_and_scheme(
    settings: Settings, engine: AsyncEngine
) -> None:
    """Past the middleware, Starlette's request.client and url.scheme are the forwarded ones
    exactly when the peer is trusted."""
    seen: list[tuple[str, str]] = []

    async def probe(request: Request) -> JSONResponse:
        assert request.client is not None
        seen.append((request.client.host, request.url.scheme))
        return JSONResponse({})

    for trusted in ((), (PROXY,)):
        app = create_app(replace(settings, forwarded_allow_ips=trusted), engine=engine)
        app.router.routes.append(Route("/probe", probe))
        transport = httpx.ASGITransport(app=app, client=(PROXY, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            assert (await http.get("/probe", headers=FORWARDED)).status_code == 200
    assert seen == [(PROXY, "http"), (CLAIMED, "https")]


def test_the_setting_is_read_and_checked() -> None:
    assert "CSM_FORWARDED_ALLOW_IPS" in ENVIRONMENT_VARIABLES
    env = {"CSM_FORWARDED_ALLOW_IPS": " 10.0.0.5, 172.18.0.0/16 ,fd00::1"}
    assert Settings.from_env(env).forwarded_allow_ips == ("10.0.0.5", "172.18.0.0/16", "fd00::1")
    assert Settings.from_env({}).forwarded_allow_ips == ()
    with pytest.raises(SettingsError, match="CSM_FORWARDED_ALLOW_IPS"):
        Settings.from_env({"CSM_FORWARDED_ALLOW_IPS": "proxy.internal"})
