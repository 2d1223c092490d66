"""Master data writes (ACCESS.md "Lookups and master data", Writes), per role: contacts added
and deactivated (a deactivated contact is refused at once), assets added; refusals change
nothing; hidden accounts and contacts are NOT_FOUND like missing ones; every write audited.

Each test has a database of its own (``world``: the ``isolated`` fixture with Acme, Initech,
Globex serving both, a product model, and the personas by the demo's emails and roles), so
it asserts exact counts: the world has 4 contacts, no asset and no audit row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables as t
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.auth import issue_token
from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

ADMIN = "admin@csm.example"
CASE_AGENT = "caseagent@csm.example"
SUCCESS_AGENT = "agent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
CUSTOMER_ADMIN = "admin@acme.example"
MANAGER = "manager@acme.example"
PARTNER_ADMIN = "partneradmin@globex.example"
MISSING = 987_654_321

CREATE_CONTACT = """mutation($input: CreateContactInput!) { createContact(input: $input) {
  contact { id name email roles version account { name } } userErrors { code field message } } }"""
DEACTIVATE = """mutation($id: ID!, $v: Int!) { deactivateContact(id: $id, expectedVersion: $v) {
  contact { id version } userErrors { code field message } } }"""
CREATE_ASSET = """mutation($input: CreateAssetInput!) { createAsset(input: $input) {
  asset { id number name serialNumber account { name } productModel { id } }
  userErrors { code field message } } }"""


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


async def _counts(engine: AsyncEngine) -> tuple[int, int, int]:
    return (
        await _scalar(engine, "SELECT count(*) FROM contacts"),
        await _scalar(engine, "SELECT count(*) FROM assets"),
        await _scalar(engine, "SELECT count(*) FROM audit_log"),
    )


# Contacts, assets and audit rows of the world.
WORLD = (4, 0, 0)


@dataclass
class World:
    own: Isolated
    accounts: dict[str, int]  # by name
    model: int  # a product model


@pytest.fixture
async def world(isolated: Isolated) -> World:
    make = isolated.make
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    globex = await make.account("Globex Partners", kind="PARTNER")
    for customer in (acme, initech):
        await make.partner(globex, customer)
    for email, role in (
        (ADMIN, "admin"),
        (CASE_AGENT, "case_agent"),
        (SUCCESS_AGENT, "customer_success_agent"),
        (PROXY, "proxy_contact"),
    ):
        await make.user(role, email=email)
    for account, email, role in (
        (acme, CUSTOMER, "customer"),
        (acme, CUSTOMER_ADMIN, "customer_admin"),
        (acme, MANAGER, "customer_case_manager"),
        (globex, PARTNER_ADMIN, "partner_admin"),
    ):
        await make.contact(account, role, email=email)
    product = await make.product("Routers")
    model = await make.insert(t.product_models, name="Edge 9000", product_id=product["id"])
    names = {row["name"]: row["id"] for row in (acme, initech, globex)}
    return World(isolated, names, model["id"])


def _contact_input(account: int, email: str, roles: list[str] | None = None) -> dict[str, Any]:
    return {
        "accountId": global_id("Account", account),
        "name": "Nia New",
        "email": email,
        "roles": roles or ["customer"],
    }


async def _create_contact(client: GraphQLClient, as_: str, input: dict[str, Any]) -> dict[str, Any]:
    return (await client.query(CREATE_CONTACT, {"input": input}, as_=as_))["createContact"]


def _codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]]


@pytest.mark.parametrize(
    ("email", "account", "roles", "expected"),
    [
        (ADMIN, "Initech", ["customer_admin"], []),
        (CASE_AGENT, "Acme Corp", ["customer"], []),
        (CUSTOMER_ADMIN, "Acme Corp", ["customer_admin"], []),
        (PARTNER_ADMIN, "Globex Partners", ["partner"], []),
        # Roles it does not hold: never more than it has.
        (CUSTOMER_ADMIN, "Acme Corp", ["customer_case_manager"], [("FORBIDDEN", ("roles",))]),
        # A partner admin serves Acme's cases, but Acme is not one of its accounts.
        (PARTNER_ADMIN, "Acme Corp", ["customer"], [("NOT_FOUND", ("accountId",))]),
        # Not one of my accounts: it looks missing.
        (CUSTOMER_ADMIN, "Initech", ["customer"], [("NOT_FOUND", ("accountId",))]),
        (CUSTOMER, "Acme Corp", ["customer"], [("FORBIDDEN", ("accountId",))]),
        (MANAGER, "Acme Corp", ["customer"], [("FORBIDDEN", ("accountId",))]),
        (SUCCESS_AGENT, "Acme Corp", ["customer"], [("FORBIDDEN", ("accountId",))]),
        (PROXY, "Acme Corp", ["customer"], [("FORBIDDEN", ("accountId",))]),
    ],
)
async def test_who_adds_contacts(
    world: World,
    email: str,
    account: str,
    roles: list[str],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    client, engine, accounts = world.own.client, world.own.engine, world.accounts
    address = f"new.{email.split('@')[0]}.{account.split()[0]}.{roles[0]}@example.com".lower()
    payload = await _create_contact(
        client, email, _contact_input(accounts[account], address, roles)
    )
    assert _codes(payload) == expected
    if expected:
        assert payload["contact"] is None
        assert await _counts(engine) == WORLD
        return
    assert payload["contact"]["email"] == address
    assert payload["contact"]["account"] == {"name": account}
    contact_id = decode_global_id(payload["contact"]["id"])[1]
    action = await _scalar(
        engine,
        "SELECT action FROM audit_log WHERE record_type = 'contact' AND record_id = :i",
        i=contact_id,
    )
    assert action == "contact.create"
    assert await _counts(engine) == (5, 0, 1)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"email": "customer@ACME.example"}, [("BAD_USER_INPUT", ("email",))]),  # a contact's
        ({"email": "caseagent@csm.example"}, [("BAD_USER_INPUT", ("email",))]),  # an employee's
        ({"email": "no-at-sign"}, [("BAD_USER_INPUT", ("email",))]),
        (
            {"name": "  ", "roles": []},
            [("BAD_USER_INPUT", ("name",)), ("BAD_USER_INPUT", ("roles",))],
        ),
        ({"roles": ["wizard"]}, [("BAD_USER_INPUT", ("roles",))]),
    ],
)
async def test_contact_input_is_checked(
    world: World,
    change: dict[str, Any],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    client, engine, accounts = world.own.client, world.own.engine, world.accounts
    input = {**_contact_input(accounts["Acme Corp"], "fresh@example.com"), **change}
    payload = await _create_contact(client, ADMIN, input)
    assert _codes(payload) == expected
    assert await _counts(engine) == WORLD


async def test_a_deactivated_contact_is_refused_at_once(
    world: World,
) -> None:
    client, engine, accounts = world.own.client, world.own.engine, world.accounts
    created = await _create_contact(
        client,
        CUSTOMER_ADMIN,
        _contact_input(accounts["Acme Corp"], "leaving@acme.example", ["customer"]),
    )
    contact = created["contact"]
    contact_id = decode_global_id(contact["id"])[1]
    token = issue_token(client.settings, PrincipalKind.CONTACT, contact_id)
    assert (await client.post("{ viewer { name } }", token=token)).status_code == 200
    # Another account's admin and a plain customer may not; a hidden contact looks missing.
    partner = await client.query(
        DEACTIVATE, {"id": contact["id"], "v": contact["version"]}, as_=PARTNER_ADMIN
    )
    assert _codes(partner["deactivateContact"]) == [("NOT_FOUND", ("id",))]
    missing = await client.query(
        DEACTIVATE, {"id": global_id("Contact", MISSING), "v": 1}, as_=PARTNER_ADMIN
    )
    assert missing == partner
    customer = await client.query(
        DEACTIVATE, {"id": contact["id"], "v": contact["version"]}, as_=CUSTOMER
    )
    assert _codes(customer["deactivateContact"]) == [("NOT_FOUND", ("id",))]  # sees only itself
    manager = await client.query(
        DEACTIVATE, {"id": contact["id"], "v": contact["version"]}, as_=MANAGER
    )
    assert _codes(manager["deactivateContact"]) == [("FORBIDDEN", ())]
    assert await _scalar(engine, "SELECT active FROM contacts WHERE id = :i", i=contact_id)
    done = await client.query(
        DEACTIVATE, {"id": contact["id"], "v": contact["version"]}, as_=CUSTOMER_ADMIN
    )
    assert done["deactivateContact"]["userErrors"] == []
    assert done["deactivateContact"]["contact"]["version"] == contact["version"] + 1
    # The very next request with its still-valid token is refused.
    refused = await client.post("{ viewer { name } }", token=token)
    body = refused.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body.get("data") is None
    audit = await _scalar(
        engine,
        "SELECT count(*) FROM audit_log WHERE action = 'contact.deactivate' AND record_id = :i",
        i=contact_id,
    )
    assert audit == 1
    # The case form no longer accepts it.
    case = await client.query(
        """mutation($input: CreateCaseInput!) { createCase(input: $input) {
          userErrors { code field } } }""",
        {
            "input": {
                "accountId": global_id("Account", accounts["Acme Corp"]),
                "shortDescription": "For a former colleague",
                "contactId": contact["id"],
            }
        },
        as_=CUSTOMER_ADMIN,
    )
    assert case["createCase"]["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["contactId"]}]


@pytest.mark.parametrize(
    ("email", "account", "expected"),
    [
        (ADMIN, "Initech", []),
        (CASE_AGENT, "Acme Corp", []),
        (SUCCESS_AGENT, "Acme Corp", [("FORBIDDEN", ())]),
        (PROXY, "Acme Corp", [("FORBIDDEN", ())]),
        (CUSTOMER_ADMIN, "Acme Corp", [("FORBIDDEN", ())]),
        (CUSTOMER_ADMIN, "Initech", [("NOT_FOUND", ("accountId",))]),
    ],
)
async def test_who_adds_assets(
    world: World,
    email: str,
    account: str,
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    client, engine, accounts = world.own.client, world.own.engine, world.accounts
    model = world.model
    input = {
        "accountId": global_id("Account", accounts[account]),
        "productModelId": global_id("ProductModel", model),
        "name": "Edge router",
        "serialNumber": "SN-1",
    }
    payload = (await client.query(CREATE_ASSET, {"input": input}, as_=email))["createAsset"]
    assert _codes(payload) == expected
    if expected:
        assert await _counts(engine) == WORLD
        return
    asset = payload["asset"]
    assert asset["number"] == "AST0000001"  # the first asset of this database
    assert await _counts(engine) == (4, 1, 1)
    assert asset["account"] == {"name": account}
    assert asset["productModel"] == {"id": global_id("ProductModel", model)}


async def test_asset_input_is_checked(
    world: World,
) -> None:
    client, engine, accounts = world.own.client, world.own.engine, world.accounts
    input = {
        "accountId": global_id("Account", accounts["Acme Corp"]),
        "productModelId": global_id("ProductModel", MISSING),
        "name": "",
        "installedOn": "2999-01-01",
    }
    payload = (await client.query(CREATE_ASSET, {"input": input}, as_=ADMIN))["createAsset"]
    assert _codes(payload) == [
        ("NOT_FOUND", ("productModelId",)),
        ("BAD_USER_INPUT", ("name",)),
        ("BAD_USER_INPUT", ("installedOn",)),
    ]
    assert await _counts(engine) == WORLD
