"""Cases raised for customer projects: who may raise them, what they link, and who sees them
(ACCESS.md "Customer projects" and "Cases")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient

CREATE = """mutation($project: ID!, $task: ID, $summary: String!) {
  createProjectCase(projectId: $project, projectTaskId: $task, shortDescription: $summary,
                    description: "Raised from the project page.") {
    case { id number project { name } projectTask { shortDescription } account { name } }
    userErrors { code field message } } }"""
SEES_CASE = "query($id: ID!) { node(id: $id) { ... on Case { number } } }"


async def _id(engine: AsyncEngine, sql: str, **params: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql), params)).scalar_one())


async def _project(engine: AsyncEngine, name: str) -> str:
    return global_id(
        "Project", await _id(engine, "SELECT id FROM projects WHERE name = :n", n=name)
    )


async def _task(engine: AsyncEngine, summary: str) -> str:
    found = await _id(
        engine, "SELECT id FROM project_tasks WHERE short_description = :s", s=summary
    )
    return global_id("ProjectTask", found)


async def _cases(engine: AsyncEngine) -> int:
    return await _id(engine, "SELECT count(*) FROM cases")


async def test_a_customer_raises_a_case_for_its_project_task_and_sees_it_at_once(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    project = await _project(write_engine, "Data platform rollout")
    task = await _task(write_engine, "Schedule end-user training")
    data = await write_client.query(
        CREATE,
        {"project": project, "task": task, "summary": "Training rooms are not booked"},
        as_="customer@acme.example",
    )
    result = data["createProjectCase"]
    assert result["userErrors"] == []
    case = result["case"]
    assert case["project"] == {"name": "Data platform rollout"}
    assert case["projectTask"] == {"shortDescription": "Schedule end-user training"}
    assert case["account"] == {"name": "Acme Corp"}

    # Who sees it: the creator, Acme's admin and case manager (their accounts' cases), Globex's
    # partner admin (a customer it serves); not the plain partner contact on the project.
    expected = {
        "customer@acme.example": True,
        "admin@acme.example": True,
        "manager@acme.example": True,
        "partneradmin@globex.example": True,
        "caseagent@csm.example": True,
        "partner@globex.example": False,
        "success@acme.example": False,
    }
    seen = {}
    for email in expected:
        node = (await write_client.query(SEES_CASE, {"id": case["id"]}, as_=email))["node"]
        seen[email] = node is not None
    assert seen == expected

    listed = await write_client.query(
        "query($id: ID!) { node(id: $id) { ... on Project { cases(first: 50) { nodes { id } } } } "
        "}",
        {"id": project},
        as_="caseagent@csm.example",
    )
    assert case["id"] in {c["id"] for c in listed["node"]["cases"]["nodes"]}


async def test_refused_project_cases_create_nothing(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    rollout = await _project(write_engine, "Data platform rollout")
    before = await _cases(write_engine)
    attempts = [
        # A task of another project.
        (
            "customer@acme.example",
            rollout,
            await _task(write_engine, "Map case categories"),
            ("NOT_FOUND", ["projectTaskId"]),
        ),
        # A task of the project hidden from customers: as good as missing.
        (
            "customer@acme.example",
            rollout,
            await _task(write_engine, "Review internal capacity plan"),
            ("NOT_FOUND", ["projectTaskId"]),
        ),
        # A project the viewer is not a contact of.
        ("manager@acme.example", rollout, None, ("NOT_FOUND", ["projectId"])),
        # A project it sees, but of an account that is not its own (a partner's customer).
        ("partner@globex.example", rollout, None, ("FORBIDDEN", ["projectId"])),
        ("customer@acme.example", "not-an-id", None, ("NOT_FOUND", ["projectId"])),
    ]
    for email, project, task, expected in attempts:
        data = await write_client.query(
            CREATE, {"project": project, "task": task, "summary": "Nope"}, as_=email
        )
        result = data["createProjectCase"]
        assert result["case"] is None
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [expected], email
    assert await _cases(write_engine) == before


async def test_project_case_records_reach_only_project_contacts(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    """The demo links each persona project's change request and issue to its first case; the
    case's viewers who are not project contacts see the case but not those records."""
    case_id = await _id(
        engine,
        "SELECT min(c.id) FROM cases c JOIN projects p ON p.id = c.project_id"
        " WHERE p.name = 'Data platform rollout'",
    )
    query = """query($id: ID!) { node(id: $id) { ... on Case {
        project { name } changeRequests(first: 5) { totalCount } projectIssues(first: 5) {
        totalCount } } } }"""
    variables = {"id": global_id("Case", case_id)}
    agent = (await client.query(query, variables, as_="caseagent@csm.example"))["node"]
    assert agent["changeRequests"]["totalCount"] == 1
    assert agent["projectIssues"]["totalCount"] == 1
    manager = (await client.query(query, variables, as_="manager@acme.example"))["node"]
    assert manager is not None, "the case manager sees every Acme case"
    assert manager["project"] is None  # not a contact of that project
    assert manager["changeRequests"]["totalCount"] == 0
    assert manager["projectIssues"]["totalCount"] == 0
    admin = (await client.query(query, variables, as_="admin@acme.example"))["node"]
    assert admin["project"] == {"name": "Data platform rollout"}
    assert admin["changeRequests"]["totalCount"] == 1


async def test_projects_list_their_cases_and_work_orders_under_the_case_rules(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    query = """{ projects(first: 50) { nodes { name
        cases(first: 50) { nodes { id } } workOrders(first: 50) { nodes { id } } } } }"""
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT p.name, c.id, c.account_id, c.contact_id, c.opened_by_contact_id"
                    " FROM cases c JOIN projects p ON p.id = c.project_id"
                )
            )
        ).all()
    assert rows, "the demo raises cases for projects"
    agent = await client.query(query, as_="caseagent@csm.example")
    listed = {
        (p["name"], decode_global_id(c["id"])[1])
        for p in agent["projects"]["nodes"]
        for c in p["cases"]["nodes"]
    }
    assert listed == {(name, case_id) for name, case_id, *_ in rows}
    assert any(p["workOrders"]["nodes"] for p in agent["projects"]["nodes"])

    customer = await client.query(query, as_="customer@acme.example")
    customer_id = await _id(engine, "SELECT id FROM contacts WHERE email = 'customer@acme.example'")
    seen = {
        (p["name"], decode_global_id(c["id"])[1])
        for p in customer["projects"]["nodes"]
        for c in p["cases"]["nodes"]
    }
    # Its one project, and of that project's cases those it is the contact of or opened.
    assert seen == {
        (name, case_id)
        for name, case_id, _, contact_id, opener_id in rows
        if name == "Data platform rollout" and customer_id in (contact_id, opener_id)
    }
