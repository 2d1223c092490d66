"""Tables shared by the service areas: support groups, contracts and the notification outbox.

Cases (support groups, contracts), the engagement workspace (contracts) and projects (the
outbox) all use these, so they live apart from any one area.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    Sequence,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from csm_graphql.tables.base import id_column, metadata, number_column, record_columns

support_groups = Table(
    "support_groups",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text, nullable=True),
    *record_columns(),
)

support_group_members = Table(
    "support_group_members",
    metadata,
    Column(
        "support_group_id",
        BigInteger,
        ForeignKey("support_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True, index=True),
)

contract_number_seq = Sequence("contract_number_seq", metadata=metadata)

contracts = Table(
    "contracts",
    metadata,
    id_column(),
    number_column(contract_number_seq, "CNTR"),
    Column("name", Text, nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    # A contract may belong to an engagement of the same account (the renewal view).
    Column("engagement_id", BigInteger, nullable=True, index=True),
    Column("value", Numeric(14, 2), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    *record_columns(),
    ForeignKeyConstraint(
        ["engagement_id", "account_id"],
        ["engagements.id", "engagements.account_id"],
        name="fk_contracts_engagement_account",
    ),
    CheckConstraint("end_date >= start_date", name="ends_after_start"),
)

# The notification outbox: a write that should notify someone inserts an event here in its
# own transaction; a separate sender delivers it and stamps ``delivered_at``. Recipients are
# resolved when the event is written, so the sender needs no access rules of its own.
notifications = Table(
    "notifications",
    metadata,
    id_column(),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("event", Text, nullable=False),
    Column("record_type", Text, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("recipient_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("recipient_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
    # What the message says: only what its recipient may read (built under its rules).
    Column("payload", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("request_id", Text, nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    CheckConstraint(
        "num_nonnulls(recipient_user_id, recipient_contact_id) = 1", name="one_recipient"
    ),
    Index("ix_notifications_record", "record_type", "record_id"),
    Index("ix_notifications_undelivered", "id", postgresql_where=text("delivered_at IS NULL")),
)
