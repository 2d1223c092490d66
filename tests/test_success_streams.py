"""The success task detail and touchpoints show their activity stream and attachments to
whoever sees the record (issue 11), under the activities' and attachments' row rules: a contact
never receives a work note (or a discussion entry), on the detail or in a nested list, and a
nested list of records with their streams costs one statement per level.

Expected streams are read with plain SQL from the rows; who sees which record comes from
``tests.expectations`` (the independent model of ACCESS.md).
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.compiled_path import pinned
from tests.expectations import ALL, Snapshot, global_id
from tests.factories import Isolated, Row
from tests.support import GraphQLClient, StatementLog
from tests.test_workspace_write import _execute

AGENT = "agent@csm.example"
CONTACTS = ["success@acme.example", "manager@acme.example", "multi@initech.example"]
NO_SUCCESS = ["customer@acme.example", "caseagent@csm.example"]
INTERNAL_KINDS = {"WORK_NOTE", "DISCUSSION"}

STREAM = """
  activities(first: 100) { totalCount nodes { id kind body } }
  attachments(first: 100) { totalCount nodes { id fileName } }
"""
DETAIL = f"""
query($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    ... on SuccessTask {{ number {STREAM} }}
    ... on Touchpoint {{ number {STREAM} }}
  }}
}}
"""


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> Snapshot:
    return await Snapshot.load(engine)


async def _journal(engine: AsyncEngine, record_type: str) -> dict[int, list[tuple[int, str]]]:
    """record id -> [(activity id, kind)] of every activity of ``record_type``."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, record_id, kind FROM activities WHERE record_type = :r"),
            {"r": record_type},
        )
        journal: dict[int, list[tuple[int, str]]] = {}
        for row in rows:
            journal.setdefault(row.record_id, []).append((row.id, row.kind))
    return journal


def _expected(entries: list[tuple[int, str]], email: str) -> set[str]:
    internal = email == AGENT
    return {
        global_id("Activity", activity_id)
        for activity_id, kind in entries
        if internal or kind not in INTERNAL_KINDS
    }


@pytest.mark.parametrize("email", [AGENT, *CONTACTS])
async def test_task_detail_shows_its_stream_without_work_notes_for_contacts(
    client: GraphQLClient, engine: AsyncEngine, snapshot: Snapshot, email: str
) -> None:
    journal = await _journal(engine, "success_task")
    visible = snapshot.visible_ids(snapshot.principal(email), "successTasks", ALL)
    # Visible tasks with a stream; among them comments and work notes, so the rule must bite.
    tasks = sorted(task_id for task_id in visible if task_id in journal)[:40]
    raw = Counter(kind for task_id in tasks for _, kind in journal[task_id])
    assert raw["COMMENT"] > 0, email
    assert raw["WORK_NOTE"] > 0, email
    data = await client.query(
        DETAIL, {"ids": [global_id("SuccessTask", t) for t in tasks]}, as_=email
    )
    kinds: Counter[str] = Counter()
    for task_id, node in zip(tasks, data["nodes"], strict=True):
        stream = node["activities"]
        expected = _expected(journal[task_id], email)
        assert {a["id"] for a in stream["nodes"]} == expected, node["number"]
        assert stream["totalCount"] == len(expected)
        kinds.update(a["kind"] for a in stream["nodes"])
    assert kinds["COMMENT"] > 0
    assert (kinds["WORK_NOTE"] > 0) is (email == AGENT)


@pytest.mark.parametrize("email", NO_SUCCESS)
async def test_a_task_it_cannot_see_shows_no_stream(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    journal = await _journal(engine, "success_task")
    task_id = min(journal)
    data = await client.query(DETAIL, {"ids": [global_id("SuccessTask", task_id)]}, as_=email)
    assert data["nodes"] == [None]


# -- on a database of its own: touchpoint and task streams and attachments ------------------------

COMMENT = """mutation($id: ID!, $body: String!) { addSuccessRecordComment(recordId: $id,
  body: $body) { userErrors { code } } }"""
WORK_NOTE = """mutation($id: ID!, $body: String!) { addSuccessRecordWorkNote(recordId: $id,
  body: $body) { userErrors { code } } }"""


async def _visible_acme_record(isolated: Isolated, table: str) -> Row:
    """The demo's personas and an open, customer-visible record of Acme Corp (a task: under a
    visible initiative), which both Acme personas see under scope ALL."""
    cast = await isolated.make.cast()
    engagement = await isolated.make.engagement(cast.accounts["acme"])
    if table == "touchpoints":
        return await isolated.make.touchpoint(engagement, visible_to_customer=True)
    initiative = await isolated.make.initiative(engagement, visible_to_customer=True)
    return await isolated.make.planned_task(initiative, visible_to_customer=True)


@pytest.mark.parametrize(
    ("type_name", "table"), [("Touchpoint", "touchpoints"), ("SuccessTask", "success_tasks")]
)
async def test_stream_and_attachments_per_persona(
    isolated: Isolated, type_name: str, table: str
) -> None:
    client, engine = isolated.client, isolated.engine
    record = await _visible_acme_record(isolated, table)
    gid = global_id(type_name, record["id"])
    for query, body in ((COMMENT, f"Agenda shared ({table})"), (WORK_NOTE, f"Internal ({table})")):
        result = await client.query(query, {"id": gid, "body": body}, as_=AGENT)
        assert next(iter(result.values()))["userErrors"] == []
    await _execute(
        engine,
        "INSERT INTO attachments (record_type, record_id, account_id, file_name, content_type,"
        " size_bytes) VALUES (:t, :r, :a, :f, 'application/pdf', 1024)",
        t="touchpoint" if type_name == "Touchpoint" else "success_task",
        r=record["id"],
        a=record["account_id"],
        f=f"minutes-{table}.pdf",
    )
    expected_kinds = {
        AGENT: {"COMMENT", "WORK_NOTE"},
        "manager@acme.example": {"COMMENT"},
        "success@acme.example": {"COMMENT"},
    }
    for email, kinds in expected_kinds.items():
        data = await client.query(DETAIL, {"ids": [gid]}, as_=email)
        node = data["nodes"][0]
        assert node is not None, email
        bodies = {(a["kind"], a["body"]) for a in node["activities"]["nodes"]}
        assert {k for k, _ in bodies} >= kinds, email
        assert (
            ("WORK_NOTE", f"Internal ({table})") in bodies
            if email == AGENT
            else not any(k in INTERNAL_KINDS for k, _ in bodies)
        ), email
        assert ("COMMENT", f"Agenda shared ({table})") in bodies, email
        # Exactly what this test wrote: the record has no other entry and no other file.
        shown = {("COMMENT", f"Agenda shared ({table})"), ("WORK_NOTE", f"Internal ({table})")}
        assert bodies == {entry for entry in shown if entry[0] in kinds}, email
        assert node["activities"]["totalCount"] == len(kinds), email
        files = {a["fileName"] for a in node["attachments"]["nodes"]}
        assert f"minutes-{table}.pdf" in files, email
        assert node["attachments"]["totalCount"] == len(files) == 1, email
    # Someone who does not see the record gets nothing of it.
    for email in ("multi@initech.example", "customer@acme.example"):
        data = await client.query(DETAIL, {"ids": [gid]}, as_=email)
        assert data["nodes"] == [None], email


# -- statement counts ----------------------------------------------------------------------------

NESTED = """
query($i: Int!, $t: Int!, $a: Int!) {
  successInitiatives(first: $i) {
    nodes {
      number
      tasks(first: $t) {
        nodes {
          number
          activities(first: $a) { totalCount nodes { kind body } }
          attachments(first: $a) { totalCount nodes { fileName } }
        }
      }
    }
  }
  touchpoints(first: $i) {
    nodes { number activities(first: $a) { totalCount nodes { kind } }
            attachments(first: $a) { nodes { fileName } } }
  }
}
"""


@pytest.mark.parametrize("email", [AGENT, "manager@acme.example"])
async def test_nested_streams_cost_one_statement_per_level(
    each_path: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    """Pinned on both paths: one statement per level on the resolvers, two compiled."""
    client = each_path
    with statement_log.record() as small:
        await client.query(NESTED, {"i": 2, "t": 1, "a": 1}, as_=email)
    with statement_log.record() as large:
        data = await client.query(NESTED, {"i": 30, "t": 10, "a": 5}, as_=email)
    tasks = [t for i in data["successInitiatives"]["nodes"] for t in i["tasks"]["nodes"]]
    assert len(tasks) > 5, "the nested level must hold several parents"
    assert any(t["activities"]["nodes"] for t in tasks), "some task must have activities"
    # Viewer; initiatives; their tasks; the tasks' activities; the tasks' attachments;
    # touchpoints; their activities; their attachments.
    assert len(large) == len(small) == pinned(client, resolvers=8)
