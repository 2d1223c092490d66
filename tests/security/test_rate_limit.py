"""Rate limiting by query cost: every response reports its cost, and a principal whose bucket
holds too few points is refused with RATE_LIMITED, a 429 and a Retry-After, before anything runs.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.errors import ErrorCode
from csm_graphql.settings import RateLimit, Settings
from csm_graphql.throttle import MemoryStore, RedisStore, Throttle
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
CUSTOMER = "success@acme.example"
# accounts(first: 20) { nodes { contacts(first: 10) { nodes { id } } } }: 20 + 20 x 10 nodes.
PORTAL = "query Portal { accounts(first: 20) { nodes { contacts(first: 10) { nodes { id } } } } }"
PORTAL_COST = 1 + 20 + 20 * 10


@pytest.fixture
async def limited(
    engine: AsyncEngine,
    database_url: str,
    principals: dict[str, tuple[PrincipalKind, int]],
) -> AsyncIterator[GraphQLClient]:
    """An app whose buckets hold two portal queries and barely refill during a test."""
    settings = Settings(
        environment="test",
        database_url=database_url,
        rate_limit=RateLimit(capacity=2 * PORTAL_COST + 10, restore_per_second=0.5),
    )
    transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, settings, principals)


async def test_every_response_reports_its_cost(limited: GraphQLClient) -> None:
    body = (await limited.post(PORTAL, as_=AGENT)).json()
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == PORTAL_COST
    assert cost["maximumQueryCost"] == limited.settings.limits.max_nodes + 10
    throttle = cost["throttleStatus"]
    assert throttle["maximumAvailable"] == 2 * PORTAL_COST + 10
    assert throttle["restoreRate"] == 0.5
    # What is left after this request (give or take what refilled meanwhile).
    assert PORTAL_COST + 10 <= throttle["currentlyAvailable"] <= PORTAL_COST + 12


async def test_a_mutation_costs_more_than_a_query(limited: GraphQLClient) -> None:
    mutation = 'mutation M { addWorkNote(caseId: "Q2FzZTox", body: "x") { userErrors { code } } }'
    body = (await limited.post(mutation, as_=CUSTOMER)).json()
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


async def test_an_empty_bucket_refuses_with_429_and_runs_nothing(limited: GraphQLClient) -> None:
    first = await limited.post(PORTAL, as_=AGENT)
    second = await limited.post(PORTAL, as_=AGENT)
    assert first.status_code == second.status_code == 200
    refused = await limited.post(PORTAL, as_=AGENT)
    assert refused.status_code == 429
    body = refused.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == ErrorCode.RATE_LIMITED
    # (PORTAL_COST - ~10 left) / 0.5 points a second
    retry_after = int(refused.headers["retry-after"])
    assert error["extensions"]["retryAfter"] == retry_after
    assert 2 * (PORTAL_COST - 12) <= retry_after <= 2 * PORTAL_COST
    # A cheap query still fits in what is left, and another principal has a bucket of its own.
    assert (await limited.post("query Me { viewer { kind } }", as_=AGENT)).status_code == 200
    assert (await limited.post(PORTAL, as_=CUSTOMER)).status_code == 200


async def test_refused_documents_are_not_charged(limited: GraphQLClient) -> None:
    for _ in range(5):
        response = await limited.post("query Bad { viewer { salary } }", as_=AGENT)
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert (await limited.post(PORTAL, as_=AGENT)).status_code == 200


async def test_concurrent_requests_cannot_overdraw_a_bucket(limited: GraphQLClient) -> None:
    responses = await asyncio.gather(*(limited.post(PORTAL, as_=AGENT) for _ in range(6)))
    assert sorted(response.status_code for response in responses) == [200, 200, 429, 429, 429, 429]


async def test_the_memory_store_refills_at_its_rate() -> None:
    store = MemoryStore()
    assert await store.take("p", 100, capacity=100, rate=1_000.0) == (True, 0.0)
    taken, _ = await store.take("p", 100, capacity=100, rate=1_000.0)
    assert not taken
    await asyncio.sleep(0.15)  # 150 points' worth of refill, capped at the capacity
    assert (await store.take("p", 100, capacity=100, rate=1_000.0))[0]


REDIS_URL = os.environ.get("CSM_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="set CSM_TEST_REDIS_URL to test the Redis store")
async def test_workers_sharing_redis_share_one_bucket() -> None:
    assert REDIS_URL
    settings = RateLimit(capacity=300, restore_per_second=0.001, redis_url=REDIS_URL)
    # Two throttles stand for two worker processes.
    workers = [Throttle(settings), Throttle(settings)]
    key = f"test:{os.getpid()}:{id(workers)}"
    charges = [await workers[i % 2].charge(key, 100) for i in range(4)]
    assert [charge.allowed for charge in charges] == [True, True, True, False]
    assert charges[-1].retry_after > 0
    for worker in workers:
        assert isinstance(worker.store, RedisStore)
        await worker.store.close()


async def test_an_unreachable_redis_lets_requests_through() -> None:
    # Port 9 (discard) on the loopback: nothing listens there.
    throttle = Throttle(RateLimit(capacity=10, redis_url="redis://127.0.0.1:9/0"))
    charge = await throttle.charge("anyone", 1_000)
    assert charge.allowed
