"""createContract(engagementId:) (issue 11): an admin links a new contract to an engagement of
its account, so Engagement.contractValue (the sum of its active contracts) changes through the
API. The engagement must exist, be visible to the actor and be of the contract's account;
refusals write nothing. Each test has a database of its own (``isolated``): exact counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.expectations import global_id
from tests.factories import Isolated, Row

MISSING = 987_654_321

CREATE_CONTRACT = """mutation($input: CreateAgreementInput!) { createContract(input: $input) {
  contract { id version } userErrors { code field message } } }"""
CREATE_ENTITLEMENT = """mutation($input: CreateAgreementInput!) {
  createEntitlement(input: $input) { entitlement { id } userErrors { code field message } } }"""
UPDATE_CONTRACT = """mutation($id: ID!, $v: Int!, $active: Boolean) {
  updateContract(id: $id, expectedVersion: $v, active: $active) {
    contract { id } userErrors { code field message } } }"""
ENGAGEMENT = """query($id: ID!) { node(id: $id) { ... on Engagement { contractValue
  timeline(first: 20) { nodes { kind } } } } }"""
TERM = {"startDate": "2026-01-01", "endDate": "2027-12-31"}


def _input(account: Row, engagement: Row | str | None, value: str, name: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "accountId": global_id("Account", account["id"]),
        "name": name,
        "value": value,
        **TERM,
    }
    if isinstance(engagement, str):
        fields["engagementId"] = engagement
    elif engagement is not None:
        fields["engagementId"] = global_id("Engagement", engagement["id"])
    return fields


async def _create(own: Isolated, who: Row, fields: dict[str, Any]) -> dict[str, Any]:
    data = await own.client.query(CREATE_CONTRACT, {"input": fields}, as_=who["email"])
    result: dict[str, Any] = data["createContract"]
    return result


async def _value(own: Isolated, engagement: Row, who: Row) -> Decimal | None:
    data = await own.client.query(
        ENGAGEMENT, {"id": global_id("Engagement", engagement["id"])}, as_=who["email"]
    )
    value = data["node"]["contractValue"]
    return None if value is None else Decimal(str(value))


async def test_contract_value_follows_the_contracts_created_for_the_engagement(
    isolated: Isolated,
) -> None:
    make = isolated.make
    acme = await make.account("Acme")
    engagement = await make.engagement(acme)
    admin = await make.user("admin")
    agent = await make.user("customer_success_agent")
    assert await _value(isolated, engagement, agent) is None  # no contract yet

    gold = await _create(isolated, admin, _input(acme, engagement, "1200.50", "Gold"))
    assert gold["userErrors"] == []
    assert await _value(isolated, engagement, agent) == Decimal("1200.50")
    # A contract of the account but of no engagement does not count.
    loose = await _create(isolated, admin, _input(acme, None, "99", "Loose"))
    assert loose["userErrors"] == []
    extra = await _create(isolated, admin, _input(acme, engagement, "100", "Extra"))
    assert extra["userErrors"] == []
    assert await _value(isolated, engagement, agent) == Decimal("1300.50")
    linked = await make.rows(
        "SELECT name FROM contracts WHERE engagement_id = :e ORDER BY name", e=engagement["id"]
    )
    assert [row["name"] for row in linked] == ["Extra", "Gold"]
    # The timeline shows the contracts added to the engagement.
    data = await isolated.client.query(
        ENGAGEMENT, {"id": global_id("Engagement", engagement["id"])}, as_=agent["email"]
    )
    kinds = [node["kind"] for node in data["node"]["timeline"]["nodes"]]
    assert kinds.count("CONTRACT_ADDED") == 2

    # An inactive contract no longer counts.
    gold_contract = gold["contract"]
    updated = await isolated.client.query(
        UPDATE_CONTRACT,
        {"id": gold_contract["id"], "v": gold_contract["version"], "active": False},
        as_=admin["email"],
    )
    assert updated["updateContract"]["userErrors"] == []
    assert await _value(isolated, engagement, agent) == Decimal("100.00")


async def test_a_wrong_engagement_or_role_writes_nothing(isolated: Isolated) -> None:
    make = isolated.make
    acme, umbrella = await make.account("Acme"), await make.account("Umbrella")
    engagement = await make.engagement(acme)
    umbrella_engagement = await make.engagement(umbrella)
    admin = await make.user("admin")

    async def written() -> tuple[int, int, int]:
        return (
            await isolated.count("contracts"),
            await isolated.count("activities"),
            await isolated.count("audit_log"),
        )

    cases: list[tuple[Row | str, list[tuple[str, list[str] | None]]]] = [
        (global_id("Engagement", MISSING), [("NOT_FOUND", ["engagementId"])]),
        # A malformed or other-type id names nothing that exists.
        (global_id("Account", acme["id"]), [("NOT_FOUND", ["engagementId"])]),
        (umbrella_engagement, [("BAD_USER_INPUT", ["engagementId"])]),
    ]
    for engagement_ref, expected in cases:
        result = await _create(isolated, admin, _input(acme, engagement_ref, "10", "Bad"))
        assert result["contract"] is None
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == expected
        assert await written() == (0, 0, 0)
    # Every problem at once: a negative value and a foreign engagement.
    result = await _create(isolated, admin, _input(acme, umbrella_engagement, "-1", "Bad"))
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("BAD_USER_INPUT", ["value"]),
        ("BAD_USER_INPUT", ["engagementId"]),
    ]
    # Only admins create contracts (ACCESS.md "Lookups and master data").
    for who in (
        await make.user("case_agent"),
        await make.user("customer_success_agent"),
        await make.contact(acme, "customer_admin"),
    ):
        result = await _create(isolated, who, _input(acme, engagement, "10", "Bad"))
        assert [e["code"] for e in result["userErrors"]] == ["FORBIDDEN"], who["email"]
    # An entitlement serves no engagement: said, not ignored.
    data = await isolated.client.query(
        CREATE_ENTITLEMENT,
        {"input": {**_input(acme, engagement, "10", "Support"), "value": None}},
        as_=admin["email"],
    )
    errors = data["createEntitlement"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("BAD_USER_INPUT", ["engagementId"])]
    assert await written() == (0, 0, 0)
    assert await isolated.count("entitlements") == 0
