"""The migrations build exactly the tables the code defines, and run both ways."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.db import create_engine
from csm_graphql.db.migrate import current_revision, downgrade, head_revision, upgrade
from csm_graphql.settings import Settings
from csm_graphql.tables import metadata
from tests.conftest import create_database, drop_database


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


@pytest.fixture
async def empty_engine(server_url: str) -> AsyncIterator[AsyncEngine]:
    url = await create_database(server_url, prefix="csm_migrations")
    engine = create_engine(url, Settings(environment="test", database_url=url))
    yield engine
    await engine.dispose()
    await drop_database(server_url, url)


async def test_tables_and_migrations_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == [], "tables/ and migrations/ disagree: add a migration"
    assert await current_revision(engine) == head_revision()


async def test_upgrade_downgrade_upgrade(empty_engine: AsyncEngine) -> None:
    def table_names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names()) - {"alembic_version"}

    await upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(table_names) == set(metadata.tables)
    await downgrade(empty_engine, "base")
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(table_names) == set()
    await upgrade(empty_engine)
    assert await current_revision(empty_engine) == head_revision()
