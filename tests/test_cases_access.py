"""ACCESS.md "Cases", per persona and by every read path, against tests/expectations.py."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo import personas
from csm_graphql.demo.cases import WORK_NOTE_WORD
from tests.expectations import ALL, MINE, CaseSnapshot, decode_global_id, global_id
from tests.support import GraphQLClient

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]
# Personas whose case rule is the point of a test, by the rule they exercise.
CASE_PERSONAS = {
    "customer": "customer@acme.example",
    "customer_admin": "admin@acme.example",
    "customer_case_manager": "manager@acme.example",
    "partner": "partner@globex.example",
    "partner_admin": "partneradmin@globex.example",
    "proxy_contact": "proxy@csm.example",
    "case_agent": "caseagent@csm.example",
}
EXTERNAL = [email for email in EVERY_PERSONA if personas.by_email(email).kind == "CONTACT"]

LIST = """
query Cases($scope: ListScope!, $first: Int, $after: String) {
  cases(scope: $scope, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id number }
  }
}
"""


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> CaseSnapshot:
    return await CaseSnapshot.load(engine)


async def _walk(client: GraphQLClient, email: str, scope: str, query: str = LIST) -> list[dict]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await client.query(query, {"scope": scope, "first": 100, "after": after}, as_=email)
        connection = data["cases"]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            assert connection["totalCount"] == len(nodes)
            return nodes
        after = connection["pageInfo"]["endCursor"]


def test_every_case_rule_has_both_sides(snapshot: CaseSnapshot) -> None:
    """The demo data decides nothing if a persona sees all cases or none."""
    everything = set(snapshot.cases)
    for role, email in CASE_PERSONAS.items():
        seen = snapshot.visible_case_ids(snapshot.base.principal(email))
        assert seen, role
        if role != "case_agent":
            assert seen != everything, role
    principal = snapshot.base.principal
    admin = snapshot.visible_case_ids(principal("admin@acme.example"))
    manager = snapshot.visible_case_ids(principal("manager@acme.example"))
    customer = snapshot.visible_case_ids(principal("customer@acme.example"))
    assert customer < admin < manager  # child accounts widen the manager's view only
    partner = snapshot.visible_case_ids(principal("partner@globex.example"))
    partner_admin = snapshot.visible_case_ids(principal("partneradmin@globex.example"))
    assert partner < partner_admin
    served = {snapshot.base.account_named(n) for n in ("Acme Corp", "Initech")}
    assert {snapshot.cases[c].account_id for c in partner_admin} > served
    umbrella = snapshot.base.account_named("Umbrella Health")
    assert all(snapshot.cases[c].account_id != umbrella for c in partner_admin)
    # customer: cases I only opened, and cases I am the contact of but did not open.
    me = principal("customer@acme.example").id
    rows = [snapshot.cases[c] for c in customer]
    assert any(r.contact_id != me and r.opened_by_contact_id == me for r in rows)
    assert any(r.contact_id == me and r.opened_by_contact_id != me for r in rows)


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize("scope", [ALL, MINE])
async def test_case_lists(
    client: GraphQLClient, snapshot: CaseSnapshot, email: str, scope: str
) -> None:
    nodes = await _walk(client, email, scope)
    expected = snapshot.visible_cases(snapshot.base.principal(email), scope)
    assert {node["number"] for node in nodes} == expected
    assert len(nodes) == len(expected)


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_case_nodes(client: GraphQLClient, snapshot: CaseSnapshot, email: str) -> None:
    ids = [global_id("Case", case_id) for case_id in sorted(snapshot.cases)]
    found: set[int] = set()
    for start in range(0, len(ids), 100):
        data = await client.query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Case { id number } } }",
            {"ids": ids[start : start + 100]},
            as_=email,
        )
        found |= {decode_global_id(n["id"])[1] for n in data["nodes"] if n}
    assert found == snapshot.visible_case_ids(snapshot.base.principal(email))


NESTED = """
query Cases($scope: ListScope!, $first: Int, $after: String) {
  cases(scope: $scope, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      id number shareResolutionNotes resolutionNotes
      parent { number }
      childCases(first: 50) { totalCount nodes { number } }
      activities(first: 50) { totalCount nodes { kind body } }
      comments(first: 50) { nodes { kind } }
      workNotes(first: 50) { totalCount nodes { kind body } }
      incidents(first: 10) { nodes { number } }
      problems(first: 10) { nodes { number } }
      changes(first: 10) { nodes { number } }
      requests(first: 10) { nodes { number kind } }
      supportGroup { name } assignedTo { name } informedUsers { name } interactions { totalCount }
      slas { nodes { name stage plannedEnd breached percentElapsed startAt definition { name } } }
    }
  }
}
"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_nested_lists_and_fields(
    client: GraphQLClient, snapshot: CaseSnapshot, email: str
) -> None:
    who = snapshot.base.principal(email)
    visible = snapshot.visible_case_ids(who)
    nodes = await _walk(client, email, ALL, NESTED)
    assert {decode_global_id(n["id"])[1] for n in nodes} == visible
    for node in nodes:
        case_id = decode_global_id(node["id"])[1]
        case = snapshot.cases[case_id]
        parent = case.parent_id if case.parent_id in visible else None
        assert node["parent"] == (
            {"number": snapshot.cases[parent].number} if parent is not None else None
        )
        children = {c.number for c in snapshot.cases.values() if c.parent_id == case_id}
        assert {n["number"] for n in node["childCases"]["nodes"]} == children & {
            snapshot.cases[v].number for v in visible
        }
        activities = snapshot.visible_activities(who, case_id)
        assert node["activities"]["totalCount"] == len(activities)
        assert sorted((a["kind"], a["body"]) for a in node["activities"]["nodes"]) == sorted(
            activities
        )
        assert {c["kind"] for c in node["comments"]["nodes"]} <= {"COMMENT"}
        assert node["resolutionNotes"] == snapshot.resolution_notes(who, case_id)
        kinds = snapshot.related_kinds.get(case_id, [])
        requests = node["requests"]["nodes"]
        assert len(requests) == kinds.count("REQUEST")
        if who.internal:
            assert len(node["incidents"]["nodes"]) == kinds.count("INCIDENT")
            assert len(node["problems"]["nodes"]) == kinds.count("PROBLEM")
            assert len(node["changes"]["nodes"]) == kinds.count("CHANGE")
        else:
            for internal in ("incidents", "problems", "changes", "workNotes", "interactions"):
                assert node[internal] is None, internal
            assert node["supportGroup"] is None
            assert node["assignedTo"] is None
            assert node["informedUsers"] == []
            for sla in node["slas"]["nodes"]:
                assert sla["breached"] is None
                assert sla["percentElapsed"] is None
                assert sla["startAt"] is None
                assert sla["definition"] is None
                assert sla["plannedEnd"]
                assert sla["stage"]
        if snapshot.reads_work_notes(who):
            notes = [n for n in activities if n[0] == "WORK_NOTE"]
            assert node["workNotes"]["totalCount"] == len(notes) > 0
        elif who.internal:  # a proxy contact: the field is there, its rows never are
            assert node["workNotes"]["totalCount"] == 0
            assert node["workNotes"]["nodes"] == []


@pytest.mark.parametrize("email", [*EXTERNAL, "proxy@csm.example"])
async def test_work_notes_never_reach_contacts_or_proxies(
    client: GraphQLClient, email: str
) -> None:
    response = await client.post(NESTED, {"scope": ALL, "first": 100}, as_=email)
    assert WORK_NOTE_WORD not in response.text
    assert "WORK_NOTE" not in response.text


async def test_internal_readers_get_work_notes(client: GraphQLClient) -> None:
    response = await client.post(NESTED, {"scope": ALL, "first": 20}, as_="caseagent@csm.example")
    assert WORK_NOTE_WORD in response.text


async def test_resolution_notes_on_both_sides(snapshot: CaseSnapshot) -> None:
    admin = snapshot.base.principal("admin@acme.example")
    notes = [snapshot.resolution_notes(admin, c) for c in snapshot.visible_case_ids(admin)]
    resolved = [
        snapshot.cases[c]
        for c in snapshot.visible_case_ids(admin)
        if snapshot.cases[c].resolution_notes
    ]
    assert any(n is not None for n in notes)
    assert any(not c.share_resolution_notes for c in resolved)


async def test_priority_is_the_matrix_of_impact_and_urgency(
    client: GraphQLClient, snapshot: CaseSnapshot
) -> None:
    query = LIST.replace("nodes { id number }", "nodes { id impact urgency priority }")
    data = await client.query(query, {"scope": ALL, "first": 100}, as_="caseagent@csm.example")
    names = {1: "HIGH", 2: "MEDIUM", 3: "LOW"}
    priorities = {1: "CRITICAL", 2: "HIGH", 3: "MODERATE", 4: "LOW", 5: "VERY_LOW"}
    seen = set()
    for node in data["cases"]["nodes"]:
        case = snapshot.cases[decode_global_id(node["id"])[1]]
        assert node["impact"] == names[case.impact]
        assert node["urgency"] == names[case.urgency]
        assert node["priority"] == priorities[case.impact + case.urgency - 1]
        seen.add(node["priority"])
    assert len(seen) >= 4


async def test_customer360_falls_back_from_contact_to_consumer_to_internal_contact(
    client: GraphQLClient, snapshot: CaseSnapshot
) -> None:
    query = LIST.replace(
        "nodes { id number }",
        "nodes { id customer360 { kind name contact { id } user { name } } }",
    )
    kinds: dict[str, int] = {}
    for email in ("caseagent@csm.example", "admin@acme.example"):
        who = snapshot.base.principal(email)
        for node in await _walk(client, email, ALL, query):
            case = snapshot.cases[decode_global_id(node["id"])[1]]
            view = node["customer360"]
            if case.contact_id is not None:
                assert view["kind"] == "CONTACT"
                assert view["contact"]["id"] == global_id("Contact", case.contact_id)
            elif case.internal_contact_id is not None and view["kind"] == "INTERNAL_CONTACT":
                # An employee is not visible to contacts: their name is not either.
                assert (view["user"] is None) == (not who.internal)
                assert (view["name"] is None) == (not who.internal)
            else:
                assert view["kind"] == "CONSUMER"
                assert view["name"]
            kinds[view["kind"]] = kinds.get(view["kind"], 0) + 1
    assert set(kinds) == {"CONTACT", "CONSUMER", "INTERNAL_CONTACT"}


async def test_viewer_carries_descendant_and_served_accounts(
    engine: AsyncEngine, snapshot: CaseSnapshot
) -> None:
    from csm_graphql.access.viewer import PrincipalKind
    from csm_graphql.repositories.database import Database
    from csm_graphql.repositories.principals import load_viewer

    db = Database(engine)
    named = snapshot.base.account_named
    manager = snapshot.base.principal("manager@acme.example")
    viewer = await load_viewer(db, PrincipalKind.CONTACT, manager.id)
    assert viewer is not None
    children = {named("Acme Europe"), named("Acme Americas")}
    assert set(viewer.descendant_account_ids) == children
    assert set(viewer.case_account_ids) == {named("Acme Corp"), *children}
    partner_admin = snapshot.base.principal("partneradmin@globex.example")
    viewer = await load_viewer(db, PrincipalKind.CONTACT, partner_admin.id)
    assert viewer is not None
    assert set(viewer.served_account_ids) == {named("Acme Corp"), named("Initech")}
    customer = snapshot.base.principal("customer@acme.example")
    viewer = await load_viewer(db, PrincipalKind.CONTACT, customer.id)
    assert viewer is not None
    assert viewer.case_account_ids == ()


SUPPORTING = """
query Cases($scope: ListScope!, $first: Int, $after: String) {
  cases(scope: $scope, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id asset { id account { id } productModel { name product { name } } }
      entitlement { id schedule { name } contract { id value } }
      contract { id value account { id } } workOrders { nodes { number assignedTo { name } } }
      knowledge(first: 10) { nodes { number audience } } }
  }
}
"""


@pytest.mark.parametrize("email", ["caseagent@csm.example", *CASE_PERSONAS.values()])
async def test_supporting_records(
    client: GraphQLClient, snapshot: CaseSnapshot, email: str
) -> None:
    who = snapshot.base.principal(email)
    nodes = await _walk(client, email, ALL, SUPPORTING)
    assert any(node["asset"] for node in nodes)
    if len(nodes) > 10:  # the broad viewers meet every kind of supporting record
        assert any(node["workOrders"]["nodes"] for node in nodes)
        assert any(node["knowledge"]["nodes"] for node in nodes)
    for node in nodes:
        if node["contract"]:
            assert (node["contract"]["value"] is None) == (not who.internal)
        if node["entitlement"]:
            assert (node["entitlement"]["schedule"] is None) == (not who.internal)
        for order in node["workOrders"]["nodes"]:
            assert (order["assignedTo"] is None) == (not who.internal)
        audiences = {article["audience"] for article in node["knowledge"]["nodes"]}
        if not who.internal:
            assert audiences == {None} or not audiences
    # Accounts keep their own rule (contacts see their own accounts only), so a case
    # manager's child-account cases show no account object.
    for node in nodes:
        if node["asset"] is not None:
            account = snapshot.cases[decode_global_id(node["id"])[1]].account_id
            shown = who.internal or account in who.accounts
            assert (node["asset"]["account"] is not None) == shown


SEARCH = """query($text: String!, $after: String) { search(text: $text, first: 100) {
  cases(after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id number } } } }"""


async def _search(client: GraphQLClient, email: str, words: str) -> tuple[set[int], int]:
    found: set[int] = set()
    after = None
    while True:
        data = await client.query(SEARCH, {"text": words, "after": after}, as_=email)
        hits = data["search"]["cases"]
        found |= {decode_global_id(n["id"])[1] for n in hits["nodes"]}
        if not hits["pageInfo"]["hasNextPage"]:
            return found, hits["totalCount"]
        after = hits["pageInfo"]["endCursor"]


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_search_finds_visible_cases_by_comment_and_work_notes_only_internally(
    client: GraphQLClient, snapshot: CaseSnapshot, email: str
) -> None:
    who = snapshot.base.principal(email)
    visible = snapshot.visible_case_ids(who)

    def by_journal(word: str) -> set[int]:
        return {
            case_id
            for case_id in visible
            if any(
                word in (body or "").lower()
                for _, body in snapshot.visible_activities(who, case_id)
            )
        }

    hits, total = await _search(client, email, "screenshot")
    assert hits == by_journal("screenshot")
    assert total == len(hits)
    hits, total = await _search(client, email, WORK_NOTE_WORD)
    assert hits == by_journal(WORK_NOTE_WORD)
    assert total == len(hits)
    if snapshot.reads_work_notes(who):
        assert hits
    else:
        assert hits == set()
    # A case number finds that case, if visible, and nothing otherwise.
    for case_id in (min(snapshot.cases), max(snapshot.cases)):
        hits, _ = await _search(client, email, snapshot.cases[case_id].number.lower())
        assert hits == ({case_id} & visible)


FILTERED = """query($after: String) { cases(first: 5, after: $after,
  filter: {state: [OPEN, AWAITING_INFO], priority: [CRITICAL, HIGH, MODERATE]},
  orderBy: {field: PRIORITY, direction: ASC}) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id priority } } }"""


@pytest.mark.parametrize("email", ["manager@acme.example", "caseagent@csm.example"])
async def test_filter_and_order_page_through_the_visible_cases(
    client: GraphQLClient, snapshot: CaseSnapshot, email: str
) -> None:
    states = {row["id"]: row["state"] for row in await _states(client, email)}
    who = snapshot.base.principal(email)
    expected = sorted(
        (snapshot.cases[c].priority, c)
        for c in snapshot.visible_case_ids(who)
        if states[c] in {"OPEN", "AWAITING_INFO"} and snapshot.cases[c].priority <= 3
    )
    seen: list[int] = []
    after = None
    while True:
        data = (await client.query(FILTERED, {"after": after}, as_=email))["cases"]
        assert data["totalCount"] == len(expected)
        seen += [decode_global_id(n["id"])[1] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == [case_id for _, case_id in expected]
    assert expected


async def _states(client: GraphQLClient, email: str) -> list[dict[str, Any]]:
    query = LIST.replace("nodes { id number }", "nodes { id number state }")
    return [
        {"id": decode_global_id(n["id"])[1], "state": n["state"]}
        for n in await _walk(client, email, ALL, query)
    ]
