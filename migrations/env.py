"""Alembic environment: runs migrations over an async engine; metadata is the tables package."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from csm_graphql.db.engine import database_url, to_async_url
from csm_graphql.tables import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    """alembic.ini's sqlalchemy.url if set, else the application's own database (CSM_* settings),
    so plain `alembic` from the repository root migrates what `csm-graphql db upgrade` would."""
    if url := config.get_main_option("sqlalchemy.url"):
        return to_async_url(url)
    from csm_graphql.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise SystemExit(f"configuration error: {error}") from None
    return database_url(settings)


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as async_connection:
        await async_connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    # `alembic upgrade head --sql` prints PostgreSQL's SQL; no connection is needed.
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        dialect_name="postgresql",
        target_metadata=target_metadata,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    _run(connection)  # handed over by csm_graphql.db.migrate, inside its transaction
else:
    asyncio.run(_run_online())
