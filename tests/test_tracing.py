"""OpenTelemetry: one trace per request, with the ASGI request, one span per GraphQL operation
(none per field) and the SQL statements; off unless the OTEL_* variables ask for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.db import create_engine
from csm_graphql.demo import personas
from csm_graphql.observability.tracing import tracing_requested
from csm_graphql.settings import Settings
from tests.support import GraphQLClient

AS = personas.ADMIN.email
ACCOUNTS = "query TracedAccounts { accounts(first: 3) { nodes { id name } } }"


@pytest.fixture
async def traced(
    database_url: str, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[tuple[GraphQLClient, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # An engine of its own: instrumenting the session's shared engine would trace every test.
    engine = create_engine(database_url, settings)
    transport = httpx.ASGITransport(
        app=create_app(settings, engine=engine, tracer_provider=provider)
    )
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http, settings, principals), exporter
    finally:
        await engine.dispose()


def _by_kind(spans: tuple[ReadableSpan, ...], kind: SpanKind) -> list[ReadableSpan]:
    return [span for span in spans if span.kind == kind]


async def test_a_request_is_one_trace_of_request_operation_and_statements(
    traced: tuple[GraphQLClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced
    data = await client.query(ACCOUNTS, as_=AS)
    assert data["accounts"]["nodes"]
    spans = exporter.get_finished_spans()

    [request] = _by_kind(spans, SpanKind.SERVER)
    [operation] = _by_kind(spans, SpanKind.INTERNAL)  # one for the operation, none per field
    statements = _by_kind(spans, SpanKind.CLIENT)
    assert request.parent is None
    assert {span.context.trace_id for span in spans} == {request.context.trace_id}

    assert operation.name == "query TracedAccounts"
    assert operation.attributes is not None
    assert operation.attributes["graphql.operation.name"] == "TracedAccounts"
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.parent is not None
    assert operation.parent.span_id == request.context.span_id
    assert operation.status.status_code == StatusCode.UNSET

    # The viewer is loaded before GraphQL runs; the accounts are read by the operation.
    assert statements
    parents = {span.parent.span_id for span in statements if span.parent is not None}
    assert operation.context.span_id in parents
    assert parents <= {request.context.span_id, operation.context.span_id}
    assert all(span.attributes and span.attributes.get("db.system") for span in statements)


async def test_an_operation_with_errors_has_an_error_status_with_the_codes(
    traced: tuple[GraphQLClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced
    await client.errors("query TracedBroken { noSuchField }", as_=AS)
    [operation] = _by_kind(exporter.get_finished_spans(), SpanKind.INTERNAL)
    assert operation.status.status_code == StatusCode.ERROR
    assert operation.attributes is not None
    assert operation.attributes["graphql.error.codes"] == ("GRAPHQL_VALIDATION_FAILED",)


async def test_probes_are_not_traced(traced: tuple[GraphQLClient, InMemorySpanExporter]) -> None:
    client, exporter = traced
    assert (await client.http.get("/healthz")).status_code == 200
    assert exporter.get_finished_spans() == ()


@pytest.mark.parametrize(
    ("env", "requested"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "csm"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
    ],
)
def test_tracing_is_off_unless_the_otel_variables_ask(env: dict[str, str], requested: bool) -> None:
    assert tracing_requested(env) is requested
    assert Settings.from_env(env).tracing is requested
