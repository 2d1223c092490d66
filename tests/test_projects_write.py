"""Customer project writes, per role: what each may change, what it may not, and that a refused
write changes nothing (and, for an invisible record, looks exactly like a missing one).

Each test has a database of its own (the ``isolated`` fixture) holding the demo's persona
projects (csm_graphql/demo/projects.py, rebuilt by ``projects`` with only the tasks these
tests name) and the personas by the demo's emails and roles, so it asserts exact counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import global_id
from tests.factories import Isolated, Row
from tests.support import GraphQLClient

UPDATE = """mutation($id: ID!, $v: Int!, $start: Date, $end: Date) {
  updateProjectTask(id: $id, expectedVersion: $v, actualStart: $start, actualEnd: $end) {
    projectTask { id state actualStart actualEnd version }
    userErrors { code field message } } }"""
UPDATE_START = """mutation($id: ID!, $v: Int!, $start: Date) {
  updateProjectTask(id: $id, expectedVersion: $v, actualStart: $start) {
    projectTask { state actualStart actualEnd version } userErrors { code field message } } }"""
COMPLETE = """mutation($id: ID!) { completeProjectTask(id: $id) {
    projectTask { state actualStart actualEnd version } userErrors { code message } } }"""
COMMENT = """mutation($id: ID!, $body: String!) { addProjectTaskComment(id: $id, body: $body) {
    comment { kind body actorName } projectTask { comments(first: 50) { nodes { body } } }
    userErrors { code field message } } }"""
EDIT = """mutation($id: ID!, $v: Int!, $summary: String, $state: ProjectState, $visible: Boolean,
  $plannedStart: Date, $plannedEnd: Date) {
  editProjectTask(id: $id, expectedVersion: $v, shortDescription: $summary, state: $state,
    visibleToCustomer: $visible, plannedStart: $plannedStart, plannedEnd: $plannedEnd) {
    projectTask { shortDescription state visibleToCustomer version }
    userErrors { code field message } } }"""
ASSIGN = """mutation($id: ID!, $v: Int!, $contact: ID, $user: ID) {
  assignProjectTask(id: $id, expectedVersion: $v, contactId: $contact, userId: $user) {
    projectTask { visibleToCustomer assignedContact { email } version }
    userErrors { code field message } } }"""
ADD_CONTACT = """mutation($project: ID!, $contact: ID!) {
  addProjectContact(projectId: $project, contactId: $contact) {
    project { contacts(first: 20) { nodes { email } } } userErrors { code field message } } }"""


@pytest.fixture
async def projects(isolated: Isolated) -> Isolated:
    """Acme's "Data platform rollout" [customer, admin, partner] and "Support portal
    migration" [manager, success], Initech's "Onboarding" [partner admin, multi] and
    Umbrella's "Clinical analytics" [multi, through its contact relationship]; Globex serves
    Acme and Initech. Tasks as in the demo: (name, state, assignee, visible)."""
    make = isolated.make
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    umbrella = await make.account("Umbrella Health")
    globex = await make.account("Globex Partners", kind="PARTNER")
    for customer in (acme, initech):
        await make.partner(globex, customer)
    people: dict[str, Row] = {
        "case_agent": await make.user("case_agent", email="caseagent@csm.example"),
        "customer": await make.contact(acme, "customer", email="customer@acme.example"),
        "customer_admin": await make.contact(acme, "customer_admin", email="admin@acme.example"),
        "case_manager": await make.contact(
            acme, "customer_case_manager", email="manager@acme.example"
        ),
        "success_customer": await make.contact(
            acme, "customer_success_customer", email="success@acme.example"
        ),
        "partner": await make.contact(globex, "partner", email="partner@globex.example"),
        "partner_admin": await make.contact(
            globex, "partner_admin", email="partneradmin@globex.example"
        ),
        "multi_account": await make.contact(
            initech, "customer_success_customer", email="multi@initech.example", related=[umbrella]
        ),
    }
    for email, role in (
        ("agent@csm.example", "customer_success_agent"),
        ("viewer@csm.example", "customer_success_viewer"),
        ("proxy@csm.example", "proxy_contact"),
    ):
        await make.user(role, email=email)
    started, ended = date(2026, 3, 2), date(2026, 3, 20)
    cards: list[tuple[Row, str, list[str], list[tuple[str, str, str | None, bool]]]] = [
        (acme, "Data platform rollout", ["customer", "customer_admin", "partner"], [
            ("Provide sandbox credentials", "OPEN", "customer", True),
            ("Validate the data export", "PENDING", "customer", True),
            ("Configure the partner connector", "WORK_IN_PROGRESS", "partner", True),
            ("Sign off the rollout plan", "CLOSED_COMPLETE", "customer_admin", True),
            ("Provision production tenant", "WORK_IN_PROGRESS", "case_agent", True),
            ("Review internal capacity plan", "OPEN", "case_agent", False),
            ("Schedule end-user training", "PENDING", None, True),
        ]),
        (acme, "Support portal migration", ["case_manager", "success_customer"], [
            ("Map case categories", "OPEN", "case_manager", True),
            ("Migrate knowledge articles", "PENDING", "case_agent", True),
            ("Decommission the old portal", "PENDING", "case_agent", False),
        ]),
        (initech, "Onboarding", ["partner_admin", "multi_account"], [
            ("Import the user directory", "WORK_IN_PROGRESS", "multi_account", True),
            ("Partner go-live checklist", "OPEN", "partner_admin", True),
            ("Internal handover notes", "OPEN", "case_agent", False),
        ]),
        (umbrella, "Clinical analytics", ["multi_account"], [
            ("Nominate data stewards", "OPEN", "multi_account", True),
            ("Prepare the analytics workspace", "PENDING", "case_agent", True),
        ]),
    ]  # fmt: skip
    for account, name, contacts, tasks in cards:
        project = await make.project(account, name, contacts=[people[c] for c in contacts])
        for description, state, assignee, visible in tasks:
            by_user = assignee == "case_agent"
            await make.project_task(
                project,
                short_description=description,
                state=state,
                visible_to_customer=visible,
                assigned_contact=None if by_user or assignee is None else people[assignee],
                assigned_to=people[assignee] if by_user else None,
                actual_start=started if state in ("WORK_IN_PROGRESS", "CLOSED_COMPLETE") else None,
                actual_end=ended if state == "CLOSED_COMPLETE" else None,
            )
    return isolated


async def _task(engine: AsyncEngine, short_description: str) -> dict[str, Any]:
    async with engine.connect() as connection:
        row = (
            (
                await connection.execute(
                    text("SELECT * FROM project_tasks WHERE short_description = :s ORDER BY id"),
                    {"s": short_description},
                )
            )
            .mappings()
            .first()
        )
    assert row is not None, short_description
    return dict(row)


async def _count(engine: AsyncEngine, sql: str, **params: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql), params)).scalar_one())


def _id(task: dict[str, Any]) -> str:
    return global_id("ProjectTask", task["id"])


async def _mutate(client: GraphQLClient, query: str, variables: dict[str, Any], email: str) -> Any:
    data = await client.query(query, variables, as_=email)
    return next(iter(data.values()))


async def test_a_customer_updates_and_completes_its_task_with_audit_and_journal(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    task = await _task(engine, "Provide sandbox credentials")
    assert task["state"] == "OPEN"
    audits = "SELECT count(*) FROM audit_log WHERE record_type = 'project_task' AND record_id = :i"
    assert await _count(engine, audits, i=task["id"]) == 0

    started = await _mutate(
        client,
        UPDATE_START,
        {"id": _id(task), "v": task["version"], "start": "2026-05-20"},
        "customer@acme.example",
    )
    assert started["userErrors"] == []
    assert started["projectTask"]["state"] == "WORK_IN_PROGRESS"  # starting moves it on
    assert started["projectTask"]["actualStart"] == "2026-05-20"
    assert started["projectTask"]["version"] == task["version"] + 1

    done = await _mutate(client, COMPLETE, {"id": _id(task)}, "customer@acme.example")
    assert done["userErrors"] == []
    assert done["projectTask"]["state"] == "CLOSED_COMPLETE"
    assert done["projectTask"]["actualEnd"] == datetime.now(UTC).date().isoformat()
    assert done["projectTask"]["version"] == task["version"] + 2
    assert await _count(engine, audits, i=task["id"]) == 2

    again = await _mutate(client, COMPLETE, {"id": _id(task)}, "customer@acme.example")
    assert again["projectTask"] is None
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_STATE"]
    after = await _task(engine, "Provide sandbox credentials")
    assert after["version"] == task["version"] + 2  # the second completion changed nothing
    assert await _count(engine, audits, i=task["id"]) == 2
    journal = (
        "SELECT count(*) FROM activities WHERE record_type = 'project_task' AND record_id = :i"
        " AND kind = 'STATE_CHANGE'"
    )
    assert await _count(engine, journal, i=task["id"]) == 2


async def test_completing_fills_an_empty_actual_start_and_never_ends_before_it(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    task = await _task(engine, "Import the user directory")
    done = await _mutate(client, COMPLETE, {"id": _id(task)}, "multi@initech.example")
    assert done["userErrors"] == []
    result = done["projectTask"]
    assert result["actualStart"] == task["actual_start"].isoformat()
    assert date.fromisoformat(result["actualEnd"]) >= task["actual_start"]


@pytest.mark.parametrize(
    ("email", "task_name", "on_a_colleagues_task"),
    [
        # customer_admin, whose own task is closed; a contact of the rollout project.
        ("admin@acme.example", "Sign off the rollout plan", "FORBIDDEN"),
        ("partner@globex.example", "Configure the partner connector", "FORBIDDEN"),
        # Not contacts of the rollout project: its tasks do not exist for them.
        ("partneradmin@globex.example", "Partner go-live checklist", "NOT_FOUND"),
        ("manager@acme.example", "Map case categories", "NOT_FOUND"),
    ],
)
async def test_each_external_role_may_change_only_its_own_tasks_actual_dates(
    projects: Isolated,
    email: str,
    task_name: str,
    on_a_colleagues_task: str,
) -> None:
    client, engine = projects.client, projects.engine
    own = await _task(engine, task_name)
    result = await _mutate(
        client,
        UPDATE,
        {"id": _id(own), "v": own["version"], "start": "2026-04-01", "end": "2026-04-02"},
        email,
    )
    if own["state"] == "CLOSED_COMPLETE":
        assert [e["code"] for e in result["userErrors"]] == ["INVALID_STATE"]
    else:
        assert result["userErrors"] == []
        assert result["projectTask"]["actualEnd"] == "2026-04-02"

    # A task of a project it sees, assigned to someone else: FORBIDDEN, nothing changes.
    other = await _task(engine, "Schedule end-user training")
    refused = await _mutate(
        client,
        UPDATE,
        {"id": _id(other), "v": other["version"], "start": "2026-04-01"},
        email,
    )
    assert [e["code"] for e in refused["userErrors"]] == [on_a_colleagues_task]
    assert await _task(engine, "Schedule end-user training") == other


async def test_invisible_missing_and_malformed_tasks_are_refused_alike(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    hidden = await _task(engine, "Review internal capacity plan")
    assert not hidden["visible_to_customer"]
    answers = []
    for task_id in (
        _id(hidden),
        global_id("ProjectTask", 10**9),
        "not-an-id",
        global_id("Project", hidden["id"]),
    ):
        result = await _mutate(
            client,
            UPDATE,
            {"id": task_id, "v": 1, "start": "2026-04-01"},
            "customer@acme.example",
        )
        answers.append((result["projectTask"], result["userErrors"]))
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][1][0]["code"] == "NOT_FOUND"
    assert await _task(engine, "Review internal capacity plan") == hidden


async def test_other_fields_are_forbidden_to_external_viewers_and_open_to_case_agents(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    task = await _task(engine, "Validate the data export")
    refused = await _mutate(
        client,
        EDIT,
        {"id": _id(task), "v": task["version"], "summary": "Mine now"},
        "customer@acme.example",
    )
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    assert await _task(engine, "Validate the data export") == task

    edited = await _mutate(
        client,
        EDIT,
        {
            "id": _id(task),
            "v": task["version"],
            "summary": "Validate the data export (v2)",
            "state": "OPEN",
        },
        "caseagent@csm.example",
    )
    assert edited["userErrors"] == []
    assert edited["projectTask"]["shortDescription"] == "Validate the data export (v2)"
    assert edited["projectTask"]["state"] == "OPEN"

    current = await _task(engine, "Validate the data export (v2)")
    hide = await _mutate(
        client,
        EDIT,
        {"id": _id(current), "v": current["version"], "visible": False},
        "caseagent@csm.example",
    )
    assert [e["field"] for e in hide["userErrors"]] == [["visibleToCustomer"]]


async def test_bad_dates_and_stale_versions_change_nothing(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    task = await _task(engine, "Provision production tenant")
    backwards = await _mutate(
        client,
        UPDATE,
        {"id": _id(task), "v": task["version"], "start": "2026-05-10", "end": "2026-05-01"},
        "caseagent@csm.example",
    )
    assert [(e["code"], e["field"]) for e in backwards["userErrors"]] == [
        ("BAD_USER_INPUT", ["actualEnd"])
    ]
    planned = await _mutate(
        client,
        EDIT,
        {
            "id": _id(task),
            "v": task["version"],
            "plannedStart": "2026-05-10",
            "plannedEnd": "2026-05-01",
        },
        "caseagent@csm.example",
    )
    assert [e["field"] for e in planned["userErrors"]] == [["plannedEnd"]]
    stale = await _mutate(
        client,
        UPDATE,
        {"id": _id(task), "v": task["version"] - 1, "start": "2026-05-10"},
        "caseagent@csm.example",
    )
    assert [(e["code"], e["field"]) for e in stale["userErrors"]] == [
        ("STALE_VERSION", ["expectedVersion"])
    ]
    assert await _task(engine, "Provision production tenant") == task


async def test_concurrent_updates_with_one_expected_version_exactly_one_wins(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    """Eight requests race with the same expectedVersion, each in its own transaction on its
    own pooled connection: one commits, seven get STALE_VERSION, and the stored dates are the
    winner's (no lost update)."""
    task = await _task(engine, "Nominate data stewards")
    days = [f"2026-05-{day:02d}" for day in range(1, 9)]
    results = await asyncio.gather(
        *(
            _mutate(
                client,
                UPDATE_START,
                {"id": _id(task), "v": task["version"], "start": day},
                "multi@initech.example",
            )
            for day in days
        )
    )
    winners = [r for r in results if not r["userErrors"]]
    losers = [r for r in results if r["userErrors"]]
    assert len(winners) == 1
    assert {e["code"] for r in losers for e in r["userErrors"]} == {"STALE_VERSION"}
    stored = await _task(engine, "Nominate data stewards")
    assert stored["version"] == task["version"] + 1
    assert stored["actual_start"].isoformat() == winners[0]["projectTask"]["actualStart"]


async def test_comments_are_journaled_visible_and_notify_the_assignee(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    task = await _task(engine, "Configure the partner connector")
    outbox = (
        "SELECT count(*) FROM notifications WHERE record_type = 'project_task' AND record_id = :i"
        " AND event = 'project_task.commented' AND recipient_contact_id = :c"
    )
    assert await _count(engine, outbox, i=task["id"], c=task["assigned_contact_id"]) == 0
    by_agent = await _mutate(
        client,
        COMMENT,
        {"id": _id(task), "body": "  Connector keys are in the vault.  "},
        "caseagent@csm.example",
    )
    assert by_agent["userErrors"] == []
    assert by_agent["comment"]["body"] == "Connector keys are in the vault."
    assert by_agent["comment"]["kind"] == "COMMENT"
    assert await _count(engine, outbox, i=task["id"], c=task["assigned_contact_id"]) == 1

    by_partner = await _mutate(
        client, COMMENT, {"id": _id(task), "body": "Thanks, done."}, "partner@globex.example"
    )
    assert by_partner["userErrors"] == []
    bodies = [c["body"] for c in by_partner["projectTask"]["comments"]["nodes"]]
    assert bodies == ["Thanks, done.", "Connector keys are in the vault."]
    # The assignee commenting is not notified of its own comment.
    assert await _count(engine, outbox, i=task["id"], c=task["assigned_contact_id"]) == 1

    empty = await _mutate(
        client, COMMENT, {"id": _id(task), "body": "   "}, "partner@globex.example"
    )
    assert [(e["code"], e["field"]) for e in empty["userErrors"]] == [("BAD_USER_INPUT", ["body"])]
    other = await _mutate(
        client, COMMENT, {"id": _id(task), "body": "Me too"}, "customer@acme.example"
    )
    assert [e["code"] for e in other["userErrors"]] == ["FORBIDDEN"]


async def test_assigning_to_a_contact_makes_the_task_visible_and_notifies_it(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    principals = client.principals
    task = await _task(engine, "Decommission the old portal")
    assert not task["visible_to_customer"]
    manager = global_id("Contact", principals["manager@acme.example"][1])
    customer = global_id("Contact", principals["customer@acme.example"][1])

    outsider = await _mutate(
        client,
        ASSIGN,
        {"id": _id(task), "v": task["version"], "contact": customer},
        "caseagent@csm.example",
    )
    assert [(e["code"], e["field"]) for e in outsider["userErrors"]] == [
        ("BAD_USER_INPUT", ["contactId"])
    ]
    by_customer = await _mutate(
        client,
        ASSIGN,
        {"id": _id(task), "v": task["version"], "contact": manager},
        "manager@acme.example",
    )
    assert [e["code"] for e in by_customer["userErrors"]] == ["NOT_FOUND"]  # hidden from it

    assigned = await _mutate(
        client,
        ASSIGN,
        {"id": _id(task), "v": task["version"], "contact": manager},
        "caseagent@csm.example",
    )
    assert assigned["userErrors"] == []
    assert assigned["projectTask"]["visibleToCustomer"] is True
    assert assigned["projectTask"]["assignedContact"] == {"email": "manager@acme.example"}
    events = (
        "SELECT count(*) FROM notifications WHERE event = 'project_task.assigned'"
        " AND record_id = :i AND recipient_contact_id = :c"
    )
    contact_id = principals["manager@acme.example"][1]
    assert await _count(engine, events, i=task["id"], c=contact_id) == 1
    mine = await client.query(
        "{ projectTasks(scope: MINE, first: 20) { nodes { shortDescription } } }",
        as_="manager@acme.example",
    )
    names = {n["shortDescription"] for n in mine["projectTasks"]["nodes"]}
    assert names == {"Map case categories", "Decommission the old portal"}


async def test_project_contacts_come_from_the_account_or_a_serving_partner(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    principals = client.principals
    async with engine.connect() as connection:
        project_id = (
            await connection.execute(text("SELECT id FROM projects WHERE name = 'Onboarding'"))
        ).scalar_one()
    project = global_id("Project", project_id)

    def contact(email: str) -> str:
        return global_id("Contact", principals[email][1])

    foreign = await _mutate(
        client,
        ADD_CONTACT,
        {"project": project, "contact": contact("customer@acme.example")},
        "caseagent@csm.example",
    )
    assert [(e["code"], e["field"]) for e in foreign["userErrors"]] == [
        ("BAD_USER_INPUT", ["contactId"])
    ]
    partner = await _mutate(
        client,
        ADD_CONTACT,
        {"project": project, "contact": contact("partner@globex.example")},
        "caseagent@csm.example",
    )
    assert partner["userErrors"] == []
    emails = {c["email"] for c in partner["project"]["contacts"]["nodes"]}
    assert emails == {
        "partneradmin@globex.example",
        "multi@initech.example",
        "partner@globex.example",
    }
    twice = await _mutate(
        client,
        ADD_CONTACT,
        {"project": project, "contact": contact("partner@globex.example")},
        "caseagent@csm.example",
    )
    assert [e["code"] for e in twice["userErrors"]] == ["INVALID_STATE"]
    by_contact = await _mutate(
        client,
        ADD_CONTACT,
        {"project": project, "contact": contact("partner@globex.example")},
        "partneradmin@globex.example",
    )
    assert [e["code"] for e in by_contact["userErrors"]] == ["FORBIDDEN"]
    # Now a contact of the project, the partner sees it.
    seen = await client.query(
        "{ projects(first: 20) { nodes { name } } }", as_="partner@globex.example"
    )
    assert {p["name"] for p in seen["projects"]["nodes"]} == {
        "Data platform rollout",
        "Onboarding",
    }


async def test_viewers_without_project_access_cannot_write(
    projects: Isolated,
) -> None:
    client, engine = projects.client, projects.engine
    task = await _task(engine, "Prepare the analytics workspace")
    for email in (
        "agent@csm.example",
        "viewer@csm.example",
        "proxy@csm.example",
        "success@acme.example",
    ):
        result = await _mutate(client, COMPLETE, {"id": _id(task)}, email)
        assert [e["code"] for e in result["userErrors"]] == ["NOT_FOUND"], email
    assert await _task(engine, "Prepare the analytics workspace") == task
