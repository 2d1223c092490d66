"""Database access: the engine, its pool, and the embedded PostgreSQL for development."""

from csm_graphql.db.engine import create_engine, database_url, to_async_url

__all__ = ["create_engine", "database_url", "to_async_url"]
