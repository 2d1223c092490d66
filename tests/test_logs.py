"""Log lines: JSON in production, readable in development, each with the id of the request that
produced it, and one access line per request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from csm_graphql.app import create_app
from csm_graphql.db import create_engine
from csm_graphql.observability.logs import formatter, log_config
from csm_graphql.settings import Settings
from tests.support import GraphQLClient

CLOSED_PORT_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/x"


class Captured:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines()]


def _capture(log_format: str) -> Iterator[Captured]:
    """The root logger writes through our formatter for the test; the access log is on."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(log_format))
    root, access = logging.getLogger(), logging.getLogger("csm_graphql.access")
    access_level = access.level
    root.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        access.setLevel(access_level)


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    yield from _capture("json")


@pytest.fixture
def console_logs() -> Iterator[Captured]:
    yield from _capture("console")


async def test_each_request_has_one_json_access_line_with_its_request_id(
    client: GraphQLClient, json_logs: Captured
) -> None:
    response = await client.http.get(
        "/healthz?secret=not-logged", headers={"X-Request-ID": "req-1"}
    )
    assert response.headers["x-request-id"] == "req-1"
    [line] = [line for line in json_logs.json_lines() if line["logger"] == "csm_graphql.access"]
    assert line["request_id"] == "req-1"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] >= 0
    assert "not-logged" not in json_logs.stream.getvalue()


async def test_lines_logged_inside_the_app_carry_the_request_id(json_logs: Captured) -> None:
    settings = Settings(environment="test", database_url=CLOSED_PORT_URL)
    engine = create_engine(CLOSED_PORT_URL, settings)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get("/readyz")
    finally:
        await engine.dispose()
    assert response.status_code == 503
    request_id = response.headers["x-request-id"]
    # The readiness probe's own warning, logged by app code that was never handed the id.
    [warning] = [line for line in json_logs.json_lines() if line["logger"] == "csm_graphql.app"]
    assert warning["level"] == "warning"
    assert "readiness check failed" in warning["event"]
    assert warning["request_id"] == request_id


async def test_console_lines_are_for_people(client: GraphQLClient, console_logs: Captured) -> None:
    await client.http.get("/healthz", headers={"X-Request-ID": "req-2"})
    [line] = [line for line in console_logs.lines() if "csm_graphql.access" in line]
    assert "GET /healthz 200" in line
    assert "request_id=req-2" in line
    assert not line.startswith("{")


def test_a_traceback_stays_inside_its_json_line(json_logs: Captured) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("csm_graphql.test").exception("it failed")
    [line] = json_logs.json_lines()
    assert "ValueError: boom" in line["exception"]


def test_the_access_log_can_be_turned_off() -> None:
    assert log_config("json", access_log=False)["loggers"]["csm_graphql.access"]["level"] == (
        "WARNING"
    )
    assert log_config("json")["loggers"]["csm_graphql.access"]["level"] == "NOTSET"


def test_json_lines_encode_what_orjson_cannot() -> None:
    """Lines are encoded by orjson; an integer over 64 bits, an object without a JSON form or a
    non-string key still make one valid JSON line, as the standard library's encoder did."""
    from csm_graphql.observability.logs import dumps_line

    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    for event, expected in (
        ({"event": "x", "n": 2**70}, {"event": "x", "n": 2**70}),
        ({"event": "x", "o": Opaque(), 1: "y"}, {"event": "x", "o": "<opaque>", "1": "y"}),
    ):
        line = dumps_line(event)
        assert "\n" not in line
        assert json.loads(line) == expected
