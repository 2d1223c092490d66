"""Shared fixtures: one real PostgreSQL database per test session, built by the migrations and
loaded with the demo data; the app over it; a client that acts as any persona.

``CSM_TEST_DATABASE_URL`` names a server to use (a fresh database is created on it and dropped
afterwards); without it an embedded PostgreSQL is started in a temporary directory.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from csm_graphql import tables
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.db import create_engine, to_async_url
from csm_graphql.db.migrate import upgrade
from csm_graphql.demo.seed import seed
from csm_graphql.settings import RateLimit, Settings
from tests import compiled_path
from tests.factories import Factory, Isolated, clone_database
from tests.support import GraphQLClient, StatementLog

# The demo data's "today": fixed, so that expectations computed from it are reproducible.
ANCHOR = date(2026, 6, 1)
SEED = 42


def _server_url() -> str:
    configured = os.environ.get("CSM_TEST_DATABASE_URL")
    if configured:
        return to_async_url(configured)
    from csm_graphql.db.embedded import start_embedded

    data_dir = Path(tempfile.mkdtemp(prefix="csm-graphql-tests-"))
    # Registered before the server's own exit hook, so it runs after it (atexit is LIFO).
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    return to_async_url(start_embedded(data_dir, database="postgres", temporary=True))


async def create_database(server_url: str, prefix: str = "csm_test") -> str:
    """A new empty database on the server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, database_url: str) -> None:
    await drop_databases(server_url, [database_url])


async def drop_databases(server_url: str, database_urls: list[str], at_once: int = 4) -> None:
    """Drops the databases, ``at_once`` at a time over one small pool: concurrent drops share
    the checkpoint each waits for, but a connection per drop (a session ends with a few
    hundred clones) would exceed a stock PostgreSQL's 100 connections."""
    admin = create_async_engine(
        server_url, isolation_level="AUTOCOMMIT", pool_size=at_once, max_overflow=0
    )
    turns = asyncio.Semaphore(at_once)

    async def drop(database_url: str) -> None:
        name = make_url(database_url).database
        async with turns, admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        await asyncio.gather(*(drop(url) for url in database_urls))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
async def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    url = await create_database(server_url)
    yield url
    await drop_database(server_url, url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Rate limiting off: the suite runs thousands of requests as a few personas in seconds.
    # tests/security/test_rate_limit.py turns it on for itself.
    return Settings(
        environment="test",
        database_url=database_url,
        rate_limit=RateLimit(0),
        compiled_reads=compiled_path.ON,
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    compiled_path.summary(terminalreporter)


@pytest.fixture(scope="session")
async def engine(database_url: str, settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = await _seeded_engine(database_url, settings)
    yield engine
    await engine.dispose()


async def _seeded_engine(url: str, settings: Settings) -> AsyncEngine:
    engine = create_engine(url, settings)
    await upgrade(engine)
    async with engine.begin() as connection:
        await seed(connection, scale=1, seed=SEED, anchor=ANCHOR)
    return engine


async def _principals(engine: AsyncEngine) -> dict[str, tuple[PrincipalKind, int]]:
    found: dict[str, tuple[PrincipalKind, int]] = {}
    async with engine.connect() as connection:
        for kind, table in (
            (PrincipalKind.USER, tables.users),
            (PrincipalKind.CONTACT, tables.contacts),
        ):
            for row in await connection.execute(select(table.c.email, table.c.id)):
                found[row.email] = (kind, row.id)
    return found


@pytest.fixture(scope="session")
def statement_log(engine: AsyncEngine) -> StatementLog:
    log = StatementLog()
    log.attach(engine)
    return log


@pytest.fixture(scope="session")
async def principals(engine: AsyncEngine) -> dict[str, tuple[PrincipalKind, int]]:
    """Every user and contact by email, so tests can act as any of them."""
    return await _principals(engine)


@pytest.fixture(scope="session")
async def client(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    """The app as configured: the compiled reads on (the default) unless
    ``CSM_COMPILED_READS=off`` (tests/compiled_path.py)."""
    async for served in _app_client(engine, settings, principals):
        yield served


async def _app_client(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, settings, principals)


# Both paths explicitly, whatever the run's default: the differential tests compare them, and
# the statement-count tests pin each path's count for the same query.
@pytest.fixture(scope="session")
async def resolver_client(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    """The same app over the same database with the compiled reads off: the resolvers, which
    are the reference semantics, answer every query."""
    async for served in _app_client(engine, replace(settings, compiled_reads=False), principals):
        yield served


@pytest.fixture(params=[False, True], ids=["resolvers", "compiled"])
def each_path(
    request: pytest.FixtureRequest, resolver_client: GraphQLClient, compiled_client: GraphQLClient
) -> GraphQLClient:
    """The test runs on both paths (``compiled_path.pinned``: each path's statement count)."""
    return compiled_client if request.param else resolver_client


@pytest.fixture(scope="session")
async def compiled_client(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    """The same app over the same database with the compiled reads on."""
    async for served in _app_client(engine, replace(settings, compiled_reads=True), principals):
        yield served


# -- a second database for tests that write --------------------------------------------------
# Mutations change data; they run against their own seeded database so that the read tests'
# expectations (computed from the demo data) never see their changes. Tests that write assert
# on the records they create or on changes relative to what they read first, never on totals
# another writing test may have moved.


@pytest.fixture(scope="session")
async def write_database_url(server_url: str) -> AsyncIterator[str]:
    url = await create_database(server_url, prefix="csm_test_writes")
    yield url
    await drop_database(server_url, url)


@pytest.fixture(scope="session")
def write_settings(write_database_url: str) -> Settings:
    # On the run's path as the read client is (the compiled reads unless CSM_COMPILED_READS=off).
    return Settings(
        environment="test",
        database_url=write_database_url,
        rate_limit=RateLimit(0),
        compiled_reads=compiled_path.ON,
    )


@pytest.fixture(scope="session")
async def write_engine(
    write_database_url: str, write_settings: Settings
) -> AsyncIterator[AsyncEngine]:
    engine = await _seeded_engine(write_database_url, write_settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def write_principals(write_engine: AsyncEngine) -> dict[str, tuple[PrincipalKind, int]]:
    return await _principals(write_engine)


@pytest.fixture(scope="session")
async def write_client(
    write_engine: AsyncEngine,
    write_settings: Settings,
    write_principals: dict[str, tuple[PrincipalKind, int]],
) -> AsyncIterator[GraphQLClient]:
    """A client over the writable database: use it for every mutation."""
    app = create_app(write_settings, engine=write_engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, write_settings, write_principals)


# -- write tests with a database of their own (issue 9, "tests that isolate") ----------------
# ``isolated`` gives a test a database cloned from a migrated, empty template, an app and a
# client over it, and factories (tests/factories.py) for the rows it needs: what it writes is
# seen by no other test, so it asserts exact values, not changes relative to the demo seed.


@pytest.fixture(scope="session")
async def template_database_url(server_url: str) -> AsyncIterator[str]:
    """Migrated and empty; never connected to after the migrations (PostgreSQL copies a
    template only while nobody is connected to it). The clones are dropped with it, at the
    end of the session, so that no test waits for a DROP DATABASE."""
    url = await create_database(server_url, prefix="csm_test_template")
    engine = create_engine(url, Settings(environment="test", database_url=url))
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    clones: list[str] = []
    _CLONES[url] = clones
    yield url
    await drop_databases(server_url, clones)
    await drop_database(server_url, url)


_CLONES: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
async def isolated_module(server_url: str, template_database_url: str) -> AsyncIterator[Isolated]:
    """One database of its own for a whole test module (a clone costs ~0.4 s): its tests share
    it, so each either leaves it as it found it (refusals that must write nothing, reads over
    data a module fixture built) or asserts exact values on the records it built itself (its
    own account, its own case), never on totals. A test that counts what it wrote takes
    ``isolated``."""
    async for own in _own_database(server_url, template_database_url):
        yield own


async def _own_database(server_url: str, template_database_url: str) -> AsyncIterator[Isolated]:
    url = await clone_database(server_url, template_database_url)
    _CLONES[template_database_url].append(url)
    settings = Settings(
        environment="test",
        database_url=url,
        rate_limit=RateLimit(0),
        compiled_reads=compiled_path.ON,
    )
    engine = create_engine(url, settings)
    try:
        app = create_app(settings, engine=engine)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            client = GraphQLClient(http, settings, {})
            yield Isolated(engine, client, Factory(engine, client))
    finally:
        await engine.dispose()


@pytest.fixture
async def isolated(server_url: str, template_database_url: str) -> AsyncIterator[Isolated]:
    async for own in _own_database(server_url, template_database_url):
        yield own
