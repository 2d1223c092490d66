"""An initiative serves a success objective of its own engagement (DOMAIN.md section 2):
``SuccessInitiative.objective`` (internal: null for contacts, silently) and
``SuccessObjective.initiatives`` (a keyset connection batched per level), the demo's links, the
statement counts of the nested lists, and ``updateSuccessInitiative(objectiveId:)``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated, Row
from tests.support import GraphQLClient, StatementLog

AGENT = "agent@csm.example"
SUCCESS_CONTACT = "success@acme.example"


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


# -- the demo and the database ---------------------------------------------------------------------


async def test_demo_has_initiatives_with_and_without_an_objective(engine: AsyncEngine) -> None:
    (row,) = await _rows(
        engine,
        "SELECT count(objective_id) AS linked, count(*) - count(objective_id) AS unlinked, "
        "count(*) FILTER (WHERE objective_id IS NOT NULL AND visible_to_customer "
        "AND account_id = (SELECT id FROM accounts WHERE name = 'Acme Corp')) AS acme_visible "
        "FROM success_initiatives",
    )
    assert row.linked > 50
    assert row.unlinked > 20
    # Contacts see some of the linked initiatives, so their null objective is a rule, not luck.
    assert row.acme_visible > 0
    mismatched = await _rows(
        engine,
        "SELECT i.id FROM success_initiatives i JOIN success_objectives o "
        "ON o.id = i.objective_id WHERE o.engagement_id <> i.engagement_id",
    )
    assert mismatched == []


async def _two_engagements(isolated: Isolated) -> tuple[Row, Row]:
    """Two engagements of one account (so only the engagement differs), and the agent."""
    await isolated.make.user("customer_success_agent", email=AGENT)
    account = await isolated.make.account("Acme Corp")
    return await isolated.make.engagement(account), await isolated.make.engagement(account)


async def test_an_objective_of_another_engagement_is_refused_by_the_database(
    isolated: Isolated,
) -> None:
    mine, other = await _two_engagements(isolated)
    initiative = await isolated.make.initiative(mine)
    own_objective = await isolated.make.objective(mine)
    foreign = await isolated.make.objective(other)
    with pytest.raises(IntegrityError):
        async with isolated.engine.begin() as connection:
            await connection.execute(
                text("UPDATE success_initiatives SET objective_id = :o WHERE id = :i"),
                {"o": foreign["id"], "i": initiative["id"]},
            )
    # Nothing written; and its own engagement's objective is accepted, so the key is the rule.
    assert await isolated.count("success_initiatives", "objective_id IS NOT NULL") == 0
    async with isolated.engine.begin() as connection:
        await connection.execute(
            text("UPDATE success_initiatives SET objective_id = :o WHERE id = :i"),
            {"o": own_objective["id"], "i": initiative["id"]},
        )
    assert (
        await isolated.count("success_initiatives", "objective_id = :o", o=own_objective["id"]) == 1
    )


# -- reads ----------------------------------------------------------------------------------------

INITIATIVES = """
query($n: Int!) { engagements(first: $n) { nodes { id
  initiatives(first: 100) { nodes { id objective { id number engagement { id } } } } } } }
"""


@pytest.mark.parametrize("email", [AGENT, SUCCESS_CONTACT])
async def test_initiative_objective_is_internal(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    linked = {
        row.id: row.objective_id
        for row in await _rows(engine, "SELECT id, objective_id FROM success_initiatives")
    }
    data = await client.query(INITIATIVES, {"n": 100}, as_=email)
    seen = with_objective = 0
    for engagement in data["engagements"]["nodes"]:
        for node in engagement["initiatives"]["nodes"]:
            objective_id = linked[decode_global_id(node["id"])[1]]
            seen += objective_id is not None
            if email == SUCCESS_CONTACT or objective_id is None:
                assert node["objective"] is None
                continue
            with_objective += 1
            assert node["objective"]["id"] == global_id("SuccessObjective", objective_id)
            assert node["objective"]["engagement"]["id"] == engagement["id"]
    # Both personas see linked initiatives; only the agent sees what they link to.
    assert seen > 0
    assert (with_objective > 0) == (email == AGENT)


OBJECTIVES = """
query($n: Int!, $o: Int!, $i: Int!, $after: String) { engagements(first: $n) { nodes { id
  objectives(first: $o, direction: DESC) { nodes { id
    initiatives(first: $i, after: $after, orderBy: {field: PRIORITY, direction: ASC}) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id number dueDate objective { id } } } } } } } }
"""


async def test_objective_initiatives_match_the_rows_and_page(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    expected: dict[int, list[int]] = defaultdict(list)
    for row in await _rows(
        engine,
        "SELECT id, objective_id FROM success_initiatives WHERE objective_id IS NOT NULL "
        "ORDER BY due_date NULLS LAST, id",
    ):
        expected[row.objective_id].append(row.id)
    data = await client.query(OBJECTIVES, {"n": 100, "o": 10, "i": 40}, as_=AGENT)
    checked = 0
    for engagement in data["engagements"]["nodes"]:
        for objective in engagement["objectives"]["nodes"]:
            objective_id = decode_global_id(objective["id"])[1]
            page = objective["initiatives"]
            ids = [decode_global_id(node["id"])[1] for node in page["nodes"]]
            assert sorted(ids) == sorted(expected[objective_id])
            assert page["totalCount"] == len(expected[objective_id])
            assert all(node["objective"]["id"] == objective["id"] for node in page["nodes"])
            checked += bool(ids)
    assert checked > 20
    # Keyset pages: one initiative at a time walks the same list.
    busiest = max(expected, key=lambda key: len(expected[key]))
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on SuccessObjective {
      initiatives(first: 1, after: $after) { pageInfo { hasNextPage endCursor }
        nodes { id } } } } }"""
    walked, after = [], None
    while True:
        variables = {"id": global_id("SuccessObjective", busiest), "after": after}
        page = (await client.query(query, variables, as_=AGENT))["node"]["initiatives"]
        walked += [decode_global_id(node["id"])[1] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(walked) > 1
    assert sorted(walked) == sorted(expected[busiest])
    assert len(set(walked)) == len(walked)


async def test_contacts_get_no_objective_initiatives(client: GraphQLClient) -> None:
    data = await client.query(OBJECTIVES, {"n": 100, "o": 10, "i": 10}, as_=SUCCESS_CONTACT)
    nodes = data["engagements"]["nodes"]
    assert nodes
    assert all(node["objectives"] is None for node in nodes)


# -- statement counts -----------------------------------------------------------------------------

ROADMAP = """
query($n: Int!, $i: Int!) { engagements(first: $n) { nodes { id
  initiativeRoadmap { healthScore stage
    initiatives(first: $i) { totalCount nodes { number dueDate objective { number state } } } }
} } }
"""


async def _count(
    client: GraphQLClient, log: StatementLog, query: str, variables: dict, email: str
) -> tuple[int, dict]:
    with log.record() as statements:
        data = await client.query(query, variables, as_=email)
    return len(statements), data


@pytest.mark.parametrize("email", [AGENT, SUCCESS_CONTACT])
async def test_objective_lists_cost_a_fixed_number_of_statements(
    client: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    small, _ = await _count(client, statement_log, OBJECTIVES, {"n": 5, "o": 1, "i": 1}, email)
    large, data = await _count(
        client, statement_log, OBJECTIVES, {"n": 60, "o": 10, "i": 50}, email
    )
    assert len(data["engagements"]["nodes"]) > 1
    # Viewer, engagements, objectives, their initiatives, the initiatives' objectives by id;
    # contacts stop at the engagements.
    assert small == large == (5 if email == AGENT else 2)


@pytest.mark.parametrize("email", [AGENT, SUCCESS_CONTACT])
async def test_the_roadmap_names_objectives_at_a_fixed_cost(
    client: GraphQLClient, statement_log: StatementLog, engine: AsyncEngine, email: str
) -> None:
    # (Enough initiatives for one of them to serve an objective even in the small query.)
    small, _ = await _count(client, statement_log, ROADMAP, {"n": 5, "i": 2}, email)
    large, data = await _count(client, statement_log, ROADMAP, {"n": 60, "i": 50}, email)
    # Viewer, engagements, health readings, initiatives, their objectives by id.
    assert small == large == (5 if email == AGENT else 2)
    if email != AGENT:
        assert all(node["initiativeRoadmap"] is None for node in data["engagements"]["nodes"])
        return
    objectives = {
        row.number: row.objective
        for row in await _rows(
            engine,
            "SELECT i.number, o.number AS objective FROM success_initiatives i "
            "LEFT JOIN success_objectives o ON o.id = i.objective_id",
        )
    }
    shown = [
        initiative
        for node in data["engagements"]["nodes"]
        for initiative in node["initiativeRoadmap"]["initiatives"]["nodes"]
    ]
    assert {bool(i["objective"]) for i in shown} == {True, False}
    for initiative in shown:
        objective = initiative["objective"]
        assert (objective and objective["number"]) == objectives[initiative["number"]]


# -- updateSuccessInitiative(objectiveId:) ---------------------------------------------------------

SET_OBJECTIVE = """mutation($id: ID!, $v: Int!, $state: WorkState!, $objective: ID) {
  updateSuccessInitiative(id: $id, expectedVersion: $v, state: $state, objectiveId: $objective) {
    initiative { state objective { id } } userErrors { code field } } }"""
KEEP_OBJECTIVE = """mutation($id: ID!, $v: Int!, $state: WorkState!) {
  updateSuccessInitiative(id: $id, expectedVersion: $v, state: $state) {
    initiative { state objective { id } } userErrors { code field } } }"""


async def _initiative(engine: AsyncEngine, iid: int) -> Any:
    (row,) = await _rows(
        engine,
        "SELECT id, version, state, objective_id FROM success_initiatives WHERE id = :i",
        i=iid,
    )
    return row


async def _mutate(client: GraphQLClient, query: str, variables: dict) -> dict:
    return (await client.query(query, variables, as_=AGENT))["updateSuccessInitiative"]


async def test_update_initiative_sets_keeps_and_clears_its_objective(isolated: Isolated) -> None:
    client, engine = isolated.client, isolated.engine
    # An open initiative with no objective yet, an objective of its engagement, and one not.
    mine, other = await _two_engagements(isolated)
    initiative = await isolated.make.initiative(mine, state="IN_PROGRESS")
    objective = (await isolated.make.objective(mine))["id"]
    foreign = await isolated.make.objective(other)
    gid = global_id("SuccessInitiative", initiative["id"])
    before = await _initiative(engine, initiative["id"])
    assert (before.version, before.state, before.objective_id) == (1, "IN_PROGRESS", None)
    variables = {"id": gid, "v": before.version, "state": "IN_PROGRESS"}

    # Another engagement's objective, or an id of another type: refused, nothing written.
    for wrong in (
        global_id("SuccessObjective", foreign["id"]),
        global_id("SuccessInitiative", initiative["id"]),
    ):
        refused = await _mutate(client, SET_OBJECTIVE, {**variables, "objective": wrong})
        assert refused == {
            "initiative": None,
            "userErrors": [{"code": "BAD_USER_INPUT", "field": ["objectiveId"]}],
        }
    assert await _initiative(engine, initiative["id"]) == before
    assert await isolated.count("activities") == await isolated.count("audit_log") == 0

    set_to = global_id("SuccessObjective", objective)
    done = await _mutate(client, SET_OBJECTIVE, {**variables, "objective": set_to})
    assert done == {
        "initiative": {"state": "IN_PROGRESS", "objective": {"id": set_to}},
        "userErrors": [],
    }
    after = await _initiative(engine, initiative["id"])
    assert after.objective_id == objective
    assert after.version == before.version + 1 == 2
    journal = await _rows(
        engine,
        "SELECT record_type, record_id, kind, changes FROM activities ORDER BY id",
    )
    assert [(row.record_type, row.record_id, row.kind) for row in journal] == [
        ("success_initiative", initiative["id"], "FIELD_CHANGE")
    ]
    assert "objective_id" in journal[0].changes

    # Omitted keeps it (a state change alone); null clears it.
    kept = await _mutate(
        client, KEEP_OBJECTIVE, {**variables, "v": after.version, "state": "PAUSED"}
    )
    assert kept["initiative"] == {"state": "PAUSED", "objective": {"id": set_to}}
    paused = await _initiative(engine, initiative["id"])
    assert (paused.state, paused.objective_id, paused.version) == ("PAUSED", objective, 3)
    cleared = await _mutate(
        client,
        SET_OBJECTIVE,
        {**variables, "v": paused.version, "state": "PAUSED", "objective": None},
    )
    assert cleared == {"initiative": {"state": "PAUSED", "objective": None}, "userErrors": []}
    final = await _initiative(engine, initiative["id"])
    assert (final.state, final.objective_id, final.version) == ("PAUSED", None, 4)


SORTED_LISTS = """
query($n: Int!, $k: Int!) { engagements(first: $n) { nodes { id
  objectives(first: $k, direction: DESC) { nodes { id } }
  riskSignals(first: $k, orderBy: {field: DUE_DATE, direction: DESC}) { nodes { id } }
  soldProducts(first: $k, orderBy: {field: ADOPTION_SCORE, direction: DESC}) { nodes { id } }
  initiatives(first: $k, orderBy: {field: DUE_DATE, direction: DESC}) { nodes { id } }
} } }
"""


async def test_sorted_nested_lists_share_one_statement_per_level(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    # Orderings with date keys are built from closures: equal sort arguments must give the same
    # Ordering, or every parent would get a loader (and a statement) of its own.
    small, _ = await _count(client, statement_log, SORTED_LISTS, {"n": 1, "k": 1}, AGENT)
    large, data = await _count(client, statement_log, SORTED_LISTS, {"n": 60, "k": 10}, AGENT)
    assert len(data["engagements"]["nodes"]) == 60
    # Viewer, engagements, then one statement per list.
    assert small == large == 6
