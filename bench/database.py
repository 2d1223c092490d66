"""The benchmark's database: where it lives, and a seeded data set of a known scale.

The data set is recorded in a marker row (schema ``bench``, outside the application's
``public`` schema so migrations and the seed's TRUNCATE never touch it). ``--reuse-data``
trusts that row only while scale, seed, migration head and the success-case count all still
match, so a database re-seeded or migrated by someone else is seeded again, not measured.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.server import cli

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "csm_bench"
CONNECT_TIMEOUT_SECONDS = 5.0

_MARKER_DDL = """
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.dataset (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    scale integer NOT NULL,
    seed integer NOT NULL,
    revision text NOT NULL,
    success_cases bigint NOT NULL,
    seed_seconds double precision NOT NULL,
    seeded_at timestamptz NOT NULL DEFAULT now()
);
"""


@dataclass(frozen=True)
class Dataset:
    scale: int
    seed: int
    reused: bool
    seed_seconds: float  # of the run that created the data (this one, or an earlier one)
    row_counts: dict[str, int]
    postgres_version: str
    revision: str  # migration head the data was seeded at


def plain_url(url: str) -> str:
    """A libpq URL asyncpg accepts (no ``+asyncpg`` driver suffix, ``postgresql`` scheme)."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def resolve_database(explicit: str | None) -> str:
    """The URL to benchmark against, creating ``csm_bench`` when we pick the database."""
    if explicit:
        return plain_url(explicit)
    server_url = plain_url(os.environ.get("CSM_BENCH_SERVER_URL") or DEFAULT_SERVER_URL)
    try:
        connection = await asyncpg.connect(server_url, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        print(f"no PostgreSQL at {server_url} ({error}); using the embedded one", file=sys.stderr)
        return await asyncio.to_thread(_embedded_url)
    try:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", BENCH_DATABASE
        )
        if not exists:
            await connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    finally:
        await connection.close()
    return make_url(server_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def _embedded_url() -> str:
    """Start the embedded PostgreSQL (pgserver) in a persistent directory, so --reuse-data
    works across runs; it stops when this process exits."""
    from csm_graphql.db.embedded import start_embedded

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return plain_url(start_embedded(Path(base) / "csm-graphql-bench", database=BENCH_DATABASE))


async def prepare(
    url: str,
    env: Mapping[str, str],
    *,
    scale: int,
    seed: int,
    reuse: bool,
    python: str | None = None,
) -> Dataset:
    """Migrate, then seed unless ``reuse`` and the marker says the data is already there.
    ``python``: the interpreter whose ``csm-graphql`` migrates and seeds (default: ours)."""
    # The CLI blocks on a subprocess: run it off the event loop.
    await asyncio.to_thread(functools.partial(cli, ["db", "upgrade"], env, python=python))
    connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        await connection.execute(_MARKER_DDL)
        revision = await connection.fetchval("SELECT version_num FROM alembic_version")
        marker = await connection.fetchrow("SELECT * FROM bench.dataset")
        reused = False
        if reuse:
            stale = await _stale_reason(connection, marker, scale, seed, revision)
            reused = stale is None
            if stale:
                print(f"not reusing the data: {stale}", file=sys.stderr)
        if reused:
            seed_seconds = float(marker["seed_seconds"])
            print(f"reusing scale-{scale} data seeded at {marker['seeded_at']}", file=sys.stderr)
        else:
            seed_seconds = await asyncio.to_thread(_seed, env, scale, seed, python)
            await _write_marker(connection, scale, seed, revision, seed_seconds)
        return Dataset(
            scale=scale,
            seed=seed,
            reused=reused,
            seed_seconds=seed_seconds,
            row_counts=await _row_counts(connection),
            postgres_version=await connection.fetchval("SHOW server_version"),
            revision=revision,
        )
    finally:
        await connection.close()


async def _stale_reason(
    connection: asyncpg.Connection,
    marker: asyncpg.Record | None,
    scale: int,
    seed: int,
    revision: str,
) -> str | None:
    """Why the data in the database is not this run's data set (None: it is)."""
    if marker is None:
        return "no benchmark data set recorded"
    wanted = {"scale": scale, "seed": seed, "revision": revision}
    for name, value in wanted.items():
        if marker[name] != value:
            return f"{name} is {marker[name]!r}, this run wants {value!r}"
    cases = await connection.fetchval("SELECT count(*) FROM success_cases")
    if cases != marker["success_cases"]:
        return f"success_cases holds {cases} rows, the seed wrote {marker['success_cases']}"
    return None


def _seed(env: Mapping[str, str], scale: int, seed: int, python: str | None) -> float:
    print(f"seeding scale {scale} (seed {seed}) ...", file=sys.stderr)
    started = time.perf_counter()
    cli(["seed", "--scale", str(scale), "--seed", str(seed)], env, python=python)
    seconds = time.perf_counter() - started
    print(f"seeded in {seconds:.1f}s", file=sys.stderr)
    return seconds


async def _write_marker(
    connection: asyncpg.Connection, scale: int, seed: int, revision: str, seed_seconds: float
) -> None:
    cases = await connection.fetchval("SELECT count(*) FROM success_cases")
    # Fresh statistics: the seed COPYs rows in bulk, and autovacuum may not have analysed
    # them yet; plans made on empty-table statistics would distort the first cells. VACUUM
    # too: the fresh rows' hint bits and visibility map would otherwise be set by the first
    # cells' reads (and by autovacuum running beside them), which made the first system
    # measured look slower and its PostgreSQL CPU higher than the later ones'.
    await connection.execute("VACUUM (ANALYZE)")
    await connection.execute(
        """
        INSERT INTO bench.dataset (id, scale, seed, revision, success_cases, seed_seconds)
        VALUES (1, $1, $2, $3, $4, $5)
        ON CONFLICT (id) DO UPDATE SET scale = $1, seed = $2, revision = $3,
            success_cases = $4, seed_seconds = $5, seeded_at = now()
        """,
        scale,
        seed,
        revision,
        cases,
        seed_seconds,
    )


async def _row_counts(connection: asyncpg.Connection) -> dict[str, int]:
    """Exact row counts of every application table (cheap at benchmark scales)."""
    tables = await connection.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version' ORDER BY tablename"
    )
    counts: dict[str, int] = {}
    for row in tables:
        name = row["tablename"]
        counts[name] = await connection.fetchval(f'SELECT count(*) FROM public."{name}"')
    return counts


class BackendWatcher:
    """The pids of the server's PostgreSQL backends, so their CPU can be read from /proc.

    Only meaningful when PostgreSQL runs on this machine; the CPU meter reports n/a when
    these pids are not local processes.
    """

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, url: str) -> BackendWatcher:
        return cls(await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS))

    async def pids(self) -> list[int]:
        # The application names its connections (db/engine.py); ours and other clients differ.
        rows = await self.connection.fetch(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'csm-graphql'"
        )
        return [row["pid"] for row in rows]

    async def close(self) -> None:
        await self.connection.close()
