"""The case form's write side (issue 12): everything createCase and updateCase take, per
role; references visible and of the case's account (hidden ones NOT_FOUND exactly like
missing ones); refusals change nothing; updates audited; SLAs re-decided on a new contract or
entitlement.

Each test has a database of its own (the ``isolated`` fixture) holding only what
``build_world`` makes, so a refusal is "nothing written at all" and counts are exact."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

AGENT = "caseagent@csm.example"
SUCCESS_AGENT = "agent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
CUSTOMER_ADMIN = "admin@acme.example"
MISSING = 987_654_321

CASE_FIELDS = """id number version channel category shareResolutionNotes
  contact { email } internalContact { email } assignedTo { email } supportGroup { name }
  informedUsers { email } asset { id } product { id } contract { id } entitlement { id }
  parent { id } slas { nodes { name stage } }"""
CREATE = f"""mutation($input: CreateCaseInput!) {{ createCase(input: $input) {{
  case {{ {CASE_FIELDS} }} userErrors {{ code field message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $v: Int!, $contact: ID, $asset: ID, $product: ID,
  $contract: ID, $entitlement: ID, $parent: ID, $channel: CaseChannel, $category: String,
  $informed: [ID!], $share: Boolean) {{
  updateCase(id: $id, expectedVersion: $v, contactId: $contact, assetId: $asset,
    productId: $product, contractId: $contract, entitlementId: $entitlement, parentId: $parent,
    channel: $channel, category: $category, informedUserIds: $informed,
    shareResolutionNotes: $share) {{
    case {{ {CASE_FIELDS} }} userErrors {{ code field message }} }} }}"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(row) for row in (await connection.execute(text(sql), params)).mappings()]


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


PREMIUM_SLA = "P3 resolution, premium support"


class World(NamedTuple):
    client: GraphQLClient
    engine: AsyncEngine
    ids: dict[str, int]  # what build made, by account key, email or role


@pytest.fixture
async def world(isolated: Isolated) -> World:
    """Acme (two assets of two products, a contract, a current entitlement, and a premium
    entitlement with an SLA definition of its own under a contract of its own) and Initech
    (an asset, a contract, an entitlement, a case, a contact); the employees and Acme's
    people with the demo's emails and roles (ACCESS.md); the desk's SLAs; a support group."""
    make = isolated.make
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    ids: dict[str, int] = {"acme": acme["id"], "initech": initech["id"]}
    ids[CUSTOMER] = (await make.contact(acme, "customer", email=CUSTOMER))["id"]
    ids[CUSTOMER_ADMIN] = (await make.contact(acme, "customer_admin", email=CUSTOMER_ADMIN))["id"]
    multi = await make.contact(initech, "customer_success_customer", email="multi@initech.example")
    ids["multi@initech.example"] = multi["id"]
    agent = await make.user("case_agent", email=AGENT)
    ids[AGENT] = agent["id"]
    ids[SUCCESS_AGENT] = (await make.user("customer_success_agent", email=SUCCESS_AGENT))["id"]
    ids[PROXY] = (await make.user("proxy_contact", email=PROXY))["id"]
    ids["group"] = (await make.support_group("Service Desk", members=[agent]))["id"]
    schedule = await make.schedule()
    await make.desk_slas(schedule)
    product = await make.product("VPN gateway")
    ids["product"] = product["id"]
    for key, account in (("acme", acme), ("initech", initech)):
        ids[f"{key}_asset"] = (await make.asset(account, product))["id"]
        ids[f"{key}_contract"] = (await make.contract(account))["id"]
        ids[f"{key}_entitlement"] = (await make.entitlement(account))["id"]
    ids["initech_case"] = (await make.case(initech))["id"]
    ids["second_acme_asset"] = (await make.asset(acme))["id"]  # of another product
    premium_contract = await make.contract(acme, "Premium support")
    ids["premium_contract"] = premium_contract["id"]
    premium = await make.entitlement(acme, contract=premium_contract, name="Premium")
    ids["premium"] = premium["id"]
    await make.sla_definition(
        "RESOLUTION", 3, 720, schedule=schedule, entitlement=premium, name=PREMIUM_SLA
    )
    return World(isolated.client, isolated.engine, ids)


async def _create(client: GraphQLClient, email: str, **input: Any) -> dict[str, Any]:
    data = await client.query(CREATE, {"input": input}, as_=email)
    return data["createCase"]


def _acme(ids: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {"accountId": global_id("Account", ids["acme"]), "shortDescription": "Form", **extra}


def _codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]]


async def _count(engine: AsyncEngine) -> tuple[int, int, int]:
    """Cases, informed-user links and audit rows: a refusal changes none of them. The world
    starts with one case (Initech's) and nothing else."""
    return (
        await _scalar(engine, "SELECT count(*) FROM cases"),
        await _scalar(engine, "SELECT count(*) FROM case_informed_users"),
        await _scalar(engine, "SELECT count(*) FROM audit_log"),
    )


# -- createCase -------------------------------------------------------------------------------


async def test_an_agent_fills_the_whole_form(
    world: World,
) -> None:
    client, engine, ids = world
    payload = await _create(
        client,
        AGENT,
        **_acme(
            ids,
            contactId=global_id("Contact", ids[CUSTOMER]),
            internalContactId=global_id("User", ids[PROXY]),
            assignedTo=global_id("User", ids[AGENT]),
            supportGroup=global_id("SupportGroup", ids["group"]),
            informedUserIds=[global_id("User", ids[SUCCESS_AGENT])] * 2,  # a repeat counts once
            shareResolutionNotes=True,
            channel="PHONE",
            category="  Network ",
            assetId=global_id("Asset", ids["acme_asset"]),
        ),
    )
    assert payload["userErrors"] == []
    case = payload["case"]
    assert case["internalContact"] == {"email": PROXY}
    assert case["assignedTo"] == {"email": AGENT}
    assert case["supportGroup"] == {"name": "Service Desk"}
    assert case["informedUsers"] == [{"email": SUCCESS_AGENT}]
    assert (case["shareResolutionNotes"], case["channel"], case["category"]) == (
        True,
        "PHONE",
        "Network",
    )
    assert case["product"] == {"id": global_id("Product", ids["product"])}  # the asset's
    case_id = decode_global_id(case["id"])[1]
    (audit,) = await _rows(
        engine,
        "SELECT changes FROM audit_log WHERE action = 'case.create' AND record_id = :i",
        i=case_id,
    )
    assert audit["changes"]["informed_user_ids"] == [ids[SUCCESS_AGENT]]
    assert await _count(engine) == (2, 1, 1)  # Initech's and this one, one link, one audit
    # The proxy named as internal contact sees the case it was raised for.
    seen = await client.query(
        "query($id: ID!) { node(id: $id) { id } }", {"id": case["id"]}, as_=PROXY
    )
    assert seen["node"] == {"id": case["id"]}


@pytest.mark.parametrize(
    ("email", "extra", "fields"),
    [
        (CUSTOMER, {"assignedTo": ("User", AGENT)}, ("assignedTo",)),
        (CUSTOMER_ADMIN, {"shareResolutionNotes": True}, ("shareResolutionNotes",)),
        (PROXY, {"informedUserIds": [("User", AGENT)]}, ("informedUserIds",)),
        (PROXY, {"supportGroup": ("SupportGroup", "group")}, ("supportGroup",)),
        (CUSTOMER, {"internalContactId": ("User", PROXY)}, ("internalContactId",)),
    ],
)
async def test_the_agents_part_of_the_form_is_theirs(
    world: World,
    email: str,
    extra: dict[str, Any],
    fields: tuple[str, ...],
) -> None:
    client, engine, ids = world

    def encode(value: Any) -> Any:
        if isinstance(value, list):
            return [encode(item) for item in value]
        if isinstance(value, tuple):
            return global_id(value[0], ids[value[1]])
        return value

    given = {name: encode(value) for name, value in extra.items()}
    if email == PROXY:
        given["contactId"] = global_id("Contact", ids[CUSTOMER])
    payload = await _create(client, email, **_acme(ids, **given))
    assert _codes(payload) == [("FORBIDDEN", fields)]
    assert payload["userErrors"][0]["message"] == f"Only case agents may set {fields[0]}."
    assert await _count(engine) == (1, 0, 0)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"internalContactId": ("User", AGENT)}, [("BAD_USER_INPUT", ("internalContactId",))]),
        ({"internalContactId": ("User", MISSING)}, [("NOT_FOUND", ("internalContactId",))]),
        ({"assignedTo": ("User", PROXY)}, [("BAD_USER_INPUT", ("assignedTo",))]),
        ({"informedUserIds": [("User", MISSING)]}, [("NOT_FOUND", ("informedUserIds",))]),
        ({"supportGroup": ("SupportGroup", MISSING)}, [("NOT_FOUND", ("supportGroup",))]),
        (
            {"assetId": ("Asset", "initech_asset"), "parentId": ("Case", "initech_case")},
            [("BAD_USER_INPUT", ("assetId",)), ("BAD_USER_INPUT", ("parentId",))],
        ),
    ],
)
async def test_create_checks_every_reference(
    world: World,
    extra: dict[str, Any],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    client, engine, ids = world

    def encode(value: Any) -> Any:
        if isinstance(value, list):
            return [encode(item) for item in value]
        type_name, key = value
        return global_id(type_name, ids.get(key, key))

    payload = await _create(
        client, AGENT, **_acme(ids, **{name: encode(v) for name, v in extra.items()})
    )
    assert _codes(payload) == expected
    assert await _count(engine) == (1, 0, 0)


REFERENCES = {
    "contactId": ("Contact", "multi@initech.example"),
    "assetId": ("Asset", "initech_asset"),
    "contractId": ("Contract", "initech_contract"),
    "entitlementId": ("Entitlement", "initech_entitlement"),
    "parentId": ("Case", "initech_case"),
}


@pytest.mark.parametrize("field", list(REFERENCES))
async def test_hidden_references_are_not_found_like_missing_ones(
    world: World,
    field: str,
) -> None:
    """Acme's admin does not see Initech's records: naming one answers exactly what naming a
    record that does not exist answers, on create and on update."""
    client, engine, ids = world
    type_name, key = REFERENCES[field]
    hidden = await _create(
        client, CUSTOMER_ADMIN, **_acme(ids, **{field: global_id(type_name, ids[key])})
    )
    missing = await _create(
        client, CUSTOMER_ADMIN, **_acme(ids, **{field: global_id(type_name, MISSING)})
    )
    assert hidden == missing
    assert _codes(hidden) == [("NOT_FOUND", (field,))]
    assert await _count(engine) == (1, 0, 0)
    # The agent sees Initech's record: another account's, a BAD_USER_INPUT it may know.
    visible = await _create(client, AGENT, **_acme(ids, **{field: global_id(type_name, ids[key])}))
    assert _codes(visible) == [("BAD_USER_INPUT", (field,))]


# -- updateCase -------------------------------------------------------------------------------


async def _new_case(client: GraphQLClient, ids: dict[str, int], **extra: Any) -> dict[str, Any]:
    payload = await _create(
        client, AGENT, **_acme(ids, contactId=global_id("Contact", ids[CUSTOMER]), **extra)
    )
    assert payload["userErrors"] == []
    return payload["case"]


async def _update(
    client: GraphQLClient, case: dict[str, Any], *, as_: str = AGENT, **variables: Any
) -> dict[str, Any]:
    data = await client.query(
        UPDATE, {"id": case["id"], "v": case["version"], **variables}, as_=as_
    )
    return data["updateCase"]


async def test_an_agent_changes_the_form_and_it_is_audited(
    world: World,
) -> None:
    client, engine, ids = world
    case = await _new_case(client, ids, assetId=global_id("Asset", ids["acme_asset"]))
    parent = await _new_case(client, ids)
    payload = await _update(
        client,
        case,
        contact=global_id("Contact", ids[CUSTOMER_ADMIN]),
        asset=global_id("Asset", ids["second_acme_asset"]),
        contract=global_id("Contract", ids["acme_contract"]),
        parent=parent["id"],
        channel="EMAIL",
        category="Billing",
        informed=[global_id("User", ids[SUCCESS_AGENT])],
        share=True,
    )
    assert payload["userErrors"] == []
    updated = payload["case"]
    assert updated["version"] == case["version"] + 1
    assert updated["contact"] == {"email": CUSTOMER_ADMIN}
    assert updated["asset"] == {"id": global_id("Asset", ids["second_acme_asset"])}
    product = await _scalar(
        engine,
        "SELECT m.product_id FROM assets a JOIN product_models m ON m.id = a.product_model_id "
        "WHERE a.id = :i",
        i=ids["second_acme_asset"],
    )
    assert updated["product"] == {"id": global_id("Product", product)}  # the asset's
    assert updated["parent"] == {"id": parent["id"]}
    assert (updated["channel"], updated["category"], updated["shareResolutionNotes"]) == (
        "EMAIL",
        "Billing",
        True,
    )
    assert updated["informedUsers"] == [{"email": SUCCESS_AGENT}]
    case_id = decode_global_id(case["id"])[1]
    (audit,) = await _rows(
        engine,
        "SELECT changes FROM audit_log WHERE action = 'case.update' AND record_id = :i",
        i=case_id,
    )
    assert set(audit["changes"]) >= {
        "contact_id",
        "asset_id",
        "product_id",
        "contract_id",
        "parent_id",
        "channel",
        "category",
        "share_resolution_notes",
        "informed_user_ids",
    }
    assert audit["changes"]["informed_user_ids"] == {"from": [], "to": [ids[SUCCESS_AGENT]]}
    # Informed users alone are a change of the case too (a new version), and null clears them.
    cleared = await _update(client, updated, informed=None)
    assert cleared["case"]["informedUsers"] == []
    assert cleared["case"]["version"] == updated["version"] + 1


async def test_update_refusals_change_nothing(
    world: World,
) -> None:
    client, engine, ids = world
    case = await _new_case(client, ids)
    child = await _new_case(client, ids, parentId=case["id"])
    case_id = decode_global_id(case["id"])[1]
    row_before = await _rows(engine, "SELECT * FROM cases WHERE id = :i", i=case_id)
    assert await _count(engine) == (3, 0, 2)  # Initech's, the case and its child
    refusals = [
        (
            {"asset": global_id("Asset", ids["initech_asset"])},
            AGENT,
            [("BAD_USER_INPUT", ("assetId",))],
        ),
        ({"asset": global_id("Asset", MISSING)}, AGENT, [("NOT_FOUND", ("assetId",))]),
        ({"parent": child["id"]}, AGENT, [("BAD_USER_INPUT", ("parentId",))]),  # a cycle
        ({"parent": case["id"]}, AGENT, [("BAD_USER_INPUT", ("parentId",))]),
        (
            {"informed": [global_id("User", MISSING)], "category": "Lost"},
            AGENT,
            [("NOT_FOUND", ("informedUserIds",))],
        ),
        ({"contact": global_id("Contact", ids[CUSTOMER_ADMIN])}, CUSTOMER, [("FORBIDDEN", ())]),
        ({"category": "Mine"}, PROXY, [("NOT_FOUND", ("id",))]),  # the proxy does not see it
    ]
    for variables, email, expected in refusals:
        payload = await _update(client, case, as_=email, **variables)
        assert _codes(payload) == expected, variables
        assert payload["case"] is None
    assert await _rows(engine, "SELECT * FROM cases WHERE id = :i", i=case_id) == row_before
    assert await _count(engine) == (3, 0, 2)


async def test_a_new_entitlement_re_decides_the_slas(
    world: World,
) -> None:
    """Acme's premium entitlement has a MODERATE resolution SLA of its own: naming it on a
    MODERATE case starts that SLA; clearing it cancels it (kept as history)."""
    client, ids = world.client, world.ids
    case = await _new_case(client, ids)  # MEDIUM x MEDIUM: MODERATE
    before = {(s["name"], s["stage"]) for s in case["slas"]["nodes"]}
    named = await _update(client, case, entitlement=global_id("Entitlement", ids["premium"]))
    assert named["userErrors"] == []
    after = {(s["name"], s["stage"]) for s in named["case"]["slas"]["nodes"]}
    assert after - before == {(PREMIUM_SLA, "IN_PROGRESS")}
    # The entitlement's contract came with it.
    assert named["case"]["contract"] == {"id": global_id("Contract", ids["premium_contract"])}
    cleared = await _update(client, named["case"], entitlement=None)
    stages = {s["name"]: s["stage"] for s in cleared["case"]["slas"]["nodes"]}
    assert stages[PREMIUM_SLA] == "CANCELED"


async def test_refused_actions_read_as_english(
    world: World,
) -> None:
    client, ids = world.client, world.ids
    case = await _new_case(client, ids)
    data = await client.query(
        """mutation($id: ID!, $v: Int!) { transitionCase(id: $id, expectedVersion: $v,
          action: ACCEPT) { userErrors { code message } } }""",
        {"id": case["id"], "v": case["version"]},
        as_=CUSTOMER,
    )
    assert data["transitionCase"]["userErrors"] == [
        {"code": "FORBIDDEN", "message": "This viewer may not accept this case."}
    ]


INTERNAL_CONTACT = f"""mutation($id: ID!, $v: Int!, $proxy: ID) {{
  updateCase(id: $id, expectedVersion: $v, internalContactId: $proxy) {{
    case {{ {CASE_FIELDS} }} userErrors {{ code field message }} }} }}"""


async def test_an_agent_changes_the_internal_contact(
    world: World,
) -> None:
    """The internal contact must be an employee with the proxy_contact role, as on
    createCase; the change is audited, and the proxy then sees the case (it is its internal
    contact); a refusal changes nothing."""
    client, engine, ids = world
    case = await _new_case(client, ids)
    case_id = decode_global_id(case["id"])[1]
    row_before = await _rows(engine, "SELECT * FROM cases WHERE id = :i", i=case_id)
    assert await _count(engine) == (2, 0, 1)  # Initech's and this one
    refusals = [
        (
            global_id("User", ids[SUCCESS_AGENT]),
            AGENT,
            [("BAD_USER_INPUT", ("internalContactId",))],
        ),
        (global_id("User", ids[AGENT]), AGENT, [("BAD_USER_INPUT", ("internalContactId",))]),
        (global_id("User", MISSING), AGENT, [("NOT_FOUND", ("internalContactId",))]),
        (global_id("Contact", ids[CUSTOMER]), AGENT, [("NOT_FOUND", ("internalContactId",))]),
        (global_id("User", ids[PROXY]), CUSTOMER_ADMIN, [("FORBIDDEN", ())]),
        (global_id("User", ids[PROXY]), PROXY, [("NOT_FOUND", ("id",))]),
    ]
    for proxy, email, expected in refusals:
        data = await client.query(
            INTERNAL_CONTACT, {"id": case["id"], "v": case["version"], "proxy": proxy}, as_=email
        )
        assert _codes(data["updateCase"]) == expected, (proxy, email)
        assert data["updateCase"]["case"] is None
    assert await _rows(engine, "SELECT * FROM cases WHERE id = :i", i=case_id) == row_before
    assert await _count(engine) == (2, 0, 1)

    data = await client.query(
        INTERNAL_CONTACT,
        {"id": case["id"], "v": case["version"], "proxy": global_id("User", ids[PROXY])},
        as_=AGENT,
    )
    payload = data["updateCase"]
    assert payload["userErrors"] == []
    assert payload["case"]["internalContact"] == {"email": PROXY}
    assert payload["case"]["version"] == case["version"] + 1
    (audit,) = await _rows(
        engine,
        "SELECT changes FROM audit_log WHERE action = 'case.update' AND record_id = :i",
        i=case_id,
    )
    assert audit["changes"]["internal_contact_id"] == {"from": None, "to": ids[PROXY]}
    seen = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Case { number } } }",
        {"id": case["id"]},
        as_=PROXY,
    )
    assert seen["node"] == {"number": case["number"]}
    cleared = await client.query(
        INTERNAL_CONTACT,
        {"id": case["id"], "v": payload["case"]["version"], "proxy": None},
        as_=AGENT,
    )
    assert cleared["updateCase"]["userErrors"] == []
    assert cleared["updateCase"]["case"]["internalContact"] is None
