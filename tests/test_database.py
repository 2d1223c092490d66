"""The read path: a pooled connection that died under it is replaced, not reported; driver
text (compiled reads, the viewer's load) reads the same through asyncpg as through SQLAlchemy."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables
from csm_graphql.db import create_engine
from csm_graphql.db.failures import TIMED_OUT, classify
from csm_graphql.repositories.database import Database
from csm_graphql.settings import Settings


async def test_a_read_survives_a_server_side_disconnect(
    engine: AsyncEngine, database_url: str
) -> None:
    own = create_engine(database_url, Settings(environment="test", database_url=database_url))
    db = Database(own)
    try:
        backend = await db.scalar(select(text("pg_backend_pid()")))
        async with engine.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        # The pooled connection is dead now; the read must still succeed, on a new one.
        assert await db.scalar(select(text("pg_backend_pid()"))) != backend
        assert await db.scalar(select(tables.accounts.c.id).limit(1)) is not None
    finally:
        await own.dispose()


# -- driver text (compiled reads, the viewer's load): asyncpg under the engine's pool -----------


async def test_driver_text_reads_as_through_sqlalchemy(
    engine: AsyncEngine, database_url: str
) -> None:
    own = create_engine(database_url, Settings(environment="test", database_url=database_url))
    db = Database(own)
    statement = (
        "SELECT id, name, ARRAY[id, 2] AS ids FROM accounts WHERE id > $1 ORDER BY id LIMIT 3"
    )
    try:
        assert not db._observed()
        fast = await db.rows_sql(statement, (0,))
        text_ = "SELECT json_build_object('n', count(*))::text FROM accounts WHERE id > $1"
        fast_scalar = await db.scalar_sql(text_, (0,))
        slow = await db._through_sqlalchemy(statement, (0,), scalar=False)
        slow_scalar = await db._through_sqlalchemy(text_, (0,), scalar=True)
        assert [dict(row) for row in slow] == fast
        assert len(fast) == 3
        assert fast_scalar == slow_scalar
        assert isinstance(fast_scalar, str)
        assert await db.scalar_sql("SELECT 1 WHERE false", ()) is None
        # Every connection went back to the pool.
        assert own.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await own.dispose()


async def test_driver_text_survives_a_server_side_disconnect(
    engine: AsyncEngine, database_url: str
) -> None:
    own = create_engine(database_url, Settings(environment="test", database_url=database_url))
    db = Database(own)
    try:
        backend = await db.scalar_sql("SELECT pg_backend_pid()", ())
        async with engine.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        assert await db.scalar_sql("SELECT pg_backend_pid()", ()) != backend
        assert own.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await own.dispose()


async def test_driver_text_errors_and_cancellation_leave_the_pool_sound(
    engine: AsyncEngine, database_url: str
) -> None:
    own = create_engine(database_url, Settings(environment="test", database_url=database_url))
    db = Database(own)
    try:
        backend = await db.scalar_sql("SELECT pg_backend_pid()", ())
        # A statement error keeps the (healthy) connection, and is classified as before.
        with pytest.raises(asyncpg.UndefinedTableError):
            await db.scalar_sql("SELECT count(*) FROM no_such_table", ())
        await db.scalar_sql("SELECT set_config('statement_timeout', '50', false)", ())
        with pytest.raises(asyncpg.QueryCanceledError) as cancelled:
            await db.scalar_sql("SELECT pg_sleep(1)", ())
        assert classify(cancelled.value) is TIMED_OUT
        await db.scalar_sql("SELECT set_config('statement_timeout', '0', false)", ())
        assert await db.scalar_sql("SELECT pg_backend_pid()", ()) == backend
        # A read cancelled mid-statement (the request timed out): its connection is dropped,
        # never handed to the next read.
        task = asyncio.ensure_future(db.scalar_sql("SELECT pg_sleep(5)", ()))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await db.scalar_sql("SELECT 41 + 1", ()) == 42
        assert own.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await own.dispose()
