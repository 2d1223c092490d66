"""Development only: the demo personas, and a token for any of them, for the explorer's picker.

These endpoints hand out tokens without a password, so ``routes`` is called only when
``settings.development`` holds; in production (and in "test") the paths do not exist. They
serve the demo personas only, and only those the database holds, so pointing a development
server at other data mints no token for a real person.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from csm_graphql.auth import issue_token
from csm_graphql.demo.personas import ACCOUNTS, PERSONAS, Persona
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.principals import find_principal
from csm_graphql.settings import Settings

PERSONAS_PATH = "/dev/personas"
TOKEN_PATH = "/dev/token"

_ACCOUNT_NAMES = {account.key: account.name for account in ACCOUNTS}


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def _describe(persona: Persona) -> dict[str, Any]:
    return {
        "email": persona.email,
        "name": persona.name,
        "kind": persona.kind,
        "roles": list(persona.roles),
        "account": _ACCOUNT_NAMES[persona.account] if persona.account else None,
    }


def routes(settings: Settings, db: Database) -> list[Route]:
    async def seeded() -> list[Persona]:
        return [p for p in PERSONAS if await find_principal(db, p.email) is not None]

    async def list_personas(_: Request) -> Response:
        """The demo personas present in the database, in the README's order."""
        return _json([_describe(persona) for persona in await seeded()])

    async def token(request: Request) -> Response:
        """``{"email": ...}`` -> ``{"token": ..., "expiresIn": seconds}`` for a demo persona."""
        try:
            email = orjson.loads(await request.body())["email"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _json({"error": 'expected a JSON body {"email": "..."}'}, 400)
        if not isinstance(email, str) or email.lower() not in {p.email for p in PERSONAS}:
            return _json({"error": "not a demo persona"}, 404)
        principal = await find_principal(db, email)
        if principal is None:
            return _json({"error": "not in this database: run `csm-graphql seed`"}, 404)
        expires_in = settings.token_ttl_seconds
        return _json({"token": issue_token(settings, *principal), "expiresIn": expires_in})

    return [
        Route(PERSONAS_PATH, list_personas, methods=["GET"]),
        Route(TOKEN_PATH, token, methods=["POST"]),
    ]
