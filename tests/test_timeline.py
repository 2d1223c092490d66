"""The customer timeline (issue 11): each entry names its event (a documented kind that every
journaling service uses) and links its record under that record's own rule; the timeline
filters by kind and by record type in SQL, before the page's LIMIT; seeded discussions have
their entries, and every write the timeline shows journals the kind it names."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.domain.descriptions import value_description
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.domain.timeline import change_kind, created_kind
from csm_graphql.graphql.types.records import record_node, record_node_type
from csm_graphql.repositories.workspace import TIMELINE_RECORDS
from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
ADMIN = "admin@csm.example"
VIEWER = "viewer@csm.example"

# The entries on an engagement's timeline, newest first (as test_workspace_reads, with
# contracts: the engagement's own and those of the records under it).
UNDER = """
SELECT a.id, a.kind, a.record_type, a.record_id FROM activities a
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
"""

TIMELINE = """query($id: ID!, $after: String, $kind: [ActivityKind!], $type: [RecordType!]) {
  node(id: $id) { ... on Engagement {
    timeline(first: 7, after: $after, kind: $kind, recordType: $type) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id kind recordType record { __typename id } } } } } }"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def _walk(
    client: GraphQLClient, engagement: str, as_: str, kind: Any = None, types: Any = None
) -> tuple[int, list[dict[str, Any]]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"id": engagement, "after": after, "kind": kind, "type": types}
        timeline = (await client.query(TIMELINE, variables, as_=as_))["node"]["timeline"]
        found.extend(timeline["nodes"])
        if not timeline["pageInfo"]["hasNextPage"]:
            return timeline["totalCount"], found
        after = timeline["pageInfo"]["endCursor"]


# -- the vocabulary -------------------------------------------------------------------------------


def test_every_kind_and_record_type_is_documented_and_every_record_type_is_a_node() -> None:
    for kind in ActivityKind:
        assert value_description(ActivityKind, kind.name)
    for record_type in RecordType:
        assert value_description(RecordType, record_type.name)
        entry = record_node(record_type)
        assert entry is not None, record_type
        assert entry.cls.__name__ == record_node_type(record_type)
    # The timeline covers every record type an engagement holds.
    assert set(TIMELINE_RECORDS) == set(RecordType) - {
        RecordType.ENGAGEMENT,
        RecordType.CASE,
        RecordType.PROJECT,
        RecordType.PROJECT_TASK,
        RecordType.REQUEST,
        RecordType.WORK_ORDER,  # under a case or a project, not an engagement
    }


@pytest.mark.parametrize(
    ("record_type", "changes", "kind"),
    [
        (RecordType.TOUCHPOINT, {"state": {"from": "NEW", "to": "CLOSED"}}, "TOUCHPOINT_HELD"),
        (RecordType.TOUCHPOINT, {"state": {"from": "NEW", "to": "CANCELED"}}, "STATE_CHANGE"),
        (RecordType.SUCCESS_CASE, {"state": {"from": "NEW", "to": "CLOSED"}}, "STATE_CHANGE"),
        (RecordType.SUCCESS_CASE, {"assigned_to_id": {"from": 1, "to": 2}}, "ASSIGNMENT"),
        (
            RecordType.PROJECT_TASK,
            {"assigned_contact_id": {"from": None, "to": 3}, "visible_to_customer": {"to": True}},
            "ASSIGNMENT",
        ),
        (RecordType.CASE, {"state": {"to": "OPEN"}, "assigned_to_id": {"to": 2}}, "STATE_CHANGE"),
        (RecordType.SUCCESS_TASK, {"visible_to_customer": {"to": False}}, "VISIBILITY_CHANGE"),
        (RecordType.SUCCESS_TASK, {"contactFilter": {"add_contact": 4}}, "VISIBILITY_CHANGE"),
        (RecordType.SUCCESS_TASK, {"priority": {"to": 2}}, "FIELD_CHANGE"),
        (
            RecordType.SUCCESS_TASK,
            {"priority": {"to": 2}, "visible_to_customer": {"to": True}},
            "FIELD_CHANGE",
        ),
        (RecordType.ENGAGEMENT, {}, "FIELD_CHANGE"),
    ],
)
def test_which_change_journals_which_kind(
    record_type: RecordType, changes: dict[str, Any], kind: str
) -> None:
    assert change_kind(record_type, changes) == ActivityKind(kind)


def test_which_creation_journals_which_kind() -> None:
    assert created_kind(RecordType.SUCCESS_PLAY) is ActivityKind.PLAY_LAUNCHED
    assert created_kind(RecordType.CONTRACT) is ActivityKind.CONTRACT_ADDED
    for record_type in set(RecordType) - {RecordType.SUCCESS_PLAY, RecordType.CONTRACT}:
        assert created_kind(record_type) is ActivityKind.OPENED


# -- reading the seeded timeline ------------------------------------------------------------------


async def _richest_engagement(engine: AsyncEngine) -> int:
    """The engagement whose timeline holds the most kinds (a discussion and contracts)."""
    rows = await _rows(
        engine,
        """
        SELECT d.engagement_id FROM discussions d
        JOIN contracts c ON c.engagement_id = d.engagement_id
        ORDER BY d.engagement_id LIMIT 1
        """,
    )
    assert rows
    return int(rows[0].engagement_id)


async def test_each_entry_links_its_record_and_names_its_event(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    eid = await _richest_engagement(engine)
    rows = await _rows(engine, UNDER, e=eid)
    total, nodes = await _walk(client, global_id("Engagement", eid), AGENT)
    assert total == len(rows) == len(nodes)
    assert [decode_global_id(n["id"])[1] for n in nodes] == [row.id for row in rows]
    for node, row in zip(nodes, rows, strict=True):
        record_type = RecordType(row.record_type)
        assert node["recordType"] == record_type.name
        # The record is the entry's own record, under its own node: what node(id:) answers.
        assert node["record"] == {
            "__typename": record_node_type(record_type),
            "id": global_id(record_node_type(record_type), row.record_id),
        }
    kinds = {node["kind"] for node in nodes}
    assert {"OPENED", "DISCUSSION", "CONTRACT_ADDED", "HEALTH_REFRESHED"} <= kinds
    types = {node["recordType"] for node in nodes}
    assert {"ENGAGEMENT", "CONTRACT", "SUCCESS_OBJECTIVE", "RISK_SIGNAL"} <= types


@pytest.mark.parametrize(
    ("kind", "types"),
    [
        (None, ["CONTRACT", "SUCCESS_PLAY"]),
        (["OPENED"], None),
        (["OPENED", "COMMENT"], ["SUCCESS_CASE", "SUCCESS_OBJECTIVE"]),
        (["DISCUSSION"], ["SUCCESS_TASK"]),
    ],
)
async def test_the_timeline_filters_by_kind_and_record_type_before_the_page(
    client: GraphQLClient, engine: AsyncEngine, kind: Any, types: Any
) -> None:
    eid = await _richest_engagement(engine)
    rows = await _rows(engine, UNDER, e=eid)
    wanted = [
        row.id
        for row in rows
        if (kind is None or row.kind in kind)
        and (types is None or RecordType(row.record_type).name in types)
    ]
    total, nodes = await _walk(client, global_id("Engagement", eid), AGENT, kind, types)
    # Whole pages of matching entries (first: 7), the count of all of them: filtered in SQL.
    assert total == len(wanted)
    assert [decode_global_id(n["id"])[1] for n in nodes] == wanted


async def test_the_viewer_reads_the_same_timeline_without_discussions_it_is_not_part_of(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    """customer_success_viewer reads the timeline with every record linked; entries only under
    the activities' rule (access/rows.activities)."""
    eid = await _richest_engagement(engine)
    total, nodes = await _walk(client, global_id("Engagement", eid), VIEWER)
    assert total == len(nodes) > 0
    assert all(node["record"] is not None for node in nodes)


async def test_every_seeded_discussion_has_its_timeline_entry(engine: AsyncEngine) -> None:
    rows = await _rows(
        engine,
        """
        SELECT d.id, d.record_type, d.record_id, d.subject, d.started_by_id, d.created_at,
               (SELECT count(*) FROM activities a WHERE a.kind = 'DISCUSSION'
                  AND a.record_type = d.record_type AND a.record_id = d.record_id
                  AND (a.changes ->> 'discussionId')::bigint = d.id
                  AND a.actor_user_id = d.started_by_id AND a.body = d.subject
                  AND a.at = d.created_at) AS entries
        FROM discussions d
        """,
    )
    assert rows
    assert all(row.entries == 1 for row in rows)


# -- writes journal the kind they name ------------------------------------------------------------

REFRESH = """mutation($id: ID!) { refreshHealth(engagementId: $id) { userErrors { code } } }"""
LAUNCH = """mutation($source: ID!) { launchSuccessPlay(sourceId: $source, category: "Risk",
  subcategory: "Escalation", activity: "Executive call") {
  successPlay { id } userErrors { code } } }"""
ASSIGN = """mutation($id: ID!, $v: Int!, $u: ID) {
  assignSuccessRecord(id: $id, expectedVersion: $v, assignedTo: $u) {
    record { ... on Touchpoint { version } } userErrors { code } } }"""
VISIBILITY = """mutation($id: ID!, $v: Int!, $show: Boolean!) {
  setSuccessRecordVisibility(id: $id, expectedVersion: $v, visibleToCustomer: $show) {
    record { ... on Touchpoint { version } } userErrors { code } } }"""
TRANSITION = """mutation($id: ID!, $v: Int!, $a: SuccessAction!) {
  transitionSuccessRecord(id: $id, expectedVersion: $v, action: $a) {
    record { ... on Touchpoint { version state } } userErrors { code } } }"""
CREATE_CONTRACT = """mutation($input: CreateAgreementInput!) { createContract(input: $input) {
  contract { id } userErrors { code } } }"""
NEWEST = """query($id: ID!) { node(id: $id) { ... on Engagement {
  timeline(first: 1) { nodes { kind recordType record { __typename id } } } } } }"""


async def _newest(client: GraphQLClient, engagement: str) -> dict[str, Any]:
    data = await client.query(NEWEST, {"id": engagement}, as_=AGENT)
    nodes: list[dict[str, Any]] = data["node"]["timeline"]["nodes"]
    return nodes[0]


async def test_writes_journal_the_timeline_events_they_name(isolated: Isolated) -> None:
    client, engine, make = isolated.client, isolated.engine, isolated.make
    cast = await make.cast("agent", "admin")
    agent = cast.id(AGENT)
    # An engagement with a measured health indicator and an open touchpoint nobody holds.
    made = await make.engagement(cast.accounts["acme"])
    (indicator,) = await make.health_definition([("Weekly active users", 100, 100, "MAXIMIZE")])
    await make.health_actual(made, indicator, 80)
    await make.touchpoint(made, state="IN_PROGRESS")
    point = (
        await _rows(
            engine,
            "SELECT id, engagement_id, version, visible_to_customer FROM touchpoints",
        )
    )[0]
    engagement = global_id("Engagement", point.engagement_id)
    touchpoint = global_id("Touchpoint", point.id)
    assert await isolated.count("activities") == 0  # the timeline starts empty

    async def act(query: str, variables: dict[str, Any], as_: str = AGENT) -> None:
        data = await client.query(query, variables, as_=as_)
        assert next(iter(data.values()))["userErrors"] == []

    await act(REFRESH, {"id": engagement})
    assert await _newest(client, engagement) == {
        "kind": "HEALTH_REFRESHED",
        "recordType": "ENGAGEMENT",
        "record": {"__typename": "Engagement", "id": engagement},
    }
    await act(LAUNCH, {"source": engagement})
    launched = await _newest(client, engagement)
    assert (launched["kind"], launched["record"]["__typename"]) == ("PLAY_LAUNCHED", "SuccessPlay")

    held = {"__typename": "Touchpoint", "id": touchpoint}
    version = point.version
    for query, variables, kind in (
        (ASSIGN, {"u": global_id("User", agent)}, "ASSIGNMENT"),
        (VISIBILITY, {"show": not point.visible_to_customer}, "VISIBILITY_CHANGE"),
        (TRANSITION, {"a": "CLOSE"}, "TOUCHPOINT_HELD"),
    ):
        await act(query, {"id": touchpoint, "v": version, **variables})
        version += 1
        assert await _newest(client, engagement) == {
            "kind": kind,
            "recordType": "TOUCHPOINT",
            "record": held,
        }

    account = (
        await _rows(
            engine,
            "SELECT account_id FROM engagements WHERE id = :e",
            e=point.engagement_id,
        )
    )[0].account_id
    term = {"startDate": "2026-01-01", "endDate": "2027-12-31", "value": "100.00"}
    await act(
        CREATE_CONTRACT,
        {"input": {"accountId": global_id("Account", account), "name": "Timeline", **term}},
        ADMIN,
    )
    journaled = await _rows(
        engine,
        "SELECT a.kind, a.account_id FROM activities a JOIN contracts c ON c.id = a.record_id"
        " WHERE a.record_type = 'contract' AND c.name = 'Timeline'",
    )
    assert [(row.kind, row.account_id) for row in journaled] == [("CONTRACT_ADDED", account)]
    # The engagement's whole timeline is what these writes journalled, newest first (the
    # contract is the account's, not the engagement's).
    total, nodes = await _walk(client, engagement, AGENT)
    assert total == 5
    assert [(node["kind"], node["recordType"]) for node in nodes] == [
        ("TOUCHPOINT_HELD", "TOUCHPOINT"),
        ("VISIBILITY_CHANGE", "TOUCHPOINT"),
        ("ASSIGNMENT", "TOUCHPOINT"),
        ("PLAY_LAUNCHED", "SUCCESS_PLAY"),
        ("HEALTH_REFRESHED", "ENGAGEMENT"),
    ]
    assert await isolated.count("activities") == 6
