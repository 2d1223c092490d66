"""Requests (DOMAIN.md "Request"), read side: ACCESS.md says a request "follows the Cases rules
for who creates and sees it", so every persona's `requests` list, its counts and `node(id:)`
are held against the independent model of the case rule (tests/expectations.py), applied to
the request rows of the demo data."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo import personas
from tests.expectations import CaseRow, CaseSnapshot, global_id
from tests.support import GraphQLClient, StatementLog

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS if persona.active]
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
MISSING = 987_654_321

LIST = """query($first: Int, $after: String, $filter: AccountLookup) {
  requests(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id number }
  }
}"""
DETAIL = """query($id: ID!) { node(id: $id) { ... on Request {
  number state shortDescription account { name } contact { email } internalContact { email }
} } }"""


@pytest.fixture(scope="module")
async def model(engine: AsyncEngine) -> CaseSnapshot:
    """The case model, holding the request rows in place of the cases: the same rule."""
    snapshot = await CaseSnapshot.load(engine)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT id, number, account_id, contact_id, internal_contact_id, "
                    "opened_by_contact_id FROM requests"
                )
            )
        ).mappings()
        requests = {
            row["id"]: CaseRow(
                **row,
                assigned_to_id=None,
                parent_id=None,
                share_resolution_notes=False,
                resolution_notes=None,
                impact=2,
                urgency=2,
                priority=3,
            )
            for row in rows
        }
    return dataclasses.replace(snapshot, cases=requests)


async def _walk(client: GraphQLClient, email: str, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await client.query(LIST, {**variables, "first": 7, "after": after}, as_=email)
        connection = data["requests"]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            assert connection["totalCount"] == len(nodes)
            return nodes
        after = connection["pageInfo"]["endCursor"]


def test_the_demo_has_requests_on_both_sides_of_each_rule(model: CaseSnapshot) -> None:
    principal = model.base.principal
    everything = set(model.cases)
    proxy = model.visible_case_ids(principal(PROXY))
    customer = model.visible_case_ids(principal(CUSTOMER))
    admin = model.visible_case_ids(principal("admin@acme.example"))
    manager = model.visible_case_ids(principal("manager@acme.example"))
    partner_admin = model.visible_case_ids(principal("partneradmin@globex.example"))
    assert proxy
    assert proxy != everything
    assert customer
    assert customer < admin < manager
    assert partner_admin
    assert partner_admin != everything
    # The proxy sees requests of the customer's account that the customer does not, and not
    # all of the customer's own.
    assert proxy - customer
    assert customer - proxy


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_each_persona_lists_the_requests_the_case_rule_gives_it(
    client: GraphQLClient, model: CaseSnapshot, email: str
) -> None:
    nodes = await _walk(client, email)
    numbers = [node["number"] for node in nodes]
    assert len(numbers) == len(set(numbers))  # full pages, no repeats across cursors
    assert set(numbers) == model.visible_cases(model.base.principal(email))
    assert numbers == sorted(numbers, reverse=True)  # newest first


async def test_the_account_filter_narrows_within_the_rule(
    client: GraphQLClient, model: CaseSnapshot
) -> None:
    acme = model.base.account_named("Acme Corp")
    nodes = await _walk(client, PROXY, filter={"account": global_id("Account", acme)})
    expected = {
        model.cases[i].number
        for i in model.visible_case_ids(model.base.principal(PROXY))
        if model.cases[i].account_id == acme
    }
    assert expected
    assert {node["number"] for node in nodes} == expected


@pytest.mark.parametrize("email", [PROXY, CUSTOMER, "partner@globex.example"])
async def test_node_returns_a_request_exactly_when_the_list_does(
    client: GraphQLClient, model: CaseSnapshot, email: str
) -> None:
    visible = model.visible_case_ids(model.base.principal(email))
    hidden = sorted(set(model.cases) - visible)
    assert hidden
    for request_id in sorted(visible)[:3]:
        data = await client.query(DETAIL, {"id": global_id("Request", request_id)}, as_=email)
        assert data["node"]["number"] == model.cases[request_id].number
    missing = await client.query(DETAIL, {"id": global_id("Request", MISSING)}, as_=email)
    for request_id in hidden[:3]:
        data = await client.query(DETAIL, {"id": global_id("Request", request_id)}, as_=email)
        assert data == missing == {"node": None}


async def test_the_internal_contact_is_shown_to_employees_only(
    client: GraphQLClient, model: CaseSnapshot
) -> None:
    """Requests the proxy raised for the customer: both see them; the employee's record is
    internal (rows.users), so the customer gets null where the proxy gets itself."""
    proxy, customer = model.base.principal(PROXY), model.base.principal(CUSTOMER)
    shared = sorted(model.visible_case_ids(proxy) & model.visible_case_ids(customer))
    assert shared
    request = global_id("Request", shared[0])
    by_proxy = await client.query(DETAIL, {"id": request}, as_=PROXY)
    by_customer = await client.query(DETAIL, {"id": request}, as_=CUSTOMER)
    assert by_proxy["node"]["internalContact"] == {"email": PROXY}
    assert by_customer["node"]["internalContact"] is None
    assert by_proxy["node"]["contact"] == by_customer["node"]["contact"] == {"email": CUSTOMER}
    assert by_customer["node"]["account"] == {"name": "Acme Corp"}


async def test_a_page_of_requests_costs_the_same_statements_at_any_size(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    """Account, contact and internal contact are batched per level, not read per request."""
    query = """query($first: Int) { requests(first: $first) { nodes {
      number account { name } contact { name } internalContact { name } product { name } } } }"""
    counts = []
    for first in (2, 20):
        with statement_log.record() as statements:
            data = await client.query(query, {"first": first}, as_="caseagent@csm.example")
        assert len(data["requests"]["nodes"]) == first
        counts.append(len(statements))
    assert counts[0] == counts[1]
