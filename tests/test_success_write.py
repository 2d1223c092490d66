"""The success records' write side (issue 11) against a real PostgreSQL (a database of each
test's own, tests/factories.py): every transition through the API, progress, the objective
rule, visibility to each customer persona, the contact filter, comments and work notes,
concurrency, and refusals."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import global_id
from tests.factories import Cast, Isolated, Row
from tests.support import GraphQLClient
from tests.test_workspace_write import _audits, _codes, _execute, _one, _rows

AGENT = "agent@csm.example"
ADMIN = "admin@csm.example"
# SuccessTask.version is internal, so nullable (Int): a selection across the union aliases it.
FIELDS = """... on SuccessInitiative { id state version progress }
  ... on SuccessCase { id state version } ... on Touchpoint { id state version }
  ... on SuccessTask { id state taskVersion: version progress }"""
TRANSITION = f"""mutation($id: ID!, $v: Int!, $a: SuccessAction!) {{
  transitionSuccessRecord(id: $id, expectedVersion: $v, action: $a) {{
    record {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
UPDATE = f"""mutation($id: ID!, $v: Int!, $input: UpdateSuccessRecordInput!) {{
  updateSuccessRecord(id: $id, expectedVersion: $v, input: $input) {{
    record {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
VISIBILITY = f"""mutation($id: ID!, $v: Int!, $show: Boolean!) {{
  setSuccessRecordVisibility(id: $id, expectedVersion: $v, visibleToCustomer: $show) {{
    record {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
ADD_CONTACT = f"""mutation($id: ID!, $v: Int!, $c: ID!) {{
  addSuccessRecordContact(id: $id, expectedVersion: $v, contactId: $c) {{
    record {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
REMOVE_CONTACT = f"""mutation($id: ID!, $v: Int!, $c: ID!) {{
  removeSuccessRecordContact(id: $id, expectedVersion: $v, contactId: $c) {{
    record {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
ASSIGN = f"""mutation($id: ID!, $v: Int!, $u: ID) {{
  assignSuccessRecord(id: $id, expectedVersion: $v, assignedTo: $u) {{
    record {{ {FIELDS} }} userErrors {{ code field }} }} }}"""
COMMENT = """mutation($id: ID!, $body: String!) { addSuccessRecordComment(recordId: $id,
  body: $body) { comment { kind body } userErrors { code field } } }"""
WORK_NOTE = """mutation($id: ID!, $body: String!) { addSuccessRecordWorkNote(recordId: $id,
  body: $body) { workNote { kind body } userErrors { code field } } }"""
CREATE_INITIATIVE = """mutation($input: CreateSuccessInitiativeInput!) {
  createSuccessInitiative(input: $input) { initiative { id number state progress version
    objective { id } assignedTo { email } } userErrors { code field } } }"""
CREATE_TASK = """mutation($input: CreateSuccessTaskInput!) { createSuccessTask(input: $input) {
  task { id number state progress version parent { id } } userErrors { code field } } }"""
CREATE_CASE = """mutation($e: ID!) { createSuccessCase(input: {engagementId: $e,
  subject: "Adoption workshop"}) { successCase { id } userErrors { code } } }"""
CREATE_TOUCHPOINT = """mutation($e: ID!) { createTouchpoint(input: {engagementId: $e,
  shortDescription: "Quarterly review"}) { touchpoint { id } userErrors { code } } }"""

TABLES = {
    "SuccessInitiative": "success_initiatives",
    "SuccessCase": "success_cases",
    "SuccessTask": "success_tasks",
    "Touchpoint": "touchpoints",
}
# The state machine as the README states it: action -> (sources, target, progress).
OPEN = ["NEW", "IN_PROGRESS", "PAUSED", "BLOCKED"]
MACHINE = {
    "START": (["NEW"], "IN_PROGRESS", "ON_TRACK"),
    "PAUSE": (["IN_PROGRESS"], "PAUSED", "PAUSED"),
    "BLOCK": (["IN_PROGRESS"], "BLOCKED", "AT_RISK"),
    "RESUME": (["PAUSED", "BLOCKED"], "IN_PROGRESS", "ON_TRACK"),
    "CLOSE": (OPEN, "CLOSED", "COMPLETED"),
    "CANCEL": (OPEN, "CANCELED", "CANCELED"),
}
STATES = [*OPEN, "CLOSED", "CANCELED"]


async def _mutate(client: GraphQLClient, query: str, variables: dict[str, Any], email: str) -> Any:
    data = await client.query(query, variables, as_=email)
    return next(iter(data.values()))


async def _create(client: GraphQLClient, type_name: str, engagement_id: int) -> int:
    """A fresh record of the kind on the engagement, made through the API by the success
    agent (a task under a new initiative)."""
    eid = global_id("Engagement", engagement_id)
    if type_name == "SuccessCase":
        made = await _mutate(client, CREATE_CASE, {"e": eid}, AGENT)
        return int(_db_id(made["successCase"]["id"]))
    if type_name == "Touchpoint":
        made = await _mutate(client, CREATE_TOUCHPOINT, {"e": eid}, AGENT)
        return int(_db_id(made["touchpoint"]["id"]))
    initiative = await _mutate(
        client,
        CREATE_INITIATIVE,
        {"input": {"parentId": eid, "shortDescription": "Go live"}},
        AGENT,
    )
    assert initiative["userErrors"] == []
    if type_name == "SuccessInitiative":
        return int(_db_id(initiative["initiative"]["id"]))
    task = await _mutate(
        client,
        CREATE_TASK,
        {"input": {"parentId": initiative["initiative"]["id"], "shortDescription": "Train"}},
        AGENT,
    )
    assert task["userErrors"] == []
    return int(_db_id(task["task"]["id"]))


def _db_id(gid: str) -> str:
    return base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode().split(":")[1]


async def _row(engine: AsyncEngine, type_name: str, record_id: int) -> Any:
    table = TABLES[type_name]
    progress = "progress" if type_name in {"SuccessInitiative", "SuccessTask"} else "NULL"
    return await _one(
        engine,
        f"SELECT state, version, {progress} AS progress, visible_to_customer, assigned_to_id "
        f"FROM {table} WHERE id = :i",
        i=record_id,
    )


# -- the state machine, every transition both ways ------------------------------------------------


@dataclass
class Own:
    """A database of the test's own (tests/factories.py): the demo's named accounts and
    personas, and one engagement of Acme Corp, so what a test asserts holds whatever other
    tests write."""

    client: GraphQLClient
    engine: AsyncEngine
    engagement: Row
    cast: Cast
    isolated: Isolated

    async def create(self, type_name: str) -> int:
        return await _create(self.client, type_name, self.engagement["id"])


@pytest.fixture
async def own(isolated: Isolated) -> Own:
    return await _own(isolated)


async def _own(isolated: Isolated) -> Own:
    cast = await isolated.make.cast()
    engagement = await isolated.make.engagement(cast.accounts["acme"])
    return Own(isolated.client, isolated.engine, engagement, cast, isolated)


@pytest.mark.parametrize("type_name", sorted(TABLES))
async def test_every_transition_both_ways(own: Own, type_name: str) -> None:
    client, engine = own.client, own.engine
    record_id = await own.create(type_name)
    gid = global_id(type_name, record_id)
    for state in STATES:
        for action, (sources, target, progress) in MACHINE.items():
            await _execute(
                engine,
                f"UPDATE {TABLES[type_name]} SET state = :s WHERE id = :i",
                s=state,
                i=record_id,
            )
            before = await _row(engine, type_name, record_id)
            payload = await _mutate(
                client, TRANSITION, {"id": gid, "v": before.version, "a": action}, AGENT
            )
            after = await _row(engine, type_name, record_id)
            if state in sources:
                assert payload["userErrors"] == [], (state, action)
                assert (after.state, after.version) == (target, before.version + 1)
                assert payload["record"]["state"] == target
                record = payload["record"]
                assert record.get("version", record.get("taskVersion")) == after.version
                if before.progress is not None:
                    assert after.progress == progress
                    assert payload["record"]["progress"] == progress
            else:
                assert payload == {
                    "record": None,
                    "userErrors": [{"code": "INVALID_STATE", "field": ["action"]}],
                }, (state, action)
                assert after == before


STORED_TOUCHPOINT = (
    "SELECT short_description, due_date::text AS due, version FROM touchpoints WHERE id = :i"
)


async def test_closed_records_accept_no_change_and_updates_are_validated(own: Own) -> None:
    client, engine = own.client, own.engine
    record_id = await own.create("Touchpoint")
    gid = global_id("Touchpoint", record_id)
    row = await _row(engine, "Touchpoint", record_id)
    assert (row.state, row.version) == ("NEW", 1)
    changed = await _mutate(
        client,
        UPDATE,
        {
            "id": gid,
            "v": row.version,
            "input": {"shortDescription": " Renewal call ", "scheduledAt": "2026-09-01T10:00:00Z"},
        },
        AGENT,
    )
    assert changed["userErrors"] == []
    stored = await _one(engine, STORED_TOUCHPOINT, i=record_id)
    assert (stored.short_description, stored.due, stored.version) == (
        "Renewal call",
        "2026-09-01",
        2,
    )
    for bad, field in (
        ({"progress": "ON_TRACK"}, "progress"),  # a touchpoint has no progress
        ({"shortDescription": "  "}, "shortDescription"),
        ({"priority": None}, "priority"),
    ):
        refused = await _mutate(
            client, UPDATE, {"id": gid, "v": stored.version, "input": bad}, AGENT
        )
        assert refused["userErrors"] == [{"code": "BAD_USER_INPUT", "field": [field]}], bad
    # The refused updates changed nothing.
    assert await _one(engine, STORED_TOUCHPOINT, i=record_id) == stored
    task_id = await own.create("SuccessTask")
    task = await _row(engine, "SuccessTask", task_id)
    tid = global_id("SuccessTask", task_id)
    completed = await _mutate(
        client,
        UPDATE,
        {"id": tid, "v": task.version, "input": {"progress": "COMPLETED"}},
        AGENT,
    )
    assert completed["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["progress"]}]
    assert await _row(engine, "SuccessTask", task_id) == task
    closed = await _mutate(
        client, TRANSITION, {"id": gid, "v": stored.version, "a": "CLOSE"}, AGENT
    )
    assert closed["userErrors"] == []
    after_close = await _row(engine, "Touchpoint", record_id)
    assert (after_close.state, after_close.version) == ("CLOSED", 3)
    for query, variables in (
        (UPDATE, {"input": {"description": "late"}}),
        (ASSIGN, {"u": None}),
        (COMMENT, {"body": "late"}),
    ):
        refused = await _mutate(
            client, query, {"id": gid, "v": after_close.version, **variables}, AGENT
        )
        assert _codes(refused) == ["INVALID_STATE"], query
    assert await _row(engine, "Touchpoint", record_id) == after_close


async def test_concurrent_updates_with_one_version_exactly_one_wins(own: Own) -> None:
    client, engine = own.client, own.engine
    record_id = await own.create("SuccessCase")
    gid = global_id("SuccessCase", record_id)
    row = await _row(engine, "SuccessCase", record_id)
    results = await asyncio.gather(
        *(
            _mutate(
                client,
                UPDATE,
                {"id": gid, "v": row.version, "input": {"shortDescription": f"Plan {n}"}},
                AGENT,
            )
            for n in range(4)
        )
    )
    outcomes = sorted(tuple(_codes(result)) for result in results)
    assert outcomes == [(), ("STALE_VERSION",), ("STALE_VERSION",), ("STALE_VERSION",)]
    assert (await _row(engine, "SuccessCase", record_id)).version == row.version + 1 == 2
    # The one winner, and nothing else, is in the record's audit trail (a database of its own).
    actions = [
        entry.action
        for entry in await _rows(own.engine, "SELECT action FROM audit_log ORDER BY id")
    ]
    assert actions == ["success_case.create", "success_case.update"]


# -- initiatives and objectives -------------------------------------------------------------------


async def test_initiatives_under_an_objective_and_the_objective_waits_for_them(
    own: Own,
) -> None:
    client, engine = own.client, own.engine
    # An open objective no open initiative serves yet.
    objective = await own.isolated.make.objective(own.engagement, state="IN_PROGRESS")
    oid = global_id("SuccessObjective", objective["id"])
    made = await _mutate(
        client,
        CREATE_INITIATIVE,
        {"input": {"parentId": oid, "shortDescription": "Roll out SSO", "assignedTo": None}},
        ADMIN,
    )
    assert made["userErrors"] == []
    initiative = made["initiative"]
    assert (initiative["objective"], initiative["assignedTo"]) == ({"id": oid}, None)
    assert (initiative["state"], initiative["progress"], initiative["version"]) == (
        "NEW",
        "NOT_STARTED",
        1,
    )
    close_objective = """mutation($id: ID!, $v: Int!) { updateSuccessObjective(id: $id,
      expectedVersion: $v, state: CLOSED, closureCode: ACHIEVED, closureNotes: "Done") {
      objective { state version } userErrors { code field } } }"""
    version = objective["version"]
    assert version == 1
    refused = await _mutate(client, close_objective, {"id": oid, "v": version}, AGENT)
    assert refused == {
        "objective": None,
        "userErrors": [{"code": "INVALID_STATE", "field": ["state"]}],
    }
    stored = await _one(
        engine,
        "SELECT state, version FROM success_objectives WHERE id = :i",
        i=objective["id"],
    )
    assert tuple(stored) == ("IN_PROGRESS", 1)
    closed = await _mutate(
        client, TRANSITION, {"id": initiative["id"], "v": 1, "a": "CLOSE"}, AGENT
    )
    assert closed["record"]["progress"] == "COMPLETED"
    done = await _mutate(client, close_objective, {"id": oid, "v": version}, AGENT)
    assert done == {"objective": {"state": "CLOSED", "version": version + 1}, "userErrors": []}
    # A closed objective takes no new initiative; a closed initiative no new task.
    late = await _mutate(
        client,
        CREATE_INITIATIVE,
        {"input": {"parentId": oid, "shortDescription": "x"}},
        AGENT,
    )
    assert late == {
        "initiative": None,
        "userErrors": [{"code": "INVALID_STATE", "field": ["parentId"]}],
    }
    no_task = await _mutate(
        client,
        CREATE_TASK,
        {"input": {"parentId": initiative["id"], "shortDescription": "x"}},
        AGENT,
    )
    assert no_task == {
        "task": None,
        "userErrors": [{"code": "INVALID_STATE", "field": ["parentId"]}],
    }
    # Exactly the one initiative, closed, and no task under it.
    initiatives = await _rows(
        engine, "SELECT objective_id, state FROM success_initiatives ORDER BY id"
    )
    assert [tuple(row) for row in initiatives] == [(objective["id"], "CLOSED")]
    assert await own.isolated.count("success_tasks") == 0


async def test_assignees_are_success_writers(own: Own) -> None:
    client, engine = own.client, own.engine
    record_id = await own.create("SuccessInitiative")
    gid = global_id("SuccessInitiative", record_id)
    row = await _row(engine, "SuccessInitiative", record_id)
    assert row.assigned_to_id == own.cast.id(AGENT)  # omitted: the creator
    for email in ("viewer@csm.example", "caseagent@csm.example"):
        refused = await _mutate(
            client,
            ASSIGN,
            {"id": gid, "v": row.version, "u": global_id("User", own.cast.id(email))},
            AGENT,
        )
        assert refused["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["assignedTo"]}]
    assert await _row(engine, "SuccessInitiative", record_id) == row
    notified = await _notifications(engine, "success_initiative.assigned", record_id)
    assert notified == []  # the creator, assigned by default, is not told of it
    admin = own.cast.id(ADMIN)
    done = await _mutate(
        client, ASSIGN, {"id": gid, "v": row.version, "u": global_id("User", admin)}, AGENT
    )
    assert done["userErrors"] == []
    assert (await _row(engine, "SuccessInitiative", record_id)).assigned_to_id == admin
    assert await _notifications(engine, "success_initiative.assigned", record_id) == [(admin, None)]


async def _notifications(engine: AsyncEngine, event: str, record_id: int) -> list[Any]:
    found = await _rows(
        engine,
        "SELECT recipient_user_id, recipient_contact_id FROM notifications WHERE event = :e "
        "AND record_id = :r ORDER BY id",
        e=event,
        r=record_id,
    )
    return [(row.recipient_user_id, row.recipient_contact_id) for row in found]


# -- visibility and the contact filter, over the customer personas --------------------------------

LIST = """query($e: ID!, $scope: ListScope!) {
  successCases(scope: $scope, first: 100, filter: {engagement: $e}) { nodes { id } }
  successTasks(scope: $scope, first: 100, filter: {engagement: $e}) { nodes { id } }
  touchpoints(scope: $scope, first: 100, filter: {engagement: $e}) { nodes { id } }
  successInitiatives(scope: $scope, first: 100, filter: {engagement: $e}) { nodes { id } } }"""
ACME_SUCCESS = ("success@acme.example", "manager@acme.example")
NOT_ACME = ("multi@initech.example", "customer@acme.example", "admin@acme.example")


async def _listed(client: GraphQLClient, email: str, engagement: str, scope: str) -> set[str]:
    data = await client.query(LIST, {"e": engagement, "scope": scope}, as_=email)
    return {node["id"] for connection in data.values() for node in connection["nodes"]}


@pytest.mark.parametrize("type_name", sorted(TABLES))
async def test_shown_records_appear_at_once_and_hidden_ones_disappear(
    own: Own, type_name: str
) -> None:
    client, engine = own.client, own.engine
    record_id = await own.create(type_name)
    gid = global_id(type_name, record_id)
    engagement = global_id("Engagement", own.engagement["id"])
    shown_before: set[str] = set()  # what Acme's success contacts see on the engagement first
    if type_name == "SuccessTask":
        # A task shows only under a visible parent (ACCESS.md): show its initiative first.
        parent = await _one(engine, "SELECT initiative_id FROM success_tasks WHERE id = :i",
                            i=record_id)  # fmt: skip
        await _execute(
            engine,
            "UPDATE success_initiatives SET visible_to_customer = true WHERE id = :i",
            i=parent.initiative_id,
        )
        shown_before = {global_id("SuccessInitiative", parent.initiative_id)}
    everyone = (*ACME_SUCCESS, *NOT_ACME)
    for email in everyone:
        assert gid not in await _listed(client, email, engagement, "ALL"), email
    # Nothing else is on the engagement for them to see (but a task's initiative, shown).
    for email in ACME_SUCCESS:
        assert await _listed(client, email, engagement, "ALL") == shown_before, email

    row = await _row(engine, type_name, record_id)
    shown = await _mutate(client, VISIBILITY, {"id": gid, "v": row.version, "show": True}, AGENT)
    assert shown["userErrors"] == []
    for email in ACME_SUCCESS:
        assert await _listed(client, email, engagement, "ALL") == {gid, *shown_before}
    for email in NOT_ACME:
        assert gid not in await _listed(client, email, engagement, "ALL"), email

    # The contact filter puts it in the case manager's My lists, and taking it out removes it.
    manager = global_id("Contact", own.cast.id("manager@acme.example"))
    assert gid not in await _listed(client, "manager@acme.example", engagement, "MINE")
    version = row.version + 1
    added = await _mutate(client, ADD_CONTACT, {"id": gid, "v": version, "c": manager}, AGENT)
    assert added["userErrors"] == []
    # ACCESS.md: a task is in an external viewer's MINE through its parent, not its own filter.
    mine = await _listed(client, "manager@acme.example", engagement, "MINE")
    assert (gid in mine) is (type_name != "SuccessTask")
    again = await _mutate(client, ADD_CONTACT, {"id": gid, "v": version + 1, "c": manager}, AGENT)
    assert again["userErrors"] == [{"code": "INVALID_STATE", "field": ["contactId"]}]
    initech = global_id("Contact", own.cast.id("multi@initech.example"))
    foreign = await _mutate(client, ADD_CONTACT, {"id": gid, "v": version + 1, "c": initech}, AGENT)
    assert foreign["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["contactId"]}]
    removed = await _mutate(
        client, REMOVE_CONTACT, {"id": gid, "v": version + 1, "c": manager}, AGENT
    )
    assert removed["userErrors"] == []
    assert gid not in await _listed(client, "manager@acme.example", engagement, "MINE")
    assert gid in await _listed(client, "manager@acme.example", engagement, "ALL")
    assert await own.isolated.count(f"{TABLES[type_name][:-1]}_contacts") == 0

    hidden = await _mutate(client, VISIBILITY, {"id": gid, "v": version + 2, "show": False}, AGENT)
    assert hidden["userErrors"] == []
    for email in everyone:
        assert gid not in await _listed(client, email, engagement, "ALL"), email


# -- comments and work notes ----------------------------------------------------------------------

STREAM = """query($id: ID!) { node(id: $id) {
  ... on SuccessCase { activities(first: 100) { nodes { kind body } } }
  ... on SuccessTask { comments(first: 100) { nodes { kind body } } } } }"""


@pytest.mark.parametrize("type_name", ["SuccessCase", "SuccessTask", "Touchpoint"])
async def test_comments_reach_the_customers_who_see_the_record_and_work_notes_never(
    own: Own, type_name: str
) -> None:
    client, engine = own.client, own.engine
    record_id = await own.create(type_name)
    gid = global_id(type_name, record_id)
    table = TABLES[type_name]
    success = own.cast.id("success@acme.example")
    await _execute(
        engine,
        f"UPDATE {table} SET visible_to_customer = true, contact_id = :c WHERE id = :i",
        c=success,
        i=record_id,
    )
    if type_name == "SuccessTask":
        await _execute(
            engine,
            "UPDATE success_initiatives SET visible_to_customer = true WHERE id = "
            "(SELECT initiative_id FROM success_tasks WHERE id = :i)",
            i=record_id,
        )
    record_type = {"success_cases": "success_case", "success_tasks": "success_task",
                   "touchpoints": "touchpoint"}[table]  # fmt: skip
    comment = await _mutate(
        client, COMMENT, {"id": gid, "body": "Workshop booked for Tuesday."}, AGENT
    )
    assert comment == {
        "comment": {"kind": "COMMENT", "body": "Workshop booked for Tuesday."},
        "userErrors": [],
    }
    note = await _mutate(client, WORK_NOTE, {"id": gid, "body": "Sponsor is lukewarm."}, AGENT)
    assert note["workNote"] == {"kind": "WORK_NOTE", "body": "Sponsor is lukewarm."}
    notified = await _notifications(engine, f"{record_type}.commented", record_id)
    assert (None, success) in notified
    noted = await _notifications(engine, f"{record_type}.work_noted", record_id)
    assert all(contact is None for _, contact in noted)
    # The record's one contact is told of the comment; nobody of the work note, which only the
    # assignee (its author here) would be told of.
    assert (notified, noted) == ([(None, success)], [])
    if type_name != "Touchpoint":
        seen = await client.query(STREAM, {"id": gid}, as_="success@acme.example")
        entries = next(iter(seen["node"].values()))["nodes"]
        bodies = {entry["body"] for entry in entries}
        assert "Workshop booked for Tuesday." in bodies
        assert "Sponsor is lukewarm." not in bodies
        assert all(entry["kind"] != "WORK_NOTE" for entry in entries)
        # Newest first: the comment and, in a case's whole stream, its opening; no work note.
        expected: list[dict[str, Any]] = [
            {"kind": "COMMENT", "body": "Workshop booked for Tuesday."}
        ]
        if type_name == "SuccessCase":
            expected.append({"kind": "OPENED", "body": None})
        assert entries == expected


# -- refusals -------------------------------------------------------------------------------------

# Who is refused on a record visible to Acme's success contacts: the read-only and external
# roles see it (FORBIDDEN); those who see no success record get NOT_FOUND, as for a missing one.
REFUSED = {
    "viewer@csm.example": "FORBIDDEN",
    "success@acme.example": "FORBIDDEN",
    "manager@acme.example": "FORBIDDEN",
    "multi@initech.example": "NOT_FOUND",
    "caseagent@csm.example": "NOT_FOUND",
    "customer@acme.example": "NOT_FOUND",
}


@pytest.fixture(scope="module")
async def refused_case(isolated_module: Isolated) -> tuple[Own, int]:
    """A success case visible to Acme's success contacts, made by the agent, shared by the
    refusal tests (each must leave it and the database as they found them)."""
    own = await _own(isolated_module)
    case_id = await own.create("SuccessCase")
    await _execute(
        own.engine, "UPDATE success_cases SET visible_to_customer = true WHERE id = :i", i=case_id
    )
    return own, case_id


@pytest.mark.parametrize("email", sorted(REFUSED))
async def test_only_success_writers_write_and_refusals_write_nothing(
    refused_case: tuple[Own, int], email: str
) -> None:
    own, case_id = refused_case
    client, engine = own.client, own.engine
    gid = global_id("SuccessCase", case_id)
    row = await _row(engine, "SuccessCase", case_id)
    contact = global_id("Contact", own.cast.id("success@acme.example"))
    calls = [
        (UPDATE, {"input": {"description": "x"}}),
        (TRANSITION, {"a": "START"}),
        (ASSIGN, {"u": None}),
        (VISIBILITY, {"show": False}),
        (ADD_CONTACT, {"c": contact}),
        (REMOVE_CONTACT, {"c": contact}),
        (COMMENT, {"body": "x"}),
        (WORK_NOTE, {"body": "x"}),
        (CREATE_TASK, {"input": {"parentId": gid, "shortDescription": "x"}}),
    ]
    audits = await _audits(engine)
    assert audits == 1  # the case's creation
    for query, extra in calls:
        variables = {"id": gid, "v": row.version, **extra}
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        payload = await _mutate(client, query, used, email)
        assert _codes(payload) == [REFUSED[email]], (query, payload)
        assert all(value is None for key, value in payload.items() if key != "userErrors")
    assert await _audits(engine) == audits
    assert await _row(engine, "SuccessCase", case_id) == row
    written = {
        table: await own.isolated.count(table)
        for table in ("activities", "notifications", "success_tasks", "success_case_contacts")
    }  # the one journal entry is the case's creation
    assert written == {
        "activities": 1,
        "notifications": 0,
        "success_tasks": 0,
        "success_case_contacts": 0,
    }
    # An id of another type is NOT_FOUND too, like a missing record.
    other = global_id("Engagement", own.engagement["id"])
    payload = await _mutate(client, TRANSITION, {"id": other, "v": 1, "a": "START"}, AGENT)
    assert payload["userErrors"] == [{"code": "NOT_FOUND", "field": ["id"]}]
