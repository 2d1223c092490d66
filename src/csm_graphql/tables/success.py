"""The customer-success graph: engagements and the records under them.

Every record carries ``account_id`` (its engagement's account, enforced by a composite foreign
key) so that access predicates stay join-free and the schema can be distributed by account.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    Sequence,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.schema import SchemaItem

from csm_graphql.domain.enums import (
    EngagementStage,
    EngagementState,
    PerceivedHealth,
    Progress,
    TouchpointType,
    WorkState,
)
from csm_graphql.tables.base import id_column, metadata, number_column, one_of, record_columns

engagement_number_seq = Sequence("engagement_number_seq", metadata=metadata)
success_initiative_number_seq = Sequence("success_initiative_number_seq", metadata=metadata)
success_case_number_seq = Sequence("success_case_number_seq", metadata=metadata)
success_task_number_seq = Sequence("success_task_number_seq", metadata=metadata)
touchpoint_number_seq = Sequence("touchpoint_number_seq", metadata=metadata)

engagements = Table(
    "engagements",
    metadata,
    id_column(),
    number_column(engagement_number_seq, "ENG"),
    Column("name", Text, nullable=False),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("state", Text, nullable=False, server_default="NEW"),
    Column("stage", Text, nullable=False, server_default="INITIAL_ONBOARDING"),
    Column("contract_value", Numeric(14, 2), nullable=True),
    Column("go_live_date", Date, nullable=True),
    Column("renewal_date", Date, nullable=True),
    Column("parent_id", BigInteger, ForeignKey("engagements.id"), nullable=True, index=True),
    Column("perceived_health", Text, nullable=False, server_default="UNKNOWN"),
    *record_columns(),
    one_of("state", EngagementState),
    one_of("stage", EngagementStage),
    one_of("perceived_health", PerceivedHealth),
    CheckConstraint("parent_id IS DISTINCT FROM id", name="not_own_parent"),
    # Target of the composite keys below: a child's account is its engagement's account.
    UniqueConstraint("id", "account_id", name="uq_engagements_id_account"),
)

SEARCH_DOCUMENT = (
    "to_tsvector('english', number || ' ' || short_description || ' ' || coalesce(description, ''))"
)


def _success_record(name: str, sequence: Sequence, prefix: str, *extra: SchemaItem) -> Table:
    """The columns and rules shared by initiatives, success cases, tasks and touchpoints."""
    return Table(
        name,
        metadata,
        id_column(),
        number_column(sequence, prefix),
        Column("engagement_id", BigInteger, nullable=False),
        Column("account_id", BigInteger, nullable=False),
        Column("short_description", Text, nullable=False),
        Column("description", Text, nullable=True),
        Column("state", Text, nullable=False, server_default="NEW"),
        Column("priority", SmallInteger, nullable=False, server_default="3"),
        Column("due_date", Date, nullable=True),
        Column("assigned_to_id", BigInteger, ForeignKey("users.id"), nullable=True),
        Column("visible_to_customer", Boolean, nullable=False, server_default="false"),
        # The `contact` half of the contact filter; the list half is a side table.
        Column("contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
        Column("search_vector", TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True)),
        *record_columns(),
        *extra,
        ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name=f"fk_{name}_engagement_account",
        ),
        one_of("state", WorkState),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_valid"),
        Index(f"ix_{name}_engagement_due", "engagement_id", "due_date", "id"),
        Index(f"ix_{name}_account_due", "account_id", "due_date", "id"),
        Index(f"ix_{name}_due", "due_date", "id"),
        Index(f"ix_{name}_updated", "updated_at", "id"),
        Index(f"ix_{name}_assigned", "assigned_to_id", "due_date", "id"),
        Index(f"ix_{name}_contact", "contact_id"),
        Index(f"ix_{name}_search", "search_vector", postgresql_using="gin"),
    )


def _same_engagement(table: str, column: str, parent: str) -> ForeignKeyConstraint:
    """A parent reference that also pins the child to its parent's engagement (and account)."""
    return ForeignKeyConstraint(
        [column, "engagement_id"],
        [f"{parent}.id", f"{parent}.engagement_id"],
        name=f"fk_{table}_{column}_same_engagement",
    )


def _contact_filter(name: str, record_table: str) -> Table:
    """The explicit contact list of a record's contact filter."""
    return Table(
        name,
        metadata,
        Column(
            "record_id",
            BigInteger,
            ForeignKey(f"{record_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column(
            "contact_id",
            BigInteger,
            ForeignKey("contacts.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
    )


success_initiatives = _success_record(
    "success_initiatives",
    success_initiative_number_seq,
    "SINIT",
    Column("progress", Text, nullable=False, server_default="NOT_STARTED"),
    # The objective it serves (DOMAIN.md), optional; always one of its own engagement's.
    Column("objective_id", BigInteger, nullable=True, index=True),
    one_of("progress", Progress),
    _same_engagement("success_initiatives", "objective_id", "success_objectives"),
    UniqueConstraint("id", "engagement_id", name="uq_success_initiatives_id_engagement"),
)

success_cases = _success_record(
    "success_cases",
    success_case_number_seq,
    "SCASE",
    Column("initiative_id", BigInteger, nullable=True, index=True),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=True),
    _same_engagement("success_cases", "initiative_id", "success_initiatives"),
    UniqueConstraint("id", "engagement_id", name="uq_success_cases_id_engagement"),
)

success_tasks = _success_record(
    "success_tasks",
    success_task_number_seq,
    "STASK",
    Column("progress", Text, nullable=False, server_default="NOT_STARTED"),
    # A task's description is internal (ACCESS.md), so contacts search this document instead:
    # a hit, or its rank, must never come from text the viewer may not read.
    Column(
        "customer_search_vector",
        TSVECTOR,
        Computed("to_tsvector('english', number || ' ' || short_description)", persisted=True),
    ),
    Index("ix_success_tasks_customer_search", "customer_search_vector", postgresql_using="gin"),
    Column("initiative_id", BigInteger, nullable=True, index=True),
    Column("success_case_id", BigInteger, nullable=True, index=True),
    one_of("progress", Progress),
    _same_engagement("success_tasks", "initiative_id", "success_initiatives"),
    _same_engagement("success_tasks", "success_case_id", "success_cases"),
    # A task is planned (under an initiative) or unplanned (under a success case), never both.
    CheckConstraint("(initiative_id IS NULL) <> (success_case_id IS NULL)", name="one_parent"),
)

touchpoints = _success_record(
    "touchpoints",
    touchpoint_number_seq,
    "TPNT",
    Column("type", Text, nullable=False, server_default="MEETING"),
    Column("scheduled_at", DateTime(timezone=True), nullable=True),
    one_of("type", TouchpointType),
)

success_initiative_contacts = _contact_filter("success_initiative_contacts", "success_initiatives")
success_case_contacts = _contact_filter("success_case_contacts", "success_cases")
success_task_contacts = _contact_filter("success_task_contacts", "success_tasks")
touchpoint_contacts = _contact_filter("touchpoint_contacts", "touchpoints")
