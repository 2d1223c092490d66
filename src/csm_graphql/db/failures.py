"""What went wrong with the database: a timeout, or a server that cannot be reached.

Both the GraphQL layer and authentication (which reads the database before GraphQL runs)
classify failures here, so the same failure gets the same code wherever it happens.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator

import asyncpg
import sqlalchemy.exc

_QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout (or a cancel request) fired
_SERVER_GONE = {"57P01", "57P02", "57P03", "53300"}  # shutdown, crash, starting, too many conns
_CONNECTION_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EPIPE,
}


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps: SQLAlchemy's ``.orig``, causes and contexts."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)


def _sqlstate(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else None


def is_timeout(error: BaseException) -> bool:
    # asyncpg's command_timeout raises a bare TimeoutError; PostgreSQL's statement_timeout
    # raises QueryCanceledError, which SQLAlchemy wraps in a DBAPIError.
    return any(
        isinstance(e, TimeoutError | asyncpg.exceptions.QueryCanceledError)
        or _sqlstate(e) == _QUERY_CANCELED
        for e in _chain(error)
    )


def is_unavailable(error: BaseException) -> bool:
    return any(_is_connection_failure(e) for e in _chain(error))


def _is_connection_failure(error: BaseException) -> bool:
    if isinstance(
        error, ConnectionError | socket.gaierror | asyncpg.exceptions.ConnectionDoesNotExistError
    ):
        return True
    if isinstance(error, OSError) and error.errno in _CONNECTION_ERRNOS:
        return True
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
        return True
    # PEP 249 reserves these two for failures of the connection rather than of the statement;
    # a pool TimeoutError means no connection could be had in time.
    if isinstance(
        error,
        sqlalchemy.exc.InterfaceError
        | sqlalchemy.exc.OperationalError
        | sqlalchemy.exc.TimeoutError,
    ):
        return True
    state = _sqlstate(error)
    return state is not None and (state.startswith("08") or state in _SERVER_GONE)
