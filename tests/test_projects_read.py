"""Customer projects are read by exactly the viewers ACCESS.md allows, by every read path:
root lists, node/nodes, nested lists and activity streams."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo.personas import PERSONAS
from tests.expectations import decode_global_id, global_id
from tests.project_expectations import ProjectSnapshot
from tests.support import GraphQLClient

EMAILS = [persona.email for persona in PERSONAS]
ROLE_PERSONAS = {
    "customer": "customer@acme.example",
    "customer_admin": "admin@acme.example",
    "partner": "partner@globex.example",
    "partner_admin": "partneradmin@globex.example",
    "customer_case_manager": "manager@acme.example",
    "case_agent": "caseagent@csm.example",
}


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> ProjectSnapshot:
    return await ProjectSnapshot.load(engine)


async def _all_ids(
    client: GraphQLClient, email: str, field: str, args: str = "", variables: Any = None
) -> tuple[set[int], int]:
    """Every id of a root list, following cursors; and the totalCount it reported."""
    query = (
        f"query($after: String) {{ list: {field}(first: 7, after: $after{args}) "
        "{ totalCount pageInfo { hasNextPage endCursor } nodes { id } } }"
    )
    ids: list[int] = []
    after = None
    total = -1
    for _ in range(100):
        data = (await client.query(query, {"after": after, **(variables or {})}, as_=email))["list"]
        ids.extend(decode_global_id(node["id"])[1] for node in data["nodes"])
        total = data["totalCount"]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(ids) == len(set(ids)), "a record came back twice"
    return set(ids), total


def test_the_demo_puts_every_rule_on_both_sides(snapshot: ProjectSnapshot) -> None:
    """Each role sees some projects and tasks and misses others; hidden tasks exist inside
    visible projects; some tasks are assigned to each external persona."""
    every_project = set(snapshot.projects)
    for role, email in ROLE_PERSONAS.items():
        visible = snapshot.visible_projects(email)
        if role == "case_agent":
            assert visible == every_project
            continue
        assert visible, f"{role} sees no project"
        assert visible != every_project, f"{role} sees every project"
        inside = [t for t in snapshot.tasks.values() if t["project_id"] in visible]
        assert any(not t["visible_to_customer"] for t in inside), f"{role}: no hidden task"
        assert snapshot.visible_tasks(email, "MINE"), f"{role} has no task of its own"
    assert snapshot.visible_projects("agent@csm.example") == set()
    assert snapshot.visible_projects("proxy@csm.example") == set()


@pytest.mark.parametrize("email", EMAILS)
async def test_root_lists_show_exactly_the_visible_projects_and_tasks(
    client: GraphQLClient, snapshot: ProjectSnapshot, email: str
) -> None:
    projects, total = await _all_ids(client, email, "projects")
    assert projects == snapshot.visible_projects(email)
    assert total == len(projects)
    for scope in ("ALL", "MINE"):
        tasks, total = await _all_ids(client, email, "projectTasks", f", scope: {scope}")
        assert tasks == snapshot.visible_tasks(email, scope), scope
        assert total == len(tasks)


@pytest.mark.parametrize("email", EMAILS)
async def test_node_resolves_exactly_the_visible_records(
    client: GraphQLClient, snapshot: ProjectSnapshot, email: str
) -> None:
    kinds = {
        "Project": (snapshot.projects, snapshot.visible_projects(email)),
        "ProjectTask": (snapshot.tasks, snapshot.visible_tasks(email)),
        "ProjectChangeRequest": (
            snapshot.raised["project_change_requests"],
            snapshot.visible_raised(email, "project_change_requests"),
        ),
        "ProjectIssue": (
            snapshot.raised["project_issues"],
            snapshot.visible_raised(email, "project_issues"),
        ),
    }
    for type_name, (every, visible) in kinds.items():
        ids = sorted(every)[:100]
        data = await client.query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [global_id(type_name, i) for i in ids]},
            as_=email,
        )
        resolved = {i for i, node in zip(ids, data["nodes"], strict=True) if node is not None}
        assert resolved == visible & set(ids), type_name


@pytest.mark.parametrize("email", list(ROLE_PERSONAS.values()))
async def test_nested_lists_follow_the_same_rules_and_hide_work_notes(
    client: GraphQLClient, snapshot: ProjectSnapshot, email: str
) -> None:
    data = await client.query(
        """{ projects(first: 40) { totalCount nodes { id
              tasks(first: 20) { totalCount nodes { id assignedTo { name }
                comments(first: 5) { nodes { kind } }
                activities(first: 5) { nodes { kind } } } }
              changeRequests(first: 10) { nodes { id } }
              issues(first: 10) { nodes { id } } } } }""",
        as_=email,
    )
    internal = snapshot.viewers[email].kind == "USER"
    assert data["projects"]["totalCount"] <= 40, "grow the page: the test must see every project"
    seen_tasks: set[int] = set()
    for project in data["projects"]["nodes"]:
        project_id = decode_global_id(project["id"])[1]
        tasks = {decode_global_id(task["id"])[1] for task in project["tasks"]["nodes"]}
        expected = {
            i
            for i in snapshot.visible_tasks(email)
            if snapshot.tasks[i]["project_id"] == project_id
        }
        assert tasks == expected
        assert project["tasks"]["totalCount"] == len(expected)
        seen_tasks |= tasks
        for task in project["tasks"]["nodes"]:
            assert {c["kind"] for c in task["comments"]["nodes"]} <= {"COMMENT"}
            row = snapshot.tasks[decode_global_id(task["id"])[1]]
            if internal:
                assert task["activities"] is not None
                assert (task["assignedTo"] is None) == (row["assigned_to_id"] is None)
            else:
                assert task["activities"] is None  # the full journal is internal
                assert task["assignedTo"] is None  # so is the employee working it
        for field, table in (
            ("changeRequests", "project_change_requests"),
            ("issues", "project_issues"),
        ):
            ids = {decode_global_id(node["id"])[1] for node in project[field]["nodes"]}
            assert ids == {i for i, p in snapshot.raised[table].items() if p == project_id}
    assert seen_tasks == snapshot.visible_tasks(email)


async def test_a_partner_contact_reads_the_comments_on_its_task_of_a_served_account(
    client: GraphQLClient,
) -> None:
    """Partner contacts are not of the project's account; the project rule, not the account,
    admits them to the task's comments (and still never to work notes)."""
    data = await client.query(
        """{ projectTasks(scope: MINE, first: 10) { nodes {
              shortDescription account { name } comments(first: 10) { totalCount } } } }""",
        as_="partner@globex.example",
    )
    tasks = data["projectTasks"]["nodes"]
    assert [task["shortDescription"] for task in tasks] == ["Configure the partner connector"]
    assert tasks[0]["comments"]["totalCount"] >= 1


async def test_contacts_of_a_project_follow_the_contact_directory_rule(
    client: GraphQLClient,
) -> None:
    query = """query($filter: ProjectFilter) { projects(first: 10, filter: $filter) { nodes {
        name contacts(first: 10) { totalCount nodes { email } } } } }"""
    admin = await client.query(query, as_="admin@acme.example")
    rollout = next(p for p in admin["projects"]["nodes"] if p["name"] == "Data platform rollout")
    # A customer admin sees its colleagues on the project, not the partner's contact.
    assert {c["email"] for c in rollout["contacts"]["nodes"]} == {
        "customer@acme.example",
        "admin@acme.example",
    }
    agent = await client.query(query, as_="caseagent@csm.example")
    rollout = next(p for p in agent["projects"]["nodes"] if p["name"] == "Data platform rollout")
    assert rollout["contacts"]["totalCount"] == 3


async def test_project_task_filters_and_orders(
    client: GraphQLClient, snapshot: ProjectSnapshot
) -> None:
    query = """query($filter: ProjectTaskFilter, $order: ProjectTaskOrder) {
        projectTasks(first: 100, filter: $filter, orderBy: $order) {
            nodes { state plannedEnd number } } }"""
    open_only = await client.query(
        query, {"filter": {"state": ["OPEN"]}}, as_="caseagent@csm.example"
    )
    states = {node["state"] for node in open_only["projectTasks"]["nodes"]}
    assert states == {"OPEN"}
    expected = sum(1 for task in snapshot.tasks.values() if task["state"] == "OPEN")
    assert len(open_only["projectTasks"]["nodes"]) == min(expected, 100)
    ordered = await client.query(
        query,
        {"order": {"field": "NUMBER", "direction": "DESC"}},
        as_="customer@acme.example",
    )
    numbers = [node["number"] for node in ordered["projectTasks"]["nodes"]]
    assert numbers == sorted(numbers, reverse=True)
    assert numbers
    bad = await client.errors(
        query,
        {"filter": {"plannedEndFrom": "2026-07-01", "plannedEndTo": "2026-06-01"}},
        as_="customer@acme.example",
    )
    assert bad[0]["extensions"]["code"] == "BAD_USER_INPUT"
