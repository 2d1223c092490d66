"""The compiled reads' statement cache (issue 10): a statement is built and compiled once per
shape (bound arguments, and what the rules see of the viewer), then each request binds its
own values: the viewer's ids and id lists, today, a node's id. These tests hold that a cached
statement answers every viewer with that viewer's rows, that shapes which change the rules
take their own entries, and that the path each query took is counted on /metrics and, in
development only, explained in ``extensions.compiledReads``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import orjson
import pytest
from bench import queries
from graphql import FragmentDefinitionNode, get_operation_ast, parse
from graphql.execution.values import get_variable_values
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.access.viewer import PrincipalKind, Viewer
from csm_graphql.app import create_app
from csm_graphql.graphql.compiled import execute
from csm_graphql.graphql.compiled.execute import build_statement
from csm_graphql.graphql.compiled.plan import Binding, bind_operation, plan_operation
from csm_graphql.graphql.schema import build_schema
from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories import prepared
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.prepared import Prepared, StatementCache, Uncacheable
from csm_graphql.repositories.principals import load_viewer
from csm_graphql.settings import Settings
from tests.factories import Isolated
from tests.support import GraphQLClient, StatementLog

AGENT = "agent@csm.example"
ACME_CUSTOMER = "success@acme.example"  # customer_success_customer of Acme
MULTI_CUSTOMER = "multi@initech.example"  # the same role, of Initech and Umbrella
PRODUCTION_SECRET = "a-production-secret-of-enough-length-0123456789"
TODAY = date(2026, 6, 1)

NODE = """
query Node($id: ID!) { node(id: $id) { ... on SuccessCase { number subject daysRemaining
  tasks(first: 5) { totalCount nodes { number } } } } }
"""

FILTERED_BY = """
query FilteredBy($states: [WorkState!]) {
  successCases(first: 3, filter: {state: $states}) { totalCount nodes { number state } } }
"""


async def _app_client(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, settings, principals)


@pytest.fixture
def client(resolver_client: GraphQLClient) -> GraphQLClient:
    """The reference of these tests: the resolver path, whatever the run's default."""
    return resolver_client


@pytest.fixture
async def compiled(
    engine: AsyncEngine, settings: Settings, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    """A fresh app (its own caches and counters) with the compiled reads on."""
    async for client in _app_client(engine, replace(settings, compiled_reads=True), principals):
        yield client


@pytest.fixture
async def production(
    engine: AsyncEngine, database_url: str, principals: dict[str, tuple[PrincipalKind, int]]
) -> AsyncIterator[GraphQLClient]:
    settings = Settings(
        environment="production",
        secret_key=PRODUCTION_SECRET,
        database_url=database_url,
        compiled_reads=True,
    )
    settings.check()
    async for client in _app_client(engine, settings, principals):
        yield client


async def _samples(http: httpx.AsyncClient) -> dict[tuple[str, frozenset[Any]], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _cache(samples: dict[tuple[str, frozenset[Any]], float], outcome: str) -> float:
    labels = frozenset({"outcome": outcome}.items())
    return samples.get(("csm_compiled_statement_cache_total", labels), 0.0)


def _reads(samples: dict[tuple[str, frozenset[Any]], float], path: str, reason: str) -> float:
    labels = frozenset({"path": path, "reason": reason}.items())
    return samples.get(("csm_compiled_reads_total", labels), 0.0)


async def _viewer(engine: AsyncEngine, principals: dict[str, Any], email: str) -> Viewer:
    viewer = await load_viewer(Database(engine), *principals[email])
    assert viewer is not None
    return viewer


def _fields(query: str, viewer: Viewer, variables: dict[str, Any] | None = None) -> list[Any]:
    """The bound shapes of a query for this viewer, as the reader binds them."""
    schema = build_schema(Settings(compiled_reads=True))._schema
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    plans = plan_operation(schema, operation, fragments, viewer)
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    assert not isinstance(coerced, list), coerced
    return bind_operation(plans, Binding(coerced, viewer, Settings().limits))


async def _through_cache(
    cache: StatementCache, engine: AsyncEngine, viewer: Viewer, fields: list[Any]
) -> Any:
    text, parameters = cache.statement(build_statement, engine.dialect, viewer, TODAY, fields)
    return orjson.loads(await Database(engine).scalar_sql(text, parameters))


async def _built_afresh(engine: AsyncEngine, viewer: Viewer, fields: list[Any]) -> Any:
    """The answer of a statement built for this very request (what the differential tests
    hold equal to the resolvers)."""
    statement = sql.StatementBuilder(viewer, sql.RequestValues(TODAY)).statement(fields)
    return orjson.loads(await Database(engine).scalar(statement))


def _account_numbers(answer: dict[str, Any]) -> set[str]:
    return {e["account"]["name"] for e in answer["engagements"]["nodes"]}


async def test_a_viewer_of_the_same_shape_reuses_the_statement_with_its_own_rows(
    engine: AsyncEngine, principals: dict[str, Any]
) -> None:
    acme = await _viewer(engine, principals, ACME_CUSTOMER)
    multi = await _viewer(engine, principals, MULTI_CUSTOMER)
    # Same role, different accounts (and ids): one shape.
    assert acme.roles == multi.roles
    assert set(acme.account_ids).isdisjoint(multi.account_ids)
    acme, multi = (
        replace(v, descendant_account_ids=(), served_account_ids=()) for v in (acme, multi)
    )
    cache = StatementCache()
    first = await _through_cache(cache, engine, acme, _fields(queries.PORTAL, acme))
    assert (cache.stats.hits, cache.stats.misses, len(cache)) == (0, 1, 1)
    assert isinstance(cache.entry(_fields(queries.PORTAL, acme), acme), Prepared)
    second = await _through_cache(cache, engine, multi, _fields(queries.PORTAL, multi))
    assert (cache.stats.hits, cache.stats.misses, len(cache)) == (1, 1, 1)
    assert first == await _built_afresh(engine, acme, _fields(queries.PORTAL, acme))
    assert second == await _built_afresh(engine, multi, _fields(queries.PORTAL, multi))
    # Each got its own accounts' engagements, and both have some.
    assert _account_numbers(first)
    assert _account_numbers(second)
    assert _account_numbers(first).isdisjoint(_account_numbers(second))


async def test_an_empty_account_list_is_another_shape_and_both_are_right(
    engine: AsyncEngine, principals: dict[str, Any]
) -> None:
    acme = await _viewer(engine, principals, ACME_CUSTOMER)
    without_accounts = replace(acme, account_ids=(), descendant_account_ids=())
    cache = StatementCache()
    for viewer in (acme, without_accounts, acme, without_accounts):
        fields = _fields(queries.PORTAL, viewer)
        answer = await _through_cache(cache, engine, viewer, fields)
        assert answer == await _built_afresh(engine, viewer, fields)
    assert (cache.stats.misses, cache.stats.hits, len(cache)) == (2, 2, 2)
    assert _account_numbers(
        await _through_cache(cache, engine, acme, _fields(queries.PORTAL, acme))
    )
    empty = await _through_cache(
        cache, engine, without_accounts, _fields(queries.PORTAL, without_accounts)
    )
    assert empty["engagements"]["nodes"] == []


async def test_duplicate_and_overlapping_id_lists_bind_like_a_fresh_build(
    engine: AsyncEngine, principals: dict[str, Any]
) -> None:
    """A case manager's case accounts are its accounts and their descendants, duplicates
    dropped; its own account list is passed as it is. Both read from one cached text."""
    manager = await _viewer(engine, principals, "manager@acme.example")
    agent = await _viewer(engine, principals, AGENT)
    case_id = (await _through_cache(StatementCache(), engine, agent, _fields(
        "{ successCases(first: 1) { nodes { id } } }", agent
    )))["successCases"]["nodes"][0]["id"]  # fmt: skip
    cache = StatementCache()
    variants = [
        manager,
        replace(manager, account_ids=(*manager.account_ids, *manager.account_ids)),
        replace(manager, descendant_account_ids=(*manager.account_ids, 999_999)),
    ]
    for viewer in variants:
        fields = _fields(queries.DETAIL, viewer, {"id": case_id})
        assert await _through_cache(cache, engine, viewer, fields) == await _built_afresh(
            engine, viewer, fields
        )
    entry = cache.entry(_fields(queries.DETAIL, manager, {"id": case_id}), manager)
    assert isinstance(entry, Prepared)
    lists = {slot for slot, _ in entry.slots if isinstance(slot, prepared.ViewerIds)}
    assert lists == {
        prepared.ViewerIds(("account_ids",), unique=False),  # my_accounts
        prepared.ViewerIds(("account_ids", "descendant_account_ids"), unique=True),  # cases'
    }
    assert (cache.stats.misses, cache.stats.hits) == (1, 2)


async def test_node_ids_are_bound_not_keyed(
    engine: AsyncEngine, principals: dict[str, Any]
) -> None:
    agent = await _viewer(engine, principals, AGENT)
    ids = [
        n["id"]
        for n in (
            await _through_cache(
                StatementCache(),
                engine,
                agent,
                _fields("{ successCases(first: 3) { nodes { id } } }", agent),
            )
        )["successCases"]["nodes"]
    ]
    assert len(ids) == 3
    cache = StatementCache()
    answers = []
    for node_id in ids:
        fields = _fields(NODE, agent, {"id": node_id})
        answer = await _through_cache(cache, engine, agent, fields)
        assert answer == await _built_afresh(engine, agent, fields)
        answers.append(answer["node"]["number"])
    assert len(set(answers)) == 3
    assert (cache.stats.misses, cache.stats.hits) == (1, 2)


async def test_an_unknown_viewer_attribute_is_not_cached(
    engine: AsyncEngine, principals: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache knows which viewer attributes hold values; a new one is refused until it
    is taught, rather than bound as a constant."""
    agent = await _viewer(engine, principals, AGENT)
    fields = _fields(queries.PORTAL, agent)
    # As if Viewer had gained an attribute the cache was not taught (here: email).
    known = prepared._VIEWER_FIELDS - {"email"}
    monkeypatch.setattr(prepared, "_VIEWER_FIELDS", known)
    cache = StatementCache()
    for _ in range(2):
        assert await _through_cache(cache, engine, agent, fields) == await _built_afresh(
            engine, agent, fields
        )
    assert isinstance(cache.entry(fields, agent), Uncacheable)
    assert (cache.stats.misses, cache.stats.uncacheable, cache.stats.hits) == (1, 1, 0)


async def test_requests_hit_the_cache_and_stay_two_statements(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    """Through HTTP: the second customer of another account hits the statement cache, gets
    the resolvers' answer for itself, and the compiled path still runs one statement after
    the viewer's."""
    before = await _samples(compiled.http)
    for email in (ACME_CUSTOMER, MULTI_CUSTOMER, ACME_CUSTOMER):
        reference = (await client.post(queries.PORTAL, as_=email)).json()
        with statement_log.record() as statements:
            answer = (await compiled.post(queries.PORTAL, as_=email)).json()
        assert answer["data"] == reference["data"]
        assert answer["extensions"]["compiledReads"]["path"] == "compiled"
        assert len(statements) == 2
        assert "json_build_object" in statements[1]
    after = await _samples(compiled.http)
    outcomes = ("hit", "miss", "uncacheable", "rebuilt")
    counted = sum(_cache(after, o) - _cache(before, o) for o in outcomes)
    assert counted == 3
    assert _cache(after, "hit") - _cache(before, "hit") >= 1  # at least the second Acme request
    assert _reads(after, "compiled", "none") - _reads(before, "compiled", "none") == 3


async def test_fallbacks_are_counted_by_a_bounded_reason(compiled: GraphQLClient) -> None:
    before = await _samples(compiled.http)
    for query in (
        "{ emailTemplates(first: 1) { nodes { id } } }",
        "{ __schema { queryType { name } } }",
        "{ viewer { accounts { id } } }",
    ):
        response = await compiled.post(query, as_=AGENT)
        assert response.status_code == 200, response.text
    after = await _samples(compiled.http)
    for reason in ("root_field", "introspection", "field_without_sql"):
        assert _reads(after, "fallback", reason) - _reads(before, "fallback", reason) == 1
    # Only categories label the series, never the refusal's text.
    reasons = {
        dict(labels)["reason"] for name, labels in after if name == "csm_compiled_reads_total"
    }
    assert reasons <= {"none", "mutation", "introspection", "directive", "root_field",
                       "field_without_sql", "computed_field", "filter", "argument_refused",
                       "selection", "operation", "finisher", "other"}  # fmt: skip


async def test_development_explains_the_path_and_production_does_not(
    compiled: GraphQLClient, production: GraphQLClient
) -> None:
    refused = "{ emailTemplates(first: 1) { nodes { id } } }"
    answer = (await compiled.post(refused, as_=AGENT)).json()
    assert answer["extensions"]["compiledReads"] == {
        "path": "fallback",
        "reason": "root_field",
        "detail": "root field emailTemplates",
    }
    served = (await compiled.post(queries.PORTAL, as_=AGENT)).json()
    assert served["extensions"]["compiledReads"] == {
        "path": "compiled",
        "reason": None,
        "detail": None,
    }
    for query in (refused, queries.PORTAL):
        in_production = (await production.post(query, as_=AGENT)).json()
        assert "errors" not in in_production
        assert "compiledReads" not in in_production["extensions"]


PAGES = """
query Pages($after: String, $order: EngagementOrder) {
  engagements(first: 3, after: $after, orderBy: $order) {
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { number name goLiveDate updatedAt }
  }
}"""


@pytest.mark.parametrize(
    "field",
    ["NAME", "GO_LIVE_DATE", "NUMBER", "UPDATED_AT"],  # text, date, integer, timestamp keys
)
async def test_pages_after_any_cursor_share_one_statement(
    engine: AsyncEngine, principals: dict[str, Any], field: str
) -> None:
    agent = await _viewer(engine, principals, AGENT)
    cache = StatementCache()
    after: str | None = None
    numbers: list[int] = []
    for _ in range(4):
        variables = {"after": after, "order": {"field": field, "direction": "DESC"}}
        fields = _fields(PAGES, agent, variables)
        answer = await _through_cache(cache, engine, agent, fields)
        assert answer == await _built_afresh(engine, agent, fields)
        page = answer["engagements"]
        assert page["pageInfo"]["hasNextPage"]
        numbers += [node["number"] for node in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
    assert len(set(numbers)) == 12  # four pages, one after the other
    # The first page, then one statement for every page after a cursor.
    assert (cache.stats.misses, cache.stats.hits, cache.stats.uncacheable) == (2, 2, 0)


async def test_a_bad_cursor_on_a_cached_statement_gets_the_resolvers_error(
    client: GraphQLClient, compiled: GraphQLClient
) -> None:
    first = await compiled.query(PAGES, as_=AGENT)
    cursor = first["engagements"]["pageInfo"]["endCursor"]
    assert (await compiled.query(PAGES, {"after": cursor}, as_=AGENT)) == await client.query(
        PAGES, {"after": cursor}, as_=AGENT
    )
    for bad in ("bogus", cursor[:-2]):
        reference = (await client.post(PAGES, {"after": bad}, as_=AGENT)).json()
        answer = (await compiled.post(PAGES, {"after": bad}, as_=AGENT)).json()
        assert answer["extensions"].pop("compiledReads")["reason"] == "argument_refused"
        assert answer == reference
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# The bench's canonical queries (issue 10), cached with the compiled reads on (the default):
# (query, the two viewers of the same shape, the outcomes of their three requests).
CACHED = {
    "portal": queries.PORTAL,
    "detail": queries.DETAIL,
    "cases": queries.CASES,
    "search": queries.SEARCH,
    "dashboard": queries.DASHBOARD,
}


async def _first_success_case(client: GraphQLClient, email: str) -> str:
    data = await client.query("{ successCases(first: 1) { nodes { id } } }", as_=email)
    found: str = data["successCases"]["nodes"][0]["id"]
    return found


@pytest.fixture(scope="module")
async def same_shape(engine: AsyncEngine, principals: dict[str, Any]) -> str:
    """Another contact than the Acme customer whose viewer has the same shape (kind, roles,
    which id lists are empty), of another account: the cache must serve both."""
    acme = await _viewer(engine, principals, ACME_CUSTOMER)
    for email, (kind, _) in sorted(principals.items()):
        if kind is PrincipalKind.CONTACT and email != ACME_CUSTOMER:
            other = await _viewer(engine, principals, email)
            if (
                prepared.viewer_shape(other) == prepared.viewer_shape(acme)
                and other.account_ids != acme.account_ids
            ):
                return email
    raise AssertionError("the seed has no other contact of the Acme customer's shape")


@pytest.mark.parametrize("name", sorted(CACHED))
async def test_the_canonical_queries_hit_the_cache_for_viewers_of_one_shape(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    same_shape: str,
    name: str,
) -> None:
    """Two customers of different accounts and the same roles (one shape): the first request
    builds and caches the statement, the other viewer's and the repeat are hits, and each
    answer is that viewer's own (the resolvers'). Contacts are denied the dashboard's loaded
    fields (constant nulls), so their dashboard is cacheable too."""
    query = CACHED[name]
    before = await _samples(compiled.http)
    for email in (ACME_CUSTOMER, same_shape, ACME_CUSTOMER):
        variables = {"id": await _first_success_case(client, email)} if name == "detail" else None
        reference = (await client.post(query, variables, as_=email)).json()
        with statement_log.record() as statements:
            answer = (await compiled.post(query, variables, as_=email)).json()
        assert answer["extensions"]["compiledReads"]["path"] == "compiled", answer
        assert answer["data"] == reference["data"]
        assert len(statements) == 2
    after = await _samples(compiled.http)
    outcomes = {o: _cache(after, o) - _cache(before, o) for o in ("miss", "hit", "uncacheable")}
    assert outcomes == {"miss": 1, "hit": 2, "uncacheable": 0}


async def test_the_agents_dashboard_is_built_per_request_and_compiled_once(
    client: GraphQLClient, compiled: GraphQLClient
) -> None:
    """By design: the health and adoption fields are loaded finishers, whose captured SELECTs
    are built for the request (graphql/compiled/loaded.py), so no key of shapes can name the
    statement: it is built per request. Its compiled form is found by its structure
    (SQLAlchemy's cache key): compiled the first time (``uncacheable``), bound after
    (``rebuilt``), and both answer alike."""
    before = await _samples(compiled.http)
    for _ in range(3):
        reference = (await client.post(queries.DASHBOARD, as_=AGENT)).json()
        answer = (await compiled.post(queries.DASHBOARD, as_=AGENT)).json()
        assert answer["extensions"]["compiledReads"]["path"] == "compiled"
        assert answer["data"] == reference["data"]
    after = await _samples(compiled.http)
    kinds = ("miss", "hit", "uncacheable", "rebuilt")
    outcomes = {o: _cache(after, o) - _cache(before, o) for o in kinds}
    assert outcomes == {"miss": 0, "hit": 0, "uncacheable": 1, "rebuilt": 2}


async def test_a_structure_compiled_once_binds_each_requests_own_values(
    client: GraphQLClient, compiled: GraphQLClient
) -> None:
    """Filtered lists are built per request (their conditions are made for it). Requests of
    one structure (the same viewer's with other filter values, even more of them; another
    viewer's of the same shape) share one compiled form, and each answer is the resolvers'
    own: the filter's values and the viewer's ids are bound, never the first request's."""
    before = await _samples(compiled.http)
    answers: dict[tuple[str, str], bytes] = {}
    for email, states in (
        (AGENT, "NEW IN_PROGRESS"),
        (AGENT, "NEW IN_PROGRESS"),  # the same structure: compiled once
        (AGENT, "CLOSED NEW PAUSED"),  # other values (the IN list expanded to three)
        (ACME_CUSTOMER, "NEW IN_PROGRESS"),  # other rules: another structure
        (MULTI_CUSTOMER, "NEW IN_PROGRESS"),  # the same role, other accounts: Acme's
    ):
        variables = {"states": states.split()}
        reference = (await client.post(FILTERED_BY, variables, as_=email)).json()
        answer = (await compiled.post(FILTERED_BY, variables, as_=email)).json()
        assert answer["extensions"]["compiledReads"]["path"] == "compiled"
        assert answer["data"] == reference["data"]
        assert answer["data"]["successCases"]["nodes"]
        answers[email, states] = orjson.dumps(answer["data"])
    assert len(set(answers.values())) == 4
    after = await _samples(compiled.http)
    outcomes = {o: _cache(after, o) - _cache(before, o) for o in ("uncacheable", "rebuilt")}
    assert outcomes == {"uncacheable": 2, "rebuilt": 3}


# -- the bound reads' cache (execute.CompiledReader._bound) -------------------------------------

WHO_AND_WHAT = """
query WhoAndWhat($id: ID!) { viewer { id name email roles }
  node(id: $id) { ... on SuccessCase { number subject } }
  successCases(first: 3) { nodes { id number } } }
"""
FILTERED = """
query Filtered { successCases(first: 3, filter: {state: [NEW, IN_PROGRESS]}) { nodes { number } } }
"""


@contextmanager
def _counting_binds() -> Iterator[list[int]]:
    """How many times the compiled reads bind an operation (one entry per binding)."""
    counted: list[int] = []

    def counting(plans: Any, binding: Binding) -> list[Any]:
        counted.append(1)
        return bind_operation(plans, binding)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(execute, "bind_operation", counting)
        yield counted


@pytest.fixture
def binds() -> Iterator[list[int]]:
    with _counting_binds() as counted:
        yield counted


async def _answers(client: GraphQLClient, query: str, as_: str, **variables: Any) -> Any:
    answer = (await client.post(query, variables or None, as_=as_)).json()
    assert "errors" not in answer, answer
    return answer


async def test_a_viewer_repeating_an_operation_binds_it_once(
    client: GraphQLClient, compiled: GraphQLClient, binds: list[int]
) -> None:
    first = await _answers(compiled, queries.CANDIDATE_CASES, AGENT)
    ids = [n["id"] for n in first["data"]["successCases"]["nodes"][:2]]
    before = len(binds)
    for case_id in (ids[0], ids[0], ids[1], ids[0]):
        answer = await _answers(compiled, WHO_AND_WHAT, AGENT, id=case_id)
        reference = await _answers(client, WHO_AND_WHAT, AGENT, id=case_id)
        assert answer["extensions"]["compiledReads"]["path"] == "compiled"
        assert orjson.dumps(answer["data"]) == orjson.dumps(reference["data"])
        assert answer["data"]["node"] is not None
    # Bound for the first id and for the second; the repeats came from the cache.
    assert len(binds) - before == 2


async def test_the_bound_reads_are_each_viewers_own(isolated: Isolated) -> None:
    """Two viewers of one shape (the same role, one account each) sending the same text: each
    gets its own ``viewer`` values and rows, never the other's binding."""
    principals = isolated.client.principals
    emails = []
    for _ in range(2):
        account = await isolated.make.account()
        contact = await isolated.make.contact(account, "customer_success_customer")
        engagement = await isolated.make.engagement(account)
        await isolated.make.success_case(engagement, visible_to_customer=True)
        emails.append(contact["email"])
    query = "{ viewer { id name email } successCases(first: 3) { nodes { id number } } }"
    settings = isolated.client.settings
    seen: dict[str, bytes] = {}
    async for compiled in _app_client(isolated.engine, replace(settings, compiled_reads=True),
                                      principals):  # fmt: skip
        async for reference in _app_client(
            isolated.engine, replace(settings, compiled_reads=False), principals
        ):
            with _counting_binds() as binds:
                for email in (*emails, *emails):
                    answer = await _answers(compiled, query, email)
                    assert answer["extensions"]["compiledReads"]["path"] == "compiled"
                    expected = await _answers(reference, query, email)
                    assert orjson.dumps(answer["data"]) == orjson.dumps(expected["data"])
                    assert answer["data"]["viewer"]["email"] == email
                    assert len(answer["data"]["successCases"]["nodes"]) == 1
                    seen[email] = orjson.dumps(answer["data"])
            assert len(binds) == 2  # once per viewer
    assert seen[emails[0]] != seen[emails[1]]


async def test_a_filtered_list_is_bound_per_request(
    client: GraphQLClient, compiled: GraphQLClient, binds: list[int]
) -> None:
    """A filter's conditions are built for the request (volatile): never kept."""
    before = len(binds)
    for _ in range(3):
        answer = await _answers(compiled, FILTERED, AGENT)
        reference = await _answers(client, FILTERED, AGENT)
        assert answer["extensions"]["compiledReads"]["path"] == "compiled"
        assert answer["data"] == reference["data"]
    assert len(binds) - before == 3
