"""Master data updates (issue 12; ACCESS.md "Lookups and master data": the internal admin
updates contacts, assets, contracts and entitlements; external admins add and deactivate
contacts only, so changing one is FORBIDDEN; everyone else FORBIDDEN where it sees the record
and NOT_FOUND where it does not, exactly like a missing one). Every refusal changes nothing;
every update is versioned and audited with what changed from what."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
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


@pytest.fixture(scope="module")
async def ids(write_engine: AsyncEngine) -> dict[str, int]:
    found: dict[str, int] = {}
    queries = {
        "acme": "SELECT id FROM accounts WHERE name = 'Acme Corp'",
        "initech": "SELECT id FROM accounts WHERE name = 'Initech'",
        "initech_contact": "SELECT min(id) FROM contacts WHERE account_id ="
        " (SELECT id FROM accounts WHERE name = 'Initech')",
        "initech_asset": "SELECT min(id) FROM assets WHERE account_id ="
        " (SELECT id FROM accounts WHERE name = 'Initech')",
        "initech_contract": "SELECT min(id) FROM contracts WHERE account_id ="
        " (SELECT id FROM accounts WHERE name = 'Initech')",
        "schedule": "SELECT min(id) FROM schedules",
        "model": "SELECT max(id) FROM product_models",
    }
    for key, sql in queries.items():
        found[key] = await _scalar(write_engine, sql)
        assert found[key] is not None, key
    return found


async def _created(
    client: GraphQLClient, mutation: str, field: str, input: Any, kind: str = "CreateAgreementInput"
) -> int:
    data = await client.query(
        f"""mutation($input: {kind}!) {{
          {mutation}(input: $input) {{ {field} {{ id }} userErrors {{ code field }} }} }}""",
        {"input": input},
        as_=ADMIN,
    )
    assert data[mutation]["userErrors"] == [], data
    return decode_global_id(data[mutation][field]["id"])[1]


@pytest.fixture(scope="module")
async def own(write_client: GraphQLClient, ids: dict[str, int]) -> dict[str, int]:
    """An asset, a contract and an entitlement of Acme's that no other test relies on."""
    acme = global_id("Account", ids["acme"])
    model = await _scalar_min_model(write_client)
    asset = await _created(
        write_client,
        "createAsset",
        "asset",
        {"accountId": acme, "productModelId": model, "name": "Update me"},
        "CreateAssetInput",
    )
    term = {"accountId": acme, "startDate": "2025-01-01", "endDate": "2026-12-31"}
    contract = await _created(
        write_client,
        "createContract",
        "contract",
        {**term, "name": "Update me", "value": "1000"},
    )
    entitlement = await _created(
        write_client, "createEntitlement", "entitlement", {**term, "name": "Update me too"}
    )
    return {"asset": asset, "contract": contract, "entitlement": entitlement}


async def _scalar_min_model(client: GraphQLClient) -> str:
    data = await client.query("{ productModels(first: 1) { nodes { id } } }", as_=ADMIN)
    model: str = data["productModels"]["nodes"][0]["id"]
    return model


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
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int]
) -> None:
    contact = await _new_contact(write_client, ids, "ada.update@acme.example")
    contact_id = decode_global_id(contact["id"])[1]
    data = await write_client.query(
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
    audits = await _audits(write_engine, "contact", contact_id)
    assert audits[-1][0] == "contact.update"
    assert audits[-1][1]["email"] == {
        "from": "ada.update@acme.example",
        "to": "ada.lovelace@acme.example",
    }
    # Its own address again is no collision; a stale version is refused and changes nothing.
    same = await write_client.query(
        UPDATE_CONTACT,
        {"id": contact["id"], "v": updated["version"], "email": "ada.lovelace@acme.example"},
        as_=ADMIN,
    )
    assert same["updateContact"]["userErrors"] == []
    assert same["updateContact"]["contact"]["version"] == updated["version"]  # nothing changed
    stale = await write_client.query(
        UPDATE_CONTACT, {"id": contact["id"], "v": contact["version"], "name": "X"}, as_=ADMIN
    )
    assert _codes(stale["updateContact"]) == [("STALE_VERSION", ("expectedVersion",))]
    assert len(await _audits(write_engine, "contact", contact_id)) == len(audits)


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
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    ids: dict[str, int],
    email: str,
    target: str,
    variables: dict[str, Any],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    own = await _scalar(
        write_engine, "SELECT id FROM contacts WHERE email = 'manager@acme.example'"
    )
    contact_id = {"own": own, "initech": ids["initech_contact"], "missing": MISSING}[target]
    version = (
        1 if target == "missing" else (await _row(write_engine, "contacts", contact_id))["version"]
    )
    before = None if target == "missing" else await _row(write_engine, "contacts", contact_id)
    audits = await _scalar(write_engine, "SELECT count(*) FROM audit_log")
    data = await write_client.query(
        UPDATE_CONTACT,
        {"id": global_id("Contact", contact_id), "v": version, **variables},
        as_=email,
    )
    assert _codes(data["updateContact"]) == expected
    assert data["updateContact"]["contact"] is None
    if before is not None:
        assert await _row(write_engine, "contacts", contact_id) == before
    assert await _scalar(write_engine, "SELECT count(*) FROM audit_log") == audits


async def test_assets(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    ids: dict[str, int],
    own: dict[str, int],
) -> None:
    asset_id = own["asset"]
    before = await _row(write_engine, "assets", asset_id)
    variables = {"id": global_id("Asset", asset_id), "v": before["version"]}
    audits = await _scalar(write_engine, "SELECT count(*) FROM audit_log")
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
        data = await write_client.query(UPDATE_ASSET, {**variables, **extra}, as_=email)
        assert _codes(data["updateAsset"]) == expected, (email, extra)
    assert await _row(write_engine, "assets", asset_id) == before
    assert await _scalar(write_engine, "SELECT count(*) FROM audit_log") == audits

    model = global_id("ProductModel", ids["model"])
    data = await write_client.query(
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
    (action, changes) = (await _audits(write_engine, "asset", asset_id))[-1]
    assert action == "asset.update"
    assert set(changes) == {"name", "serial_number", "installed_on", "product_model_id"} - (
        {"product_model_id"} if before["product_model_id"] == ids["model"] else set()
    )


async def test_contracts(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    ids: dict[str, int],
    own: dict[str, int],
) -> None:
    contract_id = own["contract"]
    before = await _row(write_engine, "contracts", contract_id)
    variables = {"id": global_id("Contract", contract_id), "v": before["version"]}
    audits = await _scalar(write_engine, "SELECT count(*) FROM audit_log")
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
        data = await write_client.query(UPDATE_CONTRACT, {**variables, **extra}, as_=email)
        assert _codes(data["updateContract"]) == expected, (email, extra)
    assert await _row(write_engine, "contracts", contract_id) == before
    assert await _scalar(write_engine, "SELECT count(*) FROM audit_log") == audits

    data = await write_client.query(
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
    (action, changes) = (await _audits(write_engine, "contract", contract_id))[-1]
    assert action == "contract.update"
    assert {"name", "value", "end_date"} <= set(changes)


async def test_entitlements(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    ids: dict[str, int],
    own: dict[str, int],
) -> None:
    entitlement_id = own["entitlement"]
    before = await _row(write_engine, "entitlements", entitlement_id)
    variables = {"id": global_id("Entitlement", entitlement_id), "v": before["version"]}
    audits = await _scalar(write_engine, "SELECT count(*) FROM audit_log")
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
        data = await write_client.query(UPDATE_ENTITLEMENT, {**variables, **extra}, as_=email)
        assert _codes(data["updateEntitlement"]) == expected, (email, extra)
    assert await _row(write_engine, "entitlements", entitlement_id) == before
    assert await _scalar(write_engine, "SELECT count(*) FROM audit_log") == audits

    contract = global_id("Contract", own["contract"])
    schedule = global_id("Schedule", ids["schedule"])
    data = await write_client.query(
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
    (action, changes) = (await _audits(write_engine, "entitlement", entitlement_id))[-1]
    assert action == "entitlement.update"
    assert {"name", "end_date"} <= set(changes)
    # null clears an optional reference.
    cleared = await write_client.query(
        UPDATE_ENTITLEMENT,
        {"id": variables["id"], "v": entitlement["version"], "schedule": None},
        as_=ADMIN,
    )
    assert cleared["updateEntitlement"]["entitlement"]["schedule"] is None
