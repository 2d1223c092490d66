"""Attachments on work orders (issue 12: "attachments on work orders by the same people";
ACCESS.md "Work orders of a case: visible to whoever sees the case").

Reads: a work order's ``attachments`` show exactly when the work order does, and an
attachment by id (node) answers exactly when that stream shows it. Writes: whoever sees the
work order and may attach files to cases adds one, audited; a hidden work order fails exactly
like a missing one; every refusal changes nothing.

The reads walk the demo data. Each write test has a database of its own (``work``: the
``isolated`` fixture with Acme's open and closed work orders and Umbrella's, and the personas
with the demo's emails and roles), so "changes nothing" is "nothing written at all".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo import personas
from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated, Row
from tests.support import GraphQLClient

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS if persona.active]
WRITERS = [
    "caseagent@csm.example",
    "admin@csm.example",
    "proxy@csm.example",
    "customer@acme.example",
    "manager@acme.example",
    "partneradmin@globex.example",
]
READ_ONLY = ["agent@csm.example", "viewer@csm.example"]
MISSING = 987_654_321

FILES = """
query Files($id: ID!) {
  node(id: $id) {
    ... on WorkOrder { attachments(first: 100) { totalCount nodes { id fileName } } }
  }
}
"""
ATTACHMENT = "query One($id: ID!) { node(id: $id) { id ... on Attachment { fileName } } }"
VISIBLE = """
query Visible($after: String) {
  workOrders(first: 100, after: $after) {
    nodes { id state } pageInfo { hasNextPage endCursor }
  }
}
"""
ATTACH = """
mutation Attach($id: ID!, $name: String!, $size: Int!) {
  addWorkOrderAttachment(workOrderId: $id, fileName: $name, contentType: "image/jpeg",
                         sizeBytes: $size) {
    workOrder { id number attachments(first: 100) { totalCount nodes { id } } }
    attachment { id fileName contentType sizeBytes }
    userErrors { code field message }
  }
}
"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    return (await _rows(engine, sql, **params))[0][0]


async def _visible(client: GraphQLClient, email: str) -> list[dict[str, Any]]:
    """Every work order the viewer's list shows, page by page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await client.query(VISIBLE, {"after": after}, as_=email))["workOrders"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def _footprint(engine: AsyncEngine) -> tuple[int, int, int]:
    """What a refused attach must leave as it was: files, journal and audit trail."""
    return (
        await _scalar(engine, "SELECT count(*) FROM attachments"),
        await _scalar(engine, "SELECT count(*) FROM activities"),
        await _scalar(engine, "SELECT count(*) FROM audit_log"),
    )


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_files_show_exactly_with_their_work_order(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    with_files = await _rows(
        engine,
        "SELECT record_id, array_agg(id ORDER BY id) AS ids FROM attachments "
        "WHERE record_type = 'work_order' GROUP BY record_id ORDER BY record_id",
    )
    assert with_files
    visible = {decode_global_id(node["id"])[1] for node in await _visible(client, email)}
    for row in with_files:
        data = await client.query(FILES, {"id": global_id("WorkOrder", row.record_id)}, as_=email)
        files = [global_id("Attachment", file_id) for file_id in row.ids]
        if data["node"] is None:
            assert row.record_id not in visible
            fetched = [await client.query(ATTACHMENT, {"id": f}, as_=email) for f in files]
            assert all(answer == {"node": None} for answer in fetched)
            continue
        page = data["node"]["attachments"]
        assert sorted(node["id"] for node in page["nodes"]) == sorted(files)
        assert page["totalCount"] == len(files)
        for file_id in files:
            answer = await client.query(ATTACHMENT, {"id": file_id}, as_=email)
            assert answer["node"] == {"id": file_id, "fileName": "site-report.pdf"}


async def test_the_rule_bites_both_ways(client: GraphQLClient, engine: AsyncEngine) -> None:
    """Agents see every case's work orders' files; a plain customer some, not all."""
    total = await _scalar(
        engine, "SELECT count(*) FROM attachments WHERE record_type = 'work_order'"
    )
    seen: dict[str, int] = {}
    for email in ("caseagent@csm.example", "customer@acme.example"):
        count = 0
        nodes = await _visible(client, email)
        for node in nodes:
            data = await client.query(FILES, {"id": node["id"]}, as_=email)
            count += data["node"]["attachments"]["totalCount"]
        seen[email] = count
    assert seen["caseagent@csm.example"] == total
    assert 0 < seen["customer@acme.example"] < total


@dataclass
class Work:
    own: Isolated
    open: Row  # of Acme's case: the customer's, the proxy its internal contact
    closed: Row  # of the same case
    hidden: Row  # of Umbrella's case: no external persona here sees it


@pytest.fixture
async def work(isolated: Isolated) -> Work:
    """Acme (served by Globex, as in the demo) and Umbrella; every persona who may or may
    not attach, with the demo's emails and roles (ACCESS.md)."""
    make = isolated.make
    acme, umbrella = await make.account("Acme Corp"), await make.account("Umbrella Health")
    globex = await make.account("Globex Partners", kind="PARTNER")
    await make.partner(globex, acme)
    for email, role in (
        ("caseagent@csm.example", "case_agent"),
        ("admin@csm.example", "admin"),
        ("agent@csm.example", "customer_success_agent"),
        ("viewer@csm.example", "customer_success_viewer"),
    ):
        await make.user(role, email=email)
    proxy = await make.user("proxy_contact", email="proxy@csm.example")
    customer = await make.contact(acme, "customer", email="customer@acme.example")
    await make.contact(acme, "customer_case_manager", email="manager@acme.example")
    await make.contact(acme, "customer_success_customer", email="success@acme.example")
    await make.contact(globex, "partner_admin", email="partneradmin@globex.example")
    await make.contact(globex, "partner", email="partner@globex.example")
    case = await make.case(acme, contact=customer, internal_contact=proxy)
    return Work(
        own=isolated,
        open=await make.work_order(case, state="READY", short_description="Read the meter"),
        closed=await make.work_order(case, state="CLOSED"),
        hidden=await make.work_order(await make.case(umbrella)),
    )


async def _open_visible_work_order(client: GraphQLClient, email: str) -> str:
    nodes = await _visible(client, email)
    open_ones = [node["id"] for node in nodes if node["state"] not in ("CLOSED", "CANCELED")]
    assert open_ones, email
    return open_ones[0]


@pytest.mark.parametrize("email", WRITERS)
async def test_whoever_sees_the_work_order_attaches_a_file(work: Work, email: str) -> None:
    client, engine = work.own.client, work.own.engine
    order = await _open_visible_work_order(client, email)
    order_id = decode_global_id(order)[1]
    assert order_id == work.open["id"]
    variables = {"id": order, "name": "  meter.jpg ", "size": 4096}
    payload = (await client.query(ATTACH, variables, as_=email))["addWorkOrderAttachment"]
    assert payload["userErrors"] == []
    attachment = payload["attachment"]
    assert attachment["fileName"] == "meter.jpg"
    assert (attachment["contentType"], attachment["sizeBytes"]) == ("image/jpeg", 4096)
    assert payload["workOrder"]["attachments"] == {
        "totalCount": 1,
        "nodes": [{"id": attachment["id"]}],
    }
    stored = await _rows(
        engine, "SELECT id, record_type, record_id, account_id FROM attachments ORDER BY id"
    )
    assert [tuple(row) for row in stored] == [
        (decode_global_id(attachment["id"])[1], "work_order", order_id, work.open["account_id"])
    ]
    audits = await _rows(engine, "SELECT action, record_type, record_id FROM audit_log")
    assert [tuple(row) for row in audits] == [("work_order.attach", "work_order", order_id)]
    fetched = await client.query(ATTACHMENT, {"id": attachment["id"]}, as_=email)
    assert fetched["node"] == {"id": attachment["id"], "fileName": "meter.jpg"}


@pytest.mark.parametrize(
    "email",
    [
        "customer@acme.example",
        "partneradmin@globex.example",
        "partner@globex.example",
        "success@acme.example",
    ],
)
async def test_a_hidden_work_order_fails_like_a_missing_one(work: Work, email: str) -> None:
    client, engine = work.own.client, work.own.engine
    visible = {decode_global_id(node["id"])[1] for node in await _visible(client, email)}
    hidden = work.hidden["id"]
    assert hidden not in visible
    answers = []
    for order_id in (hidden, MISSING):
        variables = {"id": global_id("WorkOrder", order_id), "name": "x.jpg", "size": 1}
        answers.append((await client.query(ATTACH, variables, as_=email))["addWorkOrderAttachment"])
    assert answers[0] == answers[1]
    assert [(e["code"], e["field"]) for e in answers[0]["userErrors"]] == [
        ("NOT_FOUND", ["workOrderId"])
    ]
    assert answers[0]["attachment"] is None
    assert await _footprint(engine) == (0, 0, 0)


@pytest.mark.parametrize("email", READ_ONLY)
async def test_the_read_only_success_roles_see_but_may_not_attach(work: Work, email: str) -> None:
    client, engine = work.own.client, work.own.engine
    order = await _open_visible_work_order(client, email)
    assert decode_global_id(order)[1] == work.open["id"]
    variables = {"id": order, "name": "x.jpg", "size": 1}
    payload = (await client.query(ATTACH, variables, as_=email))["addWorkOrderAttachment"]
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    assert payload["attachment"] is None
    assert await _footprint(engine) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "size", "code", "field"),
    [
        ("x" * 256 + ".jpg", 1, "BAD_USER_INPUT", ["fileName"]),
        ("   ", 1, "BAD_USER_INPUT", ["fileName"]),
        ("big.jpg", -1, "BAD_USER_INPUT", ["sizeBytes"]),
        ("big.jpg", 100 * 1024 * 1024 + 1, "BAD_USER_INPUT", ["sizeBytes"]),
    ],
)
async def test_bad_files_are_refused_and_change_nothing(
    work: Work, name: str, size: int, code: str, field: list[str]
) -> None:
    variables = {"id": global_id("WorkOrder", work.open["id"]), "name": name, "size": size}
    payload = (await work.own.client.query(ATTACH, variables, as_="caseagent@csm.example"))[
        "addWorkOrderAttachment"
    ]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert await _footprint(work.own.engine) == (0, 0, 0)


async def test_a_closed_work_order_takes_no_file(work: Work) -> None:
    variables = {"id": global_id("WorkOrder", work.closed["id"]), "name": "late.jpg", "size": 1}
    payload = (await work.own.client.query(ATTACH, variables, as_="caseagent@csm.example"))[
        "addWorkOrderAttachment"
    ]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_STATE", ["workOrderId"])
    ]
    assert await _footprint(work.own.engine) == (0, 0, 0)
