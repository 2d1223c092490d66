"""The workspace's mutations against a real PostgreSQL (the writable database): each business
rule of issue 4, optimistic concurrency, the audit trail, and refusals by every path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import global_id
from tests.support import GraphQLClient
from tests.test_workspace_reads import _expected_health

AGENT = "agent@csm.example"
ADMIN = "admin@csm.example"


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def _one(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    rows = await _rows(engine, sql, **params)
    assert rows, sql
    return rows[0]


async def _execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(sql), params)


async def _audits(engine: AsyncEngine) -> int:
    return (await _one(engine, "SELECT count(*) AS n FROM audit_log")).n


async def _mutate(client: GraphQLClient, query: str, variables: dict[str, Any], email: str) -> Any:
    data = await client.query(query, variables, as_=email)
    return next(iter(data.values()))


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def _acme_engagement(engine: AsyncEngine, offset: int) -> Any:
    """An engagement of Acme Corp (seen by its success contacts), distinct per test."""
    return await _one(
        engine,
        "SELECT e.* FROM engagements e JOIN accounts a ON a.id = e.account_id "
        "WHERE a.name = 'Acme Corp' ORDER BY e.id OFFSET :o LIMIT 1",
        o=offset,
    )


async def _engagement(engine: AsyncEngine, offset: int) -> Any:
    return await _one(
        engine, "SELECT * FROM engagements ORDER BY id DESC OFFSET :o LIMIT 1", o=offset
    )


# -- refreshHealth --------------------------------------------------------------------------------

REFRESH = """mutation($id: ID!) { refreshHealth(engagementId: $id) {
  engagement { number healthScore healthSeries(weeks: 1) { weekStart hasSnapshot score colour } }
  snapshot { weekStart hasSnapshot score colour } userErrors { code field message } } }"""


async def test_refresh_health_matches_the_formula_and_upserts_this_weeks_snapshot(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    engagement = await _engagement(write_engine, 0)
    gid = global_id("Engagement", engagement.id)
    audits = await _audits(write_engine)
    first = await _mutate(write_client, REFRESH, {"id": gid}, AGENT)
    assert first["userErrors"] == []
    _, unrounded, colour = (await _expected_health(write_engine))[engagement.id]
    score = round(unrounded, 2)  # as the dashboard shows it, in the header and the series
    monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).date().weekday())
    assert first["snapshot"] == {
        "weekStart": monday.isoformat(),
        "hasSnapshot": True,
        "score": score,
        "colour": colour,
    }
    assert first["engagement"]["healthScore"] == score
    assert first["engagement"]["healthSeries"] == [first["snapshot"]]

    # The indicators move; a second refresh replaces this week's snapshot, never adds one.
    await _execute(
        write_engine,
        "UPDATE health_indicators SET actual = NULL WHERE engagement_id = :e AND id = "
        "(SELECT min(id) FROM health_indicators WHERE engagement_id = :e)",
        e=engagement.id,
    )
    second = await _mutate(write_client, REFRESH, {"id": gid}, ADMIN)
    _, rescored, _ = (await _expected_health(write_engine))[engagement.id]
    rescored = round(rescored, 2)
    assert rescored < score
    assert second["snapshot"]["score"] == rescored
    snapshots = await _rows(
        write_engine,
        "SELECT score, version FROM health_snapshots WHERE engagement_id = :e AND week_start = :w",
        e=engagement.id,
        w=monday,
    )
    assert [(row.score, row.version) for row in snapshots] == [(rescored, 2)]
    assert await _audits(write_engine) == audits + 2
    action = await _one(
        write_engine,
        "SELECT action, actor_user_id FROM audit_log WHERE record_type = 'engagement' "
        "AND record_id = :e ORDER BY id DESC LIMIT 1",
        e=engagement.id,
    )
    assert action.action == "health.refresh"


# -- refusals, by every path ----------------------------------------------------------------------

# Each mutation with variables naming Acme records (seen, in part, by Acme's contacts).
REFUSABLE = {
    "refreshHealth": """mutation($e: ID!) { refreshHealth(engagementId: $e) {
      userErrors { code } } }""",
    "createTouchpoint": """mutation($e: ID!) { createTouchpoint(input: {engagementId: $e,
      shortDescription: "x"}) { touchpoint { id } userErrors { code } } }""",
    "createRiskSignal": """mutation($e: ID!) { createRiskSignal(input: {engagementId: $e,
      shortDescription: "x", probability: HIGH}) { riskSignal { id } userErrors { code } } }""",
    "createSuccessCase": """mutation($e: ID!) { createSuccessCase(input: {engagementId: $e,
      subject: "x"}) { successCase { id } userErrors { code } } }""",
    "createInternalPlay": """mutation($e: ID!) { createInternalPlay(input: {engagementId: $e,
      shortDescription: "x"}) { internalPlay { id } userErrors { code } } }""",
    "launchFromEngagement": """mutation($e: ID!) { launchSuccessPlay(sourceId: $e, category: "a",
      subcategory: "b", activity: "c") { successPlay { id } userErrors { code } } }""",
    "launchFromRisk": """mutation($r: ID!) { launchSuccessPlay(sourceId: $r, category: "a",
      subcategory: "b", activity: "c") { successPlay { id } userErrors { code } } }""",
    "createProductAdoptionRoadmap": """mutation($e: ID!) { createProductAdoptionRoadmap(input: {
      engagementId: $e, name: "x", plannedStart: "2026-01-01", plannedEnd: "2026-02-01"}) {
      roadmap { id } userErrors { code } } }""",
    "updateEngagement": """mutation($e: ID!, $v: Int!) { updateEngagement(id: $e,
      expectedVersion: $v, input: {name: "x"}) { engagement { id } userErrors { code } } }""",
    "updateSuccessObjective": """mutation($o: ID!) { updateSuccessObjective(id: $o,
      expectedVersion: 1, state: IN_PROGRESS) { objective { id } userErrors { code } } }""",
    "updateInternalPlay": """mutation($p: ID!) { updateInternalPlay(id: $p, expectedVersion: 1,
      state: IN_PROGRESS) { internalPlay { id } userErrors { code } } }""",
    "updateSuccessInitiative": """mutation($i: ID!, $iv: Int!) { updateSuccessInitiative(id: $i,
      expectedVersion: $iv, state: PAUSED) { initiative { id } userErrors { code } } }""",
    "startDiscussion": """mutation($e: ID!, $u: ID!) { startDiscussion(recordId: $e,
      participants: [$u], subject: "s", message: "m") {
      discussion { id } userErrors { code } } }""",
    "setHealthDefinition": """mutation($e: ID!) { setHealthDefinition(engagementId: $e,
      input: {name: "x", indicators: [{metric: "m", target: 1, weight: 100}]}) {
      engagement { id } userErrors { code } } }""",
    "recordHealthActual": """mutation($e: ID!) { recordHealthActual(engagementId: $e,
      metric: "Weekly active users", actual: 1) { engagement { id } userErrors { code } } }""",
    "postToDiscussion": """mutation($d: ID!) { postToDiscussion(discussionId: $d, message: "m") {
      discussion { id } userErrors { code } } }""",
}
# Who is refused, and how: a record the viewer cannot see is NOT_FOUND; one it sees, FORBIDDEN.
REFUSED = {
    "viewer@csm.example": {"*": "FORBIDDEN"},
    "caseagent@csm.example": {"*": "NOT_FOUND"},
    "proxy@csm.example": {"*": "NOT_FOUND"},
    "customer@acme.example": {"*": "NOT_FOUND"},
    "partneradmin@globex.example": {"*": "NOT_FOUND"},
    # Acme's success contacts see the engagement and its visible initiatives, nothing internal.
    "success@acme.example": {
        "*": "NOT_FOUND",
        "refreshHealth": "FORBIDDEN",
        "createTouchpoint": "FORBIDDEN",
        "createRiskSignal": "FORBIDDEN",
        "createSuccessCase": "FORBIDDEN",
        "createInternalPlay": "FORBIDDEN",
        "launchFromEngagement": "FORBIDDEN",
        "createProductAdoptionRoadmap": "FORBIDDEN",
        "updateEngagement": "FORBIDDEN",
        "startDiscussion": "FORBIDDEN",
        "updateSuccessInitiative": "FORBIDDEN",
        "setHealthDefinition": "FORBIDDEN",
        "recordHealthActual": "FORBIDDEN",
    },
}


@pytest.mark.parametrize("email", sorted(REFUSED))
async def test_every_mutation_refuses_non_writers_with_a_code_and_writes_nothing(
    write_client: GraphQLClient, write_engine: AsyncEngine, email: str
) -> None:
    engagement = await _acme_engagement(write_engine, 0)
    initiative = await _one(
        write_engine,
        "SELECT id, version FROM success_initiatives WHERE engagement_id = :e "
        "AND visible_to_customer ORDER BY id LIMIT 1",
        e=engagement.id,
    )

    async def first_id(table: str) -> int:
        return (
            await _one(
                write_engine,
                f"SELECT id FROM {table} WHERE engagement_id = :e ORDER BY id LIMIT 1",
                e=engagement.id,
            )
        ).id

    variables = {
        "e": global_id("Engagement", engagement.id),
        "v": engagement.version,
        "r": global_id("RiskSignal", await first_id("risk_signals")),
        "o": global_id("SuccessObjective", await first_id("success_objectives")),
        "p": global_id("InternalPlay", await first_id("internal_plays")),
        "i": global_id("SuccessInitiative", initiative.id),
        "iv": initiative.version,
        "d": global_id("Discussion", await first_id("discussions")),
        "u": global_id("User", (await _one(write_engine, "SELECT id FROM users ORDER BY id")).id),
    }
    audits = await _audits(write_engine)
    rules = REFUSED[email]
    for name, query in REFUSABLE.items():
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        payload = await _mutate(write_client, query, used, email)
        assert _codes(payload) == [rules.get(name, rules["*"])], (name, payload)
        assert all(value is None for key, value in payload.items() if key != "userErrors")
    assert await _audits(write_engine) == audits  # nothing written, not even an audit row


# -- creating -------------------------------------------------------------------------------------

CREATE_RISK = """mutation($input: CreateRiskSignalInput!) { createRiskSignal(input: $input) {
  riskSignal { number probability priority state scope dueDate engagement { id } }
  userErrors { code field } } }"""
CREATE_PLAY = """mutation($input: CreateInternalPlayInput!) { createInternalPlay(input: $input) {
  internalPlay { number shortDescription priority state assignedTo { email } }
  userErrors { code field } } }"""
CREATE_CASE = """mutation($input: CreateSuccessCaseInput!) { createSuccessCase(input: $input) {
  successCase { number subject initiative { id } product { name } visibleToCustomer }
  userErrors { code field } } }"""
CREATE_TOUCHPOINT = """mutation($input: CreateTouchpointInput!) {
  createTouchpoint(input: $input) {
    touchpoint { number type scheduledAt dueDate assignedTo { email } }
    userErrors { code field } } }"""
LAUNCH = """mutation($source: ID!) { launchSuccessPlay(sourceId: $source, category: "Risk",
  subcategory: "Escalation", activity: "Executive call") {
  successPlay { number category sourceType sourceId state engagement { id } }
  userErrors { code field } } }"""
ROADMAP = """mutation($input: CreateProductAdoptionRoadmapInput!) {
  createProductAdoptionRoadmap(input: $input) {
    roadmap { number name plannedStart plannedEnd soldProduct { id } }
    userErrors { code field } } }"""


async def test_creates_are_audited_and_land_under_the_engagement(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    engagement = await _engagement(write_engine, 1)
    eid = global_id("Engagement", engagement.id)
    audits = await _audits(write_engine)
    risk = await _mutate(
        write_client,
        CREATE_RISK,
        {
            "input": {
                "engagementId": eid,
                "shortDescription": "Sponsor leaving",
                "probability": "VERY_HIGH",
                "scope": "RENEWAL",
                "dueDate": "2026-12-01",
            }
        },
        AGENT,
    )
    assert risk["userErrors"] == []
    assert risk["riskSignal"]["probability"] == "VERY_HIGH"
    assert risk["riskSignal"]["state"] == "NEW"
    assert risk["riskSignal"]["number"].startswith("RISK")
    assert risk["riskSignal"]["engagement"]["id"] == eid

    play = await _mutate(
        write_client,
        CREATE_PLAY,
        {
            "input": {
                "engagementId": eid,
                "shortDescription": "Renewal strategy",
                "priority": "HIGH",
                "assignedTo": global_id("User", 1),
            }
        },
        AGENT,
    )
    assert play["userErrors"] == []
    assert play["internalPlay"]["priority"] == "HIGH"

    touchpoint = await _mutate(
        write_client,
        CREATE_TOUCHPOINT,
        {
            "input": {
                "engagementId": eid,
                "shortDescription": "QBR",
                "type": "BUSINESS_REVIEW",
                "scheduledAt": "2026-12-03T10:00:00+00:00",
            }
        },
        ADMIN,
    )
    assert touchpoint["userErrors"] == []
    assert touchpoint["touchpoint"]["dueDate"] == "2026-12-03"

    initiative = await _one(
        write_engine,
        "SELECT id FROM success_initiatives WHERE engagement_id = :e ORDER BY id LIMIT 1",
        e=engagement.id,
    )
    case = await _mutate(
        write_client,
        CREATE_CASE,
        {
            "input": {
                "engagementId": eid,
                "subject": "Champion programme",
                "initiativeId": global_id("SuccessInitiative", initiative.id),
                "productId": global_id("Product", 1),
                "visibleToCustomer": True,
            }
        },
        AGENT,
    )
    assert case["userErrors"] == []
    assert case["successCase"]["initiative"]["id"] == global_id("SuccessInitiative", initiative.id)

    risk_id = await _one(write_engine, "SELECT max(id) AS id FROM risk_signals")
    launched = await _mutate(
        write_client, LAUNCH, {"source": global_id("RiskSignal", risk_id.id)}, AGENT
    )
    assert launched["userErrors"] == []
    assert launched["successPlay"]["sourceType"] == "RISK_SIGNAL"
    assert launched["successPlay"]["sourceId"] == global_id("RiskSignal", risk_id.id)
    assert launched["successPlay"]["engagement"]["id"] == eid
    assert await _audits(write_engine) == audits + 5

    # The new risk is now addressed: a success play was launched from it.
    data = await write_client.query(
        "query($id: ID!) { node(id: $id) { ... on Engagement { "
        "riskSignals(first: 50, filter: {unaddressed: true}) { nodes { number } } } } }",
        {"id": eid},
        as_=AGENT,
    )
    unaddressed = {n["number"] for n in data["node"]["riskSignals"]["nodes"]}
    assert risk["riskSignal"]["number"] not in unaddressed


async def test_create_rules(write_client: GraphQLClient, write_engine: AsyncEngine) -> None:
    engagement, other = await _engagement(write_engine, 2), await _engagement(write_engine, 3)
    eid = global_id("Engagement", engagement.id)
    audits = await _audits(write_engine)
    # An internal play has no parent.
    parent = await _one(write_engine, "SELECT id FROM internal_plays ORDER BY id LIMIT 1")
    refused = await _mutate(
        write_client,
        CREATE_PLAY,
        {
            "input": {
                "engagementId": eid,
                "shortDescription": "Child play",
                "parentId": global_id("InternalPlay", parent.id),
            }
        },
        AGENT,
    )
    assert refused["internalPlay"] is None
    assert refused["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["parentId"]}]
    # A success case's initiative belongs to the same engagement.
    foreign = await _one(
        write_engine,
        "SELECT id FROM success_initiatives WHERE engagement_id = :e LIMIT 1",
        e=other.id,
    )
    wrong = await _mutate(
        write_client,
        CREATE_CASE,
        {
            "input": {
                "engagementId": eid,
                "subject": "x",
                "initiativeId": global_id("SuccessInitiative", foreign.id),
            }
        },
        AGENT,
    )
    assert wrong["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["initiativeId"]}]
    # Planned end not before planned start.
    backwards = await _mutate(
        write_client,
        ROADMAP,
        {
            "input": {
                "engagementId": eid,
                "name": "Rollout",
                "plannedStart": "2026-03-01",
                "plannedEnd": "2026-02-28",
            }
        },
        AGENT,
    )
    assert backwards["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["plannedEnd"]}]
    blank = await _mutate(
        write_client,
        CREATE_RISK,
        {"input": {"engagementId": eid, "shortDescription": "  ", "probability": "LOW"}},
        AGENT,
    )
    assert blank["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["shortDescription"]}]
    missing = await _mutate(
        write_client,
        CREATE_RISK,
        {
            "input": {
                "engagementId": global_id("Engagement", 999_999),
                "shortDescription": "x",
                "probability": "LOW",
            }
        },
        AGENT,
    )
    assert missing["userErrors"] == [{"code": "NOT_FOUND", "field": ["engagementId"]}]
    assert await _audits(write_engine) == audits
    # Probability is required by the schema itself.
    errors = await write_client.errors(
        CREATE_RISK, {"input": {"engagementId": eid, "shortDescription": "x"}}, as_=AGENT
    )
    assert "probability" in errors[0]["message"]
    sold = await _one(
        write_engine,
        "SELECT id FROM sold_products WHERE engagement_id = :e LIMIT 1",
        e=engagement.id,
    )
    same_day = await _mutate(
        write_client,
        ROADMAP,
        {
            "input": {
                "engagementId": eid,
                "name": "Rollout",
                "plannedStart": "2026-03-01",
                "plannedEnd": "2026-03-01",
                "soldProductId": global_id("SoldProduct", sold.id),
            }
        },
        AGENT,
    )
    assert same_day["userErrors"] == []
    assert same_day["roadmap"]["soldProduct"]["id"] == global_id("SoldProduct", sold.id)


# -- updateEngagement -----------------------------------------------------------------------------

UPDATE = """mutation($id: ID!, $v: Int!, $input: UpdateEngagementInput!) {
  updateEngagement(id: $id, expectedVersion: $v, input: $input) {
    engagement { name stage contractValue parent { id } account { id } }
    userErrors { code field } } }"""


async def test_update_engagement_concurrency_account_and_parent_rules(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    engagement = await _engagement(write_engine, 4)
    eid = global_id("Engagement", engagement.id)
    changed = await _mutate(
        write_client,
        UPDATE,
        {
            "id": eid,
            "v": engagement.version,
            "input": {"name": "Renamed", "stage": "RENEW"},
        },
        AGENT,
    )
    assert changed["userErrors"] == []
    assert changed["engagement"]["name"] == "Renamed"
    stale = await _mutate(
        write_client,
        UPDATE,
        {"id": eid, "v": engagement.version, "input": {"name": "Lost update"}},
        AGENT,
    )
    assert stale["userErrors"] == [{"code": "STALE_VERSION", "field": ["expectedVersion"]}]
    now = await _one(
        write_engine, "SELECT name, version FROM engagements WHERE id = :e", e=engagement.id
    )
    assert (now.name, now.version) == ("Renamed", engagement.version + 1)

    # The account is fixed once objectives, plays or risks exist.
    other_account = await _one(
        write_engine,
        "SELECT id FROM accounts WHERE id <> :a ORDER BY id LIMIT 1",
        a=engagement.account_id,
    )
    moved = await _mutate(
        write_client,
        UPDATE,
        {
            "id": eid,
            "v": now.version,
            "input": {"accountId": global_id("Account", other_account.id)},
        },
        AGENT,
    )
    assert moved["userErrors"] == [{"code": "INVALID_STATE", "field": ["accountId"]}]

    # A bare engagement may move to another account.
    await _execute(
        write_engine,
        "INSERT INTO engagements (name, account_id) VALUES ('Bare', :a)",
        a=engagement.account_id,
    )
    bare = await _one(write_engine, "SELECT id, version FROM engagements WHERE name = 'Bare'")
    bare_id = global_id("Engagement", bare.id)
    free = await _mutate(
        write_client,
        UPDATE,
        {
            "id": bare_id,
            "v": bare.version,
            "input": {"accountId": global_id("Account", other_account.id)},
        },
        AGENT,
    )
    assert free["userErrors"] == []
    assert free["engagement"]["account"]["id"] == global_id("Account", other_account.id)

    # No cyclic parents: the engagement under Bare, then Bare under it, loops.
    under = await _mutate(
        write_client, UPDATE, {"id": eid, "v": now.version, "input": {"parentId": bare_id}}, AGENT
    )
    assert under["userErrors"] == []
    assert under["engagement"]["parent"]["id"] == bare_id
    loop = await _mutate(
        write_client,
        UPDATE,
        {"id": bare_id, "v": bare.version + 1, "input": {"parentId": eid}},
        AGENT,
    )
    assert loop["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["parentId"]}]
    itself = await _mutate(
        write_client,
        UPDATE,
        {"id": bare_id, "v": bare.version + 1, "input": {"parentId": bare_id}},
        AGENT,
    )
    assert itself["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["parentId"]}]
    audited = await _rows(
        write_engine,
        "SELECT action FROM audit_log WHERE record_type = 'engagement' AND record_id = :e",
        e=engagement.id,
    )
    assert [row.action for row in audited] == ["engagement.update", "engagement.update"]


# -- closure codes and cascades -------------------------------------------------------------------

OBJECTIVE = """mutation($id: ID!, $v: Int!, $state: ObjectiveState!, $code: ClosureCode,
  $notes: String) { updateSuccessObjective(id: $id, expectedVersion: $v, state: $state,
  closureCode: $code, closureNotes: $notes) {
    objective { state closureCode closureNotes successRate } userErrors { code field } } }"""
INTERNAL_PLAY = """mutation($id: ID!, $v: Int!, $state: WorkState!, $code: ClosureCode,
  $notes: String) { updateInternalPlay(id: $id, expectedVersion: $v, state: $state,
  closureCode: $code, closureNotes: $notes) {
    internalPlay { state closureCode closureNotes } userErrors { code field } } }"""


@pytest.mark.parametrize(
    ("query", "table", "type_name", "closed", "reopened", "key"),
    [
        (OBJECTIVE, "success_objectives", "SuccessObjective", "CLOSED", "IN_PROGRESS", "objective"),
        (INTERNAL_PLAY, "internal_plays", "InternalPlay", "CANCELED", "NEW", "internalPlay"),
    ],
)
async def test_closing_needs_code_and_notes_and_reopening_clears_them(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    query: str,
    table: str,
    type_name: str,
    closed: str,
    reopened: str,
    key: str,
) -> None:
    # An objective closes only once no initiative serving it is open (test_success_write.py).
    serving = (
        " AND NOT EXISTS (SELECT 1 FROM success_initiatives i WHERE i.objective_id = r.id"
        " AND i.state NOT IN ('CLOSED', 'CANCELED'))"
        if table == "success_objectives"
        else ""
    )
    record = await _one(
        write_engine,
        f"SELECT id, version FROM {table} r WHERE state NOT IN ('CLOSED', 'CANCELED')"
        f"{serving} ORDER BY id LIMIT 1",
    )
    rid = global_id(type_name, record.id)
    bare = await _mutate(
        write_client, query, {"id": rid, "v": record.version, "state": closed}, AGENT
    )
    assert bare[key] is None
    assert sorted(e["field"][0] for e in bare["userErrors"]) == ["closureCode", "closureNotes"]
    no_notes = await _mutate(
        write_client,
        query,
        {"id": rid, "v": record.version, "state": closed, "code": "MISSED"},
        AGENT,
    )
    assert no_notes["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["closureNotes"]}]
    done = await _mutate(
        write_client,
        query,
        {
            "id": rid,
            "v": record.version,
            "state": closed,
            "code": "PARTIALLY_ACHIEVED",
            "notes": "Half the departments are live.",
        },
        AGENT,
    )
    assert done["userErrors"] == []
    assert done[key]["closureCode"] == "PARTIALLY_ACHIEVED"
    again = await _mutate(
        write_client, query, {"id": rid, "v": record.version + 1, "state": reopened}, AGENT
    )
    assert again["userErrors"] == []
    assert (again[key]["closureCode"], again[key]["closureNotes"]) == (None, None)
    if key == "objective":
        assert done[key]["successRate"] == 50.0
        assert again[key]["successRate"] is None


CLOSE_INITIATIVE = """mutation($id: ID!, $v: Int!) { updateSuccessInitiative(id: $id,
  expectedVersion: $v, state: CLOSED) { initiative { state } userErrors { code field } } }"""


async def test_closing_an_initiative_cancels_its_open_plays(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    initiative = await _one(
        write_engine,
        "SELECT i.id, i.version FROM success_initiatives i WHERE i.state NOT IN "
        "('CLOSED', 'CANCELED') AND "
        "EXISTS (SELECT 1 FROM success_cases c WHERE c.initiative_id = i.id AND c.state IN "
        "('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED')) AND EXISTS (SELECT 1 FROM success_cases c "
        "WHERE c.initiative_id = i.id AND c.state IN ('CLOSED', 'CANCELED')) ORDER BY i.id LIMIT 1",
    )
    iid = global_id("SuccessInitiative", initiative.id)
    launched = await _mutate(write_client, LAUNCH, {"source": iid}, AGENT)
    assert launched["successPlay"]["state"] == "NEW"
    before = {
        row.id: row.state
        for row in await _rows(
            write_engine,
            "SELECT id, state FROM success_cases WHERE initiative_id = :i",
            i=initiative.id,
        )
    }
    closed = await _mutate(
        write_client, CLOSE_INITIATIVE, {"id": iid, "v": initiative.version}, AGENT
    )
    assert closed["userErrors"] == []
    after = {
        row.id: row.state
        for row in await _rows(
            write_engine,
            "SELECT id, state FROM success_cases WHERE initiative_id = :i",
            i=initiative.id,
        )
    }
    for case_id, state in before.items():
        expected = state if state in {"CLOSED", "CANCELED"} else "CANCELED"
        assert after[case_id] == expected
    play = await _one(
        write_engine,
        "SELECT state FROM success_plays WHERE source_type = 'INITIATIVE' AND source_id = :i",
        i=initiative.id,
    )
    assert play.state == "CANCELED"
    journal = await _rows(
        write_engine,
        "SELECT record_id FROM activities WHERE record_type = 'success_case' AND kind = "
        "'STATE_CHANGE' AND changes->>'reason' = 'initiative closed'",
    )
    assert {row.record_id for row in journal} == {
        case_id for case_id, state in before.items() if state not in {"CLOSED", "CANCELED"}
    }


# -- discussions ----------------------------------------------------------------------------------

START = """mutation($record: ID!, $people: [ID!]!) { startDiscussion(recordId: $record,
  participants: $people, subject: "Escalation path", message: "Who owns the sponsor call?") {
  discussion { id subject recordId messages { totalCount nodes { body author { email } } } }
  userErrors { code field } } }"""
POST = """mutation($id: ID!, $body: String!) { postToDiscussion(discussionId: $id, message: $body) {
  discussion { messages { totalCount } } userErrors { code } } }"""
READ = """query($id: ID!) { node(id: $id) { ... on Discussion { subject
  messages { totalCount } } } }"""
CASE_STREAM = """query($id: ID!) { node(id: $id) { ... on SuccessCase {
  activities(first: 100) { nodes { kind body } } } } }"""


async def test_discussions_are_for_participants_and_show_in_the_records_stream(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    users = {row.email: row.id for row in await _rows(write_engine, "SELECT id, email FROM users")}
    # A success case Acme's success contact sees, so the stream's outside view is tested too.
    case = await _one(
        write_engine,
        "SELECT s.id FROM success_cases s JOIN accounts a ON a.id = s.account_id "
        "WHERE a.name = 'Acme Corp' AND s.visible_to_customer ORDER BY s.id LIMIT 1",
    )
    cid = global_id("SuccessCase", case.id)
    started = await _mutate(
        write_client,
        START,
        {"record": cid, "people": [global_id("User", users["caseagent@csm.example"])]},
        AGENT,
    )
    assert started["userErrors"] == []
    discussion = started["discussion"]
    assert discussion["recordId"] == cid
    assert discussion["messages"]["totalCount"] == 1

    # A participant who is not a success role reads and posts; a non-participant neither.
    assert (await write_client.query(READ, {"id": discussion["id"]}, as_="caseagent@csm.example"))[
        "node"
    ]["subject"] == "Escalation path"
    posted = await _mutate(
        write_client, POST, {"id": discussion["id"], "body": "I do."}, "caseagent@csm.example"
    )
    assert posted["userErrors"] == []
    assert posted["discussion"]["messages"]["totalCount"] == 2
    for outsider in ("proxy@csm.example", "success@acme.example"):
        assert (await write_client.query(READ, {"id": discussion["id"]}, as_=outsider)) == {
            "node": None
        }
        refused = await _mutate(
            write_client, POST, {"id": discussion["id"], "body": "Hi"}, outsider
        )
        assert _codes(refused) == ["NOT_FOUND"]
    # A success viewer reads it but, not being a participant, does not post.
    viewer_post = await _mutate(
        write_client, POST, {"id": discussion["id"], "body": "Hi"}, "viewer@csm.example"
    )
    assert _codes(viewer_post) == ["FORBIDDEN"]

    # It shows in the record's activity stream, for the agent only.
    agent_stream = await write_client.query(CASE_STREAM, {"id": cid}, as_=AGENT)
    kinds = [a["kind"] for a in agent_stream["node"]["activities"]["nodes"]]
    assert "DISCUSSION" in kinds
    customer_stream = await write_client.query(CASE_STREAM, {"id": cid}, as_="success@acme.example")
    assert customer_stream["node"] is not None
    assert "DISCUSSION" not in [a["kind"] for a in customer_stream["node"]["activities"]["nodes"]]

    bad = await _mutate(
        write_client,
        START,
        {"record": cid, "people": [global_id("Contact", 1)]},
        AGENT,
    )
    assert bad["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["participants"]}]


TIMELINE = """query($id: ID!, $after: String) { node(id: $id) { ... on Engagement {
  timeline(first: 3, after: $after) { totalCount pageInfo { endCursor }
    nodes { id kind changes } } } } }"""


async def test_the_timeline_is_append_only_newest_first_and_cursors_hold(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    engagement = await _engagement(write_engine, 5)
    eid = global_id("Engagement", engagement.id)
    before = (await write_client.query(TIMELINE, {"id": eid}, as_=AGENT))["node"]["timeline"]
    second_page = await write_client.query(
        TIMELINE, {"id": eid, "after": before["pageInfo"]["endCursor"]}, as_=AGENT
    )
    created = await _mutate(
        write_client,
        CREATE_RISK,
        {"input": {"engagementId": eid, "shortDescription": "New risk", "probability": "LOW"}},
        AGENT,
    )
    assert created["userErrors"] == []
    after = (await write_client.query(TIMELINE, {"id": eid}, as_=AGENT))["node"]["timeline"]
    assert after["totalCount"] == before["totalCount"] + 1
    newest = after["nodes"][0]
    assert newest["kind"] == "OPENED"
    assert newest["changes"]["number"] == created["riskSignal"]["number"]
    assert [n["id"] for n in after["nodes"][1:]] == [n["id"] for n in before["nodes"][:2]]
    # A cursor taken before the insert still continues exactly where it did.
    again = await write_client.query(
        TIMELINE, {"id": eid, "after": before["pageInfo"]["endCursor"]}, as_=AGENT
    )
    page, earlier = again["node"]["timeline"], second_page["node"]["timeline"]
    assert page["nodes"] == earlier["nodes"]
    assert page["totalCount"] == earlier["totalCount"] + 1  # the total counts the new entry


DEFINE = """mutation($id: ID!, $input: HealthDefinitionInput!) {
  setHealthDefinition(engagementId: $id, input: $input) {
    engagement { healthScore healthColour healthIndicators(first: 20) { nodes { metric weight } } }
    userErrors { code field } } }"""
MEASURE = """mutation($id: ID!, $metric: String!, $actual: Float) {
  recordHealthActual(engagementId: $id, metric: $metric, actual: $actual) {
    engagement { healthScore healthColour } userErrors { code field } } }"""


async def test_an_engagement_definition_overrides_the_global_one_and_weights_sum_to_100(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    engagement = await _one(
        write_engine,
        "SELECT e.id FROM engagements e WHERE NOT EXISTS (SELECT 1 FROM health_definitions d "
        "WHERE d.engagement_id = e.id) ORDER BY e.id DESC OFFSET 7 LIMIT 1",
    )
    eid = global_id("Engagement", engagement.id)
    audits = await _audits(write_engine)
    indicators = [
        {"metric": "Active seats", "target": 200, "weight": 60},
        {"metric": "Open escalations", "target": 2, "weight": 30, "direction": "MINIMIZE"},
    ]
    refused = await _mutate(
        write_client, DEFINE, {"id": eid, "input": {"name": "Own", "indicators": indicators}}, AGENT
    )
    assert refused["engagement"] is None
    assert refused["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["indicators", "weight"]}]
    bad_bands = await _mutate(
        write_client,
        DEFINE,
        {
            "id": eid,
            "input": {
                "name": "Own",
                "greenFrom": 30,
                "yellowFrom": 60,
                "indicators": [{"metric": "x", "target": 1, "weight": 100}],
            },
        },
        AGENT,
    )
    assert bad_bands["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["greenFrom"]}]
    assert await _audits(write_engine) == audits

    indicators[1]["weight"] = 40
    defined = await _mutate(
        write_client,
        DEFINE,
        {
            "id": eid,
            "input": {"name": "Own", "greenFrom": 90, "yellowFrom": 50, "indicators": indicators},
        },
        AGENT,
    )
    assert defined["userErrors"] == []
    metrics = {i["metric"]: i["weight"] for i in defined["engagement"]["healthIndicators"]["nodes"]}
    assert metrics == {"Active seats": 60, "Open escalations": 40}  # the global ones are gone
    assert defined["engagement"]["healthScore"] == 0  # nothing measured yet
    # Measure: 150 of 200 seats (0.75 x 60 = 45), 4 escalations against 2 (0.5 x 40 = 20).
    for metric, actual in (("Active seats", 150), ("Open escalations", 4)):
        measured = await _mutate(
            write_client, MEASURE, {"id": eid, "metric": metric, "actual": actual}, AGENT
        )
        assert measured["userErrors"] == []
    assert measured["engagement"] == {"healthScore": 65.0, "healthColour": "YELLOW"}
    unknown = await _mutate(
        write_client, MEASURE, {"id": eid, "metric": "Weekly active users", "actual": 1}, AGENT
    )
    assert unknown["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["metric"]}]
    refreshed = await _mutate(write_client, REFRESH, {"id": eid}, AGENT)
    assert refreshed["snapshot"]["score"] == 65.0
    assert refreshed["snapshot"]["colour"] == "YELLOW"  # the definition's bands: 50-89 yellow
    # Other engagements keep the global definition.
    other = await _one(
        write_engine,
        "SELECT e.id FROM engagements e WHERE e.id <> :e AND NOT EXISTS (SELECT 1 FROM "
        "health_definitions d WHERE d.engagement_id = e.id) ORDER BY e.id LIMIT 1",
        e=engagement.id,
    )
    data = await write_client.query(
        "query($id: ID!) { node(id: $id) { ... on Engagement { healthIndicators(first: 20) "
        "{ nodes { metric } } } } }",
        {"id": global_id("Engagement", other.id)},
        as_=AGENT,
    )
    assert "Active seats" not in {n["metric"] for n in data["node"]["healthIndicators"]["nodes"]}
    for email in ("viewer@csm.example", "success@acme.example"):
        payload = await _mutate(write_client, MEASURE, {"id": eid, "metric": "x"}, email)
        assert _codes(payload) in (["FORBIDDEN"], ["NOT_FOUND"])
