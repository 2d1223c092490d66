"""Support groups' members (issue 12; ACCESS.md "Lookups and master data": schedules, support
groups and their members are internal only), per persona.

Expectations are computed with plain SQL over the seeded rows, not with the application's
predicates.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.compiled_path import pinned
from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient, StatementLog

INTERNAL = ["caseagent@csm.example", "agent@csm.example", "proxy@csm.example"]
EXTERNAL = [
    "customer@acme.example",
    "admin@acme.example",
    "manager@acme.example",
    "partneradmin@globex.example",
    "success@acme.example",
]

GROUPS = """
query Groups($first: Int!, $members: Int!) {
  supportGroups(first: $first) {
    nodes { id name members(first: $members) { totalCount nodes { id name email } } }
  }
}
"""
MEMBERS_PAGE = """
query Members($id: ID!, $after: String) {
  node(id: $id) {
    ... on SupportGroup {
      members(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id name }
      }
    }
  }
}
"""


async def _members(engine: AsyncEngine) -> dict[int, list[int]]:
    """Every group's members, by name then id."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT g.id, u.id FROM support_groups g "
                "LEFT JOIN support_group_members m ON m.support_group_id = g.id "
                "LEFT JOIN users u ON u.id = m.user_id ORDER BY g.id, u.name, u.id"
            )
        )
        grouped: dict[int, list[int]] = {}
        for group_id, user_id in rows:
            grouped.setdefault(group_id, [])
            if user_id is not None:
                grouped[group_id].append(user_id)
        return grouped


def _ids(nodes: list[dict[str, Any]]) -> list[int]:
    return [decode_global_id(node["id"])[1] for node in nodes]


@pytest.mark.parametrize("email", INTERNAL)
async def test_internal_viewers_see_every_groups_members_by_name(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    expected = await _members(engine)
    assert any(expected.values())
    data = await client.query(GROUPS, {"first": 100, "members": 100}, as_=email)
    groups = data["supportGroups"]["nodes"]
    assert {decode_global_id(group["id"])[1] for group in groups} == set(expected)
    for group in groups:
        members = expected[decode_global_id(group["id"])[1]]
        assert _ids(group["members"]["nodes"]) == members
        assert group["members"]["totalCount"] == len(members)
        assert all(node["email"] for node in group["members"]["nodes"])


async def test_members_page_by_keyset(client: GraphQLClient, engine: AsyncEngine) -> None:
    grouped = await _members(engine)
    group, members = max(grouped.items(), key=lambda item: len(item[1]))
    assert len(members) > 2
    seen: list[int] = []
    after = None
    while True:
        data = await client.query(
            MEMBERS_PAGE,
            {"id": global_id("SupportGroup", group), "after": after},
            as_="caseagent@csm.example",
        )
        page = data["node"]["members"]
        assert page["totalCount"] == len(members)
        seen += _ids(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == members


@pytest.mark.parametrize("email", EXTERNAL)
async def test_contacts_reach_no_group_and_no_member(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    """A contact's group list is empty, and a group by id is null exactly like a missing one."""
    data = await client.query(GROUPS, {"first": 100, "members": 100}, as_=email)
    assert data["supportGroups"]["nodes"] == []
    group = min(group for group, members in (await _members(engine)).items() if members)
    for group_id in (group, 987_654_321):
        data = await client.query(
            MEMBERS_PAGE, {"id": global_id("SupportGroup", group_id), "after": None}, as_=email
        )
        assert data == {"node": None}


async def test_members_of_a_page_of_groups_cost_one_statement(
    client: GraphQLClient, statement_log: StatementLog
) -> None:
    """Viewer, groups, then one statement for all the groups' members, whatever the sizes (the
    compiled reads: the viewer's, then one for everything)."""
    with statement_log.record() as small:
        few = await client.query(GROUPS, {"first": 1, "members": 1}, as_="caseagent@csm.example")
    with statement_log.record() as large:
        many = await client.query(
            GROUPS, {"first": 100, "members": 100}, as_="caseagent@csm.example"
        )
    assert len(few["supportGroups"]["nodes"]) == 1
    assert len(many["supportGroups"]["nodes"]) > 1
    assert sum(len(group["members"]["nodes"]) for group in many["supportGroups"]["nodes"]) > 1
    assert len(small) == len(large) == pinned(client, resolvers=3)
