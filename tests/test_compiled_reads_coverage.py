"""Differential tests of what the compiled reads cover beyond their first slice (issue 10):
@skip/@include (literals and variables), list filters at the root and nested, ``nodes(ids:)``,
a response key selected twice, and the root case and project-task lists. Each query runs
through the resolvers (the reference) and the compiled path for every demo persona; both must
give the same JSON value, and the compiled path two statements (the viewer's, then one).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from bench import queries

from csm_graphql.graphql import context as context_module
from tests.expectations import global_id
from tests.support import GraphQLClient, StatementLog
from tests.test_compiled_reads import (
    AGENT,
    EVERY_PERSONA,
    SUCCESS_CUSTOMER,
    _both,
    _compiled,
    _success_case_ids,
    client,
    compiled,
)

# The fixtures, shared with the first slice's module: ``client`` is the resolver path there.
__all__ = ["client", "compiled"]


def _public(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer without the development-only path report (``extensions.compiledReads``),
    which only the compiled app adds: what the two paths must agree on."""
    answer.get("extensions", {}).pop("compiledReads", None)
    return answer


DIRECTIVES = """
query Directives($with: Boolean!, $without: Boolean!) {
  engagements(first: 4) {
    totalCount @include(if: $with)
    nodes {
      number @skip(if: $without)
      name @include(if: false)
      stage @skip(if: true) @include(if: true)
      ... on Engagement @include(if: $with) { goLiveDate account { name } }
      ...Cases @skip(if: $without)
    }
  }
  accounts(first: 2) @include(if: $without) { nodes { name } }
}
fragment Cases on Engagement { successCases(first: 2) { nodes { number } } }"""

# The same response key twice, merged as graphql merges it (leaves, objects, connections,
# through fragments and aliases).
TWICE = """
query Twice {
  engagements(first: 3) {
    nodes { number account { name } successCases(first: 2) { nodes { number } } }
    nodes { number name account { kind } successCases(first: 2) { totalCount nodes { state } } }
    totalCount
  }
  engagements(first: 3) { totalCount pageInfo { hasNextPage } }
  first: accounts(first: 2) { nodes { name } }
  first: accounts(first: 2) { nodes { ...AccountKind } }
}
fragment AccountKind on Account { name kind }"""

FILTERS = """
query Filters($states: [WorkState!], $stages: [EngagementStage!], $search: String) {
  successCases(first: 10, filter: {state: $states}) { totalCount nodes { number state } }
  successTasks(first: 10, filter: {priority: [HIGH, CRITICAL]}) {
    totalCount nodes { number priority } }
  touchpoints(first: 5, filter: {dueFrom: "2020-01-01"}) { totalCount nodes { number } }
  engagements(first: 10, filter: {stage: $stages}) { totalCount nodes { number stage
    initiatives(first: 5, filter: {state: $states}) { totalCount nodes { number state } }
    successCases(first: 3, filter: {priority: [LOW, MODERATE]}) { nodes { number } } } }
  accounts(first: 5, filter: {search: $search}) { totalCount nodes { name } }
  users(first: 5, filter: {search: "a"}) { totalCount nodes { name } }
  projects(first: 5, filter: {state: [WORK_IN_PROGRESS, OPEN]}) { totalCount nodes { number
    tasks(first: 5, filter: {state: [WORK_IN_PROGRESS, PENDING]}) {
      totalCount nodes { number state } } } }
}"""

CASES = """
query Cases($scope: ListScope!, $filter: CaseFilter) {
  cases(scope: $scope, first: 10, filter: $filter, orderBy: {field: NUMBER, direction: DESC}) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id number state priority shortDescription updatedAt
      contact { name } account { name } product { name } } }
  projectTasks(scope: $scope, first: 5) { totalCount nodes { number state } }
}"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id
    ... on SuccessCase { number subject account { name } tasks(first: 2) { totalCount } }
    ... on Engagement { number name } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize(
    "variables",
    [{"with": True, "without": False}, {"with": False, "without": True}],
    ids=["include", "skip"],
)
async def test_skip_and_include_are_equal(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    variables: dict[str, Any],
) -> None:
    answer, statements = await _both(client, compiled, statement_log, DIRECTIVES, variables, email)
    _compiled(statements)
    engagements = answer["data"]["engagements"]
    assert ("totalCount" in engagements) is variables["with"]
    assert ("accounts" in answer["data"]) is variables["without"]
    for node in engagements["nodes"]:
        assert "name" not in node
        assert "stage" not in node
        assert ("number" in node) is not variables["without"]


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_a_key_selected_twice_is_merged_alike(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    answer, statements = await _both(client, compiled, statement_log, TWICE, None, email)
    _compiled(statements)
    assert list(answer["data"]) == ["engagements", "first"]
    engagements = answer["data"]["engagements"]
    assert list(engagements) == ["nodes", "totalCount", "pageInfo"]
    for node in engagements["nodes"]:
        assert list(node) == ["number", "account", "successCases", "name"]
        assert node["account"] is None or list(node["account"]) == ["name", "kind"]


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize(
    "variables",
    [
        {"states": ["NEW", "IN_PROGRESS"], "stages": ["ADOPTION", "EXPAND"], "search": "a"},
        {"states": None, "stages": None, "search": None},
        {"states": [], "stages": [], "search": "zzz-no-such"},
    ],
    ids=["some", "none", "empty"],
)
async def test_list_filters_are_equal(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    variables: dict[str, Any],
) -> None:
    answer, statements = await _both(client, compiled, statement_log, FILTERS, variables, email)
    _compiled(statements)
    if email == AGENT and variables["states"]:
        cases = answer["data"]["successCases"]["nodes"]
        assert cases
        assert all(case["state"] in variables["states"] for case in cases)


async def test_a_filter_the_resolvers_refuse_falls_back_to_their_error(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    for query in (
        '{ engagements(filter: {account: "not-an-id"}) { nodes { number } } }',
        '{ successCases(filter: {dueFrom: "2030-01-02", dueTo: "2030-01-01"}) '
        "{ nodes { number } } }",
    ):
        reference = (await client.post(query, as_=AGENT)).json()
        with statement_log.record() as statements:
            answer = _public((await compiled.post(query, as_=AGENT)).json())
        assert answer == reference
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert not any("json_build_object" in statement for statement in statements)


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize(
    "variables",
    [
        {"scope": "ALL", "filter": None},
        {"scope": "MINE", "filter": None},
        {"scope": "ALL", "filter": {"state": ["NEW", "OPEN"], "priority": ["HIGH", "MODERATE"]}},
    ],
    ids=["all", "mine", "filtered"],
)
async def test_root_case_and_project_task_lists_are_equal(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    variables: dict[str, Any],
) -> None:
    answer, statements = await _both(client, compiled, statement_log, CASES, variables, email)
    _compiled(statements)
    if email == AGENT and variables["scope"] == "ALL" and variables["filter"] is None:
        assert answer["data"]["cases"]["nodes"]


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_nodes_by_ids_are_equal_and_hidden_ones_null(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    visible = await _success_case_ids(client, email)
    hidden = [i for i in await _success_case_ids(client, AGENT) if i not in visible]
    engagements = await client.query("{ engagements(first: 2) { nodes { id } } }", as_=AGENT)
    ids = [
        *visible[:3],
        *hidden[:2],
        *(node["id"] for node in engagements["engagements"]["nodes"]),
        global_id("SuccessCase", 99_999_999),
        global_id("Activity", 99_999_999),  # missing: hidden and missing look alike
        "not-a-global-id",
        *visible[:1],  # the same id twice: the same answer twice
    ]
    answer, statements = await _both(client, compiled, statement_log, NODES, {"ids": ids}, email)
    _compiled(statements)
    nodes = answer["data"]["nodes"]
    assert len(nodes) == len(ids)
    cases = len(visible[:3]) + len(hidden[:2])
    assert [node is not None for node in nodes[:cases]] == [i in visible for i in ids[:cases]]
    assert nodes[-4:-1] == [None, None, None]


async def test_nodes_with_no_ids_and_too_many_ids_answer_alike(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    _, statements = await _both(client, compiled, statement_log, NODES, {"ids": []}, AGENT)
    _compiled(statements)
    too_many = {"ids": [global_id("SuccessCase", n) for n in range(1, 102)]}
    reference = (await client.post(NODES, too_many, as_=SUCCESS_CUSTOMER)).json()
    answer = _public((await compiled.post(NODES, too_many, as_=SUCCESS_CUSTOMER)).json())
    assert answer == reference
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


CASE_DETAIL = """
query CaseList($scope: ListScope!) {
  cases(scope: $scope, first: 15) { totalCount nodes { id number state resolutionNotes
    shareResolutionNotes contact { name } account { name } product { name }
    slas(first: 5) { totalCount nodes { __typename id name target stage plannedEnd breached
      percentElapsed startAt pausedSeconds definition { name } } }
    activities(first: 5) { nodes { kind at body actorName } } } }
}"""


class _FrozenClock(datetime):
    """``datetime`` whose now() is one instant: the two paths answer two requests, and the
    SLA clock (percentElapsed, breached) reads the request's now."""

    @classmethod
    def now(cls, tz: Any = None) -> _FrozenClock:  # type: ignore[override]
        return cls(2026, 6, 1, 10, 30, 15, 250_000, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context_module, "datetime", _FrozenClock)


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize("query", [queries.CASES, CASE_DETAIL], ids=["bench", "detail"])
async def test_case_list_with_slas_and_activities_is_equal(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    query: str,
) -> None:
    for scope in ("ALL", "MINE"):
        variables = {"scope": scope} if query is CASE_DETAIL else None
        answer, statements = await _both(client, compiled, statement_log, query, variables, email)
        _compiled(statements)
        if email == AGENT and scope == "ALL":
            cases = answer["data"]["cases"]["nodes"]
            slas = [sla for case in cases for sla in case["slas"]["nodes"]]
            assert slas
            assert any(sla["percentElapsed"] for sla in slas)
            assert any(case["activities"]["nodes"] for case in cases)


VIEWER = """
query Me {
  viewer { __typename id kind name email roles
    capabilities { successLists { all mine __typename }
      actions { maintainSuccessRecords commentOnSuccessRecords addSuccessWorkNotes
        workEngagements createCases createCasesForOtherContacts commentOnCases
        addCaseWorkNotes workCases } } }
  me: viewer { name }
  successCases(first: 2) { nodes { number } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_viewer_is_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    answer, statements = await _both(client, compiled, statement_log, VIEWER, None, email)
    _compiled(statements)
    assert answer["data"]["viewer"]["email"] == email
    # Its accounts are read from the database: that selection takes the resolvers.
    query = "{ viewer { name accounts { name } } }"
    reference = (await client.post(query, as_=email)).json()
    with statement_log.record() as statements:
        answer = _public((await compiled.post(query, as_=email)).json())
    assert answer == reference
    assert not any("json_build_object" in statement for statement in statements)


SEARCH_PAGED = """
query Search($text: String!, $first: Int!, $after: String) {
  search(text: $text, first: $first) { __typename
    successCases(after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { number subject } } }
    successTasks(first: 2) { totalCount nodes { number } } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_search_is_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    answer, statements = await _both(client, compiled, statement_log, queries.SEARCH, None, email)
    _compiled(statements)
    if email == AGENT:
        assert answer["data"]["search"]["successCases"]["nodes"]
    variables: dict[str, Any] = {"text": "adoption", "first": 2, "after": None}
    first_page, statements = await _both(
        client, compiled, statement_log, SEARCH_PAGED, variables, email
    )
    _compiled(statements)
    page_info = first_page["data"]["search"]["successCases"]["pageInfo"]
    if page_info["hasNextPage"]:
        after = {**variables, "after": page_info["endCursor"]}
        _, statements = await _both(client, compiled, statement_log, SEARCH_PAGED, after, email)
        _compiled(statements)
    # A record's number matches exactly, and ranks first.
    number = {"text": "sc0000001", "first": 3, "after": None}
    _, statements = await _both(client, compiled, statement_log, SEARCH_PAGED, number, email)
    _compiled(statements)


INFORMED = """
query Informed($id: ID!) {
  cases(first: 20) { nodes { number informedUsers { name email } } }
  node(id: $id) { ... on Case { informedUsers { id name } } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_informed_users_are_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    """A case's informed users: the employees its link table lists, under the users' rule
    (none for contacts), by name, as a plain list on both paths."""
    listed = await client.query("{ cases(first: 20) { nodes { id informedUsers { id } } } }",
                                as_=AGENT)  # fmt: skip
    informed = [n for n in listed["cases"]["nodes"] if len(n["informedUsers"]) > 1]
    assert informed  # a case with several, so that their order is compared too
    answer, statements = await _both(
        client, compiled, statement_log, INFORMED, {"id": informed[0]["id"]}, email
    )
    _compiled(statements)
    if email == AGENT:
        assert len(answer["data"]["node"]["informedUsers"]) > 1


SEARCH_CASES_AND_ARTICLES = """
query Search($text: String!, $after: String) {
  search(text: $text, first: 3) {
    cases(after: $after) { totalCount pageInfo { hasNextPage endCursor }
      nodes { number shortDescription } }
    knowledgeArticles { totalCount nodes { number title } } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_search_of_cases_and_articles_is_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    """Cases are found by their journal too: comments for whoever sees the case, work notes
    ("kerberos" is only in work notes) for those who may read them; articles under their
    audience rule. The same hits, counts and ranks on both paths."""
    found = 0
    for text in ("kerberos", "morning", "adoption", "cs0000001"):
        variables: dict[str, Any] = {"text": text, "after": None}
        answer, statements = await _both(
            client, compiled, statement_log, SEARCH_CASES_AND_ARTICLES, variables, email
        )
        _compiled(statements)
        hits = answer["data"]["search"]["cases"]
        found += hits["totalCount"]
        if hits["pageInfo"]["hasNextPage"]:
            after = {**variables, "after": hits["pageInfo"]["endCursor"]}
            _, statements = await _both(
                client, compiled, statement_log, SEARCH_CASES_AND_ARTICLES, after, email
            )
            _compiled(statements)
    if email == AGENT:
        assert found


@pytest.mark.parametrize(
    "query",
    [
        '{ search(text: "  ") { successCases { totalCount } } }',
        '{ search(text: "adoption", first: 500) { successCases { totalCount } } }',
    ],
)
async def test_search_the_resolvers_refuse_or_compile_otherwise_falls_back(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, query: str
) -> None:
    reference = (await client.post(query, as_=AGENT)).json()
    with statement_log.record() as statements:
        answer = _public((await compiled.post(query, as_=AGENT)).json())
    assert answer == reference
    assert not any("json_build_object" in statement for statement in statements)


BENCH_PERSONAS = [AGENT, "customer@acme.example", "manager@acme.example"]
BENCH = {
    "portal": queries.PORTAL,
    "search": queries.SEARCH,
    "cases": queries.CASES,
    "dashboard": queries.DASHBOARD,
}


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("email", BENCH_PERSONAS)
@pytest.mark.parametrize("name", sorted(BENCH))
async def test_the_bench_queries_take_the_compiled_path(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    name: str,
) -> None:
    """The canonical bench queries (the detail query is tested per case above): one statement
    for the agent, the customer and the case manager, and the resolvers' answer."""
    answer, statements = await _both(client, compiled, statement_log, BENCH[name], None, email)
    _compiled(statements)
    if name == "dashboard" and email == AGENT:
        engagements = answer["data"]["engagements"]["nodes"]
        assert any(e["healthScore"] is not None for e in engagements)
        assert all(len(e["healthSeries"]) == 12 for e in engagements)
        assert any(e["healthIndicators"]["nodes"] for e in engagements)


DASHBOARD = """
query Dashboard($weeks: Int!, $order: HealthIndicatorOrder, $after: String) {
  engagements(first: 6, orderBy: {field: NAME}) { nodes { number healthScore healthColour
    successRate adoptionToday { low medium high none total }
    healthSeries(weeks: $weeks) { weekStart hasSnapshot score colour __typename }
    adoptionSeries(weeks: $weeks) { weekStart counts { total high } }
    healthIndicators(first: 2, orderBy: $order, after: $after) { totalCount
      pageInfo { hasNextPage endCursor } edges { cursor node { metric weight score } }
      nodes { metric target direction actual attainment gapPercent } } } }
}"""


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_dashboard_fields_read_from_batched_loads_are_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    for variables in (
        {"weeks": 12, "order": None, "after": None},
        {"weeks": 1, "order": {"field": "SCORE", "direction": "DESC"}, "after": None},
        {"weeks": 30, "order": {"field": "WEIGHT", "direction": "ASC"}, "after": None},
    ):
        answer, statements = await _both(
            client, compiled, statement_log, DASHBOARD, variables, email
        )
        _compiled(statements)
        for engagement in answer["data"]["engagements"]["nodes"]:
            indicators = engagement["healthIndicators"]
            if indicators and indicators["pageInfo"]["hasNextPage"]:
                after = {**variables, "after": indicators["pageInfo"]["endCursor"]}
                _, statements = await _both(
                    client, compiled, statement_log, DASHBOARD, after, email
                )
                _compiled(statements)
                break


async def test_dashboard_arguments_the_resolvers_refuse_fall_back(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    variables = {"weeks": 0, "order": None, "after": None}
    reference = (await client.post(DASHBOARD, variables, as_=AGENT)).json()
    with statement_log.record() as statements:
        answer = _public((await compiled.post(DASHBOARD, variables, as_=AGENT)).json())
    assert answer == reference
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not any("json_build_object" in statement for statement in statements)
