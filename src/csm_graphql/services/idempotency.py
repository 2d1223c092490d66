"""Writing idempotency keys: claim a key for one run, then store its answer or release it.

A key's life: the first request claims it (its own short transaction, so a concurrent
duplicate sees the claim at once); the mutation's transactions mark it written (so the mark
commits with the writes, or not at all); the run then stores its response, which retries
replay until the key expires. A run that wrote nothing and answered nothing releases the key,
so a retry runs afresh.

The claim is also a fence: the written mark is set only while this run still holds the claim,
so a run that outlived its claim (another run took the key over) cannot commit a second write.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, Delete, and_, delete, func, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from csm_graphql import tables as t
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.idempotency import (
    KeyScope,
    StoredResponse,
    claimable,
    expired_batch,
)

_keys = t.idempotency_keys
# Expired keys removed by each claim: enough to keep up with any rate of new keys, few enough
# that a backlog never makes one request slow.
SWEEP_BATCH = 100


class ClaimLost(RuntimeError):
    """This run no longer holds its key (its claim lapsed and another run took it over)."""


@dataclass(frozen=True, slots=True)
class Claim:
    scope: KeyScope
    token: uuid.UUID

    def matches(self) -> ColumnElement[bool]:
        return and_(self.scope.matches(), _keys.c.claim == self.token)


async def claim_key(
    db: Database, scope: KeyScope, fingerprint: bytes, *, ttl: timedelta, lease: timedelta
) -> Claim | None:
    """Claim the key for a new run, or None when a live record holds it already.

    One statement decides, so of concurrent duplicates exactly one wins: the insert, or the
    takeover of a record that counts as absent (expired, or a dead run's lapsed claim).
    """
    token = uuid.uuid4()
    now = func.now()
    fresh = {
        **scope.values(),
        "fingerprint": fingerprint,
        "claim": token,
        "locked_until": now + lease,
        "wrote_at": None,
        "response_status": None,
        "response_content_type": None,
        "response_body": None,
        "created_at": now,
        "expires_at": now + ttl,
    }
    proposed = insert(_keys).values(fresh)
    statement = proposed.on_conflict_do_update(
        index_elements=list(_keys.primary_key.columns),
        set_={name: proposed.excluded[name] for name in fresh if name not in scope.values()},
        where=claimable(),
    ).returning(_keys.c.claim)
    async with db.engine.begin() as connection:
        await connection.execute(_sweep())
        won = await connection.scalar(statement)
    return Claim(scope, token) if won is not None else None


def _sweep() -> Delete:
    """Delete a batch of expired keys; rows another sweep is deleting are skipped, not
    waited for."""
    expired = expired_batch(SWEEP_BATCH)
    return delete(_keys).where(
        tuple_(_keys.c.principal_kind, _keys.c.principal_id, _keys.c.key).in_(expired)
    )


async def store_response(db: Database, claim: Claim, response: StoredResponse) -> None:
    """Keep the run's answer for its retries."""
    async with db.engine.begin() as connection:
        await connection.execute(
            update(_keys)
            .where(claim.matches())
            .values(
                response_status=response.status,
                response_content_type=response.content_type,
                response_body=response.body,
            )
        )


async def release(db: Database, claim: Claim) -> bool:
    """Give the key back if the run wrote nothing; False when its writes committed (then
    the key must never run again)."""
    async with db.engine.begin() as connection:
        result = await connection.execute(
            delete(_keys).where(claim.matches(), _keys.c.wrote_at.is_(None))
        )
    return bool(result.rowcount)


async def abandon(db: Database, claim: Claim) -> None:
    """The run ended without an answer to keep: release the key, or, when its writes
    committed, end the claim now so that retries learn at once that the answer was lost."""
    if not await release(db, claim):
        async with db.engine.begin() as connection:
            await connection.execute(
                update(_keys).where(claim.matches()).values(locked_until=func.now())
            )


# The claim of the run in progress in this task; the unit of work marks it written.
_current: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)


@contextmanager
def holding(claim: Claim) -> Iterator[None]:
    """Run the block as the holder of ``claim``: its units of work mark it written."""
    reset = _current.set(claim)
    try:
        yield
    finally:
        _current.reset(reset)


async def mark_written(connection: AsyncConnection) -> None:
    """Inside a mutation's transaction, just before it commits: record that the run wrote.

    Fails (and so rolls the mutation back) when the run no longer holds its claim.
    """
    claim = _current.get()
    if claim is None:
        return
    result = await connection.execute(
        update(_keys).where(claim.matches()).values(wrote_at=func.now())
    )
    if result.rowcount != 1:
        raise ClaimLost(f"the claim on idempotency key {claim.scope.key!r} lapsed mid-run")
