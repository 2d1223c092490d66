"""Bearer tokens: signed JWTs naming one principal. Roles are never taken from the token."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable

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


class VerifiedTokens:
    """Tokens whose signature and claims were verified, by their exact text (and the key that
    verified them), with what they named and when they expire: a client sends the same token
    on every request, and verifying its signature again each time is a fixed CPU cost.

    Only a successful verification is remembered, and a hit is still refused once the token's
    ``exp`` has passed (the same rule as PyJWT's: expired when ``exp <= now``). Any change to
    the token's text is another key, so a tampered token is verified afresh. Bounded: the
    least recently used entry goes first. Roles and accounts are not cached here: they are
    read from the database on every request.
    """

    def __init__(self, max_entries: int = 4096, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[PrincipalKind, int, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def read(self, settings: Settings, token: str) -> tuple[PrincipalKind, int]:
        key = (settings.secret_key, token)
        entry = self._entries.get(key)
        if entry is not None:
            kind, principal_id, expires = entry
            if expires > self.clock():
                self._entries.move_to_end(key)
                return kind, principal_id
            del self._entries[key]
            raise Unauthenticated("The token has expired.")
        kind, principal_id, expires = _verify(settings, token)
        self._entries[key] = (kind, principal_id, expires)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return kind, principal_id


# One per process: the key includes the secret, so apps with different keys never share a hit.
verified_tokens = VerifiedTokens()


def read_token(settings: Settings, authorization: str | None) -> tuple[PrincipalKind, int]:
    """The principal a ``Bearer`` header names; any defect is UNAUTHENTICATED, with no detail
    that would help a forger."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("A bearer token is required.")
    return verified_tokens.read(settings, token)


def _verify(settings: Settings, token: str) -> tuple[PrincipalKind, int, int]:
    """Signature and claims checked by PyJWT: (kind, id, exp)."""
    try:
        claims = jwt.decode(
            token,
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
    return PrincipalKind(subject["kind"].upper()), principal_id, int(claims["exp"])
