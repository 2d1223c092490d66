"""SLA definitions (issue 12; ACCESS.md "Lookups and master data": SLA definitions are
internal only; their writes belong to the admin, "everything", and to no one else).

Internal viewers list them with their applicability; contacts get an empty list. The admin
creates and updates them: a new case follows at once, cases already running SLAs are not
changed retroactively. Refusals change nothing; hidden is NOT_FOUND like missing.

The reads check the demo data; each write test has a database of its own (``acme``: the
``isolated`` fixture with Acme, Initech, the desk's ten SLA definitions and the personas by the
demo's emails and roles), so it asserts exact counts and whole tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo import personas
from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

ADMIN = "admin@csm.example"
CASE_AGENT = "caseagent@csm.example"
CUSTOMER = "customer@acme.example"
CUSTOMER_ADMIN = "admin@acme.example"
MISSING = 987_654_321
EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]
PRIORITIES = {1: "CRITICAL", 2: "HIGH", 3: "MODERATE", 4: "LOW", 5: "VERY_LOW"}

LIST = """query($first: Int, $after: String, $filter: SlaDefinitionFilter) {
  slaDefinitions(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id name target priority durationMinutes version schedule { id } contract { id }
            entitlement { id } } } }"""
DEFINITION = """id name target priority durationMinutes version contract { id }
  entitlement { id } schedule { id }"""
CREATE = f"""mutation($input: CreateSlaDefinitionInput!) {{
  createSlaDefinition(input: $input) {{ slaDefinition {{ {DEFINITION} }}
    userErrors {{ code field message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $v: Int!, $name: String, $priority: Priority,
  $duration: Int, $contract: ID, $entitlement: ID) {{
  updateSlaDefinition(id: $id, expectedVersion: $v, name: $name, priority: $priority,
    durationMinutes: $duration, contractId: $contract, entitlementId: $entitlement) {{
    slaDefinition {{ {DEFINITION} }} userErrors {{ code field message }} }} }}"""
CREATE_CASE = """mutation($input: CreateCaseInput!) { createCase(input: $input) {
  case { id slas(first: 20) { nodes { name stage startAt plannedEnd } } }
  userErrors { code field } } }"""
CASE_SLAS = """query($id: ID!) { node(id: $id) { ... on Case {
  slas(first: 20) { nodes { name stage startAt plannedEnd } } } } }"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(row) for row in (await connection.execute(text(sql), params)).mappings()]


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


def _codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]]


def _ref(type_name: str, record_id: int | None) -> dict[str, str] | None:
    return None if record_id is None else {"id": global_id(type_name, record_id)}


async def _walk(
    client: GraphQLClient, email: str, filter: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await client.query(LIST, {"first": 3, "after": after, "filter": filter}, as_=email)
        connection = data["slaDefinitions"]
        if connection["pageInfo"]["hasNextPage"]:
            assert len(connection["nodes"]) == 3  # full pages
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            assert connection["totalCount"] == len(nodes)
            return nodes
        after = connection["pageInfo"]["endCursor"]


def _expected(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": global_id("SlaDefinition", row["id"]),
        "name": row["name"],
        "target": row["target"],
        "priority": PRIORITIES[row["priority"]],
        "durationMinutes": row["duration_minutes"],
        "version": row["version"],
        "schedule": _ref("Schedule", row["schedule_id"]),
        "contract": _ref("Contract", row["contract_id"]),
        "entitlement": _ref("Entitlement", row["entitlement_id"]),
    }


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_who_reads_sla_definitions(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    """Internal principals read every definition with its applicability, by name; contacts
    read none (ACCESS.md: internal only)."""
    rows = await _rows(engine, "SELECT * FROM sla_definitions ORDER BY name, id")
    assert rows
    assert any(r["contract_id"] or r["entitlement_id"] for r in rows)
    nodes = await _walk(client, email)
    internal = personas.by_email(email).kind == "USER"
    assert nodes == ([_expected(row) for row in rows] if internal else [])


async def test_filters(client: GraphQLClient, engine: AsyncEngine) -> None:
    rows = await _rows(engine, "SELECT * FROM sla_definitions ORDER BY name, id")
    limited = next(r for r in rows if r["entitlement_id"] is not None)
    word = limited["name"][-6:]
    cases = [
        ({"priority": ["MODERATE"]}, lambda r: r["priority"] == 3),
        ({"target": ["RESPONSE"]}, lambda r: r["target"] == "RESPONSE"),
        (
            {"entitlement": global_id("Entitlement", limited["entitlement_id"])},
            lambda r: r["entitlement_id"] in (None, limited["entitlement_id"]),
        ),
        ({"search": word.upper()}, lambda r: word.lower() in r["name"].lower()),
    ]  # fmt: skip
    for filter, keep in cases:
        nodes = await _walk(client, CASE_AGENT, filter)
        assert [n["id"] for n in nodes] == [
            global_id("SlaDefinition", r["id"]) for r in rows if keep(r)
        ], filter
    errors = await client.errors(
        LIST, {"filter": {"contract": global_id("Account", 1)}}, as_=CASE_AGENT
    )
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.fixture
async def acme(isolated: Isolated) -> dict[str, Any]:
    make = isolated.make
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    customer = await make.contact(acme, "customer", email=CUSTOMER)
    await make.contact(acme, "customer_admin", email=CUSTOMER_ADMIN)
    await make.user("admin", email=ADMIN)
    await make.user("case_agent", email=CASE_AGENT)
    await make.desk_slas()
    return {
        "own": isolated,
        "account": acme["id"],
        "contact": customer["id"],
        "initech": initech["id"],
    }


async def _agreement(client: GraphQLClient, kind: str, account: int, **extra: Any) -> str:
    mutation = f"create{kind}"
    data = await client.query(
        f"""mutation($input: CreateAgreementInput!) {{ {mutation}(input: $input) {{
          {kind.lower()} {{ id }} userErrors {{ code }} }} }}""",
        {
            "input": {
                "accountId": global_id("Account", account),
                "name": f"SLA test {kind} {account} {len(extra)}",
                "startDate": "2024-01-01",
                "endDate": "2035-12-31",
                **extra,
            }
        },
        as_=ADMIN,
    )
    assert data[mutation]["userErrors"] == []
    found: str = data[mutation][kind.lower()]["id"]
    return found


async def _case(client: GraphQLClient, acme: dict[str, Any], contract: str) -> dict[str, Any]:
    data = await client.query(
        CREATE_CASE,
        {
            "input": {
                "accountId": global_id("Account", acme["account"]),
                "contactId": global_id("Contact", acme["contact"]),
                "contractId": contract,
                "shortDescription": "SLA definition test",
            }
        },
        as_=CASE_AGENT,
    )
    assert data["createCase"]["userErrors"] == []
    case: dict[str, Any] = data["createCase"]["case"]
    return case


def _minutes(sla: dict[str, Any]) -> float:
    start = datetime.fromisoformat(sla["startAt"])
    end = datetime.fromisoformat(sla["plannedEnd"])
    return (end - start).total_seconds() / 60


async def test_new_cases_follow_at_once_running_slas_stay(
    acme: dict[str, Any],
) -> None:
    client, engine = acme["own"].client, acme["own"].engine
    contract = await _agreement(client, "Contract", acme["account"], value="10")
    before = await _case(client, acme, contract)  # MODERATE, under the new contract
    desk = [("P3 response", "IN_PROGRESS"), ("P3 resolution", "IN_PROGRESS")]
    assert sorted((s["name"], s["stage"]) for s in before["slas"]["nodes"]) == sorted(desk)
    name = "Moderate response under the SLA test contract"
    data = await client.query(
        CREATE,
        {
            "input": {
                "name": name,
                "target": "RESPONSE",
                "priority": "MODERATE",
                "durationMinutes": 45,
                "contractId": contract,
            }
        },
        as_=ADMIN,
    )
    payload = data["createSlaDefinition"]
    assert payload["userErrors"] == []
    definition = payload["slaDefinition"]
    assert (definition["priority"], definition["contract"], definition["schedule"]) == (
        "MODERATE",
        {"id": contract},
        None,
    )
    definition_id = decode_global_id(definition["id"])[1]

    first = await _case(client, acme, contract)
    assert sorted(s["name"] for s in first["slas"]["nodes"]) == sorted(
        [name, "P3 response", "P3 resolution"]
    )
    (sla,) = [s for s in first["slas"]["nodes"] if s["name"] == name]
    assert sla["stage"] == "IN_PROGRESS"
    assert _minutes(sla) == 45
    # Not retroactive: the case opened before keeps the SLAs it had.
    again = await client.query(CASE_SLAS, {"id": before["id"]}, as_=CASE_AGENT)
    assert again["node"]["slas"] == before["slas"]

    longer = await client.query(
        UPDATE, {"id": definition["id"], "v": definition["version"], "duration": 90}, as_=ADMIN
    )
    assert longer["updateSlaDefinition"]["userErrors"] == []
    assert longer["updateSlaDefinition"]["slaDefinition"]["version"] == definition["version"] + 1
    second = await _case(client, acme, contract)
    (sla_after,) = [s for s in second["slas"]["nodes"] if s["name"] == name]
    assert _minutes(sla_after) == 90
    unchanged = await client.query(CASE_SLAS, {"id": first["id"]}, as_=CASE_AGENT)
    (kept,) = [s for s in unchanged["node"]["slas"]["nodes"] if s["name"] == name]
    assert _minutes(kept) == 45  # its planned end stays

    audits = await _rows(
        engine,
        "SELECT action, changes FROM audit_log WHERE record_type = 'sla_definition'"
        " AND record_id = :i ORDER BY id",
        i=definition_id,
    )
    assert [a["action"] for a in audits] == ["sla_definition.create", "sla_definition.update"]
    assert audits[1]["changes"] == {"duration_minutes": {"from": 45, "to": 90}}


async def test_refusals_change_nothing(
    acme: dict[str, Any],
) -> None:
    client, engine = acme["own"].client, acme["own"].engine
    existing = (await _rows(engine, "SELECT * FROM sla_definitions ORDER BY id LIMIT 1"))[0]
    contract = await _agreement(client, "Contract", acme["account"], value="1")
    other = await _agreement(client, "Entitlement", acme["initech"])
    snapshot = "SELECT * FROM sla_definitions ORDER BY id"
    before = await _rows(engine, snapshot)
    assert len(before) == 10  # the desk's
    assert await _scalar(engine, "SELECT count(*) FROM audit_log") == 2  # the two agreements
    valid = {"name": "Refused", "target": "RESOLUTION", "priority": "LOW", "durationMinutes": 60}
    creations = [
        (CASE_AGENT, {}, [("FORBIDDEN", ())]),
        (CUSTOMER_ADMIN, {}, [("FORBIDDEN", ())]),
        (ADMIN, {"name": existing["name"].upper()}, [("BAD_USER_INPUT", ("name",))]),
        (ADMIN, {"durationMinutes": 0}, [("BAD_USER_INPUT", ("durationMinutes",))]),
        (ADMIN, {"scheduleId": global_id("Schedule", MISSING)}, [("NOT_FOUND", ("scheduleId",))]),
        (ADMIN, {"contractId": global_id("Contract", MISSING)}, [("NOT_FOUND", ("contractId",))]),
        (
            ADMIN,
            {"contractId": contract, "entitlementId": other},
            [("BAD_USER_INPUT", ("entitlementId",))],
        ),
    ]
    for email, extra, expected in creations:
        data = await client.query(CREATE, {"input": {**valid, **extra}}, as_=email)
        payload = data["createSlaDefinition"]
        assert [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]] == expected, (
            extra
        )
        assert payload["slaDefinition"] is None
    target = {"id": global_id("SlaDefinition", existing["id"]), "v": existing["version"]}
    updates = [
        (CUSTOMER, target, [("NOT_FOUND", ("id",))]),  # internal only: it looks missing
        (CASE_AGENT, target, [("FORBIDDEN", ())]),
        (ADMIN, {**target, "id": global_id("SlaDefinition", MISSING)}, [("NOT_FOUND", ("id",))]),
        (ADMIN, {**target, "priority": None}, [("BAD_USER_INPUT", ("priority",))]),
        (
            ADMIN,
            {**target, "v": existing["version"] + 3},
            [("STALE_VERSION", ("expectedVersion",))],
        ),
    ]
    for email, variables, expected in updates:
        data = await client.query(UPDATE, {"duration": 5, **variables}, as_=email)
        payload = data["updateSlaDefinition"]
        assert [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]] == expected, (
            email
        )
    assert await _rows(engine, snapshot) == before
    assert await _scalar(engine, "SELECT count(*) FROM audit_log") == 2


async def test_a_rename_leaves_the_applicability_alone(
    acme: dict[str, Any],
) -> None:
    """Changing the name only does not re-check the contract and entitlement it keeps; a new
    entitlement is checked against the contract it keeps."""
    client = acme["own"].client
    contract = await _agreement(client, "Contract", acme["account"], value="5")
    entitlement = await _agreement(client, "Entitlement", acme["account"], contractId=contract)
    data = await client.query(
        CREATE,
        {
            "input": {
                "name": "Rename me",
                "target": "RESOLUTION",
                "priority": "LOW",
                "durationMinutes": 600,
                "contractId": contract,
                "entitlementId": entitlement,
            }
        },
        as_=ADMIN,
    )
    definition = data["createSlaDefinition"]["slaDefinition"]
    renamed = await client.query(
        UPDATE, {"id": definition["id"], "v": definition["version"], "name": "Renamed"}, as_=ADMIN
    )
    payload = renamed["updateSlaDefinition"]
    assert payload["userErrors"] == []
    assert (payload["slaDefinition"]["name"], payload["slaDefinition"]["entitlement"]) == (
        "Renamed",
        {"id": entitlement},
    )
    other = await _agreement(client, "Entitlement", acme["initech"])
    refused = await client.query(
        UPDATE,
        {"id": definition["id"], "v": payload["slaDefinition"]["version"], "entitlement": other},
        as_=ADMIN,
    )
    assert _codes(refused["updateSlaDefinition"]) == [("BAD_USER_INPUT", ("entitlementId",))]
