"""What went wrong with the database: no pooled connection free in time, a timeout, or a
server that cannot be reached.

Both the GraphQL layer and authentication (which reads the database before GraphQL runs)
classify failures here, with :func:`classify`, so the same failure gets the same message, code
and HTTP status wherever it happens.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import sqlalchemy.exc

from csm_graphql.errors import (
    BUSY_MESSAGE,
    TIMEOUT_MESSAGE,
    UNAVAILABLE_MESSAGE,
    ErrorCode,
)

# Both kinds of 503 are short-lived: a saturated pool frees connections within the pool
# timeout, and a database restart was measured at well under a second.
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, slots=True)
class Failure:
    """How a database failure is answered: ``status`` is the HTTP status when it happens
    before GraphQL runs (inside GraphQL the response stays 200 and the error is coded)."""

    message: str
    code: ErrorCode
    status: int
    retry_after: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


POOL_EXHAUSTED = Failure(BUSY_MESSAGE, ErrorCode.SERVICE_UNAVAILABLE, 503, RETRY_AFTER_SECONDS)
TIMED_OUT = Failure(TIMEOUT_MESSAGE, ErrorCode.TIMEOUT, 504)
UNAVAILABLE = Failure(UNAVAILABLE_MESSAGE, ErrorCode.SERVICE_UNAVAILABLE, 503, RETRY_AFTER_SECONDS)


def classify(error: BaseException) -> Failure | None:
    """The database failure behind ``error``, or None when it is not one. The first that
    applies wins, most specific first."""
    if is_pool_exhausted(error):
        return POOL_EXHAUSTED
    if is_timeout(error):
        return TIMED_OUT
    if is_unavailable(error):
        return UNAVAILABLE
    return None


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


def is_pool_exhausted(error: BaseException) -> bool:
    # SQLAlchemy raises its TimeoutError only when no pooled connection came free within
    # pool_timeout: this process is saturated, whatever the state of the database.
    return any(isinstance(e, sqlalchemy.exc.TimeoutError) for e in _chain(error))


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
    # PEP 249 reserves these two for failures of the connection rather than of the statement.
    if isinstance(error, sqlalchemy.exc.InterfaceError | sqlalchemy.exc.OperationalError):
        return True
    state = _sqlstate(error)
    return state is not None and (state.startswith("08") or state in _SERVER_GONE)
