"""The engagement workspace against the seeded PostgreSQL: every value the API serves is
recomputed here from raw rows with plain SQL and the formulas of DOMAIN.md section 2 (written
out again, not imported), then compared."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ANCHOR
from tests.expectations import decode_global_id
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
PRIORITY = {"CRITICAL": 1, "HIGH": 2, "MODERATE": 3, "LOW": 4, "VERY_LOW": 5}


def _today() -> date:
    return datetime.now(UTC).date()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# Enough weeks to reach back past the demo data's anchor to its whole history.
WEEKS = (_monday(_today()) - _monday(ANCHOR)).days // 7 + 18


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def _engagements(client: GraphQLClient, fields: str, **variables: Any) -> list[dict]:
    declared = "".join(f", ${name}: {kind}" for name, (kind, _) in variables.items())
    query = (
        f"query W($n: Int!{declared}) {{ engagements(first: $n) {{ nodes {{ id {fields} }} }} }}"
    )
    values = {"n": 100, **{name: value for name, (_, value) in variables.items()}}
    data = await client.query(query, values, as_=AGENT)
    nodes = data["engagements"]["nodes"]
    assert len(nodes) > 50
    for node in nodes:
        node["db_id"] = decode_global_id(node["id"])[1]
    return nodes


# -- health ---------------------------------------------------------------------------------------


def _attainment(target: float, actual: float | None, direction: str) -> float:
    if actual is None:
        return 0.0
    if direction == "MAXIMIZE":
        return 1.0 if target == 0 else min(1.0, max(0.0, actual / target))
    return 1.0 if actual == 0 else min(1.0, max(0.0, target / actual))


def _gap(target: float, actual: float | None, direction: str) -> float | None:
    if actual is None or target == 0:
        return None
    short = target - actual if direction == "MAXIMIZE" else actual - target
    return max(0.0, short / target * 100)


async def _expected_health(engine: AsyncEngine) -> dict[int, tuple[list[dict], float, str]]:
    definitions = await _rows(
        engine, "SELECT id, engagement_id, green_from, yellow_from FROM health_definitions"
    )
    own = {d.engagement_id: d for d in definitions if d.engagement_id is not None}
    (global_definition,) = [d for d in definitions if d.engagement_id is None]
    specs = defaultdict(list)
    for row in await _rows(engine, "SELECT * FROM health_indicator_definitions ORDER BY id"):
        specs[row.definition_id].append(row)
    actuals = {
        (row.engagement_id, row.indicator_definition_id): row.actual
        for row in await _rows(engine, "SELECT * FROM health_indicators")
    }
    expected = {}
    for (engagement_id,) in await _rows(engine, "SELECT id FROM engagements"):
        definition = own.get(engagement_id, global_definition)
        indicators, score = [], 0.0
        for spec in specs[definition.id]:
            actual = actuals.get((engagement_id, spec.id))
            actual = None if actual is None else float(actual)
            reached = _attainment(float(spec.target), actual, spec.direction)
            score += spec.weight * reached
            indicators.append(
                {"metric": spec.metric, "weight": spec.weight, "attainment": reached,
                 "gapPercent": _gap(float(spec.target), actual, spec.direction),
                 "actual": actual, "score": spec.weight * reached}
            )  # fmt: skip
        green, yellow = float(definition.green_from), float(definition.yellow_from)
        colour = "GREEN" if score >= green else "YELLOW" if score >= yellow else "RED"
        expected[engagement_id] = (indicators, score, colour)
    return expected


async def test_health_score_colour_and_indicators_match_the_formula(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    nodes = await _engagements(
        client,
        "healthScore healthColour healthIndicators(first: 50) { totalCount nodes { metric weight "
        "actual attainment gapPercent score } }",
    )
    expected = await _expected_health(engine)
    overridden = {
        row.engagement_id
        for row in await _rows(
            engine, "SELECT engagement_id FROM health_definitions WHERE engagement_id IS NOT NULL"
        )
    }
    assert overridden & {node["db_id"] for node in nodes}, "no engagement-specific definition"
    rounded = 0
    for node in nodes:
        indicators, score, colour = expected[node["db_id"]]
        # Two decimals, as the dashboard shows them (issue 11).
        assert node["healthScore"] == round(score, 2)
        rounded += node["healthScore"] != score
        assert node["healthColour"] == colour
        got = {i["metric"]: i for i in node["healthIndicators"]["nodes"]}
        assert node["healthIndicators"]["totalCount"] == len(indicators)
        assert set(got) == {i["metric"] for i in indicators}
        for want in indicators:
            have = got[want["metric"]]
            for key in ("weight", "attainment", "actual", "score"):
                assert have[key] == pytest.approx(want[key]), (node["id"], key)
            gap = want["gapPercent"]
            assert have["gapPercent"] == (None if gap is None else round(gap, 2)), node["id"]
            rounded += have["gapPercent"] != gap
    assert rounded, "some score or gap must have more than two decimals for rounding to bite"
    colours = Counter(node["healthColour"] for node in nodes)
    assert {"GREEN", "YELLOW", "RED"} <= set(colours), colours


@pytest.mark.parametrize(
    ("field", "direction", "key"),
    [
        ("GAP", "DESC", lambda i: 101.0 if i["gapPercent"] is None else i["gapPercent"]),
        ("SCORE", "ASC", lambda i: i["score"]),
        ("WEIGHT", "DESC", lambda i: i["weight"]),
    ],
)
async def test_indicators_sort_and_page(
    client: GraphQLClient, field: str, direction: str, key: Any
) -> None:
    query = """
    query I($order: HealthIndicatorOrder, $after: String) {
      engagements(first: 3) { nodes { healthIndicators(first: 1, after: $after, orderBy: $order) {
        pageInfo { hasNextPage endCursor } nodes { metric gapPercent score weight } } } }
    }"""
    order = {"field": field, "direction": direction}
    whole = await client.query(
        query.replace("first: 1,", "first: 50,"), {"order": order}, as_=AGENT
    )
    full = whole["engagements"]["nodes"][0]["healthIndicators"]["nodes"]
    assert len(full) >= 2
    keys = [key(i) for i in full]
    assert keys == sorted(keys, reverse=direction == "DESC")
    walked, after = [], None
    while True:
        data = await client.query(query, {"order": order, "after": after}, as_=AGENT)
        connection = data["engagements"]["nodes"][0]["healthIndicators"]
        walked.extend(connection["nodes"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert walked == full


async def test_health_series_has_every_week_oldest_first(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    nodes = await _engagements(
        client,
        "six: healthSeries(weeks: 6) { weekStart } "
        "healthSeries(weeks: $weeks) { weekStart hasSnapshot score colour }",
        weeks=("Int!", WEEKS),
    )
    snapshots = {
        (row.engagement_id, row.week_start): row.score
        for row in await _rows(engine, "SELECT * FROM health_snapshots")
    }
    this_monday = _monday(_today())
    expected_weeks = [this_monday - timedelta(weeks=back) for back in range(WEEKS - 1, -1, -1)]
    gaps = filled = 0
    for node in nodes:
        series = node["healthSeries"]
        assert [date.fromisoformat(p["weekStart"]) for p in series] == expected_weeks
        assert [p["weekStart"] for p in node["six"]] == [p["weekStart"] for p in series[-6:]]
        for point in series:
            score = snapshots.get((node["db_id"], date.fromisoformat(point["weekStart"])))
            assert point["hasSnapshot"] is (score is not None)
            assert point["score"] == score
            if score is None:
                assert point["colour"] == "UNKNOWN"
            gaps += score is None
            filled += score is not None
    assert gaps
    assert filled


async def test_weeks_out_of_range_are_refused(client: GraphQLClient) -> None:
    for weeks in (0, 105):
        errors = await client.errors(
            "query($w: Int!) { engagements(first: 1) "
            "{ nodes { healthSeries(weeks: $w) { score } } } }",
            {"w": weeks},
            as_=AGENT,
        )
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


# -- blueprint ------------------------------------------------------------------------------------

CLOSURE_SCORES = {"ACHIEVED": 1.0, "PARTIALLY_ACHIEVED": 0.5, "MISSED": 0.0}


async def test_success_rate_and_objectives(client: GraphQLClient, engine: AsyncEngine) -> None:
    nodes = await _engagements(
        client,
        "successRate objectives(first: 50, direction: DESC) { totalCount nodes { number state "
        "dueDate closureCode successRate } } open: objectives(first: 50, state: [NEW, "
        "IN_PROGRESS]) { totalCount nodes { state } }",
    )
    objectives = defaultdict(list)
    for row in await _rows(engine, "SELECT * FROM success_objectives"):
        objectives[row.engagement_id].append(row)
    rated = 0
    for node in nodes:
        rows = objectives[node["db_id"]]
        scores = [CLOSURE_SCORES[r.closure_code] for r in rows if r.closure_code in CLOSURE_SCORES]
        if scores:
            rated += 1
            assert node["successRate"] == pytest.approx(sum(scores) / len(scores) * 100)
        else:
            assert node["successRate"] is None
        listed = node["objectives"]
        assert listed["totalCount"] == len(rows)
        dues = [o["dueDate"] or "" for o in listed["nodes"]]
        assert [d for d in dues if d] == sorted((d for d in dues if d), reverse=True)
        for objective in listed["nodes"]:
            code = objective["closureCode"]
            want = CLOSURE_SCORES.get(code) if code else None
            assert objective["successRate"] == (None if want is None else want * 100)
        open_rows = [r for r in rows if r.state in {"NEW", "IN_PROGRESS"}]
        assert node["open"]["totalCount"] == len(open_rows)
        assert {o["state"] for o in node["open"]["nodes"]} <= {"NEW", "IN_PROGRESS"}
    assert rated > 10


# -- adoption -------------------------------------------------------------------------------------


def _category(score: float | None) -> str:
    if score is None:
        return "none"
    return "high" if score >= 70 else "medium" if score >= 40 else "low"


async def test_adoption_series_counts_sum_to_the_sold_products(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    nodes = await _engagements(
        client,
        "adoptionSeries(weeks: $weeks) { weekStart counts { low medium high none total } } "
        "adoptionToday { low medium high none total } soldProducts(first: 1) { totalCount }",
        weeks=("Int!", WEEKS),
    )
    sold = defaultdict(dict)
    for row in await _rows(engine, "SELECT id, engagement_id, adoption_score FROM sold_products"):
        sold[row.engagement_id][row.id] = row.adoption_score
    scores = {
        (row.sold_product_id, row.week_start): row.score
        for row in await _rows(engine, "SELECT * FROM adoption_scores")
    }
    seen = Counter()
    for node in nodes:
        products = sold[node["db_id"]]
        assert node["soldProducts"]["totalCount"] == len(products)
        for point in node["adoptionSeries"]:
            monday = date.fromisoformat(point["weekStart"])
            want = Counter(_category(scores.get((p, monday))) for p in products)
            counts = point["counts"]
            assert counts["total"] == len(products)
            assert counts["low"] + counts["medium"] + counts["high"] + counts["none"] == len(
                products
            )
            assert {k: counts[k] for k in ("low", "medium", "high", "none")} == {
                k: want[k] for k in ("low", "medium", "high", "none")
            }
            seen.update(k for k in ("low", "medium", "high") if counts[k])
        today = Counter(_category(score) for score in products.values())
        assert node["adoptionToday"] == {
            **{k: today[k] for k in ("low", "medium", "high", "none")},
            "total": len(products),
        }
    assert set(seen) == {"low", "medium", "high"}


@pytest.mark.parametrize(
    ("field", "column", "descending"),
    [
        ("CUSTOMER_PRIORITY", "customerPriority", False),
        ("BUSINESS_CRITICALITY", "businessCriticality", True),
        ("ACTIVATION_STATUS", "usagePlan", False),
        ("ADOPTION_SCORE", "adoptionScore", True),
    ],
)
async def test_sold_products_filter_and_sort(
    client: GraphQLClient, engine: AsyncEngine, field: str, column: str, descending: bool
) -> None:
    ranks = {
        "customerPriority": ["CRITICAL", "HIGH", "MODERATE", "NICE_TO_HAVE", "NOT_REQUIRED"],
        "businessCriticality": ["CRITICAL", "HIGH", "MODERATE", "NICE_TO_HAVE", "NOT_REQUIRED"],
        "usagePlan": ["ACTIVATED", "PLANNED", "NO_PLAN", "DEACTIVATED"],
    }
    direction = "DESC" if descending else "ASC"
    nodes = await _engagements(
        client,
        f"soldProducts(first: 20, orderBy: {{field: {field}, direction: {direction}}}) "
        f"{{ nodes {{ {column} }} }} "
        "planned: soldProducts(first: 20, usagePlan: [PLANNED, NO_PLAN]) "
        "{ totalCount nodes { usagePlan } }",
    )
    plans = Counter(
        (row.engagement_id, row.usage_plan)
        for row in await _rows(engine, "SELECT engagement_id, usage_plan FROM sold_products")
    )
    for node in nodes:
        values = [p[column] for p in node["soldProducts"]["nodes"]]
        if column == "adoptionScore":
            scored = [v for v in values if v is not None]
            assert values == scored + [None] * (len(values) - len(scored))  # unscored last
            assert scored == sorted(scored, reverse=True)
        else:
            keys = [ranks[column].index(v) for v in values]
            assert keys == sorted(keys, reverse=descending)
        planned = node["planned"]
        assert planned["totalCount"] == plans[(node["db_id"], 2)] + plans[(node["db_id"], 3)]
        assert {p["usagePlan"] for p in planned["nodes"]} <= {"PLANNED", "NO_PLAN"}


# -- risks and work -------------------------------------------------------------------------------


async def test_risk_signal_filters(client: GraphQLClient, engine: AsyncEngine) -> None:
    nodes = await _engagements(
        client,
        "all: riskSignals(first: 50) { totalCount } "
        "new: riskSignals(first: 50, filter: {new: true}) { totalCount nodes { number } } "
        "overdue: riskSignals(first: 50, filter: {overdue: true}) { totalCount nodes { number } } "
        "high: riskSignals(first: 50, filter: {highPriority: true}) { nodes { number } } "
        "loose: riskSignals(first: 50, filter: {unaddressed: true}) { nodes { number } } "
        "both: riskSignals(first: 50, filter: {new: true, highPriority: true}) "
        "{ nodes { number } }",
    )
    played = {
        row.source_id
        for row in await _rows(
            engine, "SELECT source_id FROM success_plays WHERE source_type = 'RISK_SIGNAL'"
        )
    }
    risks = defaultdict(list)
    for row in await _rows(engine, "SELECT * FROM risk_signals"):
        risks[row.engagement_id].append(row)
    today, hits = _today(), Counter()
    for node in nodes:
        rows = risks[node["db_id"]]
        is_open = {r.number: r.state in {"NEW", "ACTIVE"} for r in rows}
        expected = {
            "new": {r.number for r in rows if r.state == "NEW"},
            "overdue": {
                r.number for r in rows if is_open[r.number] and r.due_date and r.due_date < today
            },
            # The overview's count: open risks only (issue 11).
            "high": {r.number for r in rows if is_open[r.number] and r.priority <= 2},
            "loose": {r.number for r in rows if is_open[r.number] and r.id not in played},
        }
        expected["both"] = expected["new"] & expected["high"]
        hits["closed-high"] += any(r.priority <= 2 and not is_open[r.number] for r in rows)
        assert node["all"]["totalCount"] == len(rows)
        for name, numbers in expected.items():
            assert {r["number"] for r in node[name]["nodes"]} == numbers, name
            hits[name] += bool(numbers)
    assert all(hits[name] for name in ("new", "overdue", "high", "loose", "both"))
    assert hits["closed-high"], "closed high-priority risks must exist for the rule to bite"


KIND_TABLES = {
    "InternalPlay": "internal_plays",
    "InternalPlayTask": "internal_play_tasks",
    "SuccessCase": "success_cases",
    "SuccessInitiative": "success_initiatives",
    "SuccessTask": "success_tasks",
}


async def test_work_items_union_sort_filter_and_page(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    engagement = (await _engagements(client, "number"))[0]
    expected: dict[tuple[str, int], tuple[int, str, date | None]] = {}
    for typename, table in KIND_TABLES.items():
        for row in await _rows(
            engine,
            f"SELECT id, priority, state, due_date FROM {table} WHERE engagement_id = :e",
            e=engagement["db_id"],
        ):
            expected[(typename, row.id)] = (row.priority, row.state, row.due_date)
    query = """
    query($id: ID!, $after: String, $filter: WorkItemFilter, $order: WorkItemOrder) {
      node(id: $id) { ... on Engagement {
        workItems(first: 7, after: $after, filter: $filter, orderBy: $order) {
          totalCount pageInfo { hasNextPage endCursor }
          nodes { __typename
            ... on InternalPlay { id priority state dueDate }
            ... on InternalPlayTask { id priority state dueDate }
            ... on SuccessCase { id priority state dueDate }
            ... on SuccessInitiative { id priority state dueDate }
            ... on SuccessTask { id priority state dueDate } } } } }
    }"""

    async def walk(filter: Any, order: Any) -> tuple[int, list[dict]]:
        items, after, total = [], None, None
        while True:
            variables = {"id": engagement["id"], "after": after, "filter": filter, "order": order}
            data = await client.query(query, variables, as_=AGENT)
            connection = data["node"]["workItems"]
            total = connection["totalCount"]
            items.extend(connection["nodes"])
            if not connection["pageInfo"]["hasNextPage"]:
                return total, items
            after = connection["pageInfo"]["endCursor"]

    total, items = await walk(None, {"field": "PRIORITY", "direction": "ASC"})
    keys = [(i["__typename"], decode_global_id(i["id"])[1]) for i in items]
    assert total == len(expected) == len(items) == len(set(keys))
    assert set(keys) == set(expected)
    ranks = [PRIORITY[i["priority"]] for i in items]
    assert ranks == sorted(ranks)
    assert len({i["__typename"] for i in items}) == 5

    _, by_due = await walk(None, {"field": "DUE_DATE", "direction": "DESC"})
    dues = [i["dueDate"] for i in by_due]
    dated = [d for d in dues if d]
    assert dated == sorted(dated, reverse=True)
    assert dues == dated + [None] * (len(dues) - len(dated))  # empty last

    chosen = {"kind": ["INTERNAL_PLAY", "SUCCESS_TASK"], "state": ["NEW", "BLOCKED"]}
    total, filtered = await walk(chosen, None)
    want = {
        key
        for key, (_, state, _) in expected.items()
        if key[0] in {"InternalPlay", "SuccessTask"} and state in {"NEW", "BLOCKED"}
    }
    assert total == len(want)
    assert {(i["__typename"], decode_global_id(i["id"])[1]) for i in filtered} == want


# -- timeline, team, touchpoints, renewal, side panel ---------------------------------------------


async def test_timeline_is_newest_first_over_the_records_under_the_engagement(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    engagement = (await _engagements(client, "number"))[0]
    eid = engagement["db_id"]
    rows = await _rows(
        engine,
        """
        SELECT a.id, a.kind, a.at FROM activities a
        WHERE (a.record_type = 'engagement' AND a.record_id = :e)
           OR EXISTS (SELECT 1 FROM (
                SELECT 'success_initiative' AS t, id, engagement_id FROM success_initiatives
                UNION ALL SELECT 'success_case', id, engagement_id FROM success_cases
                UNION ALL SELECT 'success_task', id, engagement_id FROM success_tasks
                UNION ALL SELECT 'touchpoint', id, engagement_id FROM touchpoints
                UNION ALL SELECT 'success_objective', id, engagement_id FROM success_objectives
                UNION ALL SELECT 'internal_play', id, engagement_id FROM internal_plays
                UNION ALL SELECT 'internal_play_task', id, engagement_id FROM internal_play_tasks
                UNION ALL SELECT 'risk_signal', id, engagement_id FROM risk_signals
                UNION ALL SELECT 'success_play', id, engagement_id FROM success_plays
                UNION ALL SELECT 'contract', id, engagement_id FROM contracts
              ) r WHERE r.t = a.record_type AND r.id = a.record_id AND r.engagement_id = :e)
        ORDER BY a.at DESC, a.id DESC
        """,
        e=eid,
    )
    query = """
    query($id: ID!, $after: String, $kind: [ActivityKind!]) { node(id: $id) { ... on Engagement {
      timeline(first: 9, after: $after, kind: $kind) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id kind } } } } }"""

    async def walk(kind: Any) -> tuple[int, list[int]]:
        found, after = [], None
        while True:
            data = await client.query(
                query, {"id": engagement["id"], "after": after, "kind": kind}, as_=AGENT
            )
            timeline = data["node"]["timeline"]
            found.extend(decode_global_id(n["id"])[1] for n in timeline["nodes"])
            if not timeline["pageInfo"]["hasNextPage"]:
                return timeline["totalCount"], found
            after = timeline["pageInfo"]["endCursor"]

    total, ids = await walk(None)
    assert total == len(rows) > 10
    assert ids == [row.id for row in rows]
    kinds = {"COMMENT", "STATE_CHANGE"}
    total, ids = await walk(sorted(kinds))
    assert ids == [row.id for row in rows if row.kind in kinds]


async def test_team_touchpoints_contracts_and_related_counts(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    nodes = await _engagements(
        client,
        "customerTeam(first: 10) { totalCount nodes { id } } squad(first: 10) { nodes { id } } "
        "accountTeam(first: 10) { nodes { id } } lastActiveTouchpoint { id scheduledAt state } "
        "upcomingTouchpoints(first: 50) { totalCount nodes { scheduledAt state } } "
        "contracts(first: 10) { totalCount nodes { active } } "
        "allContracts: contracts(first: 10, activeOnly: false) { totalCount } "
        "relatedLists { name count } attachments(first: 5) { totalCount } "
        "recommendedArticles(first: 3) { nodes { number } }",
    )
    team = defaultdict(set)
    for row in await _rows(engine, "SELECT engagement_id, contact_id FROM engagement_contacts"):
        team[(row.engagement_id, "customer")].add(row.contact_id)
    for row in await _rows(engine, "SELECT engagement_id, user_id, team FROM engagement_users"):
        team[(row.engagement_id, row.team)].add(row.user_id)
    contracts = Counter()
    for row in await _rows(engine, "SELECT engagement_id, active FROM contracts"):
        contracts[(row.engagement_id, row.active)] += 1
    now = datetime.now(UTC)
    recommended = 0
    for node in nodes:
        eid = node["db_id"]

        def ids(connection: dict) -> set[int]:
            return {decode_global_id(n["id"])[1] for n in connection["nodes"]}

        assert ids(node["customerTeam"]) == team[(eid, "customer")]
        assert ids(node["squad"]) == team[(eid, "SQUAD")]
        assert ids(node["accountTeam"]) == team[(eid, "ACCOUNT_TEAM")]
        for touchpoint in node["upcomingTouchpoints"]["nodes"]:
            assert datetime.fromisoformat(touchpoint["scheduledAt"]) > now
            assert touchpoint["state"] not in {"CLOSED", "CANCELED"}
        times = [t["scheduledAt"] for t in node["upcomingTouchpoints"]["nodes"]]
        assert times == sorted(times)
        last = node["lastActiveTouchpoint"]
        if last:
            assert datetime.fromisoformat(last["scheduledAt"]) <= now
            assert last["state"] != "CANCELED"
        assert node["contracts"]["totalCount"] == contracts[(eid, True)]
        assert all(c["active"] for c in node["contracts"]["nodes"])
        assert (
            node["allContracts"]["totalCount"] == contracts[(eid, True)] + contracts[(eid, False)]
        )
        related = {r["name"]: r["count"] for r in node["relatedLists"]}
        assert related["contracts"] == node["allContracts"]["totalCount"]
        assert related["attachments"] == node["attachments"]["totalCount"]
        recommended += bool(node["recommendedArticles"]["nodes"])
    assert recommended > 10
    counts = await _rows(
        engine,
        "SELECT e.id, (SELECT count(*) FROM success_cases s WHERE s.engagement_id = e.id) AS cases,"
        " (SELECT count(*) FROM risk_signals r WHERE r.engagement_id = e.id) AS risks,"
        " (SELECT count(*) FROM touchpoints t WHERE t.engagement_id = e.id) AS touchpoints"
        " FROM engagements e",
    )
    by_id = {row.id: row for row in counts}
    for node in nodes:
        related = {r["name"]: r["count"] for r in node["relatedLists"]}
        row = by_id[node["db_id"]]
        assert (related["successCases"], related["riskSignals"], related["touchpoints"]) == (
            row.cases,
            row.risks,
            row.touchpoints,
        )


async def test_account_rollups_and_active_tree(client: GraphQLClient, engine: AsyncEngine) -> None:
    data = await client.query(
        """{ accounts(first: 100) { nodes { id engagementRollup { totalEngagements
          totalContractValue riskSignalsByProbability { probability count }
          squadWorkByState { state count } activeEngagements { depth parentId engagement { id } }
        } } } }""",
        as_=AGENT,
    )
    engagements = await _rows(
        engine,
        "SELECT id, account_id, parent_id, state, (SELECT sum(c.value) FROM contracts c "
        "WHERE c.engagement_id = e.id AND c.active) AS contract_value FROM engagements e",
    )
    risks = await _rows(engine, "SELECT account_id, probability, state FROM risk_signals")
    work = await _rows(
        engine,
        "SELECT account_id, state FROM internal_plays "
        "UNION ALL SELECT account_id, state FROM internal_play_tasks",
    )
    names = ["VERY_HIGH", "HIGH", "MODERATE", "LOW", "VERY_LOW"]
    nested = 0
    for account in data["accounts"]["nodes"]:
        aid = decode_global_id(account["id"])[1]
        mine = [e for e in engagements if e.account_id == aid]
        rollup = account["engagementRollup"]
        if not mine:
            assert rollup["totalEngagements"] == 0
            continue
        assert rollup["totalEngagements"] == len(mine)
        total = sum(e.contract_value or 0 for e in mine)
        assert float(rollup["totalContractValue"] or 0) == pytest.approx(float(total))
        want = Counter(
            names[r.probability - 1]
            for r in risks
            if r.account_id == aid and r.state in {"NEW", "ACTIVE"}
        )
        assert {c["probability"]: c["count"] for c in rollup["riskSignalsByProbability"]} == want
        assert {c["state"]: c["count"] for c in rollup["squadWorkByState"]} == Counter(
            w.state for w in work if w.account_id == aid
        )
        active = {e.id: e for e in mine if e.state in {"NEW", "DEFINE", "IN_PROGRESS"}}
        tree = rollup["activeEngagements"]
        assert {decode_global_id(n["engagement"]["id"])[1] for n in tree} == set(active)
        position = {decode_global_id(n["engagement"]["id"])[1]: i for i, n in enumerate(tree)}
        for node in tree:
            eid = decode_global_id(node["engagement"]["id"])[1]
            parent = active[eid].parent_id
            if parent in active:
                nested += 1
                assert decode_global_id(node["parentId"])[1] == parent
                assert position[parent] < position[eid]
                assert node["depth"] == tree[position[parent]]["depth"] + 1
            else:
                assert node["parentId"] is None
                assert node["depth"] == 0
    assert nested


@pytest.mark.parametrize(
    ("list_name", "typename", "text_sql"),
    [
        ("engagements", "Engagement", "name || ' ' || replace(stage, '_', ' ')"),
        ("successCases", "SuccessCase", "short_description"),
    ],
)
async def test_recommended_articles_are_ranked_by_full_text_relevance(
    client: GraphQLClient, engine: AsyncEngine, list_name: str, typename: str, text_sql: str
) -> None:
    data = await client.query(
        f"{{ {list_name}(first: 40) "
        "{ nodes { id recommendedArticles(first: 3) { nodes { number } } } } }",
        as_=AGENT,
    )
    table = {"engagements": "engagements", "successCases": "success_cases"}[list_name]
    found = 0
    for node in data[list_name]["nodes"]:
        record_id = decode_global_id(node["id"])[1]
        expected = await _rows(
            engine,
            f"""
            WITH q AS (SELECT to_tsquery('english', replace(
                plainto_tsquery('english', {text_sql})::text, ' & ', ' | ')) AS query
              FROM {table} WHERE id = :id)
            SELECT k.number FROM knowledge_articles k, q WHERE k.search_vector @@ q.query
            ORDER BY ts_rank(k.search_vector, q.query) DESC, k.id DESC LIMIT 3
            """,
            id=record_id,
        )
        numbers = [a["number"] for a in node["recommendedArticles"]["nodes"]]
        assert numbers == [r.number for r in expected]
        found += bool(expected)
    assert found > 5
