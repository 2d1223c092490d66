"""The workspace's mutations against a real PostgreSQL (a database of each test's own,
tests/factories.py): each business rule of issue 4, optimistic concurrency, the audit trail,
and refusals by every path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables as t
from tests.expectations import global_id
from tests.factories import Cast, Factory, Isolated, Row
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


async def _actions(engine: AsyncEngine) -> list[str]:
    return [row.action for row in await _rows(engine, "SELECT action FROM audit_log ORDER BY id")]


@dataclass
class Own:
    """A database of the test's own: the demo's named accounts and personas, a global health
    definition of two indicators, and one engagement of Acme Corp (seen by its success
    contacts) with both indicators measured."""

    client: GraphQLClient
    engine: AsyncEngine
    make: Factory
    cast: Cast
    engagement: Row
    isolated: Isolated

    @property
    def eid(self) -> str:
        return global_id("Engagement", self.engagement["id"])


@pytest.fixture
async def own(isolated: Isolated) -> Own:
    return await _own(isolated)


async def _own(isolated: Isolated) -> Own:
    make = isolated.make
    cast = await make.cast()
    engagement = await make.engagement(cast.accounts["acme"], "Acme rollout")
    # Bands 70/40 (the defaults). 2 of 3 seats is 2/3 x 50; 3 escalations against 2, 2/3 x 50.
    indicators = await make.health_definition(
        [("Weekly active users", 3, 50, "MAXIMIZE"), ("Open escalations", 2, 50, "MINIMIZE")],
    )
    for indicator, actual in zip(indicators, (2, 3), strict=True):
        await make.health_actual(engagement, indicator, actual)
    return Own(isolated.client, isolated.engine, make, cast, engagement, isolated)


# -- refreshHealth --------------------------------------------------------------------------------

REFRESH = """mutation($id: ID!) { refreshHealth(engagementId: $id) {
  engagement { number healthScore healthSeries(weeks: 1) { weekStart hasSnapshot score colour } }
  snapshot { weekStart hasSnapshot score colour } userErrors { code field message } } }"""


async def test_refresh_health_matches_the_formula_and_upserts_this_weeks_snapshot(
    own: Own,
) -> None:
    client, engine = own.client, own.engine
    engagement_id, gid = own.engagement["id"], own.eid
    first = await _mutate(client, REFRESH, {"id": gid}, AGENT)
    assert first["userErrors"] == []
    _, unrounded, colour = (await _expected_health(engine))[engagement_id]
    score = round(unrounded, 2)  # as the dashboard shows it, in the header and the series
    assert (score, colour) == (66.67, "YELLOW")  # 2/3 x 50 + 2/3 x 50, against bands 70/40
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
        engine,
        "UPDATE health_indicators SET actual = NULL WHERE engagement_id = :e AND id = "
        "(SELECT min(id) FROM health_indicators WHERE engagement_id = :e)",
        e=engagement_id,
    )
    second = await _mutate(client, REFRESH, {"id": gid}, ADMIN)
    _, rescored, _ = (await _expected_health(engine))[engagement_id]
    rescored = round(rescored, 2)
    assert rescored < score
    assert rescored == 33.33  # the seats are no longer measured
    assert second["snapshot"]["score"] == rescored
    assert second["snapshot"]["colour"] == "RED"
    snapshots = await _rows(
        engine,
        "SELECT engagement_id, week_start, score, version FROM health_snapshots ORDER BY id",
    )
    assert [tuple(row) for row in snapshots] == [(engagement_id, monday, rescored, 2)]
    audited = await _rows(
        engine,
        "SELECT action, record_type, record_id, actor_user_id FROM audit_log ORDER BY id",
    )
    assert [tuple(row) for row in audited] == [
        ("health.refresh", "engagement", engagement_id, own.cast.id(AGENT)),
        ("health.refresh", "engagement", engagement_id, own.cast.id(ADMIN)),
    ]


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


@dataclass
class Refusable:
    """One record of each kind under the engagement (only the initiative shown to customers),
    the variables naming them, and the row counts the refusals must leave as they are."""

    own: Own
    variables: dict[str, Any]
    counts: dict[str, int]


REFUSAL_TABLES = (
    "engagements", "success_initiatives", "success_objectives", "internal_plays",
    "risk_signals", "success_plays", "success_cases", "touchpoints", "discussions",
    "discussion_messages", "health_definitions", "health_indicators", "health_snapshots",
    "product_adoption_roadmaps", "activities", "notifications", "audit_log",
)  # fmt: skip


@pytest.fixture(scope="module")
async def refusable(isolated_module: Isolated) -> Refusable:
    """Shared by the module's refusal tests: each must leave the database as it found it."""
    own = await _own(isolated_module)
    make, engagement = own.make, own.engagement
    # One record of each kind under the engagement; only the initiative is shown to customers.
    initiative = await make.initiative(engagement, visible_to_customer=True)
    discussion = await make.under(
        t.discussions,
        engagement,
        record_type="engagement",
        record_id=engagement["id"],
        subject="Renewal",
        started_by_id=own.cast.id(AGENT),
    )
    variables: dict[str, Any] = {
        "e": own.eid,
        "v": engagement["version"],
        "r": global_id("RiskSignal", (await make.risk(engagement))["id"]),
        "o": global_id("SuccessObjective", (await make.objective(engagement))["id"]),
        "p": global_id("InternalPlay", (await make.internal_play(engagement))["id"]),
        "i": global_id("SuccessInitiative", initiative["id"]),
        "iv": initiative["version"],
        "d": global_id("Discussion", discussion["id"]),
        "u": global_id("User", own.cast.id(AGENT)),
    }
    counts = {table: await own.isolated.count(table) for table in REFUSAL_TABLES}
    return Refusable(own, variables, counts)


@pytest.mark.parametrize("email", sorted(REFUSED))
async def test_every_mutation_refuses_non_writers_with_a_code_and_writes_nothing(
    refusable: Refusable, email: str
) -> None:
    own, variables, before = refusable.own, refusable.variables, refusable.counts
    client, engine = own.client, own.engine
    assert (before["audit_log"], before["activities"], before["success_plays"]) == (0, 0, 0)
    rules = REFUSED[email]
    for name, query in REFUSABLE.items():
        used = {k: v for k, v in variables.items() if f"${k}" in query}
        payload = await _mutate(client, query, used, email)
        assert _codes(payload) == [rules.get(name, rules["*"])], (name, payload)
        assert all(value is None for key, value in payload.items() if key != "userErrors")
    # Nothing written, not even an audit row: the factory's rows, and only those.
    after = {table: await own.isolated.count(table) for table in REFUSAL_TABLES}
    assert after == before
    assert (after["audit_log"], after["activities"], after["success_plays"]) == (0, 0, 0)
    versions = await _rows(
        engine,
        "SELECT (SELECT version FROM engagements) AS e, "
        "(SELECT version FROM success_initiatives) AS i, "
        "(SELECT version FROM success_objectives) AS o, (SELECT version FROM internal_plays) AS p",
    )
    assert tuple(versions[0]) == (1, 1, 1, 1)


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


async def test_creates_are_audited_and_land_under_the_engagement(own: Own) -> None:
    client, engine = own.client, own.engine
    eid = own.eid
    initiative = await own.make.initiative(own.engagement)
    product = await own.make.product("Analytics Suite")
    risk = await _mutate(
        client,
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
        client,
        CREATE_PLAY,
        {
            "input": {
                "engagementId": eid,
                "shortDescription": "Renewal strategy",
                "priority": "HIGH",
                "assignedTo": global_id("User", own.cast.id(AGENT)),
            }
        },
        AGENT,
    )
    assert play["userErrors"] == []
    assert play["internalPlay"]["priority"] == "HIGH"
    assert play["internalPlay"]["assignedTo"] == {"email": AGENT}

    touchpoint = await _mutate(
        client,
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

    case = await _mutate(
        client,
        CREATE_CASE,
        {
            "input": {
                "engagementId": eid,
                "subject": "Champion programme",
                "initiativeId": global_id("SuccessInitiative", initiative["id"]),
                "productId": global_id("Product", product["id"]),
                "visibleToCustomer": True,
            }
        },
        AGENT,
    )
    assert case["userErrors"] == []
    assert case["successCase"]["initiative"]["id"] == global_id(
        "SuccessInitiative", initiative["id"]
    )
    assert case["successCase"]["product"] == {"name": "Analytics Suite"}
    assert case["successCase"]["visibleToCustomer"] is True

    unaddressed_query = (
        "query($id: ID!) { node(id: $id) { ... on Engagement { "
        "riskSignals(first: 50, filter: {unaddressed: true}) { nodes { number } } } } }"
    )
    data = await client.query(unaddressed_query, {"id": eid}, as_=AGENT)
    assert data["node"]["riskSignals"]["nodes"] == [{"number": risk["riskSignal"]["number"]}]
    risk_id = await _one(engine, "SELECT id FROM risk_signals")  # the one risk
    launched = await _mutate(client, LAUNCH, {"source": global_id("RiskSignal", risk_id.id)}, AGENT)
    assert launched["userErrors"] == []
    assert launched["successPlay"]["sourceType"] == "RISK_SIGNAL"
    assert launched["successPlay"]["sourceId"] == global_id("RiskSignal", risk_id.id)
    assert launched["successPlay"]["engagement"]["id"] == eid
    assert await _actions(engine) == [  # one audit row per create, in order
        "risk_signal.create",
        "internal_play.create",
        "touchpoint.create",
        "success_case.create",
        "success_play.create",
    ]
    under = await _rows(
        engine,
        "SELECT (SELECT count(*) FROM risk_signals WHERE engagement_id = :e) AS risks, "
        "(SELECT count(*) FROM internal_plays WHERE engagement_id = :e) AS plays, "
        "(SELECT count(*) FROM touchpoints WHERE engagement_id = :e) AS touchpoints, "
        "(SELECT count(*) FROM success_cases WHERE engagement_id = :e) AS cases, "
        "(SELECT count(*) FROM success_plays WHERE engagement_id = :e) AS success_plays",
        e=own.engagement["id"],
    )
    assert tuple(under[0]) == (1, 1, 1, 1, 1)

    # The new risk is now addressed: a success play was launched from it.
    data = await client.query(unaddressed_query, {"id": eid}, as_=AGENT)
    unaddressed = {n["number"] for n in data["node"]["riskSignals"]["nodes"]}
    assert risk["riskSignal"]["number"] not in unaddressed
    assert unaddressed == set()


async def test_create_rules(own: Own) -> None:
    client, engine, make = own.client, own.engine, own.make
    engagement, eid = own.engagement, own.eid
    other = await make.engagement(own.cast.accounts["acme"], "Acme renewal")
    # An internal play has no parent.
    parent = await make.internal_play(engagement)
    refused = await _mutate(
        client,
        CREATE_PLAY,
        {
            "input": {
                "engagementId": eid,
                "shortDescription": "Child play",
                "parentId": global_id("InternalPlay", parent["id"]),
            }
        },
        AGENT,
    )
    assert refused["internalPlay"] is None
    assert refused["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["parentId"]}]
    # A success case's initiative belongs to the same engagement.
    foreign = await make.initiative(other)
    wrong = await _mutate(
        client,
        CREATE_CASE,
        {
            "input": {
                "engagementId": eid,
                "subject": "x",
                "initiativeId": global_id("SuccessInitiative", foreign["id"]),
            }
        },
        AGENT,
    )
    assert wrong["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["initiativeId"]}]
    # Planned end not before planned start.
    backwards = await _mutate(
        client,
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
        client,
        CREATE_RISK,
        {"input": {"engagementId": eid, "shortDescription": "  ", "probability": "LOW"}},
        AGENT,
    )
    assert blank["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["shortDescription"]}]
    missing = await _mutate(
        client,
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
    assert await _audits(engine) == 0
    written = {
        table: await own.isolated.count(table)
        for table in (
            "internal_plays",
            "success_cases",
            "product_adoption_roadmaps",
            "risk_signals",
        )
    }
    assert written == {  # the parent play, and nothing the refusals would have made
        "internal_plays": 1,
        "success_cases": 0,
        "product_adoption_roadmaps": 0,
        "risk_signals": 0,
    }
    # Probability is required by the schema itself.
    errors = await client.errors(
        CREATE_RISK, {"input": {"engagementId": eid, "shortDescription": "x"}}, as_=AGENT
    )
    assert "probability" in errors[0]["message"]
    sold = await make.sold_product(engagement)
    same_day = await _mutate(
        client,
        ROADMAP,
        {
            "input": {
                "engagementId": eid,
                "name": "Rollout",
                "plannedStart": "2026-03-01",
                "plannedEnd": "2026-03-01",
                "soldProductId": global_id("SoldProduct", sold["id"]),
            }
        },
        AGENT,
    )
    assert same_day["userErrors"] == []
    assert same_day["roadmap"]["soldProduct"]["id"] == global_id("SoldProduct", sold["id"])
    assert (same_day["roadmap"]["plannedStart"], same_day["roadmap"]["plannedEnd"]) == (
        "2026-03-01",
        "2026-03-01",
    )
    assert await own.isolated.count("product_adoption_roadmaps") == await _audits(engine) == 1


# -- updateEngagement -----------------------------------------------------------------------------

UPDATE = """mutation($id: ID!, $v: Int!, $input: UpdateEngagementInput!) {
  updateEngagement(id: $id, expectedVersion: $v, input: $input) {
    engagement { name stage contractValue parent { id } account { id } }
    userErrors { code field } } }"""


async def test_update_engagement_concurrency_account_and_parent_rules(own: Own) -> None:
    client, engine = own.client, own.engine
    eid = own.eid
    await own.make.risk(own.engagement)  # what fixes the engagement's account
    engagement = await _one(
        engine, "SELECT * FROM engagements WHERE id = :e", e=own.engagement["id"]
    )
    changed = await _mutate(
        client,
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
    assert changed["engagement"]["stage"] == "RENEW"
    stale = await _mutate(
        client,
        UPDATE,
        {"id": eid, "v": engagement.version, "input": {"name": "Lost update"}},
        AGENT,
    )
    assert stale["userErrors"] == [{"code": "STALE_VERSION", "field": ["expectedVersion"]}]
    now = await _one(engine, "SELECT name, version FROM engagements WHERE id = :e", e=engagement.id)
    assert (now.name, now.version) == ("Renamed", 2)

    # The account is fixed once objectives, plays or risks exist.
    other_account = await _one(
        engine,
        "SELECT id FROM accounts WHERE id = :a",
        a=own.cast.accounts["initech"]["id"],
    )
    moved = await _mutate(
        client,
        UPDATE,
        {
            "id": eid,
            "v": now.version,
            "input": {"accountId": global_id("Account", other_account.id)},
        },
        AGENT,
    )
    assert moved["userErrors"] == [{"code": "INVALID_STATE", "field": ["accountId"]}]
    assert tuple(
        await _one(engine, "SELECT account_id, version FROM engagements WHERE id = :e",
                   e=engagement.id)
    ) == (own.cast.accounts["acme"]["id"], 2)  # fmt: skip

    # A bare engagement may move to another account.
    await _execute(
        engine,
        "INSERT INTO engagements (name, account_id) VALUES ('Bare', :a)",
        a=engagement.account_id,
    )
    bare = await _one(engine, "SELECT id, version FROM engagements WHERE name = 'Bare'")
    bare_id = global_id("Engagement", bare.id)
    free = await _mutate(
        client,
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
        client, UPDATE, {"id": eid, "v": now.version, "input": {"parentId": bare_id}}, AGENT
    )
    assert under["userErrors"] == []
    assert under["engagement"]["parent"]["id"] == bare_id
    loop = await _mutate(
        client,
        UPDATE,
        {"id": bare_id, "v": bare.version + 1, "input": {"parentId": eid}},
        AGENT,
    )
    assert loop["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["parentId"]}]
    itself = await _mutate(
        client,
        UPDATE,
        {"id": bare_id, "v": bare.version + 1, "input": {"parentId": bare_id}},
        AGENT,
    )
    assert itself["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["parentId"]}]
    audited = await _rows(
        engine,
        "SELECT action FROM audit_log WHERE record_type = 'engagement' AND record_id = :e",
        e=engagement.id,
    )
    assert [row.action for row in audited] == ["engagement.update", "engagement.update"]
    assert await _actions(engine) == ["engagement.update"] * 3  # and Bare's move


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
    own: Own,
    query: str,
    table: str,
    type_name: str,
    closed: str,
    reopened: str,
    key: str,
) -> None:
    client, engine = own.client, own.engine
    # An open record (an objective no open initiative serves: test_success_write.py).
    if table == "success_objectives":
        made = await own.make.objective(own.engagement, state="IN_PROGRESS")
    else:
        made = await own.make.internal_play(own.engagement, state="IN_PROGRESS")
    record = await _one(engine, f"SELECT id, version FROM {table} WHERE id = :i", i=made["id"])
    rid = global_id(type_name, record.id)
    bare = await _mutate(client, query, {"id": rid, "v": record.version, "state": closed}, AGENT)
    assert bare[key] is None
    assert sorted(e["field"][0] for e in bare["userErrors"]) == ["closureCode", "closureNotes"]
    no_notes = await _mutate(
        client,
        query,
        {"id": rid, "v": record.version, "state": closed, "code": "MISSED"},
        AGENT,
    )
    assert no_notes["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["closureNotes"]}]
    unchanged = await _one(
        engine, f"SELECT state, version, closure_code FROM {table} WHERE id = :i", i=record.id
    )
    assert tuple(unchanged) == ("IN_PROGRESS", 1, None)
    done = await _mutate(
        client,
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
        client, query, {"id": rid, "v": record.version + 1, "state": reopened}, AGENT
    )
    assert again["userErrors"] == []
    assert (again[key]["closureCode"], again[key]["closureNotes"]) == (None, None)
    assert again[key]["state"] == reopened
    if key == "objective":
        assert done[key]["successRate"] == 50.0
        assert again[key]["successRate"] is None
    stored = await _one(
        engine,
        f"SELECT state, version, closure_code, closure_notes FROM {table} WHERE id = :i",
        i=record.id,
    )
    assert tuple(stored) == (reopened, 3, None, None)
    # The closing and the reopening; the two refusals wrote nothing.
    assert await _actions(engine) == [f"{table[:-1]}.update"] * 2


CLOSE_INITIATIVE = """mutation($id: ID!, $v: Int!) { updateSuccessInitiative(id: $id,
  expectedVersion: $v, state: CLOSED) { initiative { state } userErrors { code field } } }"""


async def test_closing_an_initiative_cancels_its_open_plays(own: Own) -> None:
    client, engine = own.client, own.engine
    made = await own.make.initiative(own.engagement, state="IN_PROGRESS")
    # Its success cases in every state, and one under another initiative that stays as it is.
    for state in ("NEW", "IN_PROGRESS", "PAUSED", "BLOCKED", "CLOSED", "CANCELED"):
        await own.make.under(
            t.success_cases,
            own.engagement,
            initiative_id=made["id"],
            state=state,
            short_description=f"{state} case",
        )
    elsewhere = await own.make.initiative(own.engagement)
    bystander = await own.make.under(
        t.success_cases, own.engagement, initiative_id=elsewhere["id"], short_description="Other"
    )
    initiative = await _one(
        engine, "SELECT id, version FROM success_initiatives WHERE id = :i", i=made["id"]
    )
    iid = global_id("SuccessInitiative", initiative.id)
    launched = await _mutate(client, LAUNCH, {"source": iid}, AGENT)
    assert launched["successPlay"]["state"] == "NEW"
    before = {
        row.id: row.state
        for row in await _rows(
            engine,
            "SELECT id, state FROM success_cases WHERE initiative_id = :i",
            i=initiative.id,
        )
    }
    closed = await _mutate(client, CLOSE_INITIATIVE, {"id": iid, "v": initiative.version}, AGENT)
    assert closed["userErrors"] == []
    after = {
        row.id: row.state
        for row in await _rows(
            engine,
            "SELECT id, state FROM success_cases WHERE initiative_id = :i",
            i=initiative.id,
        )
    }
    for case_id, state in before.items():
        expected = state if state in {"CLOSED", "CANCELED"} else "CANCELED"
        assert after[case_id] == expected
    assert sorted(after.values()) == ["CANCELED"] * 5 + ["CLOSED"]
    assert (await _one(engine, "SELECT state FROM success_cases WHERE id = :i",
                       i=bystander["id"])).state == "NEW"  # fmt: skip
    plays = await _rows(engine, "SELECT source_type, source_id, state FROM success_plays")
    assert [tuple(play) for play in plays] == [("INITIATIVE", initiative.id, "CANCELED")]
    journal = await _rows(
        engine,
        "SELECT record_id FROM activities WHERE record_type = 'success_case' AND kind = "
        "'STATE_CHANGE' AND changes->>'reason' = 'initiative closed'",
    )
    assert sorted(row.record_id for row in journal) == sorted(
        case_id for case_id, state in before.items() if state not in {"CLOSED", "CANCELED"}
    )
    assert len(journal) == 4


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
    own: Own,
) -> None:
    client, engine = own.client, own.engine
    users = {email: row["id"] for email, row in own.cast.people.items() if "@csm." in email}
    # A success case Acme's success contact sees, so the stream's outside view is tested too.
    case = await own.make.success_case(own.engagement, visible_to_customer=True)
    cid = global_id("SuccessCase", case["id"])
    started = await _mutate(
        client,
        START,
        {"record": cid, "people": [global_id("User", users["caseagent@csm.example"])]},
        AGENT,
    )
    assert started["userErrors"] == []
    discussion = started["discussion"]
    assert discussion["recordId"] == cid
    assert discussion["messages"]["totalCount"] == 1
    assert discussion["messages"]["nodes"] == [
        {"body": "Who owns the sponsor call?", "author": {"email": AGENT}}
    ]

    # A participant who is not a success role reads and posts; a non-participant neither.
    assert (await client.query(READ, {"id": discussion["id"]}, as_="caseagent@csm.example"))[
        "node"
    ]["subject"] == "Escalation path"
    posted = await _mutate(
        client, POST, {"id": discussion["id"], "body": "I do."}, "caseagent@csm.example"
    )
    assert posted["userErrors"] == []
    assert posted["discussion"]["messages"]["totalCount"] == 2
    for outsider in ("proxy@csm.example", "success@acme.example"):
        assert (await client.query(READ, {"id": discussion["id"]}, as_=outsider)) == {"node": None}
        refused = await _mutate(client, POST, {"id": discussion["id"], "body": "Hi"}, outsider)
        assert _codes(refused) == ["NOT_FOUND"]
    # A success viewer reads it but, not being a participant, does not post.
    viewer_post = await _mutate(
        client, POST, {"id": discussion["id"], "body": "Hi"}, "viewer@csm.example"
    )
    assert _codes(viewer_post) == ["FORBIDDEN"]

    messages = await _rows(engine, "SELECT author_id, body FROM discussion_messages ORDER BY id")
    assert [tuple(row) for row in messages] == [
        (users[AGENT], "Who owns the sponsor call?"),
        (users["caseagent@csm.example"], "I do."),
    ]

    # It shows in the record's activity stream, for the agent only.
    agent_stream = await client.query(CASE_STREAM, {"id": cid}, as_=AGENT)
    kinds = [a["kind"] for a in agent_stream["node"]["activities"]["nodes"]]
    assert "DISCUSSION" in kinds
    assert kinds == ["DISCUSSION"]  # the case was made without a journal entry of its own
    customer_stream = await client.query(CASE_STREAM, {"id": cid}, as_="success@acme.example")
    assert customer_stream["node"] is not None
    assert "DISCUSSION" not in [a["kind"] for a in customer_stream["node"]["activities"]["nodes"]]
    assert customer_stream["node"]["activities"]["nodes"] == []

    contact = global_id("Contact", own.cast.id("success@acme.example"))
    bad = await _mutate(client, START, {"record": cid, "people": [contact]}, AGENT)
    assert bad["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["participants"]}]
    assert await own.isolated.count("discussions") == 1


TIMELINE = """query($id: ID!, $after: String) { node(id: $id) { ... on Engagement {
  timeline(first: 3, after: $after) { totalCount pageInfo { endCursor }
    nodes { id kind changes } } } } }"""


async def test_the_timeline_is_append_only_newest_first_and_cursors_hold(own: Own) -> None:
    client, eid = own.client, own.eid
    # Five entries, one per risk opened, so there are two pages of three.
    for n in range(5):
        made = await _mutate(
            client,
            CREATE_RISK,
            {"input": {"engagementId": eid, "shortDescription": f"Risk {n}", "probability": "LOW"}},
            AGENT,
        )
        assert made["userErrors"] == []
    before = (await client.query(TIMELINE, {"id": eid}, as_=AGENT))["node"]["timeline"]
    assert before["totalCount"] == 5
    assert [node["kind"] for node in before["nodes"]] == ["OPENED"] * 3
    second_page = await client.query(
        TIMELINE, {"id": eid, "after": before["pageInfo"]["endCursor"]}, as_=AGENT
    )
    assert len(second_page["node"]["timeline"]["nodes"]) == 2
    created = await _mutate(
        client,
        CREATE_RISK,
        {"input": {"engagementId": eid, "shortDescription": "New risk", "probability": "LOW"}},
        AGENT,
    )
    assert created["userErrors"] == []
    after = (await client.query(TIMELINE, {"id": eid}, as_=AGENT))["node"]["timeline"]
    assert after["totalCount"] == before["totalCount"] + 1 == 6
    newest = after["nodes"][0]
    assert newest["kind"] == "OPENED"
    assert newest["changes"]["number"] == created["riskSignal"]["number"]
    assert [n["id"] for n in after["nodes"][1:]] == [n["id"] for n in before["nodes"][:2]]
    # A cursor taken before the insert still continues exactly where it did.
    again = await client.query(
        TIMELINE, {"id": eid, "after": before["pageInfo"]["endCursor"]}, as_=AGENT
    )
    page, earlier = again["node"]["timeline"], second_page["node"]["timeline"]
    assert page["nodes"] == earlier["nodes"]
    assert [node["changes"]["number"] for node in page["nodes"]] == sorted(
        [row.number for row in await _rows(own.engine, "SELECT number FROM risk_signals")]
    )[1::-1]  # the two oldest risks, newest first
    assert page["totalCount"] == earlier["totalCount"] + 1  # the total counts the new entry


DEFINE = """mutation($id: ID!, $input: HealthDefinitionInput!) {
  setHealthDefinition(engagementId: $id, input: $input) {
    engagement { healthScore healthColour healthIndicators(first: 20) { nodes { metric weight } } }
    userErrors { code field } } }"""
MEASURE = """mutation($id: ID!, $metric: String!, $actual: Float) {
  recordHealthActual(engagementId: $id, metric: $metric, actual: $actual) {
    engagement { healthScore healthColour } userErrors { code field } } }"""


async def test_an_engagement_definition_overrides_the_global_one_and_weights_sum_to_100(
    own: Own,
) -> None:
    client, engine = own.client, own.engine
    eid = own.eid  # on the global definition so far
    other = await own.make.engagement(own.cast.accounts["acme"], "Acme renewal")
    audits = await _audits(engine)
    assert audits == 0
    indicators = [
        {"metric": "Active seats", "target": 200, "weight": 60},
        {"metric": "Open escalations", "target": 2, "weight": 30, "direction": "MINIMIZE"},
    ]
    refused = await _mutate(
        client, DEFINE, {"id": eid, "input": {"name": "Own", "indicators": indicators}}, AGENT
    )
    assert refused["engagement"] is None
    assert refused["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["indicators", "weight"]}]
    bad_bands = await _mutate(
        client,
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
    assert await _audits(engine) == audits
    assert await own.isolated.count("health_definitions") == 1  # the global one only

    indicators[1]["weight"] = 40
    defined = await _mutate(
        client,
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
            client, MEASURE, {"id": eid, "metric": metric, "actual": actual}, AGENT
        )
        assert measured["userErrors"] == []
    assert measured["engagement"] == {"healthScore": 65.0, "healthColour": "YELLOW"}
    unknown = await _mutate(
        client, MEASURE, {"id": eid, "metric": "Weekly active users", "actual": 1}, AGENT
    )
    assert unknown["userErrors"] == [{"code": "BAD_USER_INPUT", "field": ["metric"]}]
    refreshed = await _mutate(client, REFRESH, {"id": eid}, AGENT)
    assert refreshed["snapshot"]["score"] == 65.0
    assert refreshed["snapshot"]["colour"] == "YELLOW"  # the definition's bands: 50-89 yellow
    # Other engagements keep the global definition.
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Engagement { healthIndicators(first: 20) "
        "{ nodes { metric } } } } }",
        {"id": global_id("Engagement", other["id"])},
        as_=AGENT,
    )
    assert "Active seats" not in {n["metric"] for n in data["node"]["healthIndicators"]["nodes"]}
    assert {n["metric"] for n in data["node"]["healthIndicators"]["nodes"]} == {
        "Weekly active users",
        "Open escalations",
    }
    audited = await _actions(engine)
    for email in ("viewer@csm.example", "success@acme.example"):
        payload = await _mutate(client, MEASURE, {"id": eid, "metric": "x"}, email)
        assert _codes(payload) in (["FORBIDDEN"], ["NOT_FOUND"])
        # Both see the engagement (an Acme one), so both are told they may not change it.
        assert _codes(payload) == ["FORBIDDEN"], email
    assert await _actions(engine) == audited
