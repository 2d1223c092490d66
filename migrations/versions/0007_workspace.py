"""workspace: health, blueprint, internal work, risks, adoption, team, discussions, templates

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 06:26:34.761113
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from csm_graphql.migrations._frozen import (
    add_activity_kinds,
    add_record_types,
    remove_activity_kinds,
    remove_record_types,
)

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The workspace's records get activities (state changes, discussions); DISCUSSION entries are
# read by a discussion's participants and the internal success roles alone.
RECORD_TYPES = (
    "success_objective",
    "internal_play",
    "internal_play_task",
    "risk_signal",
    "success_play",
)


def upgrade() -> None:
    add_record_types(*RECORD_TYPES)
    add_activity_kinds("DISCUSSION")
    op.execute(sa.schema.CreateSequence(sa.Sequence("success_objective_number_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("internal_play_number_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("internal_play_task_number_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("risk_signal_number_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("success_play_number_seq")))
    op.execute(sa.schema.CreateSequence(sa.Sequence("adoption_roadmap_number_seq")))
    op.create_table(
        "email_templates",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("applies_to", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "applies_to IN ('ENGAGEMENT', 'SUCCESS_CASE', 'RISK_SIGNAL')",
            name=op.f("ck_email_templates_applies_to_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_email_templates_name")),
    )
    op.create_index(
        "ix_email_templates_applies_to",
        "email_templates",
        ["applies_to", "name", "id"],
        unique=False,
    )
    op.create_table(
        "form_templates",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("applies_to", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "fields",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "applies_to IN ('ENGAGEMENT', 'SUCCESS_CASE', 'RISK_SIGNAL')",
            name=op.f("ck_form_templates_applies_to_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_form_templates_name")),
    )
    op.create_index(
        "ix_form_templates_applies_to", "form_templates", ["applies_to", "name", "id"], unique=False
    )
    op.create_table(
        "discussions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("record_type", sa.Text(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("started_by_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_discussions_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_discussions_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussions")),
    )
    op.create_index(op.f("ix_discussions_account_id"), "discussions", ["account_id"], unique=False)
    op.create_index(
        "ix_discussions_record",
        "discussions",
        ["record_type", "record_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "engagement_contacts",
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_engagement_contacts_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_engagement_contacts_engagement_account",
        ),
        sa.PrimaryKeyConstraint("engagement_id", "contact_id", name=op.f("pk_engagement_contacts")),
    )
    op.create_index(
        op.f("ix_engagement_contacts_account_id"),
        "engagement_contacts",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_engagement_contacts_contact_id"),
        "engagement_contacts",
        ["contact_id"],
        unique=False,
    )
    op.create_table(
        "engagement_users",
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "team IN ('SQUAD', 'ACCOUNT_TEAM')", name=op.f("ck_engagement_users_team_valid")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_engagement_users_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_engagement_users_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "engagement_id", "team", "user_id", name=op.f("pk_engagement_users")
        ),
    )
    op.create_index(
        op.f("ix_engagement_users_account_id"), "engagement_users", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_engagement_users_user_id"), "engagement_users", ["user_id"], unique=False
    )
    op.create_table(
        "health_definitions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("engagement_id", sa.BigInteger(), nullable=True),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "green_from",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("70"),
            nullable=False,
        ),
        sa.Column(
            "yellow_from",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("40"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "scope_key",
            sa.BigInteger(),
            sa.Computed("coalesce(engagement_id, 0)", persisted=True),
            nullable=True,
        ),
        sa.CheckConstraint(
            "(engagement_id IS NULL) = (account_id IS NULL)",
            name=op.f("ck_health_definitions_scoped_together"),
        ),
        sa.CheckConstraint(
            "0 <= yellow_from AND yellow_from <= green_from AND green_from <= 100",
            name=op.f("ck_health_definitions_bands"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_health_definitions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_health_definitions_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_definitions")),
        sa.UniqueConstraint("scope_key", name=op.f("uq_health_definitions_scope_key")),
    )
    op.create_index(
        op.f("ix_health_definitions_account_id"), "health_definitions", ["account_id"], unique=False
    )
    op.create_table(
        "health_snapshots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("colour", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "colour IN ('UNKNOWN', 'RED', 'YELLOW', 'GREEN')",
            name=op.f("ck_health_snapshots_colour_valid"),
        ),
        sa.CheckConstraint(
            "extract(isodow FROM week_start) = 1",
            name=op.f("ck_health_snapshots_week_starts_monday"),
        ),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_health_snapshots_score_valid")),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_health_snapshots_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_snapshots")),
        sa.UniqueConstraint(
            "engagement_id", "week_start", name=op.f("uq_health_snapshots_engagement_id_week_start")
        ),
    )
    op.create_index(
        op.f("ix_health_snapshots_account_id"), "health_snapshots", ["account_id"], unique=False
    )
    op.create_table(
        "internal_plays",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'IPLAY' || lpad(nextval('internal_play_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), server_default="NEW", nullable=False),
        sa.Column("priority", sa.SmallInteger(), server_default="3", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("assigned_to_id", sa.BigInteger(), nullable=True),
        sa.Column("closure_code", sa.Text(), nullable=True),
        sa.Column("closure_notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "closure_code IN ('ACHIEVED', 'PARTIALLY_ACHIEVED', 'MISSED', 'CANCELED')",
            name=op.f("ck_internal_plays_closure_code_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED', 'CLOSED', 'CANCELED')",
            name=op.f("ck_internal_plays_state_valid"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('CLOSED', 'CANCELED') OR (closure_code IS NOT NULL AND closure_notes IS NOT NULL)",
            name=op.f("ck_internal_plays_closure_required"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 5", name=op.f("ck_internal_plays_priority_valid")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"], name=op.f("fk_internal_plays_assigned_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_internal_plays_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_plays")),
        sa.UniqueConstraint("id", "engagement_id", name="uq_internal_plays_id_engagement"),
        sa.UniqueConstraint("number", name=op.f("uq_internal_plays_number")),
    )
    op.create_index(
        op.f("ix_internal_plays_account_id"), "internal_plays", ["account_id"], unique=False
    )
    op.create_index(
        "ix_internal_plays_engagement_due",
        "internal_plays",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_table(
        "risk_signals",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'RISK' || lpad(nextval('risk_signal_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("probability", sa.SmallInteger(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), server_default="3", nullable=False),
        sa.Column("state", sa.Text(), server_default="NEW", nullable=False),
        sa.Column("scope", sa.Text(), server_default="ADOPTION", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("assigned_to_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "scope IN ('ONBOARDING', 'ADOPTION', 'EXPANSION', 'RENEWAL')",
            name=op.f("ck_risk_signals_scope_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'ACTIVE', 'CANCELED', 'CLOSED')",
            name=op.f("ck_risk_signals_state_valid"),
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name=op.f("ck_risk_signals_priority_valid")),
        sa.CheckConstraint(
            "probability BETWEEN 1 AND 5", name=op.f("ck_risk_signals_probability_valid")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"], name=op.f("fk_risk_signals_assigned_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_risk_signals_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_signals")),
        sa.UniqueConstraint("number", name=op.f("uq_risk_signals_number")),
    )
    op.create_index(
        op.f("ix_risk_signals_account_id"), "risk_signals", ["account_id"], unique=False
    )
    op.create_index(
        "ix_risk_signals_engagement_due",
        "risk_signals",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_table(
        "sold_products",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("usage_plan", sa.SmallInteger(), server_default="3", nullable=False),
        sa.Column("customer_priority", sa.SmallInteger(), server_default="3", nullable=False),
        sa.Column("business_criticality", sa.SmallInteger(), server_default="3", nullable=False),
        sa.Column("adoption_score", sa.Float(), nullable=True),
        sa.Column("usage_detail", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "adoption_score BETWEEN 0 AND 100", name=op.f("ck_sold_products_adoption_score_valid")
        ),
        sa.CheckConstraint(
            "business_criticality BETWEEN 1 AND 5",
            name=op.f("ck_sold_products_business_criticality_valid"),
        ),
        sa.CheckConstraint(
            "customer_priority BETWEEN 1 AND 5",
            name=op.f("ck_sold_products_customer_priority_valid"),
        ),
        sa.CheckConstraint(
            "usage_plan BETWEEN 1 AND 4", name=op.f("ck_sold_products_usage_plan_valid")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_sold_products_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_sold_products_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sold_products")),
        sa.UniqueConstraint(
            "engagement_id", "product_id", name=op.f("uq_sold_products_engagement_id_product_id")
        ),
    )
    op.create_index(
        op.f("ix_sold_products_account_id"), "sold_products", ["account_id"], unique=False
    )
    op.create_table(
        "success_objectives",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'SOBJ' || lpad(nextval('success_objective_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), server_default="NEW", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("closure_code", sa.Text(), nullable=True),
        sa.Column("closure_notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "closure_code IN ('ACHIEVED', 'PARTIALLY_ACHIEVED', 'MISSED', 'CANCELED')",
            name=op.f("ck_success_objectives_closure_code_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'DEFINE', 'IN_PROGRESS', 'CANCELED', 'CLOSED')",
            name=op.f("ck_success_objectives_state_valid"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('CLOSED', 'CANCELED') OR (closure_code IS NOT NULL AND closure_notes IS NOT NULL)",
            name=op.f("ck_success_objectives_closure_required"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_success_objectives_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_objectives")),
        sa.UniqueConstraint("number", name=op.f("uq_success_objectives_number")),
    )
    op.create_index(
        op.f("ix_success_objectives_account_id"), "success_objectives", ["account_id"], unique=False
    )
    op.create_index(
        "ix_success_objectives_engagement_due",
        "success_objectives",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_table(
        "success_plays",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'SPLAY' || lpad(nextval('success_play_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("subcategory", sa.Text(), nullable=False),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), server_default="NEW", nullable=False),
        sa.Column("source_type", sa.Text(), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "source_type IN ('ENGAGEMENT', 'OBJECTIVE', 'INITIATIVE', 'TOUCHPOINT', 'INTERNAL_PLAY', 'RISK_SIGNAL')",
            name=op.f("ck_success_plays_source_type_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED', 'CLOSED', 'CANCELED')",
            name=op.f("ck_success_plays_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_success_plays_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_plays")),
        sa.UniqueConstraint("number", name=op.f("uq_success_plays_number")),
    )
    op.create_index(
        op.f("ix_success_plays_account_id"), "success_plays", ["account_id"], unique=False
    )
    op.create_index(
        "ix_success_plays_engagement",
        "success_plays",
        ["engagement_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_success_plays_source", "success_plays", ["source_type", "source_id"], unique=False
    )
    op.create_table(
        "adoption_scores",
        sa.Column("sold_product_id", sa.BigInteger(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "extract(isodow FROM week_start) = 1",
            name=op.f("ck_adoption_scores_week_starts_monday"),
        ),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_adoption_scores_score_valid")),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_adoption_scores_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["sold_product_id"],
            ["sold_products.id"],
            name=op.f("fk_adoption_scores_sold_product_id_sold_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sold_product_id", "week_start", name=op.f("pk_adoption_scores")),
    )
    op.create_index(
        op.f("ix_adoption_scores_account_id"), "adoption_scores", ["account_id"], unique=False
    )
    op.create_index(
        "ix_adoption_scores_engagement_week",
        "adoption_scores",
        ["engagement_id", "week_start"],
        unique=False,
    )
    op.create_table(
        "discussion_messages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("discussion_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_discussion_messages_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_discussion_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["discussion_id"],
            ["discussions.id"],
            name=op.f("fk_discussion_messages_discussion_id_discussions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_messages")),
    )
    op.create_index(
        op.f("ix_discussion_messages_account_id"),
        "discussion_messages",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        "ix_discussion_messages_discussion",
        "discussion_messages",
        ["discussion_id", "at", "id"],
        unique=False,
    )
    op.create_table(
        "discussion_participants",
        sa.Column("discussion_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["discussion_id"],
            ["discussions.id"],
            name=op.f("fk_discussion_participants_discussion_id_discussions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_discussion_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "discussion_id", "user_id", name=op.f("pk_discussion_participants")
        ),
    )
    op.create_index(
        op.f("ix_discussion_participants_user_id"),
        "discussion_participants",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "health_indicator_definitions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("definition_id", sa.BigInteger(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("target", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False),
        sa.Column("direction", sa.Text(), server_default="MAXIMIZE", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "direction IN ('MAXIMIZE', 'MINIMIZE')",
            name=op.f("ck_health_indicator_definitions_direction_valid"),
        ),
        sa.CheckConstraint(
            "target >= 0", name=op.f("ck_health_indicator_definitions_target_not_negative")
        ),
        sa.CheckConstraint(
            "weight BETWEEN 1 AND 100", name=op.f("ck_health_indicator_definitions_weight_valid")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["health_definitions.id"],
            name=op.f("fk_health_indicator_definitions_definition_id_health_definitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_indicator_definitions")),
        sa.UniqueConstraint(
            "definition_id",
            "metric",
            name=op.f("uq_health_indicator_definitions_definition_id_metric"),
        ),
    )
    op.create_index(
        op.f("ix_health_indicator_definitions_definition_id"),
        "health_indicator_definitions",
        ["definition_id"],
        unique=False,
    )
    op.create_table(
        "internal_play_tasks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'IPTASK' || lpad(nextval('internal_play_task_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), server_default="NEW", nullable=False),
        sa.Column("priority", sa.SmallInteger(), server_default="3", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("assigned_to_id", sa.BigInteger(), nullable=True),
        sa.Column("closure_code", sa.Text(), nullable=True),
        sa.Column("closure_notes", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("internal_play_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "closure_code IN ('ACHIEVED', 'PARTIALLY_ACHIEVED', 'MISSED', 'CANCELED')",
            name=op.f("ck_internal_play_tasks_closure_code_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED', 'CLOSED', 'CANCELED')",
            name=op.f("ck_internal_play_tasks_state_valid"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('CLOSED', 'CANCELED') OR (closure_code IS NOT NULL AND closure_notes IS NOT NULL)",
            name=op.f("ck_internal_play_tasks_closure_required"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 5", name=op.f("ck_internal_play_tasks_priority_valid")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["users.id"],
            name=op.f("fk_internal_play_tasks_assigned_to_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_internal_play_tasks_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["internal_play_id", "engagement_id"],
            ["internal_plays.id", "internal_plays.engagement_id"],
            name="fk_internal_play_tasks_play_same_engagement",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_play_tasks")),
        sa.UniqueConstraint("number", name=op.f("uq_internal_play_tasks_number")),
    )
    op.create_index(
        op.f("ix_internal_play_tasks_account_id"),
        "internal_play_tasks",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        "ix_internal_play_tasks_engagement_due",
        "internal_play_tasks",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_internal_play_tasks_internal_play_id"),
        "internal_play_tasks",
        ["internal_play_id"],
        unique=False,
    )
    op.create_table(
        "product_adoption_roadmaps",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'PAR' || lpad(nextval('adoption_roadmap_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("sold_product_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("milestone", sa.Text(), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("planned_end", sa.Date(), nullable=False),
        sa.Column("target_score", sa.Float(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "planned_end >= planned_start",
            name=op.f("ck_product_adoption_roadmaps_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_product_adoption_roadmaps_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["sold_product_id"],
            ["sold_products.id"],
            name=op.f("fk_product_adoption_roadmaps_sold_product_id_sold_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_adoption_roadmaps")),
        sa.UniqueConstraint("number", name=op.f("uq_product_adoption_roadmaps_number")),
    )
    op.create_index(
        op.f("ix_product_adoption_roadmaps_account_id"),
        "product_adoption_roadmaps",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        "ix_product_adoption_roadmaps_engagement",
        "product_adoption_roadmaps",
        ["engagement_id", "planned_start", "id"],
        unique=False,
    )
    op.create_table(
        "health_indicators",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("engagement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("indicator_definition_id", sa.BigInteger(), nullable=False),
        sa.Column("actual", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_health_indicators_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_definition_id"],
            ["health_indicator_definitions.id"],
            name=op.f("fk_health_indicators_indicator_definition_id_health_indicator_definitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_indicators")),
        sa.UniqueConstraint(
            "engagement_id",
            "indicator_definition_id",
            name=op.f("uq_health_indicators_engagement_id_indicator_definition_id"),
        ),
    )
    op.create_index(
        op.f("ix_health_indicators_account_id"), "health_indicators", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_health_indicators_indicator_definition_id"),
        "health_indicators",
        ["indicator_definition_id"],
        unique=False,
    )


def downgrade() -> None:
    remove_activity_kinds("DISCUSSION")
    remove_record_types(*RECORD_TYPES)
    op.drop_index(
        op.f("ix_health_indicators_indicator_definition_id"), table_name="health_indicators"
    )
    op.drop_index(op.f("ix_health_indicators_account_id"), table_name="health_indicators")
    op.drop_table("health_indicators")
    op.drop_index("ix_product_adoption_roadmaps_engagement", table_name="product_adoption_roadmaps")
    op.drop_index(
        op.f("ix_product_adoption_roadmaps_account_id"), table_name="product_adoption_roadmaps"
    )
    op.drop_table("product_adoption_roadmaps")
    op.drop_index(op.f("ix_internal_play_tasks_internal_play_id"), table_name="internal_play_tasks")
    op.drop_index("ix_internal_play_tasks_engagement_due", table_name="internal_play_tasks")
    op.drop_index(op.f("ix_internal_play_tasks_account_id"), table_name="internal_play_tasks")
    op.drop_table("internal_play_tasks")
    op.drop_index(
        op.f("ix_health_indicator_definitions_definition_id"),
        table_name="health_indicator_definitions",
    )
    op.drop_table("health_indicator_definitions")
    op.drop_index(op.f("ix_discussion_participants_user_id"), table_name="discussion_participants")
    op.drop_table("discussion_participants")
    op.drop_index("ix_discussion_messages_discussion", table_name="discussion_messages")
    op.drop_index(op.f("ix_discussion_messages_account_id"), table_name="discussion_messages")
    op.drop_table("discussion_messages")
    op.drop_index("ix_adoption_scores_engagement_week", table_name="adoption_scores")
    op.drop_index(op.f("ix_adoption_scores_account_id"), table_name="adoption_scores")
    op.drop_table("adoption_scores")
    op.drop_index("ix_success_plays_source", table_name="success_plays")
    op.drop_index("ix_success_plays_engagement", table_name="success_plays")
    op.drop_index(op.f("ix_success_plays_account_id"), table_name="success_plays")
    op.drop_table("success_plays")
    op.drop_index("ix_success_objectives_engagement_due", table_name="success_objectives")
    op.drop_index(op.f("ix_success_objectives_account_id"), table_name="success_objectives")
    op.drop_table("success_objectives")
    op.drop_index(op.f("ix_sold_products_account_id"), table_name="sold_products")
    op.drop_table("sold_products")
    op.drop_index("ix_risk_signals_engagement_due", table_name="risk_signals")
    op.drop_index(op.f("ix_risk_signals_account_id"), table_name="risk_signals")
    op.drop_table("risk_signals")
    op.drop_index("ix_internal_plays_engagement_due", table_name="internal_plays")
    op.drop_index(op.f("ix_internal_plays_account_id"), table_name="internal_plays")
    op.drop_table("internal_plays")
    op.drop_index(op.f("ix_health_snapshots_account_id"), table_name="health_snapshots")
    op.drop_table("health_snapshots")
    op.drop_index(op.f("ix_health_definitions_account_id"), table_name="health_definitions")
    op.drop_table("health_definitions")
    op.drop_index(op.f("ix_engagement_users_user_id"), table_name="engagement_users")
    op.drop_index(op.f("ix_engagement_users_account_id"), table_name="engagement_users")
    op.drop_table("engagement_users")
    op.drop_index(op.f("ix_engagement_contacts_contact_id"), table_name="engagement_contacts")
    op.drop_index(op.f("ix_engagement_contacts_account_id"), table_name="engagement_contacts")
    op.drop_table("engagement_contacts")
    op.drop_index("ix_discussions_record", table_name="discussions")
    op.drop_index(op.f("ix_discussions_account_id"), table_name="discussions")
    op.drop_table("discussions")
    op.drop_index("ix_form_templates_applies_to", table_name="form_templates")
    op.drop_table("form_templates")
    op.drop_index("ix_email_templates_applies_to", table_name="email_templates")
    op.drop_table("email_templates")
    op.execute(sa.schema.DropSequence(sa.Sequence("success_objective_number_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("internal_play_number_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("internal_play_task_number_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("risk_signal_number_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("success_play_number_seq")))
    op.execute(sa.schema.DropSequence(sa.Sequence("adoption_roadmap_number_seq")))
