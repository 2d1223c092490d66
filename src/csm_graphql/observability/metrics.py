"""Prometheus metrics: what the API answers, how fast, with which errors, and its pool.

prometheus-client is the Prometheus project's own client: maintained alongside the server, it
writes the text format exactly, and needs nothing but the standard library. Each app gets a
registry of its own (not the library's global one), so that tests can build several apps in
one process and a scrape shows only this service's metrics.

Label values are bounded, since every distinct value is a time series kept forever:
operation names must look like GraphQL names, and only the first :data:`MAX_OPERATION_NAMES`
distinct names seen by a process get a series of their own. Anything else is ``other``.

With ``serve --workers N`` (N > 1) the CLI sets ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory before the workers start: prometheus-client then keeps every worker's values in files
there, and a scrape, whichever worker answers it, aggregates them all (MultiProcessCollector).
Custom collectors are not aggregated across processes, so in that mode the pool's state is
kept in gauges each worker updates after each request and at scrape time, summed over the live
workers.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.pool import Pool, QueuePool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from csm_graphql.errors import ErrorCode, error_body
from csm_graphql.observability.record import RequestRecord
from csm_graphql.repositories.database import Database
from csm_graphql.settings import Settings

if TYPE_CHECKING:
    from csm_graphql.graphql.compiled import CompiledReader

MAX_OPERATION_NAME_LENGTH = 64
MAX_OPERATION_NAMES = 256
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_CODES = frozenset(code.value for code in ErrorCode)


class Metrics:
    """The service's metrics, in a registry of their own."""

    def __init__(self, db: Database, compiled_reads: CompiledReader | None = None) -> None:
        # prometheus-client itself chose file-backed values at import from this variable,
        # which the CLI sets for several workers; reading it here keeps the two in step.
        self.multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
        self.registry = CollectorRegistry()
        # The histogram's _count series is the request count: no separate counter needed.
        self.requests = Histogram(
            "csm_graphql_request_duration_seconds",
            "Time to answer a /graphql request, by operation name and outcome "
            "(ok, error: GraphQL errors in the answer, refused: HTTP 4xx, failed: HTTP 5xx).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.errors = Counter(
            "csm_graphql_errors",
            "Errors answered, by extensions.code (RATE_LIMITED counts rate-limit refusals).",
            ["code"],
            registry=self.registry,
        )
        self.replays = Counter(
            "csm_graphql_idempotent_replays",
            "Mutations answered from the Idempotency-Key store instead of running again.",
            registry=self.registry,
        )
        self.pool = PoolCollector(db)
        self._pool_gauges: dict[str, Gauge] = {}
        if self.multiprocess_dir is None:
            self.registry.register(self.pool)
        else:
            self._pool_gauges = {
                name: Gauge(name, help, registry=self.registry, multiprocess_mode="livesum")
                for name, help in POOL_GAUGES.items()
            }
        self.compiled_reads = (
            CompiledReadsCounters(compiled_reads, self.registry) if compiled_reads else None
        )
        self._operation_names: set[str] = set()

    def observe(self, record: RequestRecord, status: int, seconds: float) -> None:
        """Record one /graphql request."""
        operation = self.operation_label(record)
        self.requests.labels(operation, _outcome(record, status)).observe(seconds)
        for code in record.error_codes:
            self.errors.labels(code if code in _CODES else "other").inc()
        self._update_pool_gauges()
        if self.compiled_reads is not None:
            self.compiled_reads.sync()

    def exposition(self) -> bytes:
        """The text a scrape gets: this process's registry, or every worker's values."""
        if self.compiled_reads is not None:
            self.compiled_reads.sync()
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        self._update_pool_gauges()
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)
        return generate_latest(registry)

    def _update_pool_gauges(self) -> None:
        if not self._pool_gauges:
            return
        for metric in self.pool.collect():
            self._pool_gauges[metric.name].set(metric.samples[0].value)

    def operation_label(self, record: RequestRecord) -> str:
        if not record.ran_graphql:
            return "none"  # refused before GraphQL read the document, or a replayed answer
        name = record.operation
        if name is None:
            return "anonymous"
        if len(name) > MAX_OPERATION_NAME_LENGTH or not _GRAPHQL_NAME.fullmatch(name):
            return "other"
        if name not in self._operation_names:
            if len(self._operation_names) >= MAX_OPERATION_NAMES:
                return "other"
            self._operation_names.add(name)
        return name


def _outcome(record: RequestRecord, status: int) -> str:
    if status >= 500:
        return "failed"
    if status >= 400:
        return "refused"
    return "error" if record.error_codes else "ok"


POOL_GAUGES = {
    "csm_graphql_db_pool_size": "Connections the pool keeps open.",
    "csm_graphql_db_pool_in_use": "Connections checked out of the pool (overflow included).",
    "csm_graphql_db_pool_waiting": (
        "Tasks waiting for a pooled connection (past CSM_DB_POOL_TIMEOUT_SECONDS, 503)."
    ),
}


class PoolCollector(Collector):
    """The database pool's state, read at scrape time (nothing to update per request)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> list[Metric]:
        return []  # read the pool only when scraped, not at registration

    def collect(self) -> Iterator[Metric]:
        pool = self._pool()
        if not isinstance(pool, QueuePool):
            return  # not open yet, or a pool without a queue (NullPool): nothing to report
        values = {
            "csm_graphql_db_pool_size": pool.size(),
            "csm_graphql_db_pool_in_use": pool.checkedout(),
            "csm_graphql_db_pool_waiting": _waiting(pool),
        }
        for name, value in values.items():
            if value is not None:
                yield GaugeMetricFamily(name, POOL_GAUGES[name], value=value)

    def _pool(self) -> Pool | None:
        try:
            return self.db.engine.pool
        except RuntimeError:
            return None


class CompiledReadsCounters:
    """The compiled reads' counters (issue 10): which path each query took (``reason``: a
    bounded category of why not the fast one) and how the statement cache served it. The
    reader counts in plain integers on its hot path; these counters catch up with it after
    each request and at scrape time, so that with several workers (file-backed values) every
    worker's counts add up like the request counts do."""

    def __init__(self, reader: CompiledReader, registry: CollectorRegistry) -> None:
        self.reader = reader
        self.paths = Counter(
            "csm_compiled_reads",
            "Queries seen by the compiled reads, by path (compiled, or fallback to the "
            "resolvers) and the category of the reason for a fallback (none when compiled).",
            ["path", "reason"],
            registry=registry,
        )
        self.cache = Counter(
            "csm_compiled_statement_cache",
            "Compiled reads' statements by how they were obtained: hit (cached text, values "
            "bound), miss (built, checked and cached), uncacheable (built and compiled per "
            "request), rebuilt (built per request, compiled once per structure).",
            ["outcome"],
            registry=registry,
        )
        self._seen: dict[tuple[str, ...], int] = {}

    def sync(self) -> None:
        self._advance(self.paths, ("compiled", "none"), self.reader.served)
        for reason, count in list(self.reader.fallbacks.items()):
            self._advance(self.paths, ("fallback", reason.value), count)
        stats = self.reader.statements.stats
        self._advance(self.cache, ("hit",), stats.hits)
        self._advance(self.cache, ("miss",), stats.misses)
        self._advance(self.cache, ("uncacheable",), stats.uncacheable)
        self._advance(self.cache, ("rebuilt",), stats.rebuilt)

    def _advance(self, counter: Counter, labels: tuple[str, ...], total: int) -> None:
        key = ("paths" if counter is self.paths else "cache", *labels)
        delta = total - self._seen.get(key, 0)
        if delta > 0:
            counter.labels(*labels).inc(delta)
            self._seen[key] = total


def _waiting(pool: QueuePool) -> int | None:
    """How many tasks wait for a connection. SQLAlchemy counts no waiters, so this reads the
    asyncio queue under its async pool (private attributes, read defensively: a layout change
    drops the gauge instead of breaking the scrape)."""
    adapted = getattr(pool, "_pool", None)
    queue = vars(adapted).get("_queue") if adapted is not None else None
    getters = getattr(queue, "_getters", None)
    return len(getters) if getters is not None else None


def metrics_routes(settings: Settings, metrics: Metrics) -> list[Route]:
    """``/metrics`` as configured: absent (off), open (on), or behind a bearer token."""
    if settings.metrics_mode == "off":
        return []
    expected = (
        f"Bearer {settings.metrics_token}".encode() if settings.metrics_mode == "token" else None
    )

    async def scrape(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            # Constant time, so that the token cannot be guessed byte by byte from timings.
            if not hmac.compare_digest(given, expected):
                body = error_body("/metrics needs its bearer token.", ErrorCode.UNAUTHENTICATED)
                return Response(
                    orjson.dumps(body),
                    401,
                    {"WWW-Authenticate": 'Bearer realm="metrics"'},
                    media_type="application/json",
                )
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", scrape, methods=["GET"])]
