"""Idempotency keys: the first answer to a mutation sent with an ``Idempotency-Key`` header.

One row per (principal, key). While the first request runs, the row is its claim: ``claim``
names the run and ``locked_until`` bounds it (a run that crashed leaves a claim that lapses).
The mutation's own transaction sets ``wrote_at``, so the row knows whether the run's writes
committed even when the run died before it could store its response. Once stored, the response
(status, content type, body bytes) is replayed to every retry until the key expires.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    LargeBinary,
    SmallInteger,
    Table,
    Text,
    Uuid,
    func,
)

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.tables.base import metadata, one_of

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # The scope: a key means something only to the principal that sent it.
    Column("principal_kind", Text, primary_key=True),
    Column("principal_id", BigInteger, primary_key=True),
    Column("key", Text, primary_key=True),
    # SHA-256 of the request (document, operation name, variables): a retry must match it.
    Column("fingerprint", LargeBinary, nullable=False),
    # The run that holds the key now; a retry that takes over a lapsed claim gets a new one.
    Column("claim", Uuid, nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=False),
    Column("wrote_at", DateTime(timezone=True), nullable=True),
    Column("response_status", SmallInteger, nullable=True),
    Column("response_content_type", Text, nullable=True),
    Column("response_body", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Indexed for the sweep of expired keys.
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    one_of("principal_kind", PrincipalKind),
    CheckConstraint(
        "(response_status IS NULL) = (response_body IS NULL)", name="response_complete"
    ),
)
