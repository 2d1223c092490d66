"""Reading idempotency keys: what a retry finds under its key.

The writes (claiming a key, storing or releasing it) are in services/idempotency.py; both
sides share the scope, the one definition of a record that a new run may take, and the batch
of expired keys a claim sweeps away.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from csm_graphql import tables as t
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.repositories.database import Database

_keys = t.idempotency_keys

# What a read or write of the idempotency records raises when the database is unreachable or
# its pool exhausted (the GraphQL layer then answers without the record's guarantee).
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OSError, DBAPIError, PoolTimeout, TimeoutError)


@dataclass(frozen=True, slots=True)
class KeyScope:
    """A key as one principal sent it: the same key from two principals is two keys."""

    principal_kind: PrincipalKind
    principal_id: int
    key: str

    def matches(self) -> ColumnElement[bool]:
        return and_(
            _keys.c.principal_kind == self.principal_kind.value,
            _keys.c.principal_id == self.principal_id,
            _keys.c.key == self.key,
        )

    def values(self) -> dict[str, object]:
        return {
            "principal_kind": self.principal_kind.value,
            "principal_id": self.principal_id,
            "key": self.key,
        }


def claimable() -> ColumnElement[bool]:
    """A record a new run may take over as if it were absent: it has expired, or its claim
    lapsed with nothing written and nothing answered (the run died without releasing it)."""
    now = func.now()
    return or_(
        _keys.c.expires_at <= now,
        and_(
            _keys.c.locked_until <= now,
            _keys.c.wrote_at.is_(None),
            _keys.c.response_status.is_(None),
        ),
    )


def expired_batch(limit: int) -> Select[tuple[str, int, str]]:
    """The keys (principal kind, principal id, key) of up to ``limit`` expired records, oldest
    first, locked: the sweep's DELETE names them. Rows another sweep holds are skipped, not
    waited for."""
    return (
        select(_keys.c.principal_kind, _keys.c.principal_id, _keys.c.key)
        .where(_keys.c.expires_at <= func.now())
        .order_by(_keys.c.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    content_type: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class KeyRecord:
    fingerprint: bytes
    # Take it over (claim it again) rather than read it: see claimable().
    claimable: bool
    # The run's claim has run out: it is not running any more.
    lapsed: bool
    # The run's writes committed (set in the mutation's own transaction).
    wrote: bool
    response: StoredResponse | None


async def find_key(db: Database, scope: KeyScope) -> KeyRecord | None:
    row = await db.first(
        select(
            _keys.c.fingerprint,
            claimable().label("claimable"),
            (_keys.c.locked_until <= func.now()).label("lapsed"),
            _keys.c.wrote_at.is_not(None).label("wrote"),
            _keys.c.response_status,
            _keys.c.response_content_type,
            _keys.c.response_body,
        ).where(scope.matches())
    )
    if row is None:
        return None
    response = None
    if row["response_status"] is not None:
        response = StoredResponse(
            row["response_status"], row["response_content_type"], row["response_body"]
        )
    return KeyRecord(row["fingerprint"], row["claimable"], row["lapsed"], row["wrote"], response)
