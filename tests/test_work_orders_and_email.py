"""Issue 12: ``workOrders`` as a root list (whoever sees the case sees its work orders; the
proxy, those of the cases it is the internal contact of), and email intake from RFC 5322
senders, the email journal entry attributed to its sender.

The read test walks the demo data; the others build what they need in a database of their
own (the ``isolated`` fixture) and assert exact sets and counts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

GATEWAY = "caseagent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
PERSONAS = [
    "caseagent@csm.example",
    "agent@csm.example",
    PROXY,
    CUSTOMER,
    "admin@acme.example",
    "manager@acme.example",
    "partneradmin@globex.example",
    "success@acme.example",
]
MISSING = 987_654_321


async def _ids(engine: AsyncEngine, sql: str, **params: Any) -> set[int]:
    async with engine.connect() as connection:
        return {row[0] for row in await connection.execute(text(sql), params)}


async def _walk(
    client: GraphQLClient, field: str, as_: str, filter: dict[str, Any] | None = None
) -> set[int]:
    argument = ", filter: $filter" if field == "workOrders" else ""
    declared = ", $filter: WorkOrderLookup" if field == "workOrders" else ""
    query = f"""query List($after: String{declared}) {{
      {field}(first: 100, after: $after{argument}) {{
        totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }} }}"""
    seen: list[int] = []
    after = None
    while True:
        variables: dict[str, Any] = {"after": after}
        if field == "workOrders":
            variables["filter"] = filter
        page = (await client.query(query, variables, as_=as_))[field]
        seen += [decode_global_id(node["id"])[1] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(seen)
            return set(seen)
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("persona", PERSONAS)
async def test_work_orders_follow_their_case(
    client: GraphQLClient, engine: AsyncEngine, persona: str
) -> None:
    visible_cases = await _walk(client, "cases", persona)
    of_cases = {
        work_order
        for work_order in await _ids(engine, "SELECT id FROM work_orders WHERE case_id IS NOT NULL")
        if await _ids(
            engine,
            "SELECT 1 FROM work_orders WHERE id = :w AND case_id = ANY(:c)",
            w=work_order,
            c=list(visible_cases),
        )
    }
    found = await _walk(client, "workOrders", persona)
    if persona == "caseagent@csm.example":
        # Case agents work projects too: the projects' work orders come with them.
        assert found == await _ids(engine, "SELECT id FROM work_orders")
    else:
        assert found == of_cases


async def test_the_proxy_sees_only_its_cases_work_orders(isolated: Isolated) -> None:
    """Acme's case has the proxy as internal contact and the customer as contact; Initech's
    case (Globex serves both accounts) has no internal contact: its work order is foreign to
    the proxy."""
    make, client = isolated.make, isolated.client
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    globex = await make.account("Globex Partners", kind="PARTNER")
    for customer in (acme, initech):
        await make.partner(globex, customer)
    await make.user("case_agent", email=GATEWAY)
    proxy_user = await make.user("proxy_contact", email=PROXY)
    contact = await make.contact(acme, "customer", email=CUSTOMER)
    await make.contact(globex, "partner_admin", email="partneradmin@globex.example")
    acme_case = await make.case(acme, contact=contact, internal_contact=proxy_user)
    initech_case = await make.case(initech)
    case = initech_case["id"]
    own = (await make.work_order(acme_case, short_description="Swap the badge reader"))["id"]
    work_order = (await make.work_order(initech_case, short_description="Replace the fan"))["id"]

    assert await _walk(client, "workOrders", GATEWAY) == {own, work_order}
    assert await _walk(client, "workOrders", PROXY) == {own}
    # Filtering by the hidden case lists exactly what filtering by a missing one does.
    by_agent = await _walk(client, "workOrders", GATEWAY, {"case": global_id("Case", case)})
    assert by_agent == {work_order}
    hidden = await _walk(client, "workOrders", PROXY, {"case": global_id("Case", case)})
    missing = await _walk(client, "workOrders", PROXY, {"case": global_id("Case", MISSING)})
    assert hidden == missing == set()
    # A customer of another account does not see it either; Initech's partner admin does.
    assert await _walk(client, "workOrders", CUSTOMER) == {own}
    assert await _walk(client, "workOrders", "partneradmin@globex.example") == {own, work_order}


# -- email intake ---------------------------------------------------------------------------

EMAIL = """mutation($from: String!, $body: String!) {
  createCaseFromEmail(from: $from, subject: "Printer jam", body: $body) {
    case { id contact { email } internalContact { email } } refusal
    userErrors { code field message } } }"""


@pytest.fixture
async def intake(isolated: Isolated) -> Isolated:
    """Acme with Cory Customer, the gateway (a case agent) and the proxy, and the desk's
    SLA definitions."""
    make = isolated.make
    acme = await make.account("Acme Corp")
    await make.contact(acme, "customer", email=CUSTOMER, name="Cory Customer")
    await make.user("case_agent", email=GATEWAY)
    await make.user("proxy_contact", email=PROXY, name="Parker Proxy")
    await make.desk_slas()
    return isolated


@pytest.mark.parametrize(
    ("sender", "body", "author"),
    [
        ('"Cory Customer" <Customer@Acme.example>', "It jams.", ("contact", CUSTOMER)),
        ("Cory Customer <customer@acme.example>", "Still jams.", ("contact", CUSTOMER)),
        ("Parker Proxy <proxy@csm.example>", "For customer@acme.example: jams.", ("user", PROXY)),
    ],
)
async def test_an_rfc_5322_sender_is_known_and_writes_the_email(
    intake: Isolated,
    sender: str,
    body: str,
    author: tuple[str, str],
) -> None:
    client, engine = intake.client, intake.engine
    payload = (await client.query(EMAIL, {"from": sender, "body": body}, as_=GATEWAY))[
        "createCaseFromEmail"
    ]
    assert payload["refusal"] is None
    assert await intake.count("cases") == 1
    assert payload["userErrors"] == []
    assert payload["case"]["contact"] == {"email": CUSTOMER}
    case_id = decode_global_id(payload["case"]["id"])[1]
    kind, email = author
    table = "users" if kind == "user" else "contacts"
    expected = await _ids(engine, f"SELECT id FROM {table} WHERE email = :e", e=email)
    assert len(expected) == 1
    column = f"actor_{kind}_id"
    other = "actor_contact_id" if kind == "user" else "actor_user_id"
    actors = await _ids(
        engine,
        f"SELECT {column} FROM activities WHERE record_type = 'case' AND record_id = :i "
        f"AND kind = 'EMAIL' AND {other} IS NULL",
        i=case_id,
    )
    assert actors == expected  # the sender, not the gateway agent


@pytest.mark.parametrize(
    "sender", ['"Nobody" <nobody@nowhere.example>', "not an address", "Cory Customer <>"]
)
async def test_unknown_senders_stay_unknown(intake: Isolated, sender: str) -> None:
    payload = (await intake.client.query(EMAIL, {"from": sender, "body": "x"}, as_=GATEWAY))[
        "createCaseFromEmail"
    ]
    assert payload["refusal"] == "UNKNOWN_SENDER"
    assert payload["case"] is None
    assert await intake.count("cases") == 0
