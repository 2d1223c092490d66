"""The canonical queries cost a fixed number of SQL statements, whatever the page sizes.

Counted from the engine, so the statement that loads the viewer is included. Each test runs
on both paths and pins each path's count: the resolvers' (one statement per level) and the
compiled reads' (the viewer's, then one; ``compiled_path.pinned``).
"""

from __future__ import annotations

import pytest

from csm_graphql.demo import personas
from tests.compiled_path import pinned
from tests.support import GraphQLClient, StatementLog

PORTAL = """
query Portal($engagements: Int!, $initiatives: Int!, $cases: Int!) {
  engagements(first: $engagements) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id number name stage goLiveDate
      initiatives(first: $initiatives) {
        totalCount
        nodes {
          id number shortDescription state priority dueDate daysRemaining
          successCases(first: $cases) {
            totalCount
            nodes { id number subject state priority dueDate daysRemaining }
          }
        }
      }
    }
  }
}
"""

DETAIL = """
query Detail($id: ID!) {
  node(id: $id) {
    ... on SuccessCase {
      number state subject dueDate daysRemaining description
      account { id name }
      product { name }
      tasks(first: 20) { totalCount nodes { number shortDescription state dueDate } }
      activities(first: 20) { totalCount nodes { kind at body actorName } }
      attachments(first: 10) { nodes { fileName sizeBytes } }
      sharedArticles(first: 5) { nodes { number title } }
    }
  }
}
"""

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]


@pytest.fixture
def client(each_path: GraphQLClient) -> GraphQLClient:
    """Every count here is pinned on both paths: the resolvers' and the compiled reads'."""
    return each_path


async def _count(
    client: GraphQLClient, statement_log: StatementLog, query: str, variables: dict, email: str
) -> tuple[int, dict]:
    with statement_log.record() as statements:
        data = await client.query(query, variables, as_=email)
    return len(statements), data


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_portal_query_costs_at_most_four_statements(
    client: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    full = {"engagements": 20, "initiatives": 10, "cases": 5}
    count, data = await _count(client, statement_log, PORTAL, full, email)
    engagements = data["engagements"]["nodes"]
    # Viewer, engagements, initiatives of all engagements, success cases of all initiatives;
    # a level with no parents issues no statement, so viewers who see less cost less.
    levels = 1 + 1 + bool(engagements) + any(e["initiatives"]["nodes"] for e in engagements)
    assert levels <= 4
    assert count == pinned(client, resolvers=levels)


async def test_portal_query_cost_does_not_grow_with_page_sizes(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    small, _ = await _count(
        client,
        statement_log,
        PORTAL,
        {"engagements": 1, "initiatives": 1, "cases": 1},
        "agent@csm.example",
    )
    large, data = await _count(
        client,
        statement_log,
        PORTAL,
        {"engagements": 20, "initiatives": 10, "cases": 5},
        "agent@csm.example",
    )
    initiatives = [i for e in data["engagements"]["nodes"] for i in e["initiatives"]["nodes"]]
    assert len(data["engagements"]["nodes"]) == 20
    assert len(initiatives) > 50
    assert sum(len(i["successCases"]["nodes"]) for i in initiatives) > 50
    assert small == large == pinned(client, resolvers=4)


@pytest.mark.parametrize("email", ["agent@csm.example", "success@acme.example"])
async def test_success_case_detail_costs_a_fixed_number_of_statements(
    client: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    listing = await client.query(
        "{ successCases(first: 1, filter: {}) { nodes { id } } }", as_=email
    )
    case_id = listing["successCases"]["nodes"][0]["id"]
    count, data = await _count(client, statement_log, DETAIL, {"id": case_id}, email)
    assert data["node"]["number"]
    # Viewer, the case, then one statement per relation: account, product, tasks,
    # activities, attachments, shared articles.
    assert count == pinned(client, resolvers=8)


async def test_nodes_are_batched_per_type(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    listing = await client.query(
        "{ successCases(first: 30) { nodes { id } } engagements(first: 30) { nodes { id } } }",
        as_="agent@csm.example",
    )
    ids = [n["id"] for n in listing["successCases"]["nodes"] + listing["engagements"]["nodes"]]
    with statement_log.record() as statements:
        data = await client.query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, as_="agent@csm.example"
        )
    assert [node["id"] for node in data["nodes"]] == ids
    assert len(statements) == pinned(client, resolvers=3)  # the viewer, one per type


PROJECTS = """
query Projects($projects: Int!, $tasks: Int!, $comments: Int!) {
  projects(first: $projects) {
    totalCount
    nodes {
      number name state plannedEnd
      account { name }
      contacts(first: 10) { nodes { name } }
      tasks(first: $tasks) {
        totalCount
        nodes {
          number shortDescription state plannedEnd actualStart actualEnd version
          assignedContact { name }
          comments(first: $comments) { nodes { body actorName at } }
        }
      }
    }
  }
}
"""


@pytest.mark.parametrize(
    "email", ["caseagent@csm.example", "customer@acme.example", "partner@globex.example"]
)
async def test_the_project_portal_query_costs_a_fixed_number_of_statements(
    client: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    small, _ = await _count(
        client, statement_log, PROJECTS, {"projects": 1, "tasks": 1, "comments": 1}, email
    )
    large, data = await _count(
        client, statement_log, PROJECTS, {"projects": 30, "tasks": 20, "comments": 5}, email
    )
    tasks = [t for p in data["projects"]["nodes"] for t in p["tasks"]["nodes"]]
    assert tasks, "the query must reach every level for the count to mean something"
    # Viewer, projects, then one statement per relation: account, contacts, tasks, and under
    # the tasks their assigned contacts and comments.
    assert small == large == pinned(client, resolvers=7)


# The workspace dashboard (issue 4): 20 engagements with both weekly series and indicators.
DASHBOARD = """
query Dashboard($engagements: Int!, $weeks: Int!) {
  engagements(first: $engagements) {
    nodes {
      id number name healthScore healthColour
      healthSeries(weeks: $weeks) { weekStart hasSnapshot score colour }
      adoptionSeries(weeks: $weeks) { weekStart counts { low medium high none total } }
      healthIndicators(first: 20) {
        totalCount nodes { metric target weight direction actual attainment gapPercent score }
      }
    }
  }
}
"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_dashboard_costs_a_fixed_number_of_statements(
    client: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    count, data = await _count(
        client, statement_log, DASHBOARD, {"engagements": 20, "weeks": 12}, email
    )
    engagements = data["engagements"]["nodes"]
    internal = email.endswith("@csm.example")
    # Viewer, engagements, then one statement each for the health readings (score, colour and
    # indicators share it), the health snapshots and the adoption history. Contacts get the
    # internal fields as null without a statement.
    assert count == pinned(client, resolvers=2 + (3 if engagements and internal else 0))
    if engagements and internal:
        assert len(engagements) == 20
        assert all(len(e["healthSeries"]) == 12 for e in engagements)
        assert all(len(e["adoptionSeries"]) == 12 for e in engagements)
        assert all(e["healthIndicators"]["totalCount"] for e in engagements)
    else:
        assert all(e["healthSeries"] == [] for e in engagements)


async def test_dashboard_cost_does_not_grow_with_engagements_or_weeks(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    small, _ = await _count(
        client, statement_log, DASHBOARD, {"engagements": 1, "weeks": 1}, "agent@csm.example"
    )
    large, data = await _count(
        client, statement_log, DASHBOARD, {"engagements": 60, "weeks": 52}, "agent@csm.example"
    )
    assert len(data["engagements"]["nodes"]) == 60
    assert small == large == pinned(client, resolvers=5)
