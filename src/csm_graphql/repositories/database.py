"""The database handle that repositories read through.

Each statement borrows its own pooled connection, so concurrent resolvers and loader batches
never share one (an AsyncSession must not be used concurrently).

Reads run in autocommit mode: a single SELECT needs no transaction, and without one the
driver sends no BEGIN before it and no ROLLBACK when the connection goes back to the pool, so
a statement costs one round trip instead of three. Writes (services) open their own
transaction with ``engine.begin()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

import asyncpg
from sqlalchemy import Executable, RowMapping
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

# A row as the repositories return it (column name -> value). The GraphQL layer names rows by
# this alias: it never imports sqlalchemy (tests/test_layers.py).
Row: TypeAlias = RowMapping
T = TypeVar("T")


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
        if self._observed():
            return await self._through_sqlalchemy(text, parameters, scalar=True)
        return await self._on_driver(lambda driver: driver.fetchval(text, *parameters))

    async def rows_sql(self, text: str, parameters: tuple[Any, ...]) -> Sequence[Mapping[str, Any]]:
        """The rows of a statement already compiled for the driver (see scalar_sql): the
        viewer's load, which every authenticated request runs first."""
        if self._observed():
            rows: Sequence[Mapping[str, Any]] = await self._through_sqlalchemy(
                text, parameters, scalar=False
            )
            return rows
        records = await self._on_driver(lambda driver: driver.fetch(text, *parameters))
        return [dict(record.items()) for record in records]

    def _observed(self) -> bool:
        """Someone listens to the engine's statements (a tracer's spans, the tests' statement
        log): driver text then goes through SQLAlchemy's Connection, whose events they hear.
        The statements and their values are the same either way."""
        dispatch = self.engine.sync_engine.dispatch
        return bool(dispatch.before_cursor_execute) or bool(dispatch.after_cursor_execute)

    async def _through_sqlalchemy(
        self, text: str, parameters: tuple[Any, ...], *, scalar: bool
    ) -> Any:
        assert self._reads is not None, "the database is not open yet"

        async def run(connection: AsyncConnection) -> Any:
            result = await connection.exec_driver_sql(text, parameters)
            return result.scalar() if scalar else result.mappings().all()

        try:
            async with self._reads.connect() as connection:
                return await run(connection)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        async with self._reads.connect() as connection:
            return await run(connection)

    async def _on_driver(self, call: Callable[[Any], Awaitable[T]]) -> T:
        """``call`` on the asyncpg connection of a pooled connection, checked out of the
        engine's own pool (its size, timeout, recycling and dispose hold) without SQLAlchemy's
        Connection around it: for driver text nothing in that layer is needed, and it costs
        more Python than the statement itself (checkout, events, result wrapping, reset).

        No transaction is begun (each statement commits on its own, as the AUTOCOMMIT reads
        above). A connection found dead is invalidated and the read retried once on a fresh
        one, as ``_execute`` does; one left mid-statement (the request timed out and was
        cancelled) is invalidated too, never handed to the next request."""
        pool = self.engine.sync_engine.pool
        for attempt in (1, 2):
            pooled = await greenlet_spawn(pool.connect)
            driver = pooled.driver_connection
            healthy = False
            try:
                result = await call(driver)
                healthy = True
                return result
            except Exception as error:
                if not _connection_failure(error, driver):
                    # The statement failed (an error, statement_timeout): the connection is
                    # fine, unless the driver gave up on it mid-statement (a TimeoutError).
                    healthy = isinstance(error, asyncpg.PostgresError)
                    raise
                if attempt == 2:
                    raise
            finally:
                if not healthy:
                    pooled.invalidate()  # outside a greenlet asyncpg's terminate(): no wait
                await greenlet_spawn(pooled.close)
        raise AssertionError("unreachable")


def _connection_failure(error: Exception, driver: Any) -> bool:
    """The connection is gone or unusable (the server closed it, the socket failed, the
    driver's protocol is out of step): a read may be retried on a fresh one."""
    if driver.is_closed():
        return True
    if isinstance(error, TimeoutError):
        return False  # the statement took too long: not retried (an OSError otherwise)
    if isinstance(
        error,
        OSError
        | asyncpg.InterfaceError
        | asyncpg.exceptions.InternalClientError
        | asyncpg.PostgresConnectionError,
    ):
        return True
    state = getattr(error, "sqlstate", None)
    return isinstance(state, str) and (state.startswith("08") or state in _SERVER_GONE)


# PostgreSQL's admin shutdown, crash shutdown, cannot connect now (as db/failures.py lists).
_SERVER_GONE = frozenset({"57P01", "57P02", "57P03"})


async def _fetch(connection: AsyncConnection, statement: Executable) -> Sequence[RowMapping]:
    result = await connection.execute(statement)
    return result.mappings().all()
