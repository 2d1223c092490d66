"""Accounts, contracts and entitlements: the internal admin writes them, everyone else is
refused (FORBIDDEN where it sees the record, NOT_FOUND where not), nothing changes on a
refusal, and a hierarchy cannot loop.

Each test has a database of its own (the ``isolated`` fixture) with Acme, Initech (and a
contract of it), Globex (a partner serving Acme), a schedule and the personas by the demo's
emails and roles, so it asserts exact counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated

ADMIN = "admin@csm.example"
MISSING = 987_654_321

CREATE_ACCOUNT = """mutation($input: CreateAccountInput!) { createAccount(input: $input) {
  account { id name kind version parent { name } } userErrors { code field message } } }"""
UPDATE_ACCOUNT = """mutation($id: ID!, $v: Int!, $name: String, $parent: ID) {
  updateAccount(id: $id, expectedVersion: $v, name: $name, parentId: $parent) {
    account { id name version parent { id } } userErrors { code field message } } }"""
CREATE_CONTRACT = """mutation($input: CreateAgreementInput!) { createContract(input: $input) {
  contract { id number name account { name } } userErrors { code field message } } }"""
CREATE_ENTITLEMENT = """mutation($input: CreateAgreementInput!) {
  createEntitlement(input: $input) {
    entitlement { id number contract { id } schedule { name } } userErrors { code field message }
  } }"""


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


async def _counts(engine: AsyncEngine) -> tuple[int, ...]:
    return tuple(
        [
            await _scalar(engine, f"SELECT count(*) FROM {table}")
            for table in ("accounts", "contracts", "entitlements", "audit_log")
        ]
    )


def _codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]]


@dataclass
class Master:
    own: Isolated
    acme: int
    initech_contract: int
    schedule: int


@pytest.fixture
async def master(isolated: Isolated) -> Master:
    make = isolated.make
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    globex = await make.account("Globex Partners", kind="PARTNER")
    await make.partner(globex, acme)
    for email, role in (
        (ADMIN, "admin"),
        ("caseagent@csm.example", "case_agent"),
        ("agent@csm.example", "customer_success_agent"),
    ):
        await make.user(role, email=email)
    await make.contact(acme, "customer_admin", email="admin@acme.example")
    await make.contact(globex, "partner", email="partner@globex.example")
    schedule = await make.schedule("Mon-Fri 08:00-18:00", name="Business hours (Europe)")
    contract = await make.contract(initech)
    return Master(isolated, acme["id"], contract["id"], schedule["id"])


# What the world holds: accounts, contracts, entitlements, audit rows.
WORLD = (3, 1, 0, 0)


async def test_the_admin_builds_a_hierarchy_that_cannot_loop(
    master: Master,
) -> None:
    client, engine = master.own.client, master.own.engine
    top = await client.query(
        CREATE_ACCOUNT, {"input": {"name": "Hooli", "kind": "CUSTOMER"}}, as_=ADMIN
    )
    root = top["createAccount"]["account"]
    assert root["kind"] == "CUSTOMER"
    below = await client.query(
        CREATE_ACCOUNT,
        {"input": {"name": " Hooli XYZ ", "kind": "CUSTOMER", "parentId": root["id"]}},
        as_=ADMIN,
    )
    child = below["createAccount"]["account"]
    assert (child["name"], child["parent"]) == ("Hooli XYZ", {"name": "Hooli"})
    # Two accounts and their two audit rows more than the world.
    assert await _counts(engine) == (5, 1, 0, 2)
    loop = await client.query(
        UPDATE_ACCOUNT, {"id": root["id"], "v": root["version"], "parent": child["id"]}, as_=ADMIN
    )
    assert _codes(loop["updateAccount"]) == [("BAD_USER_INPUT", ("parentId",))]
    itself = await client.query(
        UPDATE_ACCOUNT, {"id": root["id"], "v": root["version"], "parent": root["id"]}, as_=ADMIN
    )
    assert _codes(itself["updateAccount"]) == [("BAD_USER_INPUT", ("parentId",))]
    assert await _counts(engine) == (5, 1, 0, 2)
    renamed = await client.query(
        UPDATE_ACCOUNT,
        {"id": child["id"], "v": child["version"], "name": "Hooli Europe", "parent": None},
        as_=ADMIN,
    )
    assert renamed["updateAccount"]["account"] == {
        "id": child["id"],
        "name": "Hooli Europe",
        "version": child["version"] + 1,
        "parent": None,
    }
    audit = await _scalar(
        engine,
        "SELECT changes FROM audit_log WHERE action = 'account.update' AND record_id = :i",
        i=decode_global_id(child["id"])[1],
    )
    assert audit["name"] == {"from": "Hooli XYZ", "to": "Hooli Europe"}


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("caseagent@csm.example", "FORBIDDEN"),
        ("agent@csm.example", "FORBIDDEN"),
        ("admin@acme.example", "FORBIDDEN"),  # sees its account, may not change it
        ("partner@globex.example", "NOT_FOUND"),  # does not see Acme
    ],
)
async def test_only_the_admin_changes_accounts(master: Master, email: str, code: str) -> None:
    client, engine, acme = master.own.client, master.own.engine, master.acme
    version = await _scalar(engine, "SELECT version FROM accounts WHERE id = :i", i=acme)
    updated = await client.query(
        UPDATE_ACCOUNT, {"id": global_id("Account", acme), "v": version, "name": "X"}, as_=email
    )
    assert [e["code"] for e in updated["updateAccount"]["userErrors"]] == [code]
    created = await client.query(
        CREATE_ACCOUNT, {"input": {"name": "Nope", "kind": "PARTNER"}}, as_=email
    )
    assert [e["code"] for e in created["createAccount"]["userErrors"]] == ["FORBIDDEN"]
    agreement = {
        "accountId": global_id("Account", acme),
        "name": "Nope",
        "startDate": "2026-01-01",
        "endDate": "2026-12-31",
        "value": "10",
    }
    contract = await client.query(CREATE_CONTRACT, {"input": agreement}, as_=email)
    assert [e["code"] for e in contract["createContract"]["userErrors"]] == ["FORBIDDEN"]
    assert await _counts(engine) == WORLD


async def test_contracts_and_entitlements(
    master: Master,
) -> None:
    client, engine, acme = master.own.client, master.own.engine, master.acme
    term = {"startDate": "2026-01-01", "endDate": "2027-12-31"}
    created = await client.query(
        CREATE_CONTRACT,
        {
            "input": {
                "accountId": global_id("Account", acme),
                "name": "Gold",
                "value": "1200.50",
                **term,
            }
        },
        as_=ADMIN,
    )
    contract = created["createContract"]["contract"]
    assert contract["number"] == "CNTR0000002"  # after Initech's
    assert contract["account"] == {"name": "Acme Corp"}
    schedule = master.schedule
    entitled = await client.query(
        CREATE_ENTITLEMENT,
        {
            "input": {
                "accountId": global_id("Account", acme),
                "name": "Gold support",
                "contractId": contract["id"],
                "scheduleId": global_id("Schedule", schedule),
                **term,
            }
        },
        as_=ADMIN,
    )
    entitlement = entitled["createEntitlement"]["entitlement"]
    assert entitlement["contract"] == {"id": contract["id"]}
    assert entitlement["schedule"] == {"name": "Business hours (Europe)"}
    assert await _counts(engine) == (3, 2, 1, 2)  # the contract and the entitlement, audited
    initech_contract = master.initech_contract
    refused = await client.query(
        CREATE_ENTITLEMENT,
        {
            "input": {
                "accountId": global_id("Account", acme),
                "name": " ",
                "contractId": global_id("Contract", initech_contract),
                "scheduleId": global_id("Schedule", MISSING),
                "startDate": "2026-02-01",
                "endDate": "2026-01-01",
            }
        },
        as_=ADMIN,
    )
    assert _codes(refused["createEntitlement"]) == [
        ("BAD_USER_INPUT", ("name",)),
        ("BAD_USER_INPUT", ("endDate",)),
    ]
    wrong_refs = await client.query(
        CREATE_ENTITLEMENT,
        {
            "input": {
                "accountId": global_id("Account", acme),
                "name": "Wrong",
                "contractId": global_id("Contract", initech_contract),
                "scheduleId": global_id("Schedule", MISSING),
                **term,
            }
        },
        as_=ADMIN,
    )
    assert _codes(wrong_refs["createEntitlement"]) == [
        ("BAD_USER_INPUT", ("contractId",)),
        ("NOT_FOUND", ("scheduleId",)),
    ]
    no_value = await client.query(
        CREATE_CONTRACT,
        {"input": {"accountId": global_id("Account", MISSING), "name": "Lost", **term}},
        as_=ADMIN,
    )
    assert _codes(no_value["createContract"]) == [("NOT_FOUND", ("accountId",))]
    assert await _counts(engine) == (3, 2, 1, 2)
