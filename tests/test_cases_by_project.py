"""Cases by project (issue 12): `cases(filter: {project})` lists the cases raised for a
customer project that the viewer sees by the Cases rules, in SQL before LIMIT, and every case
shows the project it was raised for (`raisedFor`: id, number, name) to whoever sees the case,
while `Case.project` stays under the project rule. Against tests/expectations.py (cases) and
tests/project_expectations.py (projects)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo import personas
from tests import compiled_path
from tests.expectations import CaseSnapshot, decode_global_id, global_id
from tests.project_expectations import ProjectSnapshot
from tests.support import GraphQLClient, StatementLog

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]
BY_PROJECT = """query($project: ID!, $first: Int, $after: String) {
  cases(filter: {project: $project}, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id raisedFor { id number name } project { number } } } }"""


@pytest.fixture(scope="module")
async def snapshots(engine: AsyncEngine) -> tuple[CaseSnapshot, ProjectSnapshot]:
    return await CaseSnapshot.load(engine), await ProjectSnapshot.load(engine)


async def _walk(client: GraphQLClient, email: str, project: str) -> list[dict[str, Any]]:
    """Small pages, so that a filter applied after LIMIT would show as short pages."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await client.query(
            BY_PROJECT, {"project": project, "first": 2, "after": after}, as_=email
        )
        connection = data["cases"]
        page = connection["nodes"]
        if connection["pageInfo"]["hasNextPage"]:
            assert len(page) == 2  # full pages: the filter runs before LIMIT
        nodes += page
        if not connection["pageInfo"]["hasNextPage"]:
            assert connection["totalCount"] == len(nodes)
            return nodes
        after = connection["pageInfo"]["endCursor"]


def test_the_demo_decides_something(snapshots: tuple[CaseSnapshot, ProjectSnapshot]) -> None:
    """A manager who is no contact of a project still lists its cases (its accounts'), and a
    plain customer lists only its own of them."""
    cases, projects = snapshots
    manager = cases.base.principal("manager@acme.example")
    customer = cases.base.principal("customer@acme.example")
    raised = {c.project_id for c in cases.cases.values() if c.project_id is not None}
    hidden_but_listed = [
        p
        for p in raised
        if cases.visible_project_cases(manager, p)
        and not projects.sees_project(projects.viewers["manager@acme.example"], p)
    ]
    assert hidden_but_listed
    assert any(
        cases.visible_project_cases(customer, p) < cases.visible_project_cases(manager, p)
        for p in raised
    )


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_cases_by_project_per_persona(
    client: GraphQLClient,
    engine: AsyncEngine,
    snapshots: tuple[CaseSnapshot, ProjectSnapshot],
    email: str,
) -> None:
    cases, projects = snapshots
    who = cases.base.principal(email)
    project_viewer = projects.viewers[email]
    for project_id, project in projects.projects.items():
        nodes = await _walk(client, email, global_id("Project", project_id))
        listed = {decode_global_id(node["id"])[1] for node in nodes}
        assert listed == cases.visible_project_cases(who, project_id), (email, project_id)
        reference = {
            "id": global_id("Project", project_id),
            "number": project["number"],
            "name": project["name"],
        }
        sees_project = projects.sees_project(project_viewer, project_id)
        for node in nodes:
            assert node["raisedFor"] == reference
            assert node["project"] == ({"number": project["number"]} if sees_project else None)


async def test_cases_without_a_project_show_none(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as connection:
        case_id = (
            await connection.execute(text("SELECT min(id) FROM cases WHERE project_id IS NULL"))
        ).scalar_one()
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { raisedFor { number } } } }",
        {"id": global_id("Case", case_id)},
        as_="caseagent@csm.example",
    )
    assert data["node"] == {"raisedFor": None}


async def test_a_wrong_project_id_is_a_coded_error(client: GraphQLClient) -> None:
    errors = await client.errors(
        '{ cases(filter: {project: "not-an-id"}) { totalCount } }', as_="caseagent@csm.example"
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_raised_for_costs_one_statement_per_page(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    """Viewer, the filtered page (with totalCount), and one batched read of the projects the
    page's cases were raised for, whatever the page size; on the compiled path the viewer
    and one statement."""
    query = """query($first: Int!) {
      cases(first: $first) { totalCount nodes { raisedFor { number } } } }"""
    for first in (20, 100):
        with statement_log.record() as statements:
            data = await client.query(query, {"first": first}, as_="caseagent@csm.example")
        raised = {
            node["raisedFor"]["number"] for node in data["cases"]["nodes"] if node["raisedFor"]
        }
        assert len(raised) >= 2  # several projects, one statement
        assert len(statements) == compiled_path.pinned(client, resolvers=3)
