"""The verified-token cache (auth.VerifiedTokens): a hit saves the signature check, never a
refusal: expiry, tampering and another key are still refused."""

from __future__ import annotations

import time

import jwt
import pytest

from csm_graphql import auth
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.auth import VerifiedTokens, issue_token
from csm_graphql.errors import Unauthenticated
from csm_graphql.settings import Settings

SETTINGS = Settings(secret_key="k" * 48)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_verified_token_is_read_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = VerifiedTokens()
    token = issue_token(SETTINGS, PrincipalKind.USER, 7)
    assert cache.read(SETTINGS, token) == (PrincipalKind.USER, 7)
    calls: list[str] = []
    monkeypatch.setattr(auth, "_verify", lambda settings, token: calls.append(token))
    assert cache.read(SETTINGS, token) == (PrincipalKind.USER, 7)
    assert calls == []  # the hit did not verify again


def test_a_cached_token_is_refused_once_it_expires() -> None:
    clock = Clock()
    cache = VerifiedTokens(clock=clock)
    token = issue_token(SETTINGS, PrincipalKind.CONTACT, 3, ttl=60)
    assert cache.read(SETTINGS, token) == (PrincipalKind.CONTACT, 3)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    clock.now = expires - 1
    assert cache.read(SETTINGS, token) == (PrincipalKind.CONTACT, 3)
    clock.now = expires  # PyJWT's rule: expired when exp <= now
    with pytest.raises(Unauthenticated, match="expired"):
        cache.read(SETTINGS, token)
    assert len(cache) == 0
    # And verified afresh, PyJWT refuses it too once the real clock passes exp.
    with pytest.raises(Unauthenticated, match="expired"):
        cache.read(SETTINGS, issue_token(SETTINGS, PrincipalKind.CONTACT, 3, ttl=-1))


def test_a_changed_token_is_not_reused() -> None:
    cache = VerifiedTokens()
    token = issue_token(SETTINGS, PrincipalKind.USER, 7)
    cache.read(SETTINGS, token)
    header, claims, signature = token.split(".")
    forged_claims = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(claims).replace(b"user:7", b"user:8")
    ).decode()
    for forged in (
        f"{header}.{forged_claims}.{signature}",
        f"{header}.{claims}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        token + "x",
    ):
        with pytest.raises(Unauthenticated, match="not valid"):
            cache.read(SETTINGS, forged)
    assert len(cache) == 1  # refusals are not remembered


def test_a_token_cached_under_one_key_is_refused_under_another() -> None:
    cache = VerifiedTokens()
    token = issue_token(SETTINGS, PrincipalKind.USER, 7)
    cache.read(SETTINGS, token)
    with pytest.raises(Unauthenticated, match="not valid"):
        cache.read(Settings(secret_key="o" * 48), token)


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    cache = VerifiedTokens(max_entries=2)
    first, second, third = (issue_token(SETTINGS, PrincipalKind.USER, n) for n in (1, 2, 3))
    cache.read(SETTINGS, first)
    cache.read(SETTINGS, second)
    cache.read(SETTINGS, first)  # now the most recent
    cache.read(SETTINGS, third)
    assert len(cache) == 2
    assert (SETTINGS.secret_key, second) not in cache._entries
    assert (SETTINGS.secret_key, first) in cache._entries
