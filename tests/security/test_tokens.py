"""Correctly signed tokens that name no possible principal are UNAUTHENTICATED, never a server
error: the subject's id is checked against what the database can hold before any query."""

from __future__ import annotations

import time

import jwt
import pytest

from csm_graphql.auth import ALGORITHM, AUDIENCE
from csm_graphql.settings import Settings
from tests.support import GraphQLClient

BIGINT_MAX = 2**63 - 1


def _signed(settings: Settings, subject: str) -> str:
    """A token the server itself could have issued, but for ``subject``."""
    now = int(time.time())
    claims = {"sub": subject, "aud": AUDIENCE, "iat": now, "exp": now + 600}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


@pytest.mark.parametrize(
    "subject",
    [
        "user:99999999999999999999",
        f"user:{BIGINT_MAX + 1}",
        f"contact:{BIGINT_MAX + 1}",
        "contact:" + "9" * 400,
        # str.isdigit() accepts these, int() refuses or misreads them.
        "user:²",
        "user:١٢",
        "user:-1",
        "user:",
        "robot:1",
    ],
)
async def test_a_signed_token_naming_an_impossible_id_is_unauthenticated(
    client: GraphQLClient, settings: Settings, subject: str
) -> None:
    response = await client.post("{ viewer { id } }", token=_signed(settings, subject))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="csm-graphql"'
    assert response.json() == {
        "data": None,
        "errors": [
            {"message": "The token is not valid.", "extensions": {"code": "UNAUTHENTICATED"}}
        ],
    }
    assert response.headers["x-request-id"]


async def test_the_largest_possible_id_is_looked_up_and_not_found(
    client: GraphQLClient, settings: Settings
) -> None:
    """The bound is the database's, not a guess: the largest bigint is a well-formed subject,
    which the database answers (no such principal)."""
    response = await client.post("{ viewer { id } }", token=_signed(settings, f"user:{BIGINT_MAX}"))
    assert response.status_code == 401
    assert response.json()["errors"][0] == {
        "message": "The token does not name an active principal.",
        "extensions": {"code": "UNAUTHENTICATED"},
    }
