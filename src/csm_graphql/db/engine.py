"""Engine construction. One pool per process; every statement carries a server-side timeout."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from csm_graphql.settings import Settings


def to_async_url(url: str) -> str:
    """Accept the URLs people have (``postgres://``, ``postgresql://``) and pick asyncpg."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def database_url(settings: Settings) -> str:
    """The configured URL, or the embedded server's when none is configured."""
    if settings.database_url:
        return to_async_url(settings.database_url)
    from csm_graphql.db.embedded import start_embedded

    return to_async_url(start_embedded(settings.data_dir))


def server_settings(settings: Settings) -> dict[str, str]:
    """The session settings of every connection the app opens (and of the bench's own, so
    that it measures statements as the app runs them)."""
    return {
        "application_name": "csm-graphql",
        "timezone": "UTC",
        # The request timeout cancels the Python side; this stops the server side.
        "statement_timeout": str(settings.limits.statement_timeout_ms),
        # Every statement is prepared once per connection and run many times with other
        # values. Left to choose, PostgreSQL kept planning some of them anew on every
        # execution: a generic plan sized for arrays of ten (the viewer's account lists)
        # looked dearer than a custom plan for the case manager's three accounts, though both
        # walk the same indexes. The manager's case list took 2.07 ms a run re-planned, 1.14
        # ms on its generic plan (issue 10). Page sizes are written into the text
        # (repositories/paging.py), so generic plans still know them.
        "plan_cache_mode": "force_generic_plan",
    }


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    return create_async_engine(
        to_async_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        # No pool_pre_ping: it costs a round trip on every checkout. Reads retry once on a
        # connection found dead instead (repositories/database.py), and connections are
        # recycled before servers or proxies drop idle ones.
        pool_recycle=1800,
        connect_args={"server_settings": server_settings(settings)},
    )
