"""SLAs follow the case (README "Which SLAs a case runs", domain/case_slas.py), through the
API over HTTP on the writable database: creating a case attaches the definitions that apply
to it (priority, then contract and entitlement when a definition names them); a new priority
cancels the SLAs that no longer apply and starts those that now do, keeping the canceled
ones; a proposed solution pauses the resolution SLA, rejecting it resumes the SLA and clears
the resolution.

The definitions this module adds are limited to a contract and an entitlement it creates, so
no case of another test module ever gets them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient

AGENT = "caseagent@csm.example"
CUSTOMER = "customer@acme.example"

CREATE = """mutation($input: CreateCaseInput!) { createCase(input: $input) {
  case { id version priority } userErrors { code field message } } }"""
UPDATE = """mutation($id: ID!, $v: Int!, $impact: Impact, $urgency: Urgency) {
  updateCase(id: $id, expectedVersion: $v, impact: $impact, urgency: $urgency) {
    case { priority version } userErrors { code field message } } }"""
TRANSITION = """mutation($id: ID!, $v: Int!, $action: CaseAction!, $code: ResolutionCode,
  $notes: String) {
  transitionCase(id: $id, expectedVersion: $v, action: $action, resolutionCode: $code,
    resolutionNotes: $notes) {
    case { state version resolutionCode resolutionNotes } userErrors { code field message } } }"""
SLAS = """query($id: ID!) { node(id: $id) { ... on Case { priority slas(first: 20) { nodes {
  name target stage pausedSeconds
  definition { name priority durationMinutes contract { id } entitlement { id } } } } } } }"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.begin() as connection:
        result = await connection.execute(text(sql), params)
        return [dict(row) for row in result.mappings()] if result.returns_rows else []


async def _one(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    return (await _rows(engine, sql, **params))[0]


@pytest.fixture(scope="module")
async def gold(write_engine: AsyncEngine) -> dict[str, Any]:
    """A "Gold" contract and entitlement of Acme, and definitions limited to them: a 2-hour
    MODERATE resolution for the entitlement, a 1-hour MODERATE response for another contract
    (which a Gold case never meets)."""
    tag = uuid.uuid4().hex[:8]
    acme = await _one(write_engine, "SELECT id FROM accounts WHERE name = 'Acme Corp'")
    contracts = [
        (
            await _one(
                write_engine,
                "INSERT INTO contracts (name, account_id, value, start_date, end_date) "
                "VALUES (:n, :a, 1000, current_date - 30, current_date + 365) RETURNING id",
                n=f"{name} {tag}",
                a=acme["id"],
            )
        )["id"]
        for name in ("Gold", "Silver")
    ]
    entitlement = await _one(
        write_engine,
        "INSERT INTO entitlements (name, account_id, contract_id, start_date, end_date) "
        "VALUES (:n, :a, :c, current_date - 30, current_date + 365) RETURNING id",
        n=f"Gold support {tag}",
        a=acme["id"],
        c=contracts[0],
    )
    definitions = {}
    for name, target, minutes, column, value in (
        (f"Gold P3 resolution {tag}", "RESOLUTION", 120, "entitlement_id", entitlement["id"]),
        (f"Silver P3 response {tag}", "RESPONSE", 60, "contract_id", contracts[1]),
    ):
        definitions[name.split()[0]] = await _one(
            write_engine,
            f"INSERT INTO sla_definitions (name, target, priority, duration_minutes, {column}) "
            f"VALUES (:n, :t, 3, :m, :v) RETURNING id, name",
            n=name,
            t=target,
            m=minutes,
            v=value,
        )
    return {
        "account": global_id("Account", acme["id"]),
        "contract": global_id("Contract", contracts[0]),
        "entitlement": global_id("Entitlement", entitlement["id"]),
        "gold": definitions["Gold"]["name"],
        "silver": definitions["Silver"]["name"],
    }


async def _create(client: GraphQLClient, as_: str, **input: Any) -> dict[str, Any]:
    payload = (await client.query(CREATE, {"input": input}, as_=as_))["createCase"]
    assert payload["userErrors"] == []
    return dict(payload["case"])


async def _slas(client: GraphQLClient, case: str) -> list[tuple[str, str]]:
    """(definition name, stage) of every SLA of the case, in the order they were attached."""
    node = (await client.query(SLAS, {"id": case}, as_=AGENT))["node"]
    return [(sla["name"], sla["stage"]) for sla in node["slas"]["nodes"]]


async def _transition(
    client: GraphQLClient, case: dict[str, Any], action: str, as_: str = AGENT
) -> dict[str, Any]:
    variables = {
        "id": case["id"],
        "v": case["version"],
        "action": action,
        "code": "SOLVED_PERMANENTLY",
        "notes": "Rebuilt the index.",
    }
    payload = (await client.query(TRANSITION, variables, as_=as_))["transitionCase"]
    assert payload["userErrors"] == [], action
    case["version"] = payload["case"]["version"]
    return dict(payload["case"])


async def _update(client: GraphQLClient, case: dict[str, Any], **values: str) -> str:
    variables = {"id": case["id"], "v": case["version"], **values}
    payload = (await client.query(UPDATE, variables, as_=AGENT))["updateCase"]
    assert payload["userErrors"] == []
    case["version"] = payload["case"]["version"]
    return str(payload["case"]["priority"])


async def test_a_new_case_runs_the_definitions_that_apply_to_it(
    write_client: GraphQLClient, gold: dict[str, Any]
) -> None:
    plain = await _create(write_client, CUSTOMER, accountId=gold["account"], shortDescription="A")
    assert plain["priority"] == "MODERATE"
    assert await _slas(write_client, plain["id"]) == [
        ("P3 response", "IN_PROGRESS"),
        ("P3 resolution", "IN_PROGRESS"),
    ]
    entitled = await _create(
        write_client,
        CUSTOMER,
        accountId=gold["account"],
        shortDescription="B",
        entitlementId=gold["entitlement"],
    )
    # The Gold definition applies (its entitlement); the Silver one names another contract.
    assert await _slas(write_client, entitled["id"]) == [
        ("P3 response", "IN_PROGRESS"),
        ("P3 resolution", "IN_PROGRESS"),
        (gold["gold"], "IN_PROGRESS"),
    ]
    node = (await write_client.query(SLAS, {"id": entitled["id"]}, as_=AGENT))["node"]
    definition = node["slas"]["nodes"][2]["definition"]
    assert definition == {
        "name": gold["gold"],
        "priority": "MODERATE",
        "durationMinutes": 120,
        "contract": None,
        "entitlement": {"id": gold["entitlement"]},
    }
    # A contact sees which SLAs run, never their definitions (ACCESS.md "SLA internals").
    seen = (await write_client.query(SLAS, {"id": entitled["id"]}, as_=CUSTOMER))["node"]
    assert [sla["definition"] for sla in seen["slas"]["nodes"]] == [None, None, None]


async def test_a_new_priority_cancels_and_starts_slas_and_keeps_history(
    write_client: GraphQLClient, write_engine: AsyncEngine, gold: dict[str, Any]
) -> None:
    case = await _create(
        write_client, AGENT, accountId=gold["account"], shortDescription="C",
        entitlementId=gold["entitlement"],
    )  # fmt: skip
    # Still NEW: the response is owed, so the HIGH response starts with the HIGH resolution.
    assert await _update(write_client, case, impact="HIGH") == "HIGH"
    assert await _slas(write_client, case["id"]) == [
        ("P3 response", "CANCELED"),
        ("P3 resolution", "CANCELED"),
        (gold["gold"], "CANCELED"),
        ("P2 response", "IN_PROGRESS"),
        ("P2 resolution", "IN_PROGRESS"),
    ]
    await _transition(write_client, case, "ACCEPT")
    await _transition(write_client, case, "REQUEST_INFO")
    # Back to MODERATE while awaiting info: the response was given, so only resolution SLAs
    # start, and paused (the case waits on the customer); the met HIGH response stays met.
    assert await _update(write_client, case, impact="MEDIUM") == "MODERATE"
    assert await _slas(write_client, case["id"]) == [
        ("P3 response", "CANCELED"),
        ("P3 resolution", "CANCELED"),
        (gold["gold"], "CANCELED"),
        ("P2 response", "COMPLETED"),
        ("P2 resolution", "CANCELED"),
        ("P3 resolution", "PAUSED"),
        (gold["gold"], "PAUSED"),
    ]
    case_id = decode_global_id(case["id"])[1]
    stored = await _rows(
        write_engine,
        "SELECT stage, start_at, stopped_at, paused_at FROM task_slas WHERE case_id = :c "
        "ORDER BY id",
        c=case_id,
    )
    canceled = [row for row in stored if row["stage"] == "CANCELED"]
    assert all(row["stopped_at"] is not None and row["paused_at"] is None for row in canceled)
    started = stored[-2:]
    assert all(row["paused_at"] == row["start_at"] for row in started)
    # The journal records the change of priority.
    changes = await _rows(
        write_engine,
        "SELECT changes FROM activities WHERE record_type = 'case' AND record_id = :c "
        "AND kind = 'FIELD_CHANGE' ORDER BY id",
        c=case_id,
    )
    assert [row["changes"]["priority"] for row in changes] == [
        {"from": 3, "to": 2},
        {"from": 2, "to": 3},
    ]


async def test_a_refused_or_unchanged_priority_touches_no_sla(
    write_client: GraphQLClient, gold: dict[str, Any]
) -> None:
    case = await _create(write_client, CUSTOMER, accountId=gold["account"], shortDescription="D")
    before = await _slas(write_client, case["id"])
    stale = {"id": case["id"], "v": case["version"] + 5, "impact": "HIGH"}
    payload = (await write_client.query(UPDATE, stale, as_=AGENT))["updateCase"]
    assert [e["code"] for e in payload["userErrors"]] == ["STALE_VERSION"]
    by_customer = {"id": case["id"], "v": case["version"], "impact": "HIGH"}
    payload = (await write_client.query(UPDATE, by_customer, as_=CUSTOMER))["updateCase"]
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
    # HIGH impact x LOW urgency is MODERATE again: the same definitions apply, nothing moves.
    assert await _update(write_client, case, impact="HIGH", urgency="LOW") == "MODERATE"
    assert await _slas(write_client, case["id"]) == before


async def test_rejecting_a_solution_resumes_the_resolution_sla_and_clears_the_resolution(
    write_client: GraphQLClient, write_engine: AsyncEngine, gold: dict[str, Any]
) -> None:
    # CRITICAL: the demo's CRITICAL definitions run around the clock, so pauses are wall time.
    case = await _create(
        write_client, CUSTOMER, accountId=gold["account"], shortDescription="E",
        impact="HIGH", urgency="HIGH",
    )  # fmt: skip
    case_id = decode_global_id(case["id"])[1]
    await _transition(write_client, case, "ACCEPT")
    proposed = await _transition(write_client, case, "PROPOSE_SOLUTION")
    assert (proposed["resolutionCode"], proposed["resolutionNotes"]) == (
        "SOLVED_PERMANENTLY",
        "Rebuilt the index.",
    )
    assert await _slas(write_client, case["id"]) == [
        ("P1 response", "COMPLETED"),
        ("P1 resolution", "PAUSED"),
    ]
    # The solution has waited two hours for the customer.
    await _rows(
        write_engine,
        "UPDATE task_slas SET paused_at = paused_at - interval '2 hours' "
        "WHERE case_id = :c AND stage = 'PAUSED'",
        c=case_id,
    )
    rejected = await _transition(write_client, case, "REJECT_SOLUTION", as_=CUSTOMER)
    assert rejected["state"] == "OPEN"
    assert (rejected["resolutionCode"], rejected["resolutionNotes"]) == (None, None)
    node = (await write_client.query(SLAS, {"id": case["id"]}, as_=AGENT))["node"]
    resolution = node["slas"]["nodes"][1]
    assert (resolution["name"], resolution["stage"]) == ("P1 resolution", "IN_PROGRESS")
    assert timedelta(hours=2) <= timedelta(seconds=resolution["pausedSeconds"])
    assert timedelta(seconds=resolution["pausedSeconds"]) < timedelta(hours=2, minutes=1)
    # The journal keeps the rejected resolution.
    history = await _rows(
        write_engine,
        "SELECT changes FROM activities WHERE record_type = 'case' AND record_id = :c "
        "AND kind = 'STATE_CHANGE' ORDER BY id DESC LIMIT 1",
        c=case_id,
    )
    assert history[0]["changes"]["resolution_code"] == {"from": "SOLVED_PERMANENTLY", "to": None}

    # Proposed again and accepted: the SLA completes where the solution was proposed.
    await _transition(write_client, case, "PROPOSE_SOLUTION")
    paused_at = (
        await _one(
            write_engine,
            "SELECT paused_at FROM task_slas WHERE case_id = :c AND stage = 'PAUSED'",
            c=case_id,
        )
    )["paused_at"]
    await _rows(
        write_engine,
        "UPDATE task_slas SET paused_at = paused_at - interval '1 hour' "
        "WHERE case_id = :c AND stage = 'PAUSED'",
        c=case_id,
    )
    await _transition(write_client, case, "ACCEPT_SOLUTION", as_=CUSTOMER)
    final = await _one(
        write_engine,
        "SELECT s.stage, s.stopped_at, s.paused_at FROM task_slas s JOIN sla_definitions d "
        "ON d.id = s.sla_definition_id WHERE s.case_id = :c AND d.target = 'RESOLUTION'",
        c=case_id,
    )
    assert final == {
        "stage": "COMPLETED",
        "stopped_at": paused_at - timedelta(hours=1),
        "paused_at": None,
    }
