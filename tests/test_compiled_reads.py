"""Differential tests of the compiled reads (issue 10): each query runs through the resolvers
(the reference) and through the compiled path, for every demo persona, and the answers must
be the same JSON value. The compiled path must also take one statement after authentication
(the viewer's), and leave what it cannot compile to the resolvers.
"""

from __future__ import annotations

from typing import Any

import pytest
from bench import queries

from csm_graphql.demo import personas
from csm_graphql.repositories.database import Database
from tests.expectations import global_id
from tests.support import GraphQLClient, StatementLog

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]
AGENT = "agent@csm.example"
SUCCESS_CUSTOMER = "success@acme.example"

# The bench's detail query, and more of the success case.
DETAIL = """
query Detail($id: ID!) {
  node(id: $id) { __typename id ... on SuccessCase { number state subject dueDate daysRemaining
    description priority createdAt updatedAt version visibleToCustomer
    account { id name kind } product { name } engagement { number stage goLiveDate }
    initiative { number progress }
    tasks(first: 20) { totalCount nodes { number shortDescription state dueDate } }
    activities(first: 20) { totalCount nodes { kind at body actorName } }
    attachments(first: 10) { nodes { fileName sizeBytes createdAt } }
    sharedArticles(first: 5) { totalCount nodes { number title } } } }
}"""

PAGED = """
query Paged($first: Int, $after: String, $order: EngagementOrder) {
  engagements(first: $first, after: $after, orderBy: $order) {
    __typename totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
    edges { cursor node { id name goLiveDate } __typename }
    nodes { ...EngagementCard }
  }
}
fragment EngagementCard on Engagement {
  number stage account { name kind createdAt }
  successCases(first: 3, orderBy: {field: PRIORITY, direction: DESC}) {
    totalCount pageInfo { endCursor hasNextPage }
    edges { cursor node { number priority daysRemaining } }
  }
}"""

LISTS = """
query Lists($scope: ListScope!) {
  successInitiatives(scope: $scope, first: 7) { totalCount nodes { number state progress
    assignedTo { name } visibleToCustomer tasks(first: 4) { totalCount nodes { number } } } }
  successTasks(scope: $scope, first: 6, orderBy: {field: NUMBER}) { totalCount
    nodes { id number state description createdAt account { name } } }
  touchpoints(scope: $scope, first: 5) { totalCount nodes { number type scheduledAt } }
  mine: successCases(scope: MINE, first: 5) { totalCount nodes { number } }
  accounts(first: 10) { totalCount nodes { number name kind parent { name } } }
  users(first: 3) { totalCount nodes { name email } }
  projects(first: 5) { totalCount nodes { number state plannedStart
    contacts(first: 2) { totalCount pageInfo { hasNextPage } nodes { name email } }
    tasks(first: 3, orderBy: {field: PLANNED_START, direction: DESC}) { totalCount
      nodes { number visibleToCustomer } } } }
  __typename
}"""

# Fields whose rule is internal: values for employees, null for contacts, on both paths.
ENGAGEMENT_FIELDS = """
{ engagements(first: 8) { nodes { number state contractValue renewalDate perceivedHealth
    createdAt updatedAt version parent { number } goLiveDate } } }
"""
# The same, with fields computed in Python (no SQL twin): compiled only where denied.
INTERNAL_FIELDS = """
{ engagements(first: 5) { nodes { number state contractValue renewalDate perceivedHealth
    createdAt version parent { number } healthScore healthColour } } }
"""


@pytest.fixture
def client(resolver_client: GraphQLClient) -> GraphQLClient:
    """The reference of these tests: the resolver path, whatever the run's default."""
    assert not resolver_client.settings.compiled_reads
    return resolver_client


@pytest.fixture
def compiled(compiled_client: GraphQLClient) -> GraphQLClient:
    """The same app over the same database, with the compiled reads on."""
    assert compiled_client.settings.compiled_reads
    return compiled_client


async def _both(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    query: str,
    variables: dict[str, Any] | None,
    email: str,
) -> tuple[dict[str, Any], list[str]]:
    """The answer of both paths, which must be equal, and the compiled path's statements."""
    reference = (await client.post(query, variables, as_=email)).json()
    with statement_log.record() as statements:
        response = await compiled.post(query, variables, as_=email)
    answer = response.json()
    assert response.status_code == 200, answer
    assert answer.get("data") == reference.get("data")
    assert answer.get("errors") == reference.get("errors")
    assert answer["extensions"]["cost"] == reference["extensions"]["cost"]
    return answer, list(statements)


def _compiled(statements: list[str]) -> None:
    """The viewer's statement, then the one that builds the whole response."""
    assert len(statements) == 2, statements
    assert "json_build_object" in statements[1]


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_portal_is_one_statement_and_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    answer, statements = await _both(client, compiled, statement_log, queries.PORTAL, None, email)
    _compiled(statements)
    if email == AGENT:  # the agent's portal is full: the comparison covers every level
        engagements = answer["data"]["engagements"]["nodes"]
        assert len(engagements) == 20
        assert any(
            i["successCases"]["nodes"] for e in engagements for i in e["initiatives"]["nodes"]
        )


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_connections_asked_only_for_their_total_are_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    _, statements = await _both(
        client, compiled, statement_log, queries.CANDIDATE_CASES, None, email
    )
    _compiled(statements)


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_pages_cursors_and_orderings_are_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    variables: dict[str, Any] = {"first": 4, "order": {"field": "NAME", "direction": "DESC"}}
    first_page, statements = await _both(client, compiled, statement_log, PAGED, variables, email)
    _compiled(statements)
    page_info = first_page["data"]["engagements"]["pageInfo"]
    if email == AGENT:
        assert page_info["hasNextPage"]
        assert page_info["endCursor"]
    if page_info["endCursor"]:
        # The compiled cursor is the resolvers' cursor: the next page follows on both paths.
        after = {**variables, "after": page_info["endCursor"]}
        second_page, statements = await _both(client, compiled, statement_log, PAGED, after, email)
        _compiled(statements)
        assert second_page["data"]["engagements"]["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize("scope", ["ALL", "MINE"])
async def test_root_lists_in_both_scopes_are_equal(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    scope: str,
) -> None:
    _, statements = await _both(client, compiled, statement_log, LISTS, {"scope": scope}, email)
    _compiled(statements)


async def _success_case_ids(client: GraphQLClient, email: str) -> list[str]:
    data = await client.query("{ successCases(first: 100) { nodes { id } } }", as_=email)
    return [node["id"] for node in data["successCases"]["nodes"]]


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_success_case_detail_is_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    visible = await _success_case_ids(client, email)
    hidden = [i for i in await _success_case_ids(client, AGENT) if i not in visible]
    for query in (queries.DETAIL, DETAIL):
        for case_id in [*visible[:3], *hidden[:2]]:
            answer, statements = await _both(
                client, compiled, statement_log, query, {"id": case_id}, email
            )
            _compiled(statements)
            assert (answer["data"]["node"] is not None) == (case_id in visible)


@pytest.mark.parametrize(
    "node_id",
    [
        global_id("SuccessCase", 99_999_999),  # missing
        global_id("Unknown", 1),  # no such type
        global_id("Activity", 99_999_999),  # missing, of a type read alone by its streams
        "not-a-global-id",  # malformed
    ],
)
async def test_hidden_and_missing_look_alike(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, node_id: str
) -> None:
    hidden = [
        i
        for i in await _success_case_ids(client, AGENT)
        if i not in await _success_case_ids(client, SUCCESS_CUSTOMER)
    ]
    assert hidden
    for some_id in (hidden[0], node_id):
        answer, statements = await _both(
            client, compiled, statement_log, DETAIL, {"id": some_id}, SUCCESS_CUSTOMER
        )
        _compiled(statements)
        assert answer["data"] == {"node": None}


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_internal_fields_are_equal(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    answer, statements = await _both(
        client, compiled, statement_log, ENGAGEMENT_FIELDS, None, email
    )
    _compiled(statements)
    if email == AGENT:
        assert any(e["contractValue"] is not None for e in answer["data"]["engagements"]["nodes"])


async def test_internal_fields_are_null_for_contacts_on_the_compiled_path(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    answer, statements = await _both(
        client, compiled, statement_log, INTERNAL_FIELDS, None, SUCCESS_CUSTOMER
    )
    # healthScore is computed in Python, but denied to a contact: compiled as null.
    _compiled(statements)
    engagements = answer["data"]["engagements"]["nodes"]
    assert engagements
    internal = ("state", "contractValue", "renewalDate", "perceivedHealth", "createdAt",
                "version", "parent", "healthScore", "healthColour")  # fmt: skip
    assert all(engagement[name] is None for engagement in engagements for name in internal)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        # A field computed in Python without an SQL twin, for a viewer allowed to read it.
        ("{ engagements(first: 2) { nodes { number objectives { totalCount } } } }", None),
        # A list a loader reads (the success case's contact filter; a case's knowledge and
        # informed users compile since).
        ("{ successCases(first: 2) { nodes { contactFilter { name } } } }", None),
        # Root fields not compiled yet.
        ("{ viewer { accounts { name } } }", None),
        # Arguments the resolvers refuse with their own words.
        ('{ engagements(first: 3, after: "bogus") { nodes { number } } }', None),
        ("{ engagements(first: 1000) { nodes { number } } }", None),
    ],
)
async def test_what_is_not_compiled_falls_back_and_answers_alike(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    query: str,
    variables: dict[str, Any] | None,
) -> None:
    reference = (await client.post(query, variables, as_=AGENT)).json()
    with statement_log.record() as statements:
        response = await compiled.post(query, variables, as_=AGENT)
    answer = response.json()
    # Development says which path ran, when execution was reached (a page size over the
    # limit is refused before it).
    debug = answer["extensions"].pop("compiledReads", {"path": "fallback"})
    assert debug["path"] == "fallback"
    assert answer == reference
    assert not any("json_build_object" in statement for statement in statements)


async def test_a_forbidden_ordering_falls_back_to_the_resolvers_error(
    client: GraphQLClient, compiled: GraphQLClient
) -> None:
    query = "{ engagements(first: 2, orderBy: {field: UPDATED_AT}) { nodes { number } } }"
    reference = (await client.post(query, as_=SUCCESS_CUSTOMER)).json()
    answer = (await compiled.post(query, as_=SUCCESS_CUSTOMER)).json()
    assert answer["extensions"].pop("compiledReads")["reason"] == "argument_refused"
    assert answer == reference
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_failing_statement_is_coded_at_the_root_field(
    compiled: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def timed_out(self: Database, *statement: object) -> None:
        raise TimeoutError  # what asyncpg's command_timeout raises

    # Only the compiled path reads through Database.scalar_sql.
    monkeypatch.setattr(Database, "scalar_sql", timed_out)
    answer = (await compiled.post(queries.PORTAL, as_=AGENT)).json()
    assert answer["data"] is None
    assert [e["path"] for e in answer["errors"]] == [["engagements"]]
    assert answer["errors"][0]["extensions"]["code"] == "TIMEOUT"
