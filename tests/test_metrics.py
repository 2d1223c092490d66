"""/metrics: requests and latency by operation and outcome, errors by code, the pool; off or
behind a token as configured."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.app import create_app
from csm_graphql.demo import personas
from csm_graphql.observability.metrics import MAX_OPERATION_NAME_LENGTH
from csm_graphql.settings import Settings
from tests.expectations import global_id
from tests.support import GraphQLClient

AS = personas.ADMIN.email
DURATION = "csm_graphql_request_duration_seconds"
METRICS_TOKEN = "metrics-token-" + "x" * 40
PRODUCTION_SECRET = "a-production-secret-of-enough-length-0123456789"


async def _samples(http: httpx.AsyncClient, **headers: str) -> dict[tuple[str, frozenset], float]:
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _requests(samples: dict[tuple[str, frozenset], float], operation: str, outcome: str) -> float:
    labels = frozenset({"operation": operation, "outcome": outcome}.items())
    return samples.get((f"{DURATION}_count", labels), 0.0)


def _errors(samples: dict[tuple[str, frozenset], float], code: str) -> float:
    return samples.get(("csm_graphql_errors_total", frozenset({"code": code}.items())), 0.0)


async def test_a_named_operation_is_counted_and_timed_under_its_name(
    client: GraphQLClient,
) -> None:
    before = await _samples(client.http)
    await client.query("query MetricsViewer { viewer { id } }", as_=AS)
    after = await _samples(client.http)
    assert _requests(after, "MetricsViewer", "ok") == _requests(before, "MetricsViewer", "ok") + 1
    sum_labels = frozenset({"operation": "MetricsViewer", "outcome": "ok"}.items())
    assert after[(f"{DURATION}_sum", sum_labels)] > 0


async def test_graphql_errors_are_counted_by_code(client: GraphQLClient) -> None:
    before = await _samples(client.http)
    await client.errors("query MetricsBroken { noSuchField }", as_=AS)
    after = await _samples(client.http)
    assert (
        _requests(after, "MetricsBroken", "error")
        == _requests(before, "MetricsBroken", "error") + 1
    )
    assert (
        _errors(after, "GRAPHQL_VALIDATION_FAILED")
        == _errors(before, "GRAPHQL_VALIDATION_FAILED") + 1
    )


async def test_refusals_before_graphql_are_counted_with_the_code_of_their_body(
    client: GraphQLClient,
) -> None:
    before = await _samples(client.http)
    response = await client.post("query MetricsNoToken { viewer { id } }")
    assert response.status_code == 401
    after = await _samples(client.http)
    # GraphQL never read the document: its name is not trusted with a series.
    assert _requests(after, "none", "refused") == _requests(before, "none", "refused") + 1
    assert _errors(after, "UNAUTHENTICATED") == _errors(before, "UNAUTHENTICATED") + 1


async def test_a_persisted_query_miss_is_an_error_with_its_code(client: GraphQLClient) -> None:
    before = await _samples(client.http)
    response = await client.http.post(
        "/graphql",
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
        headers={"Authorization": f"Bearer {client.token(AS)}"},
    )
    assert response.status_code == 200  # answered before GraphQL ran, yet not a success
    after = await _samples(client.http)
    assert _requests(after, "none", "error") == _requests(before, "none", "error") + 1
    code = "PERSISTED_QUERY_NOT_FOUND"
    assert _errors(after, code) == _errors(before, code) + 1


async def test_idempotent_replays_are_counted(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    async with write_engine.connect() as connection:
        acme = await connection.scalar(text("SELECT id FROM accounts WHERE name = 'Acme Corp'"))
    create = """mutation MetricsCreate($input: CreateCaseInput!) {
      createCase(input: $input) { case { id } userErrors { code } } }"""
    body = {
        "query": create,
        "variables": {
            "input": {"accountId": global_id("Account", acme), "shortDescription": "Metrics"}
        },
    }
    headers = {
        "Authorization": f"Bearer {write_client.token('customer@acme.example')}",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    before = await _samples(write_client.http)
    ran_none = _requests(before, "none", "ok")
    first = await write_client.http.post("/graphql", json=body, headers=headers)
    replay = await write_client.http.post("/graphql", json=body, headers=headers)
    assert first.json()["data"]["createCase"]["case"]["id"]
    assert replay.headers["idempotent-replayed"] == "true"
    after = await _samples(write_client.http)
    replays = ("csm_graphql_idempotent_replays_total", frozenset())
    assert after[replays] == before.get(replays, 0.0) + 1
    # The mutation ran once; the replay ran no GraphQL, as its label says.
    assert _requests(after, "MetricsCreate", "ok") == _requests(before, "MetricsCreate", "ok") + 1
    assert _requests(after, "none", "ok") == ran_none + 1


@pytest.mark.parametrize(
    ("document", "label"),
    [
        ("{ viewer { id } }", "anonymous"),
        (f"query {'L' * (MAX_OPERATION_NAME_LENGTH + 1)} {{ viewer {{ id }} }}", "other"),
    ],
)
async def test_operation_labels_stay_bounded(
    client: GraphQLClient, document: str, label: str
) -> None:
    before = await _samples(client.http)
    await client.query(document, as_=AS)
    after = await _samples(client.http)
    assert _requests(after, label, "ok") == _requests(before, label, "ok") + 1


async def test_the_database_pool_is_reported(client: GraphQLClient) -> None:
    samples = await _samples(client.http)
    assert samples[("csm_graphql_db_pool_size", frozenset())] == client.settings.db_pool_size
    # Between requests, nothing holds a connection and nobody waits for one.
    assert samples[("csm_graphql_db_pool_in_use", frozenset())] == 0
    assert samples[("csm_graphql_db_pool_waiting", frozenset())] == 0


@pytest.fixture
async def production_http(
    engine: AsyncEngine, database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment="production",
        secret_key=PRODUCTION_SECRET,
        database_url=database_url,
        **request.param,
    )
    settings.check()
    transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.mark.parametrize("production_http", [{}], indirect=True)
async def test_production_serves_no_metrics_unless_asked(
    production_http: httpx.AsyncClient,
) -> None:
    assert (await production_http.get("/metrics")).status_code == 404


@pytest.mark.parametrize(
    "production_http", [{"metrics": "token", "metrics_token": METRICS_TOKEN}], indirect=True
)
async def test_token_mode_needs_the_bearer_token(production_http: httpx.AsyncClient) -> None:
    for authorization in ("", "Bearer wrong", f"Bearer {METRICS_TOKEN}x"):
        response = await production_http.get("/metrics", headers={"Authorization": authorization})
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    samples = await _samples(production_http, Authorization=f"Bearer {METRICS_TOKEN}")
    assert ("csm_graphql_db_pool_size", frozenset()) in samples


def test_token_mode_refuses_to_start_without_a_long_token() -> None:
    with pytest.raises(ValueError, match="CSM_METRICS_TOKEN"):
        Settings(metrics="token", metrics_token="short").check()
