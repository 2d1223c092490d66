"""The read path: a pooled connection that died under it is replaced, not reported."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables
from csm_graphql.db import create_engine
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
