"""Workspace records (ACCESS.md: internal plays, their tasks and risk signals never visible
externally, by any path) are read by the internal success roles alone: by id, in lists, in
totals and roll-ups. Everyone else gets null, empty or zero, exactly as for a missing record."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo import personas
from tests.expectations import Snapshot, global_id, reads_discussion, reads_workspace
from tests.support import GraphQLClient

# Every persona that can sign in; what each may read comes from tests/expectations.py.
EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]
READERS = ["agent@csm.example", "viewer@csm.example", "admin@csm.example"]
NODE_TABLES = {
    "SuccessObjective": "success_objectives",
    "InternalPlay": "internal_plays",
    "InternalPlayTask": "internal_play_tasks",
    "RiskSignal": "risk_signals",
    "SuccessPlay": "success_plays",
    "SoldProduct": "sold_products",
    "ProductAdoptionRoadmap": "product_adoption_roadmaps",
    "EmailTemplate": "email_templates",
    "FormTemplate": "form_templates",
    "Discussion": "discussions",
    "DiscussionMessage": "discussion_messages",
}
# (Contract is the cases area's type, readable by contacts of its account; the workspace reaches
# contracts only through the internal Engagement.contracts.)
# Records of the accounts the external personas see, so that "missing" is not just "elsewhere".
ACME = "(SELECT id FROM accounts WHERE name IN ('Acme Corp', 'Initech', 'Umbrella Health'))"


async def _ids(engine: AsyncEngine) -> list[str]:
    found = []
    async with engine.connect() as connection:
        for typename, table in NODE_TABLES.items():
            has_account = typename not in {"EmailTemplate", "FormTemplate"}
            where = f"WHERE account_id IN {ACME}" if has_account else ""
            rows = await connection.execute(text(f"SELECT id FROM {table} {where} ORDER BY id"))
            ids = [row.id for row in rows][:3]
            assert ids, typename
            found.extend(global_id(typename, i) for i in ids)
    return found


NODES = """
query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }
"""
LISTS = """
{
  emailTemplates(first: 50) { totalCount nodes { id } }
  formTemplates(first: 50) { totalCount nodes { id } }
  accounts(first: 100) { nodes { name engagementRollup { totalEngagements totalContractValue
    riskSignalsByProbability { count } squadWorkByState { count }
    activeEngagements { depth } } } }
}
"""


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> Snapshot:
    return await Snapshot.load(engine)


def test_the_model_names_the_success_roles_as_the_only_readers(snapshot: Snapshot) -> None:
    readers = [e for e in EVERY_PERSONA if reads_workspace(snapshot.principal(e))]
    assert sorted(readers) == sorted(READERS)


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_workspace_records_by_id(
    client: GraphQLClient, engine: AsyncEngine, snapshot: Snapshot, email: str
) -> None:
    ids = await _ids(engine)
    data = await client.query(NODES, {"ids": ids}, as_=email)
    if reads_workspace(snapshot.principal(email)):
        assert [node["id"] for node in data["nodes"]] == ids
    else:
        assert data["nodes"] == [None] * len(ids)
        for one in ids[:: len(ids) // 6]:
            single = await client.query(
                "query($id: ID!) { node(id: $id) { id } }", {"id": one}, as_=email
            )
            assert single == {"node": None}


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_templates_and_rollups(client: GraphQLClient, snapshot: Snapshot, email: str) -> None:
    data = await client.query(LISTS, as_=email)
    rollups = [a["engagementRollup"] for a in data["accounts"]["nodes"]]
    if reads_workspace(snapshot.principal(email)):
        assert data["emailTemplates"]["totalCount"] == 4
        assert data["formTemplates"]["totalCount"] == 3
        assert sum(r["totalEngagements"] for r in rollups) > 50
        assert any(r["riskSignalsByProbability"] for r in rollups)
        return
    assert data["emailTemplates"] == {"totalCount": 0, "nodes": []}
    assert data["formTemplates"] == {"totalCount": 0, "nodes": []}
    if snapshot.principal(email).internal:
        # Internal but not a success role: the field is served, every row rule says no.
        assert rollups
        for rollup in rollups:
            assert rollup == {
                "totalEngagements": 0,
                "totalContractValue": None,
                "riskSignalsByProbability": [],
                "squadWorkByState": [],
                "activeEngagements": [],
            }
    else:
        assert all(rollup is None for rollup in rollups)


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_discussions_are_read_by_participants_and_success_roles(
    client: GraphQLClient, engine: AsyncEngine, snapshot: Snapshot, email: str
) -> None:
    async with engine.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT d.id, count(DISTINCT m.id) AS messages, "
                "array_agg(DISTINCT p.user_id) AS participants FROM discussions d "
                "JOIN discussion_messages m ON m.discussion_id = d.id "
                "JOIN discussion_participants p ON p.discussion_id = d.id "
                "GROUP BY d.id ORDER BY d.id LIMIT 10"
            )
        )
        discussions = list(found)
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Discussion { subject
        messages { totalCount nodes { body author { name } } } } } }"""
    variables: dict[str, Any] = {"ids": [global_id("Discussion", d.id) for d in discussions]}
    data = await client.query(query, variables, as_=email)
    who = snapshot.principal(email)
    for discussion, node in zip(discussions, data["nodes"], strict=True):
        if reads_discussion(who, discussion.participants):
            assert node["messages"]["totalCount"] == discussion.messages
        else:
            assert node is None
