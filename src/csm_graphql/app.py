"""``create_app(settings)``: the Starlette application, its routes, middleware and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from csm_graphql.db import create_engine, database_url
from csm_graphql.db.migrate import current_revision, head_revision
from csm_graphql.explorer import routes as explorer_routes
from csm_graphql.graphql.schema import build_schema
from csm_graphql.graphql.view import GraphQLEndpoint
from csm_graphql.middleware import BodySizeLimit, RequestId, RequestTimeout, UnexpectedErrors
from csm_graphql.observability.metrics import Metrics, metrics_routes
from csm_graphql.observability.middleware import ObserveRequests
from csm_graphql.observability.tracing import (
    asgi_middleware,
    instrument_engine,
    tracer_provider_from_env,
)
from csm_graphql.repositories.database import Database
from csm_graphql.settings import Settings

if TYPE_CHECKING:  # OpenTelemetry is optional: imported only when tracing is on
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)


def tune_garbage_collector() -> None:
    """Move what startup built (schema, modules) out of the collector's sight, and collect the
    young generation less often: a GraphQL response allocates many short-lived objects, and
    the default threshold (700) makes the collector run several times per request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """The application. Pass ``engine`` to share one (tests do); otherwise it is created from
    the settings at startup and disposed at shutdown. Tracing is on when the OTEL_* variables
    ask for it (settings.tracing), or into ``tracer_provider`` when one is given (tests)."""
    settings = settings or Settings.from_env()
    db = Database(engine)
    if tracer_provider is None and settings.tracing:
        tracer_provider = tracer_provider_from_env(os.environ)
    if tracer_provider is not None and engine is not None:
        instrument_engine(engine, tracer_provider)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if engine is not None:
            yield
            return
        db.open(create_engine(database_url(settings), settings))
        if tracer_provider is not None:
            instrument_engine(db.engine, tracer_provider)
        tune_garbage_collector()
        try:
            yield
        finally:
            await db.engine.dispose()
            if tracer_provider is not None:
                tracer_provider.shutdown()  # exports the spans still queued

    async def healthz(_: Request) -> JSONResponse:
        """The process is up (no dependencies checked)."""
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        """The database answers and its schema is at this code's migration head, within the
        readiness timeout: a full pool, a hung connect or a stalled server make the probe
        fail fast instead of hanging it."""
        try:
            async with asyncio.timeout(settings.readiness_timeout_seconds):
                async with db.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                revision = await current_revision(db.engine)
        except TimeoutError:
            log.warning(
                "readiness check got no answer within %ss", settings.readiness_timeout_seconds
            )
            return JSONResponse({"status": "unavailable", "database": "no answer in time"}, 503)
        except Exception as error:
            # One line, no traceback: probes keep failing for as long as an outage lasts.
            log.warning("readiness check failed: %r", error)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        if revision != head_revision():
            return JSONResponse({"status": "unavailable", "database": "not migrated"}, 503)
        return JSONResponse({"status": "ready"})

    tracer = tracer_provider.get_tracer("csm_graphql") if tracer_provider is not None else None
    schema = build_schema(settings, tracer=tracer)
    graphql = GraphQLEndpoint(schema, settings, db, fast_path=tracer is None)
    metrics = Metrics(db, schema.compiled_reader) if settings.metrics_mode != "off" else None
    cors = (
        [
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "idempotency-key", "x-request-id"],
                expose_headers=["idempotent-replayed"],
            )
        ]
        if settings.cors_origins
        else []
    )
    # Outermost first: the trace's request span covers everything; every answer, even a 413,
    # 500 or 504, carries the request id, and is observed (access log line, metrics) with it.
    # Before anything reads the client's address: X-Forwarded-For and X-Forwarded-Proto count
    # only from the proxies CSM_FORWARDED_ALLOW_IPS names (uvicorn's own handling is off).
    proxies = (
        [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.forwarded_allow_ips))]
        if settings.forwarded_allow_ips
        else []
    )
    middleware = [
        *proxies,
        *([asgi_middleware(tracer_provider)] if tracer_provider is not None else []),
        Middleware(RequestId),
        Middleware(ObserveRequests, metrics=metrics),
        Middleware(UnexpectedErrors),
        *cors,
        Middleware(BodySizeLimit, max_bytes=settings.limits.max_body_bytes),
        Middleware(RequestTimeout, seconds=settings.limits.request_timeout_seconds),
    ]
    return Starlette(
        routes=[
            # A Route, not a Mount: Mount("/graphql") would redirect POSTs with a 307.
            # Every method reaches the endpoint, so that a refused one is answered in JSON.
            Route("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *explorer_routes(settings, db),
            *(metrics_routes(settings, metrics) if metrics is not None else ()),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
