"""Records that hang off any other record: activities, attachments, articles, products, audit."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Sequence,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

from csm_graphql.domain.enums import ActivityKind, ArticleAudience, RecordType
from csm_graphql.tables.base import id_column, metadata, number_column, one_of, record_columns

product_number_seq = Sequence("product_number_seq", metadata=metadata)
knowledge_article_number_seq = Sequence("knowledge_article_number_seq", metadata=metadata)

products = Table(
    "products",
    metadata,
    id_column(),
    number_column(product_number_seq, "PRD"),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=True),
    *record_columns(),
)

# The activity stream is append-only: rows are inserted, never updated, and (at, id) orders them.
activities = Table(
    "activities",
    metadata,
    id_column(),
    Column("record_type", Text, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=True, index=True),
    Column("kind", Text, nullable=False),
    Column("actor_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("actor_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("body", Text, nullable=True),
    Column("changes", JSONB, nullable=True),
    one_of("record_type", RecordType),
    one_of("kind", ActivityKind),
    CheckConstraint("num_nonnulls(actor_user_id, actor_contact_id) <= 1", name="one_actor"),
    Index("ix_activities_record", "record_type", "record_id", "at", "id"),
)

attachments = Table(
    "attachments",
    metadata,
    id_column(),
    Column("record_type", Text, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=True, index=True),
    Column("file_name", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("uploaded_by_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("uploaded_by_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
    *record_columns(),
    one_of("record_type", RecordType),
    CheckConstraint("size_bytes >= 0", name="size_not_negative"),
    Index("ix_attachments_record", "record_type", "record_id", "created_at", "id"),
)

knowledge_articles = Table(
    "knowledge_articles",
    metadata,
    id_column(),
    number_column(knowledge_article_number_seq, "KB"),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("audience", Text, nullable=False, server_default="CUSTOMERS"),
    Column(
        "search_vector",
        TSVECTOR,
        Computed("to_tsvector('english', number || ' ' || title || ' ' || body)", persisted=True),
    ),
    *record_columns(),
    one_of("audience", ArticleAudience),
    Index("ix_knowledge_articles_search", "search_vector", postgresql_using="gin"),
)

# Articles an agent shared on a success case, shown in the portal's detail view.
success_case_articles = Table(
    "success_case_articles",
    metadata,
    Column(
        "success_case_id",
        BigInteger,
        ForeignKey("success_cases.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "article_id", BigInteger, ForeignKey("knowledge_articles.id"), primary_key=True, index=True
    ),
    Column("shared_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Written in the same transaction as every change (ACCESS.md: every write is audited).
audit_log = Table(
    "audit_log",
    metadata,
    id_column(),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor_user_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("actor_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
    Column("on_behalf_of_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
    Column("record_type", Text, nullable=False),
    Column("record_id", BigInteger, nullable=True),
    Column("action", Text, nullable=False),
    Column("changes", JSONB, nullable=True),
    Column("request_id", Text, nullable=True),
    Index("ix_audit_log_record", "record_type", "record_id", "at"),
)
