"""Issue 12: ``workOrders`` as a root list (whoever sees the case sees its work orders; the
proxy, those of the cases it is the internal contact of), and email intake from RFC 5322
senders, the email journal entry attributed to its sender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
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


@pytest.fixture(scope="module")
async def foreign_work_order(write_engine: AsyncEngine) -> AsyncIterator[tuple[int, int]]:
    """A work order of a case the proxy is not the internal contact of (in the demo, every
    case with a work order happens to be one of the proxy's), as (work order, case)."""
    async with write_engine.begin() as connection:
        case = (
            await connection.execute(
                text(
                    "SELECT id, account_id FROM cases WHERE internal_contact_id IS NULL "
                    "AND account_id = (SELECT id FROM accounts WHERE name = 'Initech') "
                    "ORDER BY id LIMIT 1"
                )
            )
        ).one()
        work_order = await connection.scalar(
            text(
                "INSERT INTO work_orders (case_id, account_id, short_description) "
                "VALUES (:c, :a, 'Replace the fan') RETURNING id"
            ),
            {"c": case.id, "a": case.account_id},
        )
    yield work_order, case.id
    async with write_engine.begin() as connection:
        await connection.execute(text("DELETE FROM work_orders WHERE id = :i"), {"i": work_order})


async def test_the_proxy_sees_only_its_cases_work_orders(
    write_client: GraphQLClient, foreign_work_order: tuple[int, int]
) -> None:
    work_order, case = foreign_work_order
    assert work_order in await _walk(write_client, "workOrders", GATEWAY)
    proxy = await _walk(write_client, "workOrders", PROXY)
    assert proxy
    assert work_order not in proxy
    # Filtering by the hidden case lists exactly what filtering by a missing one does.
    by_agent = await _walk(write_client, "workOrders", GATEWAY, {"case": global_id("Case", case)})
    assert by_agent == {work_order}
    hidden = await _walk(write_client, "workOrders", PROXY, {"case": global_id("Case", case)})
    missing = await _walk(write_client, "workOrders", PROXY, {"case": global_id("Case", MISSING)})
    assert hidden == missing == set()
    # A customer of another account does not see it either; Initech's partner admin does.
    assert work_order not in await _walk(write_client, "workOrders", CUSTOMER)
    assert work_order in await _walk(write_client, "workOrders", "partneradmin@globex.example")


# -- email intake ---------------------------------------------------------------------------

EMAIL = """mutation($from: String!, $body: String!) {
  createCaseFromEmail(from: $from, subject: "Printer jam", body: $body) {
    case { id contact { email } internalContact { email } } refusal
    userErrors { code field message } } }"""


@pytest.mark.parametrize(
    ("sender", "body", "author"),
    [
        ('"Cory Customer" <Customer@Acme.example>', "It jams.", ("contact", CUSTOMER)),
        ("Cory Customer <customer@acme.example>", "Still jams.", ("contact", CUSTOMER)),
        ("Parker Proxy <proxy@csm.example>", "For customer@acme.example: jams.", ("user", PROXY)),
    ],
)
async def test_an_rfc_5322_sender_is_known_and_writes_the_email(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    sender: str,
    body: str,
    author: tuple[str, str],
) -> None:
    payload = (await write_client.query(EMAIL, {"from": sender, "body": body}, as_=GATEWAY))[
        "createCaseFromEmail"
    ]
    assert payload["refusal"] is None
    assert payload["userErrors"] == []
    assert payload["case"]["contact"] == {"email": CUSTOMER}
    case_id = decode_global_id(payload["case"]["id"])[1]
    kind, email = author
    table = "users" if kind == "user" else "contacts"
    expected = await _ids(write_engine, f"SELECT id FROM {table} WHERE email = :e", e=email)
    column = f"actor_{kind}_id"
    other = "actor_contact_id" if kind == "user" else "actor_user_id"
    actors = await _ids(
        write_engine,
        f"SELECT {column} FROM activities WHERE record_type = 'case' AND record_id = :i "
        f"AND kind = 'EMAIL' AND {other} IS NULL",
        i=case_id,
    )
    assert actors == expected  # the sender, not the gateway agent


@pytest.mark.parametrize(
    "sender", ['"Nobody" <nobody@nowhere.example>', "not an address", "Cory Customer <>"]
)
async def test_unknown_senders_stay_unknown(
    write_client: GraphQLClient, write_engine: AsyncEngine, sender: str
) -> None:
    before = await _ids(write_engine, "SELECT count(*) FROM cases")
    payload = (await write_client.query(EMAIL, {"from": sender, "body": "x"}, as_=GATEWAY))[
        "createCaseFromEmail"
    ]
    assert payload["refusal"] == "UNKNOWN_SENDER"
    assert payload["case"] is None
    assert await _ids(write_engine, "SELECT count(*) FROM cases") == before
