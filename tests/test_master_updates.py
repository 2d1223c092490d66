"""Master data updates (issue 12; ACCESS.md "Lookups and master data": the internal admin
updates contacts, assets, contracts and entitlements; external admins add and deactivate
contacts only, so changing one is FORBIDDEN; everyone else FORBIDDEN where it sees the record
and NOT_FOUND where it does not, exactly like a missing one). Every refusal changes nothing;
every update is versioned and audited with what changed from what.

Each test has a database of its own (``world``: the ``isolated`` fixture with Acme's own
asset, contract and entitlement, Initech's contact, asset and contract, Globex serving both,
and the personas by the demo's emails and roles) and nothing in its audit log to start with,
so a refusal leaves the audit log empty and an update writes exactly its one row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables as t
from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

ADMIN = "admin@csm.example"
CASE_AGENT = "caseagent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
CUSTOMER_ADMIN = "admin@acme.example"
PARTNER_ADMIN = "partneradmin@globex.example"
MISSING = 987_654_321
ERRORS = "userErrors { code field message }"

UPDATE_CONTACT = f"""mutation($id: ID!, $v: Int!, $name: String, $email: String,
  $roles: [String!]) {{
  updateContact(id: $id, expectedVersion: $v, name: $name, email: $email, roles: $roles) {{
    contact {{ id name email roles version }} {ERRORS} }} }}"""
UPDATE_ASSET = f"""mutation($id: ID!, $v: Int!, $name: String, $serial: String,
  $installed: Date, $model: ID) {{
  updateAsset(id: $id, expectedVersion: $v, name: $name, serialNumber: $serial,
    installedOn: $installed, productModelId: $model) {{
    asset {{ id name serialNumber installedOn version productModel {{ id }} }} {ERRORS} }} }}"""
UPDATE_CONTRACT = f"""mutation($id: ID!, $v: Int!, $name: String, $value: Decimal,
  $start: Date, $end: Date, $active: Boolean) {{
  updateContract(id: $id, expectedVersion: $v, name: $name, value: $value, startDate: $start,
    endDate: $end, active: $active) {{
    contract {{ id name value startDate endDate active version }} {ERRORS} }} }}"""
UPDATE_ENTITLEMENT = f"""mutation($id: ID!, $v: Int!, $name: String, $start: Date, $end: Date,
  $contract: ID, $product: ID, $schedule: ID) {{
  updateEntitlement(id: $id, expectedVersion: $v, name: $name, startDate: $start,
    endDate: $end, contractId: $contract, productId: $product, scheduleId: $schedule) {{
    entitlement {{ id name startDate endDate version contract {{ id }} schedule {{ id }} }}
    {ERRORS} }} }}"""


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


async def _row(engine: AsyncEngine, table: str, record_id: int) -> dict[str, Any]:
    async with engine.connect() as connection:
        result = await connection.execute(
            text(f"SELECT * FROM {table} WHERE id = :i"), {"i": record_id}
        )
        return dict(result.mappings().one())


async def _audits(engine: AsyncEngine, record_type: str, record_id: int) -> list[Any]:
    async with engine.connect() as connection:
        result = await connection.execute(
            text(
                "SELECT action, changes FROM audit_log WHERE record_type = :t AND record_id = :i"
                " ORDER BY id"
            ),
            {"t": record_type, "i": record_id},
        )
        return [tuple(row) for row in result.all()]


def _codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]]


@dataclass
class World:
    own: Isolated
    ids: dict[str, int]  # Acme's records by kind ("asset", ...), Initech's ("initech_asset", ...)


@pytest.fixture
async def world(isolated: Isolated) -> World:
    make = isolated.make
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    globex = await make.account("Globex Partners", kind="PARTNER")
    for customer in (acme, initech):
        await make.partner(globex, customer)
    for email, role in ((ADMIN, "admin"), (CASE_AGENT, "case_agent"), (PROXY, "proxy_contact")):
        await make.user(role, email=email)
    for account, email, role in (
        (acme, CUSTOMER, "customer"),
        (acme, CUSTOMER_ADMIN, "customer_admin"),
        (acme, "manager@acme.example", "customer_case_manager"),
        (globex, PARTNER_ADMIN, "partner_admin"),
    ):
        await make.contact(account, role, email=email)
    product = await make.product("Routers")
    models = [
        await make.insert(t.product_models, name=name, product_id=product["id"])
        for name in ("Edge 9000", "Core 12")
    ]
    asset = await make.insert(
        t.assets, name="Update me", account_id=acme["id"], product_model_id=models[0]["id"]
    )
    contract = await make.contract(acme, "Update me")
    ids = {
        "acme": acme["id"],
        "initech": initech["id"],
        "asset": asset["id"],
        "contract": contract["id"],
        "entitlement": (await make.entitlement(acme, name="Update me too"))["id"],
        "initech_contact": (await make.contact(initech))["id"],
        "initech_asset": (await make.asset(initech))["id"],
        "initech_contract": (await make.contract(initech))["id"],
        "schedule": (await make.schedule())["id"],
        "model": models[1]["id"],  # another model than the asset's
    }
    return World(isolated, ids)


async def _new_contact(client: GraphQLClient, ids: dict[str, int], email: str) -> dict[str, Any]:
    data = await client.query(
        """mutation($input: CreateContactInput!) { createContact(input: $input) {
          contact { id name email roles version } userErrors { code } } }""",
        {
            "input": {
                "accountId": global_id("Account", ids["acme"]),
                "name": "Ada Update",
                "email": email,
                "roles": ["customer"],
            }
        },
        as_=ADMIN,
    )
    contact: dict[str, Any] = data["createContact"]["contact"]
    return contact


async def test_the_admin_updates_a_contact(
    world: World,
) -> None:
    client, engine, ids = world.own.client, world.own.engine, world.ids
    contact = await _new_contact(client, ids, "ada.update@acme.example")
    contact_id = decode_global_id(contact["id"])[1]
    data = await client.query(
        UPDATE_CONTACT,
        {
            "id": contact["id"],
            "v": contact["version"],
            "name": " Ada Lovelace ",
            "email": "Ada.Lovelace@Acme.example",
            "roles": ["customer", "customer_case_manager"],
        },
        as_=ADMIN,
    )
    payload = data["updateContact"]
    assert payload["userErrors"] == []
    updated = payload["contact"]
    assert (updated["name"], updated["email"]) == ("Ada Lovelace", "ada.lovelace@acme.example")
    assert updated["roles"] == ["customer", "customer_case_manager"]
    assert updated["version"] == contact["version"] + 1
    audits = await _audits(engine, "contact", contact_id)
    assert [action for action, _ in audits] == ["contact.create", "contact.update"]
    assert audits[-1][1]["email"] == {
        "from": "ada.update@acme.example",
        "to": "ada.lovelace@acme.example",
    }
    # Its own address again is no collision; a stale version is refused and changes nothing.
    same = await client.query(
        UPDATE_CONTACT,
        {"id": contact["id"], "v": updated["version"], "email": "ada.lovelace@acme.example"},
        as_=ADMIN,
    )
    assert same["updateContact"]["userErrors"] == []
    assert same["updateContact"]["contact"]["version"] == updated["version"]  # nothing changed
    stale = await client.query(
        UPDATE_CONTACT, {"id": contact["id"], "v": contact["version"], "name": "X"}, as_=ADMIN
    )
    assert _codes(stale["updateContact"]) == [("STALE_VERSION", ("expectedVersion",))]
    assert await _audits(engine, "contact", contact_id) == audits


@pytest.mark.parametrize(
    ("email", "target", "variables", "expected"),
    [
        (CUSTOMER_ADMIN, "own", {"name": "Renamed"}, [("FORBIDDEN", ())]),  # add/deactivate only
        (CASE_AGENT, "own", {"name": "Renamed"}, [("FORBIDDEN", ())]),
        (PROXY, "own", {"name": "Renamed"}, [("FORBIDDEN", ())]),
        (CUSTOMER, "own", {"name": "Renamed"}, [("NOT_FOUND", ("id",))]),  # not its colleagues
        (CUSTOMER_ADMIN, "initech", {"name": "Renamed"}, [("NOT_FOUND", ("id",))]),
        (ADMIN, "missing", {"name": "Renamed"}, [("NOT_FOUND", ("id",))]),
        (ADMIN, "own", {"email": "customer@acme.example"}, [("BAD_USER_INPUT", ("email",))]),
        (ADMIN, "own", {"email": "caseagent@csm.example"}, [("BAD_USER_INPUT", ("email",))]),
        (ADMIN, "own", {"email": "no-at-sign"}, [("BAD_USER_INPUT", ("email",))]),
        (
            ADMIN,
            "own",
            {"name": " ", "roles": []},
            [("BAD_USER_INPUT", ("name",)), ("BAD_USER_INPUT", ("roles",))],
        ),
        (ADMIN, "own", {"roles": ["wizard"]}, [("BAD_USER_INPUT", ("roles",))]),
        (ADMIN, "own", {"name": None}, [("BAD_USER_INPUT", ("name",))]),
    ],
)
async def test_contact_update_refusals_change_nothing(
    world: World,
    email: str,
    target: str,
    variables: dict[str, Any],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    client, engine, ids = world.own.client, world.own.engine, world.ids
    own = await _scalar(engine, "SELECT id FROM contacts WHERE email = 'manager@acme.example'")
    contact_id = {"own": own, "initech": ids["initech_contact"], "missing": MISSING}[target]
    version = 1 if target == "missing" else (await _row(engine, "contacts", contact_id))["version"]
    before = None if target == "missing" else await _row(engine, "contacts", contact_id)
    data = await client.query(
        UPDATE_CONTACT,
        {"id": global_id("Contact", contact_id), "v": version, **variables},
        as_=email,
    )
    assert _codes(data["updateContact"]) == expected
    assert data["updateContact"]["contact"] is None
    if before is not None:
        assert await _row(engine, "contacts", contact_id) == before
    assert await _scalar(engine, "SELECT count(*) FROM audit_log") == 0


async def test_assets(
    world: World,
) -> None:
    client, engine, ids = world.own.client, world.own.engine, world.ids
    asset_id = ids["asset"]
    before = await _row(engine, "assets", asset_id)
    variables = {"id": global_id("Asset", asset_id), "v": before["version"]}
    refusals = [
        (CUSTOMER, {"name": "Mine"}, [("FORBIDDEN", ())]),  # sees it (case role), may not write
        (CASE_AGENT, {"name": "Mine"}, [("FORBIDDEN", ())]),  # adds assets, does not change them
        (
            CUSTOMER_ADMIN,
            {"id": global_id("Asset", ids["initech_asset"])},
            [("NOT_FOUND", ("id",))],
        ),
        (
            ADMIN,
            {"installed": "2999-01-01", "model": global_id("ProductModel", MISSING)},
            [("BAD_USER_INPUT", ("installedOn",)), ("NOT_FOUND", ("productModelId",))],
        ),
        (ADMIN, {"name": ""}, [("BAD_USER_INPUT", ("name",))]),
        (
            ADMIN,
            {"v": before["version"] + 5, "name": "Late"},
            [("STALE_VERSION", ("expectedVersion",))],
        ),
    ]
    for email, extra, expected in refusals:
        data = await client.query(UPDATE_ASSET, {**variables, **extra}, as_=email)
        assert _codes(data["updateAsset"]) == expected, (email, extra)
    assert await _row(engine, "assets", asset_id) == before
    assert await _scalar(engine, "SELECT count(*) FROM audit_log") == 0

    model = global_id("ProductModel", ids["model"])
    data = await client.query(
        UPDATE_ASSET,
        {**variables, "name": "Core router (rack 2)", "serial": "SN-42", "installed": "2024-03-01",
         "model": model},
        as_=ADMIN,
    )  # fmt: skip
    payload = data["updateAsset"]
    assert payload["userErrors"] == []
    asset = payload["asset"]
    assert (asset["name"], asset["serialNumber"], asset["installedOn"]) == (
        "Core router (rack 2)",
        "SN-42",
        "2024-03-01",
    )
    assert asset["productModel"] == {"id": model}
    assert asset["version"] == before["version"] + 1
    ((action, changes),) = await _audits(engine, "asset", asset_id)
    assert action == "asset.update"
    assert set(changes) == {"name", "serial_number", "installed_on", "product_model_id"}


async def test_contracts(
    world: World,
) -> None:
    client, engine, ids = world.own.client, world.own.engine, world.ids
    contract_id = ids["contract"]
    before = await _row(engine, "contracts", contract_id)
    variables = {"id": global_id("Contract", contract_id), "v": before["version"]}
    day_before_start = before["start_date"].fromordinal(before["start_date"].toordinal() - 1)
    refusals = [
        (CUSTOMER_ADMIN, {"name": "Ours"}, [("FORBIDDEN", ())]),
        (
            PARTNER_ADMIN,
            {"id": global_id("Contract", ids["initech_contract"])},
            [("FORBIDDEN", ())],
        ),
        (
            CUSTOMER_ADMIN,
            {"id": global_id("Contract", ids["initech_contract"])},
            [("NOT_FOUND", ("id",))],
        ),
        (ADMIN, {"id": global_id("Contract", MISSING)}, [("NOT_FOUND", ("id",))]),
        # Only the end given: it is compared with the start the contract keeps.
        (ADMIN, {"end": day_before_start.isoformat()}, [("BAD_USER_INPUT", ("endDate",))]),
        (ADMIN, {"value": "-1"}, [("BAD_USER_INPUT", ("value",))]),
        (ADMIN, {"active": None}, [("BAD_USER_INPUT", ("active",))]),
    ]
    for email, extra, expected in refusals:
        data = await client.query(UPDATE_CONTRACT, {**variables, **extra}, as_=email)
        assert _codes(data["updateContract"]) == expected, (email, extra)
    assert await _row(engine, "contracts", contract_id) == before
    assert await _scalar(engine, "SELECT count(*) FROM audit_log") == 0

    data = await client.query(
        UPDATE_CONTRACT,
        {**variables, "name": "Acme premium support 2027", "value": "125000.50",
         "end": "2030-12-31", "active": True},
        as_=ADMIN,
    )  # fmt: skip
    payload = data["updateContract"]
    assert payload["userErrors"] == []
    contract = payload["contract"]
    assert (contract["name"], contract["endDate"]) == ("Acme premium support 2027", "2030-12-31")
    assert float(contract["value"]) == 125000.50
    assert contract["version"] == before["version"] + 1
    ((action, changes),) = await _audits(engine, "contract", contract_id)
    assert action == "contract.update"
    assert {"name", "value", "end_date"} <= set(changes)


async def test_entitlements(
    world: World,
) -> None:
    client, engine, ids = world.own.client, world.own.engine, world.ids
    entitlement_id = ids["entitlement"]
    before = await _row(engine, "entitlements", entitlement_id)
    variables = {"id": global_id("Entitlement", entitlement_id), "v": before["version"]}
    refusals = [
        (CUSTOMER, {"name": "Ours"}, [("FORBIDDEN", ())]),
        (CASE_AGENT, {"name": "Ours"}, [("FORBIDDEN", ())]),
        (
            ADMIN,
            {"contract": global_id("Contract", ids["initech_contract"])},
            [("BAD_USER_INPUT", ("contractId",))],
        ),
        (
            ADMIN,
            {
                "contract": global_id("Contract", MISSING),
                "schedule": global_id("Schedule", MISSING),
            },
            [("NOT_FOUND", ("contractId",)), ("NOT_FOUND", ("scheduleId",))],
        ),
        (ADMIN, {"start": "2030-01-01", "end": "2029-12-31"}, [("BAD_USER_INPUT", ("endDate",))]),
        (ADMIN, {"product": global_id("Product", MISSING)}, [("NOT_FOUND", ("productId",))]),
    ]
    for email, extra, expected in refusals:
        data = await client.query(UPDATE_ENTITLEMENT, {**variables, **extra}, as_=email)
        assert _codes(data["updateEntitlement"]) == expected, (email, extra)
    assert await _row(engine, "entitlements", entitlement_id) == before
    assert await _scalar(engine, "SELECT count(*) FROM audit_log") == 0

    contract = global_id("Contract", ids["contract"])
    schedule = global_id("Schedule", ids["schedule"])
    data = await client.query(
        UPDATE_ENTITLEMENT,
        {**variables, "name": "Acme gold", "end": "2031-06-30", "contract": contract,
         "schedule": schedule},
        as_=ADMIN,
    )  # fmt: skip
    payload = data["updateEntitlement"]
    assert payload["userErrors"] == []
    entitlement = payload["entitlement"]
    assert (entitlement["name"], entitlement["endDate"]) == ("Acme gold", "2031-06-30")
    assert entitlement["contract"] == {"id": contract}
    assert entitlement["schedule"] == {"id": schedule}
    ((action, changes),) = await _audits(engine, "entitlement", entitlement_id)
    assert action == "entitlement.update"
    assert {"name", "end_date"} <= set(changes)
    # null clears an optional reference.
    cleared = await client.query(
        UPDATE_ENTITLEMENT,
        {"id": variables["id"], "v": entitlement["version"], "schedule": None},
        as_=ADMIN,
    )
    assert cleared["updateEntitlement"]["entitlement"]["schedule"] is None
