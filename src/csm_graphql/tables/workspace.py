"""The engagement workspace: health, blueprint, internal work, risks, adoption, team,
discussions and templates.

Everything here is internal-only (ACCESS.md). Every record of an account carries
``account_id``, pinned to its engagement's account by a composite foreign key like
tables/success.py, so access predicates stay join-free.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    PrimaryKeyConstraint,
    Sequence,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.schema import SchemaItem

from csm_graphql.domain.blueprint import ClosureCode
from csm_graphql.domain.enums import ObjectiveState, PerceivedHealth, WorkState
from csm_graphql.domain.health import Direction
from csm_graphql.domain.workspace import PlaySource, RiskScope, RiskState, TeamRole, TemplateTarget
from csm_graphql.tables.base import id_column, metadata, number_column, one_of, record_columns

success_objective_number_seq = Sequence("success_objective_number_seq", metadata=metadata)
internal_play_number_seq = Sequence("internal_play_number_seq", metadata=metadata)
internal_play_task_number_seq = Sequence("internal_play_task_number_seq", metadata=metadata)
risk_signal_number_seq = Sequence("risk_signal_number_seq", metadata=metadata)
success_play_number_seq = Sequence("success_play_number_seq", metadata=metadata)
adoption_roadmap_number_seq = Sequence("adoption_roadmap_number_seq", metadata=metadata)


def _engagement_columns(name: str) -> list[SchemaItem]:
    """engagement_id and account_id, the latter pinned to the engagement's account."""
    return [
        Column("engagement_id", BigInteger, nullable=False),
        Column("account_id", BigInteger, nullable=False, index=True),
        ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name=f"fk_{name}_engagement_account",
        ),
    ]


# Closure code and notes travel together: required once Closed or Canceled, cleared on
# reopen (the services enforce the clearing; the database refuses the closing without them).
CLOSED_NEEDS_CLOSURE = (
    "state NOT IN ('CLOSED', 'CANCELED') "
    "OR (closure_code IS NOT NULL AND closure_notes IS NOT NULL)"
)


# -- health ---------------------------------------------------------------------------------------

# A definition is global (engagement_id NULL, at most one) or specific to one engagement, which
# then ignores the global one. The colour bands are the definition's: configurable per definition.
health_definitions = Table(
    "health_definitions",
    metadata,
    id_column(),
    Column("name", Text, nullable=False),
    Column("engagement_id", BigInteger, nullable=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=True, index=True),
    Column("green_from", Numeric(5, 2), nullable=False, server_default=text("70")),
    Column("yellow_from", Numeric(5, 2), nullable=False, server_default=text("40")),
    *record_columns(),
    ForeignKeyConstraint(
        ["engagement_id", "account_id"],
        ["engagements.id", "engagements.account_id"],
        name="fk_health_definitions_engagement_account",
    ),
    CheckConstraint("(engagement_id IS NULL) = (account_id IS NULL)", name="scoped_together"),
    CheckConstraint(
        "0 <= yellow_from AND yellow_from <= green_from AND green_from <= 100", "bands"
    ),
    # At most one global definition and one per engagement: 0 keys the global one.
    Column("scope_key", BigInteger, Computed("coalesce(engagement_id, 0)", persisted=True)),
    UniqueConstraint("scope_key"),
)

health_indicator_definitions = Table(
    "health_indicator_definitions",
    metadata,
    id_column(),
    Column(
        "definition_id",
        BigInteger,
        ForeignKey("health_definitions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("metric", Text, nullable=False),
    Column("target", Numeric(14, 4), nullable=False),
    Column("weight", SmallInteger, nullable=False),
    Column("direction", Text, nullable=False, server_default=Direction.MAXIMIZE.value),
    *record_columns(),
    one_of("direction", Direction),
    CheckConstraint("weight BETWEEN 1 AND 100", name="weight_valid"),
    CheckConstraint("target >= 0", name="target_not_negative"),
    UniqueConstraint("definition_id", "metric"),
)

# The engagement's measured value of each indicator of its definition.
health_indicators = Table(
    "health_indicators",
    metadata,
    id_column(),
    *_engagement_columns("health_indicators"),
    Column(
        "indicator_definition_id",
        BigInteger,
        ForeignKey("health_indicator_definitions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("actual", Numeric(14, 4), nullable=True),
    Column("measured_at", DateTime(timezone=True), nullable=True),
    *record_columns(),
    UniqueConstraint("engagement_id", "indicator_definition_id"),
)

# One health score per engagement and ISO week (keyed by the week's Monday).
health_snapshots = Table(
    "health_snapshots",
    metadata,
    id_column(),
    *_engagement_columns("health_snapshots"),
    Column("week_start", Date, nullable=False),
    Column("score", Float, nullable=False),
    Column("colour", Text, nullable=False),
    *record_columns(),
    one_of("colour", PerceivedHealth),
    CheckConstraint("extract(isodow FROM week_start) = 1", name="week_starts_monday"),
    CheckConstraint("score BETWEEN 0 AND 100", name="score_valid"),
    UniqueConstraint("engagement_id", "week_start"),
)

# -- blueprint and internal work ------------------------------------------------------------------

success_objectives = Table(
    "success_objectives",
    metadata,
    id_column(),
    number_column(success_objective_number_seq, "SOBJ"),
    *_engagement_columns("success_objectives"),
    Column("short_description", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("state", Text, nullable=False, server_default=ObjectiveState.NEW.value),
    Column("due_date", Date, nullable=True),
    Column("closure_code", Text, nullable=True),
    Column("closure_notes", Text, nullable=True),
    *record_columns(),
    one_of("state", ObjectiveState),
    one_of("closure_code", ClosureCode),
    CheckConstraint(CLOSED_NEEDS_CLOSURE, name="closure_required"),
    Index("ix_success_objectives_engagement_due", "engagement_id", "due_date", "id"),
    # Target of success_initiatives' objective key: an initiative's objective is its
    # engagement's.
    UniqueConstraint("id", "engagement_id", name="uq_success_objectives_id_engagement"),
)


def _work_record(name: str, sequence: Sequence, prefix: str, *extra: SchemaItem) -> Table:
    """Internal plays and their tasks: numbered, prioritised, assigned internal work."""
    return Table(
        name,
        metadata,
        id_column(),
        number_column(sequence, prefix),
        *_engagement_columns(name),
        Column("short_description", Text, nullable=False),
        Column("description", Text, nullable=True),
        Column("state", Text, nullable=False, server_default=WorkState.NEW.value),
        Column("priority", SmallInteger, nullable=False, server_default="3"),
        Column("due_date", Date, nullable=True),
        Column("assigned_to_id", BigInteger, ForeignKey("users.id"), nullable=True),
        Column("closure_code", Text, nullable=True),
        Column("closure_notes", Text, nullable=True),
        *record_columns(),
        *extra,
        one_of("state", WorkState),
        one_of("closure_code", ClosureCode),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_valid"),
        CheckConstraint(CLOSED_NEEDS_CLOSURE, name="closure_required"),
        Index(f"ix_{name}_engagement_due", "engagement_id", "due_date", "id"),
    )


# An internal play has no parent play (DOMAIN.md): the table has no column for one.
internal_plays = _work_record(
    "internal_plays",
    internal_play_number_seq,
    "IPLAY",
    UniqueConstraint("id", "engagement_id", name="uq_internal_plays_id_engagement"),
)

internal_play_tasks = _work_record(
    "internal_play_tasks",
    internal_play_task_number_seq,
    "IPTASK",
    Column("internal_play_id", BigInteger, nullable=False, index=True),
    ForeignKeyConstraint(
        ["internal_play_id", "engagement_id"],
        ["internal_plays.id", "internal_plays.engagement_id"],
        name="fk_internal_play_tasks_play_same_engagement",
        ondelete="CASCADE",
    ),
)

risk_signals = Table(
    "risk_signals",
    metadata,
    id_column(),
    number_column(risk_signal_number_seq, "RISK"),
    *_engagement_columns("risk_signals"),
    Column("short_description", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("probability", SmallInteger, nullable=False),
    Column("priority", SmallInteger, nullable=False, server_default="3"),
    Column("state", Text, nullable=False, server_default=RiskState.NEW.value),
    Column("scope", Text, nullable=False, server_default=RiskScope.ADOPTION.value),
    Column("due_date", Date, nullable=True),
    Column("assigned_to_id", BigInteger, ForeignKey("users.id"), nullable=True),
    *record_columns(),
    one_of("state", RiskState),
    one_of("scope", RiskScope),
    CheckConstraint("probability BETWEEN 1 AND 5", name="probability_valid"),
    CheckConstraint("priority BETWEEN 1 AND 5", name="priority_valid"),
    Index("ix_risk_signals_engagement_due", "engagement_id", "due_date", "id"),
)

# A playbook launched from an engagement or a record under it; ``source_id`` names the record
# of ``source_type`` (a polymorphic reference, like activities).
success_plays = Table(
    "success_plays",
    metadata,
    id_column(),
    number_column(success_play_number_seq, "SPLAY"),
    *_engagement_columns("success_plays"),
    Column("category", Text, nullable=False),
    Column("subcategory", Text, nullable=False),
    Column("activity", Text, nullable=False),
    Column("state", Text, nullable=False, server_default=WorkState.NEW.value),
    Column("source_type", Text, nullable=False),
    Column("source_id", BigInteger, nullable=False),
    *record_columns(),
    one_of("state", WorkState),
    one_of("source_type", PlaySource),
    Index("ix_success_plays_engagement", "engagement_id", "created_at", "id"),
    Index("ix_success_plays_source", "source_type", "source_id"),
)

# -- product adoption -----------------------------------------------------------------------------

sold_products = Table(
    "sold_products",
    metadata,
    id_column(),
    *_engagement_columns("sold_products"),
    Column("product_id", BigInteger, ForeignKey("products.id"), nullable=False),
    Column("usage_plan", SmallInteger, nullable=False, server_default="3"),
    Column("customer_priority", SmallInteger, nullable=False, server_default="3"),
    Column("business_criticality", SmallInteger, nullable=False, server_default="3"),
    # The latest weekly score, kept with the row so lists sort by it without a join.
    Column("adoption_score", Float, nullable=True),
    Column("usage_detail", Text, nullable=True),
    *record_columns(),
    CheckConstraint("usage_plan BETWEEN 1 AND 4", name="usage_plan_valid"),
    CheckConstraint("customer_priority BETWEEN 1 AND 5", name="customer_priority_valid"),
    CheckConstraint("business_criticality BETWEEN 1 AND 5", name="business_criticality_valid"),
    CheckConstraint("adoption_score BETWEEN 0 AND 100", name="adoption_score_valid"),
    UniqueConstraint("engagement_id", "product_id"),
)

adoption_scores = Table(
    "adoption_scores",
    metadata,
    Column(
        "sold_product_id",
        BigInteger,
        ForeignKey("sold_products.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("week_start", Date, nullable=False),
    *_engagement_columns("adoption_scores"),
    Column("score", Float, nullable=False),
    PrimaryKeyConstraint("sold_product_id", "week_start"),
    CheckConstraint("extract(isodow FROM week_start) = 1", name="week_starts_monday"),
    CheckConstraint("score BETWEEN 0 AND 100", name="score_valid"),
    Index("ix_adoption_scores_engagement_week", "engagement_id", "week_start"),
)

product_adoption_roadmaps = Table(
    "product_adoption_roadmaps",
    metadata,
    id_column(),
    number_column(adoption_roadmap_number_seq, "PAR"),
    *_engagement_columns("product_adoption_roadmaps"),
    Column("sold_product_id", BigInteger, ForeignKey("sold_products.id"), nullable=True),
    Column("name", Text, nullable=False),
    Column("milestone", Text, nullable=True),
    Column("planned_start", Date, nullable=False),
    Column("planned_end", Date, nullable=False),
    Column("target_score", Float, nullable=True),
    *record_columns(),
    CheckConstraint("planned_end >= planned_start", name="ends_after_start"),
    Index("ix_product_adoption_roadmaps_engagement", "engagement_id", "planned_start", "id"),
)

# -- team -----------------------------------------------------------------------------------------

engagement_contacts = Table(
    "engagement_contacts",
    metadata,
    *_engagement_columns("engagement_contacts"),
    Column("contact_id", BigInteger, ForeignKey("contacts.id"), nullable=False, index=True),
    Column("role", Text, nullable=True),
    PrimaryKeyConstraint("engagement_id", "contact_id"),
)

engagement_users = Table(
    "engagement_users",
    metadata,
    *_engagement_columns("engagement_users"),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False, index=True),
    Column("team", Text, nullable=False),
    Column("role", Text, nullable=True),
    PrimaryKeyConstraint("engagement_id", "team", "user_id"),
    one_of("team", TeamRole),
)

# -- discussions ----------------------------------------------------------------------------------

discussions = Table(
    "discussions",
    metadata,
    id_column(),
    *_engagement_columns("discussions"),
    # The record it is about: the engagement itself or a record under it.
    Column("record_type", Text, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("subject", Text, nullable=False),
    Column("started_by_id", BigInteger, ForeignKey("users.id"), nullable=False),
    *record_columns(),
    Index("ix_discussions_record", "record_type", "record_id", "created_at", "id"),
)

discussion_participants = Table(
    "discussion_participants",
    metadata,
    Column(
        "discussion_id",
        BigInteger,
        ForeignKey("discussions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", BigInteger, ForeignKey("users.id"), primary_key=True, index=True),
)

discussion_messages = Table(
    "discussion_messages",
    metadata,
    id_column(),
    Column(
        "discussion_id",
        BigInteger,
        ForeignKey("discussions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("author_id", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("body", Text, nullable=False),
    Index("ix_discussion_messages_discussion", "discussion_id", "at", "id"),
)

# -- templates ------------------------------------------------------------------------------------


def _template(name: str, *extra: SchemaItem) -> Table:
    return Table(
        name,
        metadata,
        id_column(),
        Column("name", Text, nullable=False, unique=True),
        Column("applies_to", Text, nullable=False),
        *extra,
        *record_columns(),
        one_of("applies_to", TemplateTarget),
        Index(f"ix_{name}_applies_to", "applies_to", "name", "id"),
    )


email_templates = _template(
    "email_templates",
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
)

form_templates = _template(
    "form_templates",
    Column("description", Text, nullable=True),
    Column("fields", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
)
