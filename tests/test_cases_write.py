"""Case writes, per role: who may create and change what; the state machine, every allowed
and refused transition; optimistic concurrency under real concurrent transactions;
notifications that never carry a work note to a contact or proxy; email and interaction
intake; related records.

Every test runs over a small world of its own making (``build_world``: the personas ACCESS.md's
rules are written against, with the demo's emails and roles, and only the records the tests
need). Tests that count what was written ("nothing half-written") take ``fresh``, a database of
their own per test, and assert exact totals; the others share one database for the module
(``world``: a clone costs ~0.4 s, the state machine alone has 80 cases) and assert exact
values on the case they created themselves."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.domain.case_lifecycle import TRANSITIONS, Actor, CaseAction
from csm_graphql.domain.cases import CaseState
from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

CREATE = """mutation($input: CreateCaseInput!) { createCase(input: $input) {
  case { id number state priority impact urgency version internalContact { email }
         contact { email } slas { totalCount } }
  userErrors { code field message } } }"""
TRANSITION = """mutation($id: ID!, $v: Int!, $action: CaseAction!, $code: ResolutionCode,
  $notes: String) {
  transitionCase(id: $id, expectedVersion: $v, action: $action, resolutionCode: $code,
    resolutionNotes: $notes) {
    case { state version assignedToName resolutionNotes } userErrors { code field message } } }"""
UPDATE = """mutation($id: ID!, $v: Int!, $summary: String, $impact: Impact) {
  updateCase(id: $id, expectedVersion: $v, shortDescription: $summary, impact: $impact) {
    case { shortDescription priority version } userErrors { code field message } } }"""
COMMENT = """mutation($id: ID!, $body: String!) { addCaseComment(caseId: $id, body: $body) {
  case { state version } comment { kind body } userErrors { code field message } } }"""
WORK_NOTE = """mutation($id: ID!, $body: String!) { addWorkNote(caseId: $id, body: $body) {
  case { number } workNote { kind body } userErrors { code field message } } }"""
ATTACH = """mutation($id: ID!) { addCaseAttachment(caseId: $id, fileName: "trace.log",
  contentType: "text/plain", sizeBytes: 1200) {
  attachment { fileName sizeBytes } userErrors { code field message } } }"""
EMAIL = """mutation($from: String!, $subject: String!, $body: String!) {
  createCaseFromEmail(from: $from, subject: $subject, body: $body) {
    case { id number channel contact { email } internalContact { email }
           activities { nodes { kind body } } }
    refusal userErrors { code field message } } }"""
INTERACTION = """mutation($input: CreateInteractionInput!) { createInteraction(input: $input) {
  interaction { id number state } userErrors { code field message } } }"""
FROM_INTERACTION = """mutation($id: ID!) { createCaseFromInteraction(interactionId: $id,
  shortDescription: "From the chat") {
  case { id channel internalContact { email } interactions { nodes { id } } }
  interaction { state case { id } } userErrors { code field message } } }"""
RAISE = """mutation($id: ID!, $kind: RaisedRecordKind!) {
  createRelatedRecord(caseId: $id, kind: $kind, shortDescription: "Raised in a test") {
    relatedRecord { number kind } knowledgeArticle { number audience }
    userErrors { code field message } } }"""
CASE = """query($id: ID!) { node(id: $id) { ... on Case { number state version
  incidents { nodes { number } } problems { nodes { number } } changes { nodes { number } }
  requests { nodes { number } } knowledge { nodes { number } }
  activities(first: 50) { nodes { kind body } } attachments { nodes { fileName } } } } }"""

AGENT = "caseagent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(sql), params)
        return [dict(row) for row in result.mappings()]


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


async def _execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(sql), params)


@dataclass
class World:
    """A database, its client, and the ids of what ``build_world`` made, by the keys the
    tests use (an account key, a persona's email, or a record's role)."""

    own: Isolated
    ids: dict[str, Any]

    @property
    def client(self) -> GraphQLClient:
        return self.own.client

    @property
    def engine(self) -> AsyncEngine:
        return self.own.engine


async def build_world(own: Isolated) -> World:
    """Acme (a customer with an asset of one product, and two projects), Initech (a customer
    with an asset and an entitlement), Globex (a partner serving both, as in the demo); their
    contacts and the employees, with the demo's emails and roles (ACCESS.md); the service
    desk's SLA definitions; a project of Initech."""
    make = own.make
    acme, initech = await make.account("Acme Corp"), await make.account("Initech")
    globex = await make.account("Globex Partners", kind="PARTNER")
    for customer in (acme, initech):
        await make.partner(globex, customer)
    customer = await make.contact(acme, "customer", email=CUSTOMER, name="Cory Customer")
    contacts = {
        "admin@acme.example": await make.contact(
            acme, "customer_admin", email="admin@acme.example"
        ),
        "manager@acme.example": await make.contact(
            acme, "customer_case_manager", email="manager@acme.example"
        ),
        "success@acme.example": await make.contact(
            acme, "customer_success_customer", email="success@acme.example"
        ),
        "partner@globex.example": await make.contact(
            globex, "partner", email="partner@globex.example"
        ),
        "multi@initech.example": await make.contact(
            initech, "customer_success_customer", email="multi@initech.example"
        ),
    }
    other_acme = await make.contact(acme, "customer")
    users = {
        AGENT: await make.user("case_agent", email=AGENT, name="Casey Caseagent"),
        PROXY: await make.user("proxy_contact", email=PROXY, name="Parker Proxy"),
        "agent@csm.example": await make.user(
            "customer_success_agent", email="agent@csm.example", name="Avery Agent"
        ),
    }
    product, other_product = await make.product("VPN gateway"), await make.product("Printers")
    asset = await make.asset(acme, product)
    await make.desk_slas()
    portal = await make.project(acme, "Support portal migration")
    await make.project(acme, "Data platform rollout", contacts=[customer])
    await make.project(initech, "Onboarding")
    ids: dict[str, Any] = {
        "acme": acme["id"],
        "initech": initech["id"],
        "globex": globex["id"],
        CUSTOMER: customer["id"],
        **{email: row["id"] for email, row in (contacts | users).items()},
        "other_acme": other_acme["id"],
        "asset": asset["id"],
        "product": product["id"],
        "other_product": other_product["id"],
        "initech_asset": (await make.asset(initech))["id"],
        "initech_entitlement": (await make.entitlement(initech))["id"],
        "portal_task": (await make.project_task(portal, short_description="Move the FAQ"))["id"],
    }
    return World(own, ids)


@pytest.fixture(scope="module")
async def world(isolated_module: Isolated) -> World:
    """Shared by the module's tests that assert on the case they created."""
    return await build_world(isolated_module)


@pytest.fixture
async def fresh(isolated: Isolated) -> World:
    """A database of the test's own: it asserts exact totals."""
    return await build_world(isolated)


def _input(ids: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "accountId": global_id("Account", ids["acme"]),
        "shortDescription": "VPN drops",
        **extra,
    }


async def _create(client: GraphQLClient, email: str, **input: Any) -> dict[str, Any]:
    data = await client.query(CREATE, {"input": input}, as_=email)
    return data["createCase"]


def _codes(payload: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    return [(e["code"], tuple(e["field"] or ())) for e in payload["userErrors"]]


# -- createCase ------------------------------------------------------------------------------


async def test_a_customer_creates_its_own_case(
    fresh: World,
) -> None:
    client, engine, ids = fresh.client, fresh.engine, fresh.ids
    payload = await _create(client, CUSTOMER, **_input(ids, impact="HIGH", urgency="LOW"))
    assert payload["userErrors"] == []
    case = payload["case"]
    assert case["number"] == "CS0000001"  # the first case of this database
    assert (case["state"], case["priority"]) == ("NEW", "MODERATE")  # the matrix, not input
    assert case["contact"]["email"] == CUSTOMER
    assert case["slas"]["totalCount"] == 2  # response and resolution of its priority
    case_id = decode_global_id(case["id"])[1]
    audit = await _rows(
        engine,
        "SELECT * FROM audit_log WHERE record_type = 'case' AND record_id = :i",
        i=case_id,
    )
    assert [(a["action"], a["actor_contact_id"]) for a in audit] == [("case.create", ids[CUSTOMER])]
    # Journaled as opened (issue 11: the timeline covers every record this API writes), by
    # its opener, and the customer reads the entry.
    journal = await _rows(
        engine,
        "SELECT kind, changes, actor_user_id, actor_contact_id FROM activities "
        "WHERE record_type = 'case' AND record_id = :i",
        i=case_id,
    )
    assert [(a["kind"], a["actor_user_id"], a["actor_contact_id"]) for a in journal] == [
        ("OPENED", None, ids[CUSTOMER])
    ]
    assert journal[0]["changes"] == {"number": case["number"]}
    read = await client.query(CASE, {"id": case["id"]}, as_=CUSTOMER)
    assert [a["kind"] for a in read["node"]["activities"]["nodes"]] == ["OPENED"]
    # The opened event goes to the followers other than the actor: nobody here.
    assert (
        await _scalar(engine, "SELECT count(*) FROM notifications WHERE record_id = :i", i=case_id)
        == 0
    )


@pytest.mark.parametrize(
    ("email", "extra", "expected"),
    [
        # On behalf of another contact: admins and case managers only.
        (CUSTOMER, {"contact": "other_acme"}, [("FORBIDDEN", ("contactId",))]),
        ("admin@acme.example", {"contact": "other_acme"}, []),
        # Not one of my accounts: it looks missing.
        (CUSTOMER, {"account": "initech"}, [("NOT_FOUND", ("accountId",))]),
        # Roles without case rights.
        ("success@acme.example", {}, [("FORBIDDEN", ())]),
        ("agent@csm.example", {}, [("FORBIDDEN", ())]),
        ("multi@initech.example", {"account": "initech"}, [("FORBIDDEN", ())]),
        # A proxy picks a contact of the account.
        (PROXY, {}, [("BAD_USER_INPUT", ("contactId",))]),
        (PROXY, {"contact": CUSTOMER, "asset": "asset"}, []),
        # Validation: everything must belong to the chosen account, every problem at once.
        (
            AGENT,
            {"contact": "partner@globex.example", "asset": "initech_asset"},
            [("BAD_USER_INPUT", ("contactId",)), ("BAD_USER_INPUT", ("assetId",))],
        ),
        (
            AGENT,
            {"asset": "asset", "product": "other_product"},
            [("BAD_USER_INPUT", ("productId",))],
        ),
        (AGENT, {"product": "other_product"}, [("BAD_USER_INPUT", ("productId",))]),
        (AGENT, {"entitlement": "initech_entitlement"}, [("BAD_USER_INPUT", ("entitlementId",))]),
        (AGENT, {"summary": "   "}, [("BAD_USER_INPUT", ("shortDescription",))]),
        (AGENT, {"contact": CUSTOMER, "product": "product"}, []),
        ("partner@globex.example", {"account": "globex"}, []),
    ],
)
async def test_create_case_rules(
    fresh: World,
    email: str,
    extra: dict[str, str],
    expected: list[tuple[str, tuple[str, ...]]],
) -> None:
    client, engine, ids = fresh.client, fresh.engine, fresh.ids
    input = _input(ids)
    refs = {"contact": ("contactId", "Contact"), "asset": ("assetId", "Asset"),
            "product": ("productId", "Product"), "entitlement": ("entitlementId", "Entitlement"),
            "account": ("accountId", "Account")}  # fmt: skip
    for key, value in extra.items():
        if key == "summary":
            input["shortDescription"] = value
        else:
            field, type_name = refs[key]
            input[field] = global_id(type_name, ids[value])
    payload = await _create(client, email, **input)
    assert _codes(payload) == expected
    # A refusal writes nothing (no case, no audit row); a success exactly one of each.
    written = 0 if expected else 1
    assert await _scalar(engine, "SELECT count(*) FROM cases") == written
    assert await _scalar(engine, "SELECT count(*) FROM audit_log") == written
    if not expected and email == PROXY:
        assert payload["case"]["internalContact"] == {"email": PROXY}
        # The proxy follows the case it raised for the customer: it sees it.
        mine = await client.query("{ cases(scope: MINE) { nodes { id } } }", as_=PROXY)
        assert payload["case"]["id"] in {n["id"] for n in mine["cases"]["nodes"]}
        events = await _rows(
            engine,
            "SELECT recipient_contact_id, payload FROM notifications "
            "WHERE event = 'case.opened' AND record_id = :i",
            i=decode_global_id(payload["case"]["id"])[1],
        )
        assert [e["recipient_contact_id"] for e in events] == [ids[CUSTOMER]]


# -- the state machine -----------------------------------------------------------------------


@pytest.fixture(scope="module")
async def machine_case(
    world: World,
) -> dict[str, Any]:
    client, ids = world.client, world.ids
    payload = await _create(client, CUSTOMER, **_input(ids, shortDescription="Machine"))
    return payload["case"]


async def _set_state(engine: AsyncEngine, case_id: int, state: CaseState) -> int:
    await _execute(
        engine,
        "UPDATE cases SET state = :s, version = version + 1 WHERE id = :i",
        s=state.value,
        i=case_id,
    )
    return int(await _scalar(engine, "SELECT version FROM cases WHERE id = :i", i=case_id))


@pytest.mark.parametrize(
    ("state", "action"), list(itertools.product(list(CaseState), list(CaseAction)))
)
async def test_every_transition(
    world: World,
    machine_case: dict[str, Any],
    state: CaseState,
    action: CaseAction,
) -> None:
    """The table of DOMAIN.md, written out independently of domain/case_lifecycle.py."""
    client, engine = world.client, world.engine
    allowed = {
        (CaseState.NEW, CaseAction.ACCEPT): CaseState.OPEN,
        (CaseState.OPEN, CaseAction.REQUEST_INFO): CaseState.AWAITING_INFO,
        (CaseState.AWAITING_INFO, CaseAction.RESUME): CaseState.OPEN,
        (CaseState.AWAITING_INFO, CaseAction.CUSTOMER_UPDATE): CaseState.OPEN,
        (CaseState.OPEN, CaseAction.PROPOSE_SOLUTION): CaseState.RESOLVED,
        (CaseState.AWAITING_INFO, CaseAction.PROPOSE_SOLUTION): CaseState.RESOLVED,
        (CaseState.RESOLVED, CaseAction.ACCEPT_SOLUTION): CaseState.CLOSED,
        (CaseState.RESOLVED, CaseAction.REJECT_SOLUTION): CaseState.OPEN,
        (CaseState.NEW, CaseAction.CLOSE): CaseState.CLOSED,
        (CaseState.OPEN, CaseAction.CLOSE): CaseState.CLOSED,
        (CaseState.AWAITING_INFO, CaseAction.CLOSE): CaseState.CLOSED,
        (CaseState.NEW, CaseAction.CANCEL): CaseState.CANCELED,
        (CaseState.OPEN, CaseAction.CANCEL): CaseState.CANCELED,
        (CaseState.AWAITING_INFO, CaseAction.CANCEL): CaseState.CANCELED,
    }
    case_id = decode_global_id(machine_case["id"])[1]
    version = await _set_state(engine, case_id, state)
    actor = AGENT if TRANSITIONS[action].actor is Actor.AGENT else CUSTOMER
    variables = {
        "id": machine_case["id"],
        "v": version,
        "action": action.value,
        "code": "SOLVED_PERMANENTLY",
        "notes": "Fixed the thing.",
    }
    data = await client.query(TRANSITION, variables, as_=actor)
    payload = data["transitionCase"]
    row = (await _rows(engine, "SELECT state, version FROM cases WHERE id = :i", i=case_id))[0]
    if (state, action) in allowed:
        assert payload["userErrors"] == []
        target = allowed[(state, action)]
        assert payload["case"]["state"] == target.value
        assert (row["state"], row["version"]) == (target.value, version + 1)
        if action is CaseAction.ACCEPT:
            assert payload["case"]["assignedToName"] == "Casey Caseagent"
    else:
        assert [e["code"] for e in payload["userErrors"]] == ["INVALID_STATE"]
        assert payload["case"] is None
        assert (row["state"], row["version"]) == (state.value, version)


@pytest.mark.parametrize(
    ("email", "action", "state"),
    [
        (CUSTOMER, CaseAction.ACCEPT, CaseState.NEW),  # an agent's action
        (CUSTOMER, CaseAction.CANCEL, CaseState.OPEN),
        (AGENT, CaseAction.ACCEPT_SOLUTION, CaseState.RESOLVED),  # the customer side's
        ("agent@csm.example", CaseAction.ACCEPT, CaseState.NEW),  # read-only case reader
        (PROXY, CaseAction.ACCEPT_SOLUTION, CaseState.RESOLVED),  # not its internal contact
    ],
)
async def test_actions_of_the_other_side_are_forbidden(
    world: World,
    machine_case: dict[str, Any],
    email: str,
    action: CaseAction,
    state: CaseState,
) -> None:
    client, engine = world.client, world.engine
    case_id = decode_global_id(machine_case["id"])[1]
    version = await _set_state(engine, case_id, state)
    variables = {"id": machine_case["id"], "v": version, "action": action.value, "notes": "x"}
    data = await client.query(TRANSITION, variables, as_=email)
    codes = [e["code"] for e in data["transitionCase"]["userErrors"]]
    # The proxy does not see this case at all: it looks missing.
    assert codes == (["NOT_FOUND"] if email == PROXY else ["FORBIDDEN"])
    assert await _scalar(engine, "SELECT version FROM cases WHERE id = :i", i=case_id) == version


async def test_resolution_needs_code_and_notes_and_a_stale_version_changes_nothing(
    world: World,
    machine_case: dict[str, Any],
) -> None:
    client, engine = world.client, world.engine
    case_id = decode_global_id(machine_case["id"])[1]
    version = await _set_state(engine, case_id, CaseState.OPEN)
    variables = {"id": machine_case["id"], "v": version, "action": "PROPOSE_SOLUTION"}
    data = await client.query(TRANSITION, variables, as_=AGENT)
    assert sorted(_codes(data["transitionCase"])) == [
        ("BAD_USER_INPUT", ("resolutionCode",)),
        ("BAD_USER_INPUT", ("resolutionNotes",)),
    ]
    stale = {**variables, "v": version - 1, "code": "DUPLICATE", "notes": "Dup."}
    data = await client.query(TRANSITION, stale, as_=AGENT)
    assert _codes(data["transitionCase"]) == [("STALE_VERSION", ("expectedVersion",))]
    row = (await _rows(engine, "SELECT state, version FROM cases WHERE id = :i", i=case_id))[0]
    assert (row["state"], row["version"]) == ("OPEN", version)


async def test_a_customer_update_returns_a_case_awaiting_info_to_open(
    world: World,
    machine_case: dict[str, Any],
) -> None:
    client, engine = world.client, world.engine
    case_id = decode_global_id(machine_case["id"])[1]
    await _set_state(engine, case_id, CaseState.AWAITING_INFO)
    data = await client.query(
        COMMENT, {"id": machine_case["id"], "body": "Here is the log."}, as_=CUSTOMER
    )
    payload = data["addCaseComment"]
    assert payload["userErrors"] == []
    assert payload["comment"] == {"kind": "COMMENT", "body": "Here is the log."}
    assert payload["case"]["state"] == "OPEN"


@pytest.mark.parametrize("state", [CaseState.CLOSED, CaseState.CANCELED])
async def test_a_closed_or_canceled_case_accepts_no_update(
    world: World,
    machine_case: dict[str, Any],
    state: CaseState,
) -> None:
    client, engine = world.client, world.engine
    case_id = decode_global_id(machine_case["id"])[1]
    version = await _set_state(engine, case_id, state)
    target = machine_case["id"]
    results = [
        (await client.query(UPDATE, {"id": target, "v": version, "summary": "x"}, as_=AGENT))[
            "updateCase"
        ],
        (await client.query(COMMENT, {"id": target, "body": "x"}, as_=CUSTOMER))["addCaseComment"],
        (await client.query(WORK_NOTE, {"id": target, "body": "x"}, as_=AGENT))["addWorkNote"],
        (await client.query(ATTACH, {"id": target}, as_=CUSTOMER))["addCaseAttachment"],
        (await client.query(RAISE, {"id": target, "kind": "INCIDENT"}, as_=AGENT))[
            "createRelatedRecord"
        ],
    ]
    assert [[e["code"] for e in r["userErrors"]] for r in results] == [["INVALID_STATE"]] * 5
    assert await _scalar(engine, "SELECT version FROM cases WHERE id = :i", i=case_id) == version


# -- optimistic concurrency ------------------------------------------------------------------


async def test_twenty_concurrent_updates_with_one_version_one_wins(
    world: World,
) -> None:
    client, engine, ids = world.client, world.engine, world.ids
    created = (await _create(client, AGENT, **_input(ids, shortDescription="Race")))["case"]
    version = created["version"]
    updates = [
        client.query(
            UPDATE, {"id": created["id"], "v": version, "summary": f"Writer {n}"}, as_=AGENT
        )
        for n in range(20)
    ]
    results = [data["updateCase"] for data in await asyncio.gather(*updates)]
    winners = [r for r in results if not r["userErrors"]]
    losers = [r for r in results if r["userErrors"]]
    assert len(winners) == 1
    assert {e["code"] for r in losers for e in r["userErrors"]} == {"STALE_VERSION"}
    case_id = decode_global_id(created["id"])[1]
    row = (
        await _rows(engine, "SELECT short_description, version FROM cases WHERE id = :i", i=case_id)
    )[0]
    assert row["version"] == version + 1
    assert row["short_description"] == winners[0]["case"]["shortDescription"]
    changes = await _scalar(
        engine,
        "SELECT count(*) FROM audit_log WHERE record_id = :i AND action = 'case.update'",
        i=case_id,
    )
    assert changes == 1


# -- work notes, comments and notifications --------------------------------------------------


async def test_work_notes_reach_agents_only(
    world: World,
) -> None:
    client, engine, ids = world.client, world.engine, world.ids
    created = (
        await _create(client, PROXY, **_input(ids, contactId=global_id("Contact", ids[CUSTOMER])))
    )["case"]
    case_id = decode_global_id(created["id"])[1]
    # Informed: an agent, and the proxy itself (who must still never get a work note).
    for user in (ids["agent@csm.example"], ids[PROXY]):
        await _execute(engine, "INSERT INTO case_informed_users VALUES (:c, :u)", c=case_id, u=user)
    for email in (PROXY, CUSTOMER):
        data = await client.query(WORK_NOTE, {"id": created["id"], "body": "x"}, as_=email)
        assert [e["code"] for e in data["addWorkNote"]["userErrors"]] == ["FORBIDDEN"]
    data = await client.query(
        WORK_NOTE, {"id": created["id"], "body": "Secret kerberos detail"}, as_=AGENT
    )
    assert data["addWorkNote"]["workNote"] == {
        "kind": "WORK_NOTE",
        "body": "Secret kerberos detail",
    }
    data = await client.query(COMMENT, {"id": created["id"], "body": "We are on it."}, as_=AGENT)
    assert data["addCaseComment"]["userErrors"] == []
    events = await _rows(
        engine,
        "SELECT event, recipient_user_id, recipient_contact_id, payload FROM notifications "
        "WHERE record_type = 'case' AND record_id = :i ORDER BY id",
        i=case_id,
    )
    noted = [e for e in events if e["event"] == "case.work_noted"]
    assert [(e["recipient_user_id"], e["recipient_contact_id"]) for e in noted] == [
        (ids["agent@csm.example"], None)
    ]
    commented = {
        (e["recipient_user_id"], e["recipient_contact_id"])
        for e in events
        if e["event"] == "case.commented"
    }
    assert commented == {
        (None, ids[CUSTOMER]),
        (ids[PROXY], None),
        (ids["agent@csm.example"], None),
    }
    for event in events:
        if event["recipient_contact_id"] is not None or event["recipient_user_id"] == ids[PROXY]:
            assert "kerberos" not in str(event["payload"])
    for email in (PROXY, CUSTOMER):
        seen = await client.query(CASE, {"id": created["id"]}, as_=email)
        kinds = {a["kind"] for a in seen["node"]["activities"]["nodes"]}
        assert "COMMENT" in kinds
        assert "WORK_NOTE" not in kinds


async def test_comments_and_attachments_by_whoever_sees_the_case(
    world: World,
) -> None:
    client, ids = world.client, world.ids
    created = (await _create(client, CUSTOMER, **_input(ids)))["case"]
    data = await client.query(ATTACH, {"id": created["id"]}, as_=CUSTOMER)
    assert data["addCaseAttachment"]["attachment"] == {"fileName": "trace.log", "sizeBytes": 1200}
    # A contact who does not see the case: it looks missing.
    data = await client.query(ATTACH, {"id": created["id"]}, as_="partner@globex.example")
    assert [e["code"] for e in data["addCaseAttachment"]["userErrors"]] == ["NOT_FOUND"]
    data = await client.query(COMMENT, {"id": created["id"], "body": "hi"}, as_="agent@csm.example")
    assert [e["code"] for e in data["addCaseComment"]["userErrors"]] == ["FORBIDDEN"]


# -- intake ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "body", "refusal", "contact", "internal"),
    [
        (CUSTOMER, "It broke.", None, CUSTOMER, None),
        ("stranger@example.org", "Hello", "UNKNOWN_SENDER", None, None),
        ("agent@csm.example", "Hello", "SENDER_NOT_ALLOWED", None, None),
        ("success@acme.example", "Hello", "SENDER_NOT_ALLOWED", None, None),
        (PROXY, f"For {CUSTOMER}: the printer is down.", None, CUSTOMER, PROXY),
        (PROXY, "For somebody: the printer is down.", "NO_CUSTOMER_NAMED", None, None),
    ],
)
async def test_create_case_from_email(
    fresh: World,
    sender: str,
    body: str,
    refusal: str | None,
    contact: str | None,
    internal: str | None,
) -> None:
    client, engine = fresh.client, fresh.engine
    variables = {"from": sender, "subject": "Printer", "body": body}
    payload = (await client.query(EMAIL, variables, as_=AGENT))["createCaseFromEmail"]
    assert payload["userErrors"] == []
    assert payload["refusal"] == refusal
    cases = await _scalar(engine, "SELECT count(*) FROM cases")
    refused = await _scalar(
        engine, "SELECT count(*) FROM audit_log WHERE action = 'case.email_refused'"
    )
    if refusal:
        assert payload["case"] is None
        assert (cases, refused) == (0, 1)  # no case, the refusal audited once
        return
    case = payload["case"]
    assert (cases, refused) == (1, 0)
    assert case["channel"] == "EMAIL"
    assert case["contact"]["email"] == contact
    assert (case["internalContact"] or {}).get("email") == internal
    # Newest first: the email, then the case opened (by its sender) from it.
    assert [a["kind"] for a in case["activities"]["nodes"]] == ["EMAIL", "OPENED"]
    assert body in case["activities"]["nodes"][0]["body"]


async def test_only_the_gateway_submits_emails(
    world: World,
) -> None:
    client = world.client
    variables = {"from": CUSTOMER, "subject": "x", "body": "y"}
    payload = (await client.query(EMAIL, variables, as_=CUSTOMER))["createCaseFromEmail"]
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize(("opened_for", "internal"), [(PROXY, PROXY), ("agent@csm.example", None)])
async def test_case_from_interaction(
    world: World,
    opened_for: str,
    internal: str | None,
) -> None:
    client, ids = world.client, world.ids
    input = {
        "channel": "CHAT",
        "accountId": global_id("Account", ids["acme"]),
        "contactId": global_id("Contact", ids[CUSTOMER]),
        "openedForId": global_id("User", ids[opened_for]),
        "shortDescription": "Chat about the VPN",
    }
    created = (await client.query(INTERACTION, {"input": input}, as_=AGENT))["createInteraction"]
    assert created["userErrors"] == []
    interaction_id = created["interaction"]["id"]
    payload = (await client.query(FROM_INTERACTION, {"id": interaction_id}, as_=AGENT))[
        "createCaseFromInteraction"
    ]
    assert payload["userErrors"] == []
    case = payload["case"]
    assert case["channel"] == "CHAT"
    assert (case["internalContact"] or {}).get("email") == internal
    assert [n["id"] for n in case["interactions"]["nodes"]] == [interaction_id]
    assert payload["interaction"]["case"]["id"] == case["id"]
    again = (await client.query(FROM_INTERACTION, {"id": interaction_id}, as_=AGENT))[
        "createCaseFromInteraction"
    ]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_STATE"]


async def test_related_records_appear_in_the_case_lists(
    world: World,
) -> None:
    client, ids = world.client, world.ids
    created = (await _create(client, CUSTOMER, **_input(ids)))["case"]
    numbers: dict[str, str] = {}
    for kind in ("INCIDENT", "PROBLEM", "CHANGE", "REQUEST", "KNOWLEDGE"):
        payload = (await client.query(RAISE, {"id": created["id"], "kind": kind}, as_=AGENT))[
            "createRelatedRecord"
        ]
        assert payload["userErrors"] == []
        record = payload["relatedRecord"] or payload["knowledgeArticle"]
        numbers[kind] = record["number"]
    assert numbers["INCIDENT"].startswith("INC")
    agent = (await client.query(CASE, {"id": created["id"]}, as_=AGENT))["node"]
    lists = {"INCIDENT": "incidents", "PROBLEM": "problems", "CHANGE": "changes",
             "REQUEST": "requests", "KNOWLEDGE": "knowledge"}  # fmt: skip
    for kind, field in lists.items():
        assert [n["number"] for n in agent[field]["nodes"]] == [numbers[kind]]
    customer = (await client.query(CASE, {"id": created["id"]}, as_=CUSTOMER))["node"]
    assert [n["number"] for n in customer["requests"]["nodes"]] == [numbers["REQUEST"]]
    assert customer["incidents"] is None
    assert customer["knowledge"]["nodes"] == []  # a draft article is internal
    payload = (await client.query(RAISE, {"id": created["id"], "kind": "PROBLEM"}, as_=CUSTOMER))[
        "createRelatedRecord"
    ]
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]


async def test_update_case_fields_and_assignment(
    world: World,
) -> None:
    client, ids = world.client, world.ids
    created = (await _create(client, CUSTOMER, **_input(ids)))["case"]
    query = """mutation($id: ID!, $v: Int!, $user: ID, $impact: Impact) {
      updateCase(id: $id, expectedVersion: $v, assignedTo: $user, impact: $impact) {
        case { assignedToName priority version } userErrors { code field message } } }"""
    refused = await client.query(
        query,
        {
            "id": created["id"],
            "v": created["version"],
            "user": global_id("User", ids["agent@csm.example"]),
        },
        as_=AGENT,
    )
    assert _codes(refused["updateCase"]) == [("BAD_USER_INPUT", ("assignedTo",))]
    data = await client.query(
        query,
        {"id": created["id"], "v": created["version"], "user": global_id("User", ids[AGENT]),
         "impact": "HIGH"},
        as_=AGENT,
    )  # fmt: skip
    assert data["updateCase"]["case"] == {
        "assignedToName": "Casey Caseagent",
        "priority": "HIGH",  # HIGH impact x MEDIUM urgency
        "version": created["version"] + 1,
    }
    by_customer = await client.query(
        query, {"id": created["id"], "v": created["version"] + 1, "impact": "LOW"}, as_=CUSTOMER
    )
    assert [e["code"] for e in by_customer["updateCase"]["userErrors"]] == ["FORBIDDEN"]


async def test_closing_notifies_the_followers_and_stops_the_slas(
    world: World,
) -> None:
    client, engine, ids = world.client, world.engine, world.ids
    input = _input(ids, contactId=global_id("Contact", ids[CUSTOMER]))
    created = (await _create(client, PROXY, **input))["case"]
    case_id = decode_global_id(created["id"])[1]
    steps = [
        (AGENT, "ACCEPT"),
        (AGENT, "REQUEST_INFO"),
        (AGENT, "PROPOSE_SOLUTION"),
        (PROXY, "ACCEPT_SOLUTION"),  # the internal contact accepts for the customer
    ]
    version = created["version"]
    for email, action in steps:
        variables = {
            "id": created["id"],
            "v": version,
            "action": action,
            "code": "SOLVED_WORKAROUND",
            "notes": "Restarted the gateway.",
        }
        payload = (await client.query(TRANSITION, variables, as_=email))["transitionCase"]
        assert payload["userErrors"] == [], action
        version = payload["case"]["version"]
    assert payload["case"]["state"] == "CLOSED"
    closed = await _rows(
        engine,
        "SELECT recipient_user_id, recipient_contact_id, payload FROM notifications "
        "WHERE event = 'case.closed' AND record_id = :i",
        i=case_id,
    )
    # The proxy closed it, so only the contact is told.
    assert [(e["recipient_user_id"], e["recipient_contact_id"]) for e in closed] == [
        (None, ids[CUSTOMER])
    ]
    assert closed[0]["payload"]["state"] == "CLOSED"
    stages = await _rows(
        engine,
        "SELECT s.stage, d.target, s.paused_seconds, s.stopped_at IS NOT NULL AS stopped "
        "FROM task_slas s JOIN sla_definitions d ON d.id = s.sla_definition_id "
        "WHERE s.case_id = :i ORDER BY d.target",
        i=case_id,
    )
    assert [(s["target"], s["stage"], s["stopped"]) for s in stages] == [
        ("RESOLUTION", "COMPLETED", True),
        ("RESPONSE", "COMPLETED", True),
    ]


PROJECT_CASE = """query($id: ID!) { node(id: $id) { ... on Case { project { name }
  projectTask { shortDescription } } } }"""


async def test_cases_for_projects(
    world: World,
) -> None:
    client, engine, ids = world.client, world.engine, world.ids

    async def project(name: str) -> str:
        project_id = await _scalar(engine, "SELECT id FROM projects WHERE name = :n", n=name)
        return global_id("Project", project_id)

    rollout = await project("Data platform rollout")  # Acme; customer@acme is a contact of it
    portal = await project("Support portal migration")  # Acme; customer@acme is not
    onboarding = await project("Onboarding")  # Initech
    created = await _create(client, CUSTOMER, **_input(ids, projectId=rollout))
    assert created["userErrors"] == []
    refused = await _create(client, CUSTOMER, **_input(ids, projectId=portal))
    assert _codes(refused) == [("NOT_FOUND", ("projectId",))]
    refused = await _create(client, AGENT, **_input(ids, projectId=onboarding))
    assert _codes(refused) == [("BAD_USER_INPUT", ("projectId",))]
    with_task = await _create(
        client, AGENT, **_input(ids, projectTaskId=global_id("ProjectTask", ids["portal_task"]))
    )
    assert with_task["userErrors"] == []
    seen = await client.query(PROJECT_CASE, {"id": created["case"]["id"]}, as_=CUSTOMER)
    assert seen["node"]["project"] == {"name": "Data platform rollout"}
    # The case manager sees every Acme case, but not a project it is no contact of.
    seen = await client.query(
        PROJECT_CASE, {"id": created["case"]["id"]}, as_="manager@acme.example"
    )
    assert seen["node"] == {"project": None, "projectTask": None}
    seen = await client.query(PROJECT_CASE, {"id": with_task["case"]["id"]}, as_=AGENT)
    assert seen["node"]["project"] == {"name": "Support portal migration"}
    assert seen["node"]["projectTask"] == {"shortDescription": "Move the FAQ"}
