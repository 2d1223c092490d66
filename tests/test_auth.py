"""Who may authenticate: active principals with roles of one kind only (ACCESS.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.auth import issue_token
from csm_graphql.demo import personas
from csm_graphql.settings import Settings
from tests.support import GraphQLClient

UNAUTHENTICATED = {
    "data": None,
    "errors": [
        {
            "message": "The token does not name an active principal.",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ],
}


@pytest.mark.parametrize("persona", personas.INACTIVE_PERSONAS, ids=lambda p: p.email)
async def test_inactive_principals_are_refused(
    client: GraphQLClient, persona: personas.Persona
) -> None:
    response = await client.post("{ viewer { id } }", as_=persona.email)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


async def test_a_user_holding_an_external_role_is_refused(
    client: GraphQLClient, engine: AsyncEngine, settings: Settings
) -> None:
    async with engine.begin() as connection:
        user_id = await connection.scalar(
            insert(tables.users)
            .values(name="Mixed Roles", email="mixed@csm.example", roles=["admin", "customer"])
            .returning(tables.users.c.id)
        )
    try:
        token = issue_token(settings, PrincipalKind.USER, user_id)
        response = await client.post("{ viewer { id } }", token=token)
        assert response.status_code == 401
        assert response.json() == UNAUTHENTICATED
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(tables.users).where(tables.users.c.id == user_id))


async def test_a_contact_token_cannot_name_a_user(
    client: GraphQLClient, settings: Settings
) -> None:
    """The kind is part of the subject: a contact id presented as a user id is another person
    (or nobody), never the contact."""
    kind, contact_id = client.principals["success@acme.example"]
    assert kind is PrincipalKind.CONTACT
    response = await client.post(
        "{ viewer { kind email } }", token=issue_token(settings, PrincipalKind.USER, contact_id)
    )
    body = response.json()
    assert body.get("data") is None or body["data"]["viewer"]["email"] != "success@acme.example"


async def test_roles_come_from_the_database_not_the_token(
    client: GraphQLClient, settings: Settings
) -> None:
    import jwt

    claims = jwt.decode(client.token("customer@acme.example"), options={"verify_signature": False})
    claims["roles"] = ["admin"]
    token = jwt.encode(claims, settings.secret_key, algorithm="HS256")
    data = (
        await client.post("{ viewer { roles } successCases { totalCount } }", token=token)
    ).json()
    assert data["data"] == {"viewer": {"roles": ["customer"]}, "successCases": {"totalCount": 0}}
