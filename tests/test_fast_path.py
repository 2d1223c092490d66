"""The compiled reads' HTTP fast path (graphql/fast_path.py): a query the general path has
answered compiled is answered again without Strawberry's machinery, byte for byte as the
general path answers it (status, headers, body, the access log's operation and codes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from bench import queries
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.graphql.compiled import CompiledReader, execute
from csm_graphql.graphql.compiled.finishers import FinisherFailed
from csm_graphql.graphql.view import GraphQLEndpoint
from csm_graphql.observability.middleware import ObserveRequests
from csm_graphql.observability.record import RequestRecord
from csm_graphql.repositories.database import Database
from csm_graphql.settings import RateLimit, Settings
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
SUCCESS_CUSTOMER = "success@acme.example"


# The case list without its clock-dependent SLA fields (plannedEnd, percentElapsed move as
# time passes, between any two requests).
CASES = """
query CaseList {
  cases(first: 20) { totalCount nodes { id number state priority shortDescription updatedAt
    contact { name } account { name } product { name } slas(first: 5) { nodes { name stage } }
    activities(first: 5) { nodes { kind at body actorName } } } }
}"""


# A search whose text is a variable: one statement for every text (issue 10).
SEARCH = """
query Find($text: String!) {
  search(text: $text, first: 5) { successCases { totalCount nodes { number subject } }
    touchpoints { totalCount pageInfo { endCursor } nodes { number } } }
}"""


def _endpoint(app: Starlette) -> GraphQLEndpoint:
    for route in app.routes:
        if getattr(route, "path", None) == "/graphql":
            endpoint = route.app  # type: ignore[attr-defined]
            assert isinstance(endpoint, GraphQLEndpoint)
            return endpoint
    raise AssertionError("no /graphql route")


async def _pair(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[tuple[GraphQLClient, GraphQLClient]]:
    """The app with the fast path, and the same app with the general path alone."""
    fast_app = create_app(settings, engine=engine)
    general_app = create_app(settings, engine=engine)
    assert _endpoint(fast_app).fast_path is not None
    _endpoint(general_app).fast_path = None
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=fast_app), base_url="http://t") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=general_app), base_url="http://t") as b,
    ):
        yield GraphQLClient(a, settings, principals), GraphQLClient(b, settings, principals)


@pytest.fixture(params=["test", "production"])
async def paths(
    request: pytest.FixtureRequest,
    engine: AsyncEngine,
    settings: Settings,
    principals: dict[str, tuple[PrincipalKind, int]],
) -> AsyncIterator[tuple[GraphQLClient, GraphQLClient]]:
    chosen = replace(settings, compiled_reads=True, environment=request.param)
    if request.param == "production":
        chosen = replace(chosen, secret_key="p" * 48)
    async for pair in _pair(engine, chosen, principals):
        yield pair


@pytest.fixture
def general_runs(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The queries the general path's compiled reader ran (the fast path bypasses it)."""
    ran: list[str | None] = []
    run = CompiledReader.run

    async def counted(self: CompiledReader, context: Any) -> Any:
        ran.append(context.operation_name)
        return await run(self, context)

    monkeypatch.setattr(CompiledReader, "run", counted)
    return ran


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, list[str], int]]:
    """What the access log and metrics were told of each request."""
    seen: list[tuple[str | None, list[str], int]] = []
    report = ObserveRequests._report

    def observed(self: ObserveRequests, scope: Any, record: RequestRecord, *rest: Any) -> None:
        seen.append((record.operation, list(record.error_codes), int(record.ran_graphql)))
        report(self, scope, record, *rest)

    monkeypatch.setattr(ObserveRequests, "_report", observed)
    return seen


async def _detail_id(client: GraphQLClient, email: str) -> str:
    data = await client.query(queries.CANDIDATE_CASES, as_=email)
    return str(data["successCases"]["nodes"][0]["id"])


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.items() if k != "x-request-id"]
    return response.status_code, headers, response.content


@pytest.mark.parametrize("email", [AGENT, SUCCESS_CUSTOMER])
async def test_known_queries_are_answered_as_the_general_path_answers_them(
    paths: tuple[GraphQLClient, GraphQLClient],
    general_runs: list[str | None],
    records: list[tuple[str | None, list[str], int]],
    email: str,
) -> None:
    fast, general = paths
    case_id = await _detail_id(general, email)
    documents: list[tuple[str, dict[str, Any] | None]] = [
        (queries.DETAIL, {"id": case_id}),
        (queries.PORTAL, None),
        (CASES, None),
        ("query Me { viewer { name kind } }", None),
        (queries.SEARCH, None),
        (SEARCH, {"text": "  Adoption "}),
        (SEARCH, {"text": '"business review" -renewal \\ \''}),  # known by now: fast at once
    ]
    for query, variables in documents:
        reference = await general.post(query, variables, as_=email)
        first = await fast.post(query, variables, as_=email)  # the general path, and known now
        del general_runs[:]
        records.clear()
        again = await fast.post(query, variables, as_=email)
        assert general_runs == [], "the fast path answered"
        assert _comparable(again) == _comparable(reference) == _comparable(first)
        operation = query.split()[1].split("(")[0]  # named in the document, not the request
        assert records == [(operation, [], 1)]
        assert "errors" not in again.json()


async def test_what_only_the_general_path_words_goes_there(
    paths: tuple[GraphQLClient, GraphQLClient], general_runs: list[str | None]
) -> None:
    fast, general = paths
    case_id = await _detail_id(general, AGENT)
    await fast.post(queries.DETAIL, {"id": case_id}, as_=AGENT)  # known from now on
    refused: list[dict[str, Any]] = [
        {"id": 12},  # does not coerce to an ID
        {"id": "bad\u0000id"},  # text nothing can store
        {},  # a required variable missing
        {"id": "U3VjY2Vzc0Nhc2U6bm90LWFuLWlk"},  # not a global id of a row
    ]
    for variables in refused:
        del general_runs[:]
        reference = await general.post(queries.DETAIL, variables, as_=AGENT)
        answer = await fast.post(queries.DETAIL, variables, as_=AGENT)
        assert _comparable(answer) == _comparable(reference), variables
    # Persisted-query extensions, another content type, GET: the general path, as before.
    token = fast.token(AGENT)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"query": queries.DETAIL, "variables": {"id": case_id}, "extensions": {}}
    for client in (fast, general):
        response = await client.http.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["node"] is not None
    text = await fast.http.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={**headers, "content-type": "text/plain"},
    )
    assert text.status_code == 415


async def test_a_failing_statement_is_coded_as_the_general_path_codes_it(
    paths: tuple[GraphQLClient, GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
    general_runs: list[str | None],
    records: list[tuple[str | None, list[str], int]],
) -> None:
    fast, general = paths
    await fast.post(queries.PORTAL, as_=AGENT)  # known from now on

    async def timed_out(self: Database, *statement: object) -> None:
        raise TimeoutError  # what asyncpg's command_timeout raises

    monkeypatch.setattr(Database, "scalar_sql", timed_out)
    reference = await general.post(queries.PORTAL, as_=AGENT)
    del general_runs[:]
    records.clear()
    answer = await fast.post(queries.PORTAL, as_=AGENT)
    assert general_runs == []
    assert _comparable(answer) == _comparable(reference)
    assert answer.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert records == [("Portal", ["TIMEOUT"], 1)]


async def test_rate_limiting_charges_each_request_once(
    engine: AsyncEngine,
    settings: Settings,
    principals: dict[str, tuple[PrincipalKind, int]],
    general_runs: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "query Me { viewer { name } engagements(first: 3) { nodes { number } } }"
    reads: list[str] = []
    scalar_sql = Database.scalar_sql

    async def counted(self: Database, text: str, parameters: tuple[Any, ...]) -> Any:
        reads.append(text)
        return await scalar_sql(self, text, parameters)

    monkeypatch.setattr(Database, "scalar_sql", counted)
    limited = replace(settings, compiled_reads=True, rate_limit=RateLimit(14, 0.001))
    async for fast, _general in _pair(engine, limited, principals):
        answers = [await fast.post(query, as_=AGENT) for _ in range(4)]
        statuses = [answer.status_code for answer in answers]
        cost = answers[0].json()["extensions"]["cost"]
        points = cost["requestedQueryCost"]
        assert general_runs == ["Me"], "the first one went the general way, the rest fast"
        left = [
            a.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
            for a in answers[:3]
        ]
        assert left == [14 - points, 14 - 2 * points, 14 - 3 * points]
        assert 3 * points <= 14 < 4 * points  # three fit in the bucket, not four
        assert statuses == [200, 200, 200, 429]
        assert len(reads) == 3, "the refused request read nothing"
        assert answers[3].headers["Retry-After"]
        assert answers[3].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_finisher_failing_after_the_charge_is_charged_once(
    engine: AsyncEngine,
    settings: Settings,
    principals: dict[str, tuple[PrincipalKind, int]],
    general_runs: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast path charges the bucket, the statement runs, then a finisher raises: the
    request goes the general way (which words the outcome), carrying the charge with it."""
    limited = replace(settings, compiled_reads=True, rate_limit=RateLimit(100_000, 0.001))
    async for fast, general in _pair(engine, limited, principals):
        first = await fast.post(queries.CASES, as_=AGENT)  # known from now on
        points = first.json()["extensions"]["cost"]["requestedQueryCost"]

        async def failing(*_: Any) -> Any:
            raise FinisherFailed("a finisher raised")

        monkeypatch.setattr(execute, "finish", failing)
        del general_runs[:]
        second = await fast.post(queries.CASES, as_=AGENT)
        assert general_runs == ["CaseList"], "handed to the general path"
        reference = await general.post(queries.CASES, as_=AGENT)
        # The resolvers answered (the SLA clock moves between requests: compare the rows).
        numbers = [
            [n["number"] for n in a.json()["data"]["cases"]["nodes"]] for a in (second, reference)
        ]
        assert numbers[0] == numbers[1]
        assert numbers[0]
        assert "errors" not in second.json()
        left = second.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
        assert left == 100_000 - 2 * points  # the first request's charge and this one's


async def test_no_fast_path_where_only_the_general_path_holds_the_rules(
    engine: AsyncEngine, settings: Settings
) -> None:
    resolvers = replace(settings, compiled_reads=False)
    assert _endpoint(create_app(resolvers, engine=engine)).fast_path is None
