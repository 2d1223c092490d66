"""The database handle that repositories read through.

Each statement borrows its own pooled connection, so concurrent resolvers and loader batches
never share one (an AsyncSession must not be used concurrently).

Reads run in autocommit mode: a single SELECT needs no transaction, and without one the
driver sends no BEGIN before it and no ROLLBACK when the connection goes back to the pool, so
a statement costs one round trip instead of three. Writes (services) open their own
transaction with ``engine.begin()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from sqlalchemy import Executable, RowMapping
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# A row as the repositories return it (column name -> value). The GraphQL layer names rows by
# this alias: it never imports sqlalchemy (tests/test_layers.py).
Row: TypeAlias = RowMapping


class Database:
    def __init__(self, engine: AsyncEngine | None = None) -> None:
        self._engine: AsyncEngine | None = None
        self._reads: AsyncEngine | None = None
        if engine is not None:
            self.open(engine)

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("the database is not open yet (the app's lifespan opens it)")
        return self._engine

    def open(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def _execute(self, statement: Executable) -> Any:
        """Run a read; a connection found dead (the server restarted since it was pooled) is
        discarded by the pool and the read retried once on a fresh one. Reads are idempotent,
        and this spares every checkout the round trip of a pre-ping."""
        assert self._reads is not None, "the database is not open yet"
        try:
            async with self._reads.connect() as connection:
                return await _fetch(connection, statement)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self._reads.connect() as connection:
            return await _fetch(connection, statement)

    async def rows(self, statement: Executable) -> Sequence[RowMapping]:
        rows: Sequence[RowMapping] = await self._execute(statement)
        return rows

    async def first(self, statement: Executable) -> RowMapping | None:
        rows = await self.rows(statement)
        return rows[0] if rows else None

    async def scalar(self, statement: Executable) -> Any:
        rows = await self.rows(statement)
        return next(iter(rows[0].values())) if rows else None

    async def scalar_sql(self, text: str, parameters: tuple[Any, ...]) -> Any:
        """The first column of the first row of a statement already compiled for the driver
        (``$1`` placeholders, values bound): the compiled reads' cached statements. asyncpg
        prepares it once per connection (its statement cache is keyed by the text)."""
        assert self._reads is not None, "the database is not open yet"
        try:
            async with self._reads.connect() as connection:
                return (await connection.exec_driver_sql(text, parameters)).scalar()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self._reads.connect() as connection:
            return (await connection.exec_driver_sql(text, parameters)).scalar()

    async def rows_sql(self, text: str, parameters: tuple[Any, ...]) -> Sequence[RowMapping]:
        """The rows of a statement already compiled for the driver (see scalar_sql): the
        viewer's load, which every authenticated request runs first."""
        assert self._reads is not None, "the database is not open yet"
        try:
            async with self._reads.connect() as connection:
                return (await connection.exec_driver_sql(text, parameters)).mappings().all()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self._reads.connect() as connection:
            return (await connection.exec_driver_sql(text, parameters)).mappings().all()


async def _fetch(connection: AsyncConnection, statement: Executable) -> Sequence[RowMapping]:
    result = await connection.execute(statement)
    return result.mappings().all()
