"""Engagement.contractValue is the sum of the engagement's active contracts (issue 11): derived
on every read, so it agrees with Engagement.contracts by construction; updateEngagement refuses
to set it. The expectation is SQL written here from that definition."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
CUSTOMER = "success@acme.example"
EXPECTED = """
SELECT e.number, (SELECT sum(c.value) FROM contracts c
                  WHERE c.engagement_id = e.id AND c.active) AS value
FROM engagements e ORDER BY e.number
"""
ALL = """query AllValues($after: String) { engagements(first: 100, after: $after,
  orderBy: {field: NUMBER, direction: ASC}) { pageInfo { hasNextPage endCursor }
  nodes { number contractValue contracts(first: 20) { nodes { value active } } } } }"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def _served(client: GraphQLClient, email: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await client.query(ALL, {"after": after}, as_=email)
        page = data["engagements"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


async def test_every_engagement_shows_the_sum_of_its_active_contracts(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    expected = {row.number: row.value for row in await _rows(engine, EXPECTED)}
    served = await _served(client, AGENT)
    assert {node["number"]: _decimal(node["contractValue"]) for node in served} == expected
    for node in served:  # and it agrees with the engagement's own contracts list
        active = [Decimal(c["value"]) for c in node["contracts"]["nodes"] if c["active"]]
        assert _decimal(node["contractValue"]) == (sum(active) if active else None)
    # The example: ENG0000001 had null beside an active contract.
    assert expected["ENG0000001"] is not None
    assert any(value is None for value in expected.values())  # no active contract: null


async def test_contacts_still_get_null(client: GraphQLClient) -> None:
    served = await client.query(
        "{ engagements(first: 10) { nodes { contractValue } } }", as_=CUSTOMER
    )
    nodes = served["engagements"]["nodes"]
    assert nodes
    assert all(node["contractValue"] is None for node in nodes)


ONE = "query One($id: ID!) { node(id: $id) { ... on Engagement { contractValue version } } }"
UPDATE = """mutation Update($id: ID!, $v: Int!, $input: UpdateEngagementInput!) {
  updateEngagement(id: $id, expectedVersion: $v, input: $input) {
    engagement { contractValue } userErrors { code field message } } }"""


async def test_it_follows_the_contracts_and_cannot_be_set(isolated: Isolated) -> None:
    client, engine = isolated.client, isolated.engine
    await isolated.make.user("customer_success_agent", email=AGENT)
    account = await isolated.make.account("Acme Corp")
    made = await isolated.make.engagement(account)
    # A contract of the account outside the engagement counts for nothing here.
    await isolated.make.contract(account, value="77.00")
    (engagement,) = await _rows(
        engine, "SELECT id, account_id FROM engagements WHERE id = :e", e=made["id"]
    )
    eid = global_id("Engagement", engagement.id)

    async def value() -> tuple[str | None, int]:
        node = (await client.query(ONE, {"id": eid}, as_=AGENT))["node"]
        return node["contractValue"], node["version"]

    before, version = await value()
    assert (before, version) == (None, 1)
    async with engine.begin() as connection:
        for name, amount, active in (
            ("A", "1000.25", True),
            ("B", "250.00", True),
            ("C", "9", False),
        ):
            await connection.execute(
                text(
                    "INSERT INTO contracts (name, account_id, engagement_id, value, start_date, "
                    "end_date, active) VALUES (:n, :a, :e, :v, '2026-01-01', '2027-01-01', :on)"
                ),
                {
                    "n": name,
                    "a": engagement.account_id,
                    "e": engagement.id,
                    "v": amount,
                    "on": active,
                },
            )
    assert await value() == ("1250.25", version)
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE contracts SET active = false WHERE engagement_id = :e AND name = 'A'"),
            {"e": engagement.id},
        )
    assert await value() == ("250.00", version)

    refused = await client.query(
        UPDATE, {"id": eid, "v": version, "input": {"contractValue": "5.00"}}, as_=AGENT
    )
    payload = refused["updateEngagement"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("BAD_USER_INPUT", ["contractValue"])
    ]
    assert "active contracts" in payload["userErrors"][0]["message"]
    assert await value() == ("250.00", version)  # nothing changed, not even the version
    assert await isolated.count("audit_log") == 0
    stored = await _rows(engine, "SELECT contract_value, version FROM engagements")
    assert [tuple(row) for row in stored] == [(None, 1)]
