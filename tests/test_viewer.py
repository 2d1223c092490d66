"""The viewer query for internal and external principals."""

from __future__ import annotations

from tests.support import GraphQLClient

VIEWER = "{ viewer { id kind name email roles accounts { id name } } }"


async def test_internal_viewer(client: GraphQLClient) -> None:
    data = await client.query(VIEWER, as_="agent@csm.example")
    assert data["viewer"]["kind"] == "USER"
    assert data["viewer"]["email"] == "agent@csm.example"
    assert data["viewer"]["roles"] == ["customer_success_agent"]
    assert data["viewer"]["accounts"] == []


async def test_contact_viewer_has_own_and_related_accounts(client: GraphQLClient) -> None:
    data = await client.query(VIEWER, as_="multi@initech.example")
    viewer = data["viewer"]
    assert viewer["kind"] == "CONTACT"
    assert viewer["roles"] == ["customer_success_customer"]
    assert [account["name"] for account in viewer["accounts"]] == ["Initech", "Umbrella Health"]
