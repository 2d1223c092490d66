"""An access audit of cases, projects and the engagement workspace where they meet: paths a
viewer could use to reach what ACCESS.md denies it (nested lists of a child account's case,
records of projects reached without the project, the customer side of a case's lifecycle,
mutation errors, cursors). Reads use the shared seeded database; writes use write_client and
undo what they add."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient

AGENT = "caseagent@csm.example"
ADMIN = "admin@csm.example"
SUCCESS_VIEWER = "viewer@csm.example"
SUCCESS_AGENT = "agent@csm.example"
PROXY = "proxy@csm.example"
MANAGER = "manager@acme.example"
CUSTOMER_ADMIN = "admin@acme.example"
CUSTOMER = "customer@acme.example"
PARTNER_ADMIN = "partneradmin@globex.example"


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(sql), params)
        return [dict(row) for row in result.mappings()]


async def _execute(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    """Run a write and commit it; the first column of its first row, if it returns one."""
    async with engine.begin() as connection:
        result = await connection.execute(text(sql), params)
        return result.scalar() if result.returns_rows else None


# -- the customer side of a case's lifecycle --------------------------------------------------

TRANSITION = """mutation($id: ID!, $v: Int!, $action: CaseAction!) {
  transitionCase(id: $id, expectedVersion: $v, action: $action) {
    case { state } userErrors { code field message } } }"""
SEES = "query($id: ID!) { node(id: $id) { ... on Case { number state } } }"


CREATE = """mutation($input: CreateCaseInput!) { createCase(input: $input) {
  case { id } userErrors { code field message } } }"""


async def _resolved_case(
    client: GraphQLClient, engine: AsyncEngine, account: str, not_contact: str
) -> tuple[str, int]:
    """A new case of the named account (raised by a case agent for a contact of it other than
    ``not_contact``), moved to RESOLVED: its global id and version."""
    account_id = await _scalar(engine, "SELECT id FROM accounts WHERE name = :a", a=account)
    contact_id = await _scalar(
        engine,
        "SELECT id FROM contacts WHERE account_id = :a AND email <> :e AND active"
        " ORDER BY id LIMIT 1",
        a=account_id,
        e=not_contact,
    )
    new_case = {
        "accountId": global_id("Account", account_id),
        "contactId": global_id("Contact", contact_id),
        "shortDescription": "Audit: who closes a resolved case",
    }
    data = await client.query(CREATE, {"input": new_case}, as_=AGENT)
    assert data["createCase"]["userErrors"] == []
    case_id = decode_global_id(data["createCase"]["case"]["id"])[1]
    version = await _execute(
        engine,
        "UPDATE cases SET state = 'RESOLVED', version = version + 1 WHERE id = :i"
        " RETURNING version",
        i=case_id,
    )
    return global_id("Case", case_id), int(version)


@pytest.mark.parametrize("account", ["Acme Corp", "Acme Europe"])
@pytest.mark.parametrize("action", ["ACCEPT_SOLUTION", "REJECT_SOLUTION"])
async def test_a_case_manager_is_not_an_external_admin_of_the_case(
    write_client: GraphQLClient, write_engine: AsyncEngine, account: str, action: str
) -> None:
    """ACCESS.md: accept / reject a resolution is for the case's contact, its internal contact
    or an external admin of the case's account. customer_case_manager sees every case of its
    accounts and their children, but it is not an admin: it may not close or reopen a case it
    is not the contact of."""
    case, version = await _resolved_case(write_client, write_engine, account, MANAGER)
    variables = {"id": case, "v": version, "action": action}
    seen = await write_client.query(SEES, {"id": case}, as_=MANAGER)
    assert seen["node"] is not None, "the case manager sees the case"
    data = await write_client.query(TRANSITION, variables, as_=MANAGER)
    payload = data["transitionCase"]
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    assert payload["case"] is None
    after = await write_client.query(SEES, {"id": case}, as_=AGENT)
    assert after["node"]["state"] == "RESOLVED"


async def test_an_external_admin_of_the_case_account_still_accepts(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    """The other side of the rule: Acme's customer admin closes an Acme case it is not the
    contact of."""
    case, version = await _resolved_case(write_client, write_engine, "Acme Corp", CUSTOMER_ADMIN)
    variables = {"id": case, "v": version, "action": "ACCEPT_SOLUTION"}
    data = await write_client.query(TRANSITION, variables, as_=CUSTOMER_ADMIN)
    assert data["transitionCase"]["userErrors"] == []
    assert data["transitionCase"]["case"]["state"] == "CLOSED"


# -- work orders of a project without a case ---------------------------------------------------

WORK_ORDER = """query($id: ID!) { node(id: $id) { ... on WorkOrder { number case { number } } } }"""


async def test_a_project_work_order_without_a_case_is_the_project_workers_only(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    """A work order raised for a project alone is a project record: case_agent and admin read
    it; the customer-success roles read every case but nothing of projects (docs/access.md,
    decision 8), and nobody else sees it either."""
    project = (
        await _rows(write_engine, "SELECT id, account_id FROM projects ORDER BY id LIMIT 1")
    )[0]
    order_id = await _execute(
        write_engine,
        "INSERT INTO work_orders (project_id, account_id, short_description)"
        " VALUES (:p, :a, 'Site survey for the project') RETURNING id",
        p=project["id"],
        a=project["account_id"],
    )
    try:
        variables = {"id": global_id("WorkOrder", order_id)}
        for email in (AGENT, ADMIN):
            data = await write_client.query(WORK_ORDER, variables, as_=email)
            assert data["node"] is not None, email
            assert data["node"]["case"] is None
        for email in (SUCCESS_VIEWER, SUCCESS_AGENT, PROXY, CUSTOMER_ADMIN, MANAGER):
            data = await write_client.query(WORK_ORDER, variables, as_=email)
            assert data["node"] is None, email
    finally:
        await _execute(write_engine, "DELETE FROM work_orders WHERE id = :i", i=order_id)


# -- notifications: the followers of a case are people who see it ------------------------------

COMMENT = """mutation($id: ID!, $body: String!) { addCaseComment(caseId: $id, body: $body) {
  userErrors { code } } }"""
WORK_NOTE = """mutation($id: ID!, $body: String!) { addWorkNote(caseId: $id, body: $body) {
  userErrors { code } } }"""


async def test_an_informed_proxy_is_not_told_about_a_case_it_does_not_see(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    """A proxy contact sees only the cases it is the internal contact of (ACCESS.md), so
    being listed among a case's informed users must not send it the case's summary or its
    comments through the notification outbox; an informed success viewer (who reads every
    case) still gets them, and a work note reaches only those who read work notes."""
    account_id = await _scalar(write_engine, "SELECT id FROM accounts WHERE name = 'Acme Corp'")
    contact_id = await _scalar(write_engine, "SELECT id FROM contacts WHERE email = :e", e=CUSTOMER)
    new_case = {
        "accountId": global_id("Account", account_id),
        "contactId": global_id("Contact", contact_id),
        "shortDescription": "Audit: who hears about this case",
    }
    created = await write_client.query(CREATE, {"input": new_case}, as_=AGENT)
    case = created["createCase"]["case"]["id"]
    case_id = decode_global_id(case)[1]
    users = {
        email: await _scalar(write_engine, "SELECT id FROM users WHERE email = :e", e=email)
        for email in (PROXY, SUCCESS_VIEWER)
    }
    for user_id in users.values():
        await _execute(
            write_engine,
            "INSERT INTO case_informed_users (case_id, user_id) VALUES (:c, :u)",
            c=case_id,
            u=user_id,
        )
    assert (await write_client.query(SEES, {"id": case}, as_=PROXY))["node"] is None
    comment = {"id": case, "body": "Audit comment for the followers"}
    assert (await write_client.query(COMMENT, comment, as_=AGENT))["addCaseComment"][
        "userErrors"
    ] == []
    note = {"id": case, "body": "Audit work note for the followers"}
    assert (await write_client.query(WORK_NOTE, note, as_=AGENT))["addWorkNote"]["userErrors"] == []
    sent = await _rows(
        write_engine,
        "SELECT event, recipient_user_id, recipient_contact_id FROM notifications"
        " WHERE record_type = 'case' AND record_id = :c",
        c=case_id,
    )
    to_proxy = [row["event"] for row in sent if row["recipient_user_id"] == users[PROXY]]
    assert to_proxy == []
    to_viewer = {row["event"] for row in sent if row["recipient_user_id"] == users[SUCCESS_VIEWER]}
    assert to_viewer == {"case.commented", "case.work_noted"}
    to_contact = {row["event"] for row in sent if row["recipient_contact_id"] == contact_id}
    assert to_contact == {"case.opened", "case.commented"}


# -- project tasks are assigned to people who see them ------------------------------------------

ASSIGN = """mutation($id: ID!, $v: Int!, $user: ID) {
  assignProjectTask(id: $id, expectedVersion: $v, userId: $user) {
    projectTask { version } userErrors { code field message } } }"""
TASK = "query($id: ID!) { node(id: $id) { ... on ProjectTask { number shortDescription } } }"


@pytest.mark.parametrize("assignee", [SUCCESS_VIEWER, SUCCESS_AGENT, PROXY])
async def test_a_project_task_is_not_assigned_or_sent_to_an_employee_who_cannot_see_it(
    write_client: GraphQLClient, write_engine: AsyncEngine, assignee: str
) -> None:
    """Projects are the project workers' (case_agent, admin): an employee of another role
    does not see the task, so it cannot be made its assignee, which would send it the task's
    number and summary (and later its comments) through the notification outbox."""
    task = (
        await _rows(
            write_engine,
            "SELECT id, version FROM project_tasks WHERE assigned_contact_id IS NULL"
            " ORDER BY id LIMIT 1",
        )
    )[0]
    user_id = await _scalar(write_engine, "SELECT id FROM users WHERE email = :e", e=assignee)
    task_id = global_id("ProjectTask", task["id"])
    assert (await write_client.query(TASK, {"id": task_id}, as_=assignee))["node"] is None
    variables = {"id": task_id, "v": task["version"], "user": global_id("User", user_id)}
    data = await write_client.query(ASSIGN, variables, as_=AGENT)
    payload = data["assignProjectTask"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("BAD_USER_INPUT", ["userId"])
    ]
    version = await _scalar(
        write_engine, "SELECT version FROM project_tasks WHERE id = :i", i=task["id"]
    )
    assert version == task["version"]
    told = await _scalar(
        write_engine,
        "SELECT count(*) FROM notifications WHERE record_type = 'project_task'"
        " AND recipient_user_id = :u",
        u=user_id,
    )
    assert told == 0


# -- regression: a case manager reads a child account's case in full, minus the internals -----

CHILD_CASES = """query($after: String, $account: ID) {
  cases(first: 25, after: $after, filter: {account: $account}) {
  pageInfo { hasNextPage endCursor } nodes { id account { name }
    attachments(first: 1) { totalCount } workOrders(first: 1) { totalCount }
    slas(first: 1) { totalCount } comments(first: 1) { totalCount }
    activities(first: 1) { totalCount } workNotes(first: 1) { totalCount } } } }"""


async def test_a_case_manager_reads_the_records_under_a_child_accounts_case(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    """Acme Europe is a child of Acme: its cases reach the case manager through the
    descendant accounts, and so must their attachments, work orders, SLAs and comments (the
    second-line account check of those records accepts the case accounts), but never a work
    note; the account itself stays hidden (docs/access.md, decision 13)."""
    account_id = await _scalar(engine, "SELECT id FROM accounts WHERE name = 'Acme Europe'")
    counts: dict[str, dict[int, int]] = {}
    for name, sql in {
        "attachments": "SELECT record_id, count(*) FROM attachments WHERE record_type = 'case'"
        " AND account_id = :a GROUP BY 1",
        "workOrders": "SELECT case_id, count(*) FROM work_orders WHERE account_id = :a GROUP BY 1",
        "slas": "SELECT case_id, count(*) FROM task_slas WHERE account_id = :a GROUP BY 1",
        "comments": "SELECT record_id, count(*) FROM activities WHERE record_type = 'case'"
        " AND kind = 'COMMENT' AND account_id = :a GROUP BY 1",
        "activities": "SELECT record_id, count(*) FROM activities WHERE record_type = 'case'"
        " AND kind NOT IN ('WORK_NOTE', 'DISCUSSION') AND account_id = :a GROUP BY 1",
    }.items():
        found = await _rows(engine, sql, a=account_id)
        counts[name] = {
            row["record_id" if "record_id" in row else "case_id"]: row["count"] for row in found
        }
    case_ids = {
        row["id"]
        for row in await _rows(engine, "SELECT id FROM cases WHERE account_id = :a", a=account_id)
    }
    query = CHILD_CASES
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"after": after, "account": global_id("Account", account_id)}
        page = (await client.query(query, variables, as_=MANAGER))["cases"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert {decode_global_id(node["id"])[1] for node in nodes} == case_ids
    assert sum(counts["attachments"].values())  # the demo has records on both sides
    assert sum(counts["workOrders"].values())
    for node in nodes:
        case_id = decode_global_id(node["id"])[1]
        assert node["account"] is None
        assert node["workNotes"] is None
        for name, per_case in counts.items():
            assert node[name]["totalCount"] == per_case.get(case_id, 0), name
    # Acme's customer admin does not see Acme Europe's cases at all.
    admin = await client.query(
        query, {"account": global_id("Account", account_id)}, as_=CUSTOMER_ADMIN
    )
    assert admin["cases"]["nodes"] == []


# -- regression: an invisible case fails exactly like a missing one ---------------------------

ATTACH = """mutation($id: ID!) { addCaseAttachment(caseId: $id, fileName: "a.log",
  contentType: "text/plain", sizeBytes: 10) { attachment { fileName }
  userErrors { code field message } } }"""
UPDATE = """mutation($id: ID!, $v: Int!) { updateCase(id: $id, expectedVersion: $v,
  shortDescription: "Renamed") { case { number } userErrors { code field message } } }"""
MUTATIONS = {
    "addCaseComment": (
        """mutation($id: ID!) { addCaseComment(caseId: $id, body: "Hello") {
  case { number } comment { body } userErrors { code field message } } }""",
        {},
    ),
    "addCaseAttachment": (ATTACH, {}),
    "updateCase": (UPDATE, {"v": 1}),
    "transitionCase": (
        """mutation($id: ID!, $v: Int!) { transitionCase(id: $id, expectedVersion: $v,
  action: ACCEPT_SOLUTION) { case { number } userErrors { code field message } } }""",
        {"v": 1},
    ),
    "addWorkNote": (
        """mutation($id: ID!) { addWorkNote(caseId: $id, body: "Note") {
  case { number } workNote { body } userErrors { code field message } } }""",
        {},
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("email", [CUSTOMER, PROXY, "success@acme.example", PARTNER_ADMIN])
async def test_a_case_the_viewer_cannot_see_fails_like_a_missing_one(
    write_client: GraphQLClient, write_engine: AsyncEngine, mutation: str, email: str
) -> None:
    """Same code, message and field for a case that exists but is hidden and for an id that
    exists nowhere: neither the error nor the payload tells them apart, and nothing changes."""
    hidden = await _scalar(
        write_engine,
        "SELECT c.id FROM cases c JOIN accounts a ON a.id = c.account_id"
        " WHERE a.name = 'Umbrella Health' AND c.internal_contact_id IS DISTINCT FROM"
        " (SELECT id FROM users WHERE email = :p) ORDER BY c.id LIMIT 1",
        p=PROXY,
    )
    assert (await write_client.query(SEES, {"id": global_id("Case", hidden)}, as_=email)) == {
        "node": None
    }
    before = await _scalar(write_engine, "SELECT version FROM cases WHERE id = :i", i=hidden)
    journal = "SELECT count(*) FROM activities WHERE record_type = 'case' AND record_id = :i"
    entries = await _scalar(write_engine, journal, i=hidden)
    query, extra = MUTATIONS[mutation]
    answers = []
    for case_id in (hidden, 987654321):
        variables = {"id": global_id("Case", case_id), **extra}
        answers.append((await write_client.query(query, variables, as_=email))[mutation])
    assert answers[0] == answers[1]
    assert [e["code"] for e in answers[0]["userErrors"]] == ["NOT_FOUND"]
    assert (
        await _scalar(write_engine, "SELECT version FROM cases WHERE id = :i", i=hidden) == before
    )
    assert await _scalar(write_engine, journal, i=hidden) == entries


# -- regression: the read-only success roles write no case and no project ---------------------

COMPLETE_TASK = """mutation($id: ID!) { completeProjectTask(id: $id) { projectTask { number }
  userErrors { code } } }"""
PROJECT_CASE = """mutation($project: ID!) { createProjectCase(projectId: $project,
  shortDescription: "From the success desk") { case { number } userErrors { code } } }"""


@pytest.mark.parametrize("email", [SUCCESS_VIEWER, SUCCESS_AGENT])
async def test_the_success_roles_read_cases_but_write_neither_cases_nor_projects(
    write_client: GraphQLClient, write_engine: AsyncEngine, email: str
) -> None:
    case_id = await _scalar(
        write_engine, "SELECT id FROM cases WHERE state = 'OPEN' ORDER BY id LIMIT 1"
    )
    case = global_id("Case", case_id)
    assert (await write_client.query(SEES, {"id": case}, as_=email))["node"] is not None
    version = await _scalar(write_engine, "SELECT version FROM cases WHERE id = :i", i=case_id)
    for mutation, (query, extra) in MUTATIONS.items():
        variables = {"id": case, **extra}
        if "v" in extra:
            variables["v"] = version
        payload = (await write_client.query(query, variables, as_=email))[mutation]
        assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"], mutation
    account_id = await _scalar(
        write_engine, "SELECT account_id FROM cases WHERE id = :i", i=case_id
    )
    created = await write_client.query(
        """mutation($a: ID!) { createCase(input: {accountId: $a, shortDescription: "x"}) {
        case { number } userErrors { code } } }""",
        {"a": global_id("Account", account_id)},
        as_=email,
    )
    assert [e["code"] for e in created["createCase"]["userErrors"]] == ["FORBIDDEN"]
    assert (
        await _scalar(write_engine, "SELECT version FROM cases WHERE id = :i", i=case_id) == version
    )
    task = await _scalar(write_engine, "SELECT id FROM project_tasks ORDER BY id LIMIT 1")
    project = await _scalar(write_engine, "SELECT id FROM projects ORDER BY id LIMIT 1")
    done = await write_client.query(
        COMPLETE_TASK, {"id": global_id("ProjectTask", task)}, as_=email
    )
    assert [e["code"] for e in done["completeProjectTask"]["userErrors"]] == ["NOT_FOUND"]
    raised = await write_client.query(
        PROJECT_CASE, {"project": global_id("Project", project)}, as_=email
    )
    assert [e["code"] for e in raised["createProjectCase"]["userErrors"]] == ["NOT_FOUND"]


# -- regression: a cursor carries no authority --------------------------------------------------

CASE_PAGE = """query($after: String) { cases(first: 10, after: $after) { totalCount
  pageInfo { endCursor } nodes { id } } }"""


async def test_another_viewers_cursor_pages_through_my_cases_only(
    client: GraphQLClient,
) -> None:
    """A cursor from the case agent's list, replayed by a customer, continues the customer's
    own list after that key: same total, only cases the customer sees."""
    mine: set[str] = set()
    after = None
    while True:
        page = (await client.query(CASE_PAGE, {"after": after}, as_=CUSTOMER))["cases"]
        mine |= {node["id"] for node in page["nodes"]}
        if not page["nodes"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert mine
    agents = (await client.query(CASE_PAGE, {"after": None}, as_=AGENT))["cases"]
    replayed = (
        await client.query(CASE_PAGE, {"after": agents["pageInfo"]["endCursor"]}, as_=CUSTOMER)
    )["cases"]
    assert replayed["totalCount"] == len(mine)
    assert {node["id"] for node in replayed["nodes"]} <= mine


# -- regression: a discussion opens nothing of the workspace around it --------------------------

START = """mutation($record: ID!, $people: [ID!]!) { startDiscussion(recordId: $record,
  participants: $people, subject: "Audit: sponsor escalation", message: "Who calls them?") {
  discussion { id } userErrors { code field } } }"""
DISCUSSION = """query($id: ID!) { node(id: $id) { ... on Discussion { subject recordId
  engagement { id } messages { totalCount } } } }"""
ANY_NODE = "query($id: ID!) { node(id: $id) { id } }"
STREAM = """query($id: ID!) { node(id: $id) { ... on SuccessCase {
  activities(first: 1) { totalCount } } } }"""


async def test_a_discussion_counts_and_opens_nothing_outside_its_participants(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    """A discussion about a customer-visible success case: its DISCUSSION entry is counted in
    the case's stream for the success roles only (not in the contact's totalCount); the case
    agent taking part reads the discussion but neither the record it is about nor its
    engagement; a proxy that does not take part gets nothing."""
    record = (
        await _rows(
            write_engine,
            "SELECT s.id, s.engagement_id FROM success_cases s JOIN accounts a"
            " ON a.id = s.account_id WHERE a.name = 'Acme Corp' AND s.visible_to_customer"
            " ORDER BY s.id DESC LIMIT 1",
        )
    )[0]
    case = global_id("SuccessCase", record["id"])
    customer = "success@acme.example"

    async def count(email: str) -> int | None:
        node = (await write_client.query(STREAM, {"id": case}, as_=email))["node"]
        return None if node is None else int(node["activities"]["totalCount"])

    before = {email: await count(email) for email in (SUCCESS_AGENT, customer)}
    assert before[customer] is not None
    participant = await _scalar(write_engine, "SELECT id FROM users WHERE email = :e", e=AGENT)
    started = await write_client.query(
        START, {"record": case, "people": [global_id("User", participant)]}, as_=SUCCESS_AGENT
    )
    assert started["startDiscussion"]["userErrors"] == []
    discussion = started["startDiscussion"]["discussion"]["id"]
    assert await count(SUCCESS_AGENT) == before[SUCCESS_AGENT] + 1
    assert await count(customer) == before[customer]
    assert await count(AGENT) is None

    seen = (await write_client.query(DISCUSSION, {"id": discussion}, as_=AGENT))["node"]
    assert seen["subject"] == "Audit: sponsor escalation"
    assert seen["recordId"] == case
    assert seen["engagement"] is None
    assert seen["messages"]["totalCount"] == 1
    engagement = global_id("Engagement", record["engagement_id"])
    for node in (case, engagement):
        reached = await write_client.query(ANY_NODE, {"id": node}, as_=AGENT)
        assert reached == {"node": None}
    for outsider in (PROXY, customer, MANAGER):
        hidden = await write_client.query(DISCUSSION, {"id": discussion}, as_=outsider)
        assert hidden == {"node": None}, outsider


# -- notifications: a case's contact without a case role is not its follower ---------------------


async def test_a_contact_without_a_case_role_is_not_sent_a_case_it_cannot_see(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    """An agent may name any active contact of the account as a case's contact, including one
    whose only role is customer_success_customer: that contact sees no case (ACCESS.md), so
    the outbox must not carry the case's summary or comments to it either."""
    success_customer = "success@acme.example"
    account_id = await _scalar(write_engine, "SELECT id FROM accounts WHERE name = 'Acme Corp'")
    contact_id = await _scalar(
        write_engine, "SELECT id FROM contacts WHERE email = :e", e=success_customer
    )
    new_case = {
        "accountId": global_id("Account", account_id),
        "contactId": global_id("Contact", contact_id),
        "shortDescription": "Audit: a case for a success contact",
    }
    created = await write_client.query(CREATE, {"input": new_case}, as_=AGENT)
    assert created["createCase"]["userErrors"] == []
    case = created["createCase"]["case"]["id"]
    assert (await write_client.query(SEES, {"id": case}, as_=success_customer))["node"] is None
    comment = {"id": case, "body": "Audit comment for a contact that cannot see the case"}
    answer = await write_client.query(COMMENT, comment, as_=AGENT)
    assert answer["addCaseComment"]["userErrors"] == []
    told = await _scalar(
        write_engine,
        "SELECT count(*) FROM notifications WHERE record_type = 'case' AND record_id = :c"
        " AND recipient_contact_id = :p",
        c=decode_global_id(case)[1],
        p=contact_id,
    )
    assert told == 0
