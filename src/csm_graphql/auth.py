"""Bearer tokens: signed JWTs naming one principal. Roles are never taken from the token."""

from __future__ import annotations

import re
import time

import jwt

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.errors import Unauthenticated
from csm_graphql.settings import Settings

ALGORITHM = "HS256"
AUDIENCE = "csm-graphql"
# Principal ids are PostgreSQL bigints. A subject outside that range names no one, and must be
# refused here: the database would refuse the query, which would look like an outage.
MAX_PRINCIPAL_ID = 2**63 - 1
# ASCII digits only: str.isdigit() also accepts "²" (which int() refuses) and other scripts'
# digits (which int() reads), and issue_token never writes either.
_SUBJECT = re.compile(r"(?P<kind>[a-z]+):(?P<id>[1-9][0-9]{0,18})")


def issue_token(
    settings: Settings, kind: PrincipalKind, principal_id: int, *, ttl: int | None = None
) -> str:
    now = int(time.time())
    claims = {
        "sub": f"{kind.value.lower()}:{principal_id}",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + (settings.token_ttl_seconds if ttl is None else ttl),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def read_token(settings: Settings, authorization: str | None) -> tuple[PrincipalKind, int]:
    """The principal a ``Bearer`` header names; any defect is UNAUTHENTICATED, with no detail
    that would help a forger."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("A bearer token is required.")
    try:
        claims = jwt.decode(
            token.strip(),
            settings.secret_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "exp", "aud"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("The token has expired.") from error
    except jwt.PyJWTError as error:
        raise Unauthenticated("The token is not valid.") from error
    subject = _SUBJECT.fullmatch(str(claims["sub"]))
    if subject is None or subject["kind"].upper() not in PrincipalKind.__members__:
        raise Unauthenticated("The token is not valid.")
    principal_id = int(subject["id"])
    if principal_id > MAX_PRINCIPAL_ID:
        raise Unauthenticated("The token is not valid.")
    return PrincipalKind(subject["kind"].upper()), principal_id
