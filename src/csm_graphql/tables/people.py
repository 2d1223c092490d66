"""Accounts, contacts and users: the principals and organisations of ACCESS.md."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Sequence,
    Table,
    Text,
    func,
    text,
)

from csm_graphql.domain.enums import AccountKind
from csm_graphql.tables.base import id_column, metadata, number_column, one_of, record_columns

account_number_seq = Sequence("account_number_seq", metadata=metadata)

accounts = Table(
    "accounts",
    metadata,
    id_column(),
    number_column(account_number_seq, "ACCT"),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("parent_id", BigInteger, ForeignKey("accounts.id"), nullable=True, index=True),
    *record_columns(),
    one_of("kind", AccountKind),
    CheckConstraint("parent_id IS DISTINCT FROM id", name="not_own_parent"),
)

# A partner account serves customer accounts (partner_admin sees their cases).
partner_relationships = Table(
    "partner_relationships",
    metadata,
    Column("partner_account_id", BigInteger, ForeignKey("accounts.id"), primary_key=True),
    Column(
        "customer_account_id", BigInteger, ForeignKey("accounts.id"), primary_key=True, index=True
    ),
)

contacts = Table(
    "contacts",
    metadata,
    id_column(),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    *record_columns(),
    Index("uq_contacts_email_lower", func.lower(text("email")), unique=True),
)

# A contact may act for additional accounts; together with its own they are "my accounts".
contact_relationships = Table(
    "contact_relationships",
    metadata,
    Column(
        "contact_id", BigInteger, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), primary_key=True, index=True),
)

users = Table(
    "users",
    metadata,
    id_column(),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    *record_columns(),
    Index("uq_users_email_lower", func.lower(text("email")), unique=True),
)
