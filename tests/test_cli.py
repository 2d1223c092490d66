"""The ``csm-graphql`` command line, run as a real subprocess against a database of its own."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import text

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.auth import issue_token
from csm_graphql.db import create_engine
from csm_graphql.settings import ENVIRONMENT_VARIABLES, Limits, Settings
from tests.conftest import create_database, drop_database

REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("csm-graphql")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "csm_graphql.cli"]
ANCHOR = "2026-06-01"
GOOD_SECRET = "s" * 40


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def _environment(**extra: str) -> dict[str, str]:
    """The parent's environment without any CSM_* setting, plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CSM_")}
    env.update(extra)
    return env


async def cli(*args: str, seconds: float = 60, **env: str) -> Run:
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        *args,
        cwd=REPO,
        env=_environment(**env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"csm-graphql {' '.join(args)} did not finish in {seconds} s")
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def _fingerprint(url: str) -> tuple[int, str]:
    """How many success cases there are, and a digest of their generated content."""
    engine = create_engine(url, Settings(environment="test", database_url=url))
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT count(*) AS n, md5(string_agg(concat_ws('|', id, number, "
                        "account_id, short_description, description, state, priority, due_date, "
                        "visible_to_customer, assigned_to_id, contact_id), ',' ORDER BY id)) AS d "
                        "FROM success_cases"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    return row.n, row.d


@pytest.fixture(scope="module")
async def cli_database(server_url: str) -> AsyncIterator[str]:
    """A database migrated and seeded (seed 7) by the CLI itself."""
    url = await create_database(server_url, prefix="csm_cli")
    try:
        upgraded = await cli("db", "upgrade", CSM_DATABASE_URL=url)
        assert upgraded.code == 0, upgraded.stderr
        seeded = await cli(
            "seed", "--scale", "1", "--seed", "7", "--anchor", ANCHOR, CSM_DATABASE_URL=url
        )
        assert seeded.code == 0, seeded.stderr
        assert "seeded" in seeded.stderr
        yield url
    finally:
        await drop_database(server_url, url)


async def _viewer(url: str, token: str) -> httpx.Response:
    settings = Settings(environment="test", database_url=url)
    engine = create_engine(url, settings)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.post(
                "/graphql",
                json={"query": "{ viewer { kind email roles } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
    finally:
        await engine.dispose()


async def test_token_prints_a_jwt_the_app_accepts(cli_database: str) -> None:
    issued, missing = await asyncio.gather(
        cli("token", "success@acme.example", CSM_DATABASE_URL=cli_database),
        cli("token", "nobody@example.com", CSM_DATABASE_URL=cli_database),
    )
    assert issued.code == 0, issued.stderr
    token = issued.stdout.strip()
    assert issued.stdout.count("\n") == 1
    assert token.count(".") == 2
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == Settings().token_ttl_seconds
    response = await _viewer(cli_database, token)
    assert response.status_code == 200, response.text
    viewer = response.json()["data"]["viewer"]
    assert viewer["kind"] == "CONTACT"
    assert viewer["email"] == "success@acme.example"
    assert viewer["roles"] == ["customer_success_customer"]

    # No such principal: exit status 1, nothing on stdout, the reason on stderr.
    assert missing.code == 1
    assert missing.stdout == ""
    assert "nobody@example.com" in missing.stderr


async def test_seed_is_deterministic(cli_database: str) -> None:
    count, before = await _fingerprint(cli_database)
    assert count > 0
    again = await cli(
        "seed", "--scale", "1", "--seed", "7", "--anchor", ANCHOR, CSM_DATABASE_URL=cli_database
    )
    assert again.code == 0, again.stderr
    assert await _fingerprint(cli_database) == (count, before)


async def test_seed_rejects_a_scale_below_one(cli_database: str) -> None:
    refused = await cli("seed", "--scale", "0", CSM_DATABASE_URL=cli_database)
    assert refused.code == 2
    assert "scale" in refused.stderr


async def test_schema_export_equals_the_committed_schema() -> None:
    exported = await cli("schema", "export")
    assert exported.code == 0, exported.stderr
    assert exported.stdout == (REPO / "schema.graphql").read_text()


async def test_schema_check(tmp_path: Path) -> None:
    modified = tmp_path / "schema.graphql"
    modified.write_text((REPO / "schema.graphql").read_text().replace("type Query", "type Qurey"))
    default, changed = await asyncio.gather(
        cli("schema", "check"),  # schema.graphql in the working directory (the repository)
        cli("schema", "check", str(modified)),
    )
    assert default.code == 0, default.stderr
    assert changed.code == 1
    assert "differs" in changed.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("db", "upgrade"),
        ("seed", "--scale", "1"),
        ("token", "agent@csm.example"),
        ("serve", "--port", "1"),
    ],
    ids=["db-upgrade", "seed", "token", "serve"],
)
async def test_production_without_a_secret_or_a_database_exits_2(
    cli_database: str, args: tuple[str, ...]
) -> None:
    misconfigured: list[dict[str, str]] = [
        {"CSM_DATABASE_URL": cli_database},
        {"CSM_DATABASE_URL": cli_database, "CSM_SECRET_KEY": "too-short"},
        # A real secret, but no database: production never starts the embedded one.
        {"CSM_SECRET_KEY": GOOD_SECRET},
    ]
    results = await asyncio.gather(
        *(cli(*args, seconds=30, CSM_ENV="production", **env) for env in misconfigured)
    )
    for result in results:
        assert result.code == 2, result
        assert "configuration error" in result.stderr
        assert result.stdout == ""
        assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_serve_answers_an_authenticated_query(cli_database: str) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        cwd=REPO,
        env=_environment(CSM_DATABASE_URL=cli_database),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                assert process.returncode is None, "the server exited early"
                try:
                    ready = await http.get("/readyz")
                    if ready.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not become ready"
                await asyncio.sleep(0.2)
            assert (await http.get("/healthz")).json() == {"status": "ok"}

            engine = create_engine(cli_database, Settings(database_url=cli_database))
            try:
                async with engine.connect() as connection:
                    agent_id = await connection.scalar(
                        text("SELECT id FROM users WHERE email = 'agent@csm.example'")
                    )
            finally:
                await engine.dispose()
            token = issue_token(Settings(), PrincipalKind.USER, agent_id)
            response = await http.post(
                "/graphql",
                json={"query": "{ viewer { email } successCases(first: 1) { totalCount } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["data"]["viewer"]["email"] == "agent@csm.example"
            assert body["data"]["successCases"]["totalCount"] > 0
            unauthenticated = await http.post("/graphql", json={"query": "{ viewer { email } }"})
            assert unauthenticated.status_code == 401
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        if process.stderr is not None:
            await process.stderr.read()


async def test_an_unknown_log_level_is_a_usage_error_not_a_crash() -> None:
    result = await cli("serve", "--log-level", "loud", seconds=30)
    assert result.code == 2
    assert "invalid choice: 'loud'" in result.stderr
    assert "Traceback" not in result.stderr


async def test_version_and_help_tell_defaults_and_the_environment() -> None:
    version, help_text, serve_help = await asyncio.gather(
        cli("--version", seconds=30), cli("--help", seconds=30), cli("serve", "--help", seconds=30)
    )
    assert version.code == 0
    assert version.stdout.startswith("csm-graphql ")
    assert help_text.code == 0
    for name in ENVIRONMENT_VARIABLES:
        assert name in help_text.stdout
    assert "(default: 8000)" in serve_help.stdout
    assert "(default: info)" in serve_help.stdout


def test_the_help_lists_every_variable_settings_read() -> None:
    source = (REPO / "src" / "csm_graphql" / "settings.py").read_text()
    read = set(re.findall(r'"(CSM_[A-Z_]+)"', source)) - {"CSM_"}
    limits = {f"CSM_{name.upper()}" for name in Limits.__dataclass_fields__}
    assert set(ENVIRONMENT_VARIABLES) == read | limits


async def test_token_against_an_empty_database_says_what_to_do(server_url: str) -> None:
    url = await create_database(server_url, prefix="csm_cli_empty")
    try:
        result = await cli("token", "agent@csm.example", CSM_DATABASE_URL=url)
    finally:
        await drop_database(server_url, url)
    assert result.code == 1
    assert "has no tables yet" in result.stderr
    assert "csm-graphql seed" in result.stderr
    assert "Traceback" not in result.stderr


async def test_serve_writes_json_lines_with_the_request_id(cli_database: str) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        "serve",
        "--port",
        str(port),
        cwd=REPO,
        env=_environment(CSM_DATABASE_URL=cli_database, CSM_LOG_FORMAT="json"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                assert process.returncode is None, "the server exited early"
                try:
                    response = await http.get("/healthz", headers={"X-Request-ID": "cli-req-1"})
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server did not start"
                    await asyncio.sleep(0.2)
        assert response.status_code == 200
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
    assert process.stderr is not None
    lines = [
        json.loads(line)
        for line in (await process.stderr.read()).decode().splitlines()
        if line.startswith("{")
    ]
    # uvicorn's own lines go through the same formatter ...
    assert any(line["logger"] == "uvicorn.error" for line in lines)
    # ... and the request's access line carries its id.
    [access] = [line for line in lines if line["logger"] == "csm_graphql.access"]
    assert (access["request_id"], access["path"], access["status"]) == (
        "cli-req-1",
        "/healthz",
        200,
    )
