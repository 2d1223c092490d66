"""foundation: people, success graph, records

Revision ID: 0001
Revises:
Create Date: 2026-11-23 04:36:31.912747
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


NUMBER_SEQUENCES = (
    "account_number_seq",
    "engagement_number_seq",
    "success_initiative_number_seq",
    "success_case_number_seq",
    "success_task_number_seq",
    "touchpoint_number_seq",
    "product_number_seq",
    "knowledge_article_number_seq",
)


def upgrade() -> None:
    # Human numbers (ENG0000017, ...) are drawn from these; nextval is concurrency-safe.
    for name in NUMBER_SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table(
        "accounts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text("'ACCT' || lpad(nextval('account_number_seq')::text, 7, '0')"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
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
        sa.CheckConstraint("kind IN ('CUSTOMER', 'PARTNER')", name=op.f("ck_accounts_kind_valid")),
        sa.CheckConstraint(
            "parent_id IS DISTINCT FROM id", name=op.f("ck_accounts_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["accounts.id"], name=op.f("fk_accounts_parent_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("number", name=op.f("uq_accounts_number")),
    )
    op.create_index(op.f("ix_accounts_parent_id"), "accounts", ["parent_id"], unique=False)
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'KB' || lpad(nextval('knowledge_article_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), server_default="CUSTOMERS", nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('english', number || ' ' || title || ' ' || body)", persisted=True
            ),
            nullable=True,
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
            "audience IN ('PUBLIC', 'CUSTOMERS', 'INTERNAL')",
            name=op.f("ck_knowledge_articles_audience_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_articles")),
        sa.UniqueConstraint("number", name=op.f("uq_knowledge_articles_number")),
    )
    op.create_index(
        "ix_knowledge_articles_search",
        "knowledge_articles",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "products",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text("'PRD' || lpad(nextval('product_number_seq')::text, 7, '0')"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("number", name=op.f("uq_products_number")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("roles", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(
        "uq_users_email_lower", "users", [sa.literal_column("lower(email)")], unique=True
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("roles", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
            ["account_id"], ["accounts.id"], name=op.f("fk_contacts_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_account_id"), "contacts", ["account_id"], unique=False)
    op.create_index(
        "uq_contacts_email_lower", "contacts", [sa.literal_column("lower(email)")], unique=True
    )
    op.create_table(
        "engagements",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text("'ENG' || lpad(nextval('engagement_number_seq')::text, 7, '0')"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.Text(), server_default="NEW", nullable=False),
        sa.Column("stage", sa.Text(), server_default="INITIAL_ONBOARDING", nullable=False),
        sa.Column("contract_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("go_live_date", sa.Date(), nullable=True),
        sa.Column("renewal_date", sa.Date(), nullable=True),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("perceived_health", sa.Text(), server_default="UNKNOWN", nullable=False),
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
            "perceived_health IN ('UNKNOWN', 'RED', 'YELLOW', 'GREEN')",
            name=op.f("ck_engagements_perceived_health_valid"),
        ),
        sa.CheckConstraint(
            "stage IN ('INITIAL_ONBOARDING', 'ADOPTION', 'EXPAND', 'RENEW', 'LOST')",
            name=op.f("ck_engagements_stage_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'DEFINE', 'IN_PROGRESS', 'CANCELED', 'CLOSED')",
            name=op.f("ck_engagements_state_valid"),
        ),
        sa.CheckConstraint(
            "parent_id IS DISTINCT FROM id", name=op.f("ck_engagements_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_engagements_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["engagements.id"], name=op.f("fk_engagements_parent_id_engagements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint("id", "account_id", name="uq_engagements_id_account"),
        sa.UniqueConstraint("number", name=op.f("uq_engagements_number")),
    )
    op.create_index(op.f("ix_engagements_account_id"), "engagements", ["account_id"], unique=False)
    op.create_index(op.f("ix_engagements_parent_id"), "engagements", ["parent_id"], unique=False)
    op.create_table(
        "partner_relationships",
        sa.Column("partner_account_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_account_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_account_id"],
            ["accounts.id"],
            name=op.f("fk_partner_relationships_customer_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_account_id"],
            ["accounts.id"],
            name=op.f("fk_partner_relationships_partner_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint(
            "partner_account_id", "customer_account_id", name=op.f("pk_partner_relationships")
        ),
    )
    op.create_index(
        op.f("ix_partner_relationships_customer_account_id"),
        "partner_relationships",
        ["customer_account_id"],
        unique=False,
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("record_type", sa.Text(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_contact_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "kind IN ('COMMENT', 'WORK_NOTE', 'STATE_CHANGE', 'FIELD_CHANGE', 'ATTACHMENT', 'EMAIL')",
            name=op.f("ck_activities_kind_valid"),
        ),
        sa.CheckConstraint(
            "record_type IN ('engagement', 'success_initiative', 'success_case', 'success_task', 'touchpoint')",
            name=op.f("ck_activities_record_type_valid"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(actor_user_id, actor_contact_id) <= 1",
            name=op.f("ck_activities_one_actor"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_activities_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["actor_contact_id"],
            ["contacts.id"],
            name=op.f("fk_activities_actor_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_activities_actor_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index(op.f("ix_activities_account_id"), "activities", ["account_id"], unique=False)
    op.create_index(
        "ix_activities_record", "activities", ["record_type", "record_id", "at", "id"], unique=False
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("record_type", sa.Text(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("uploaded_by_contact_id", sa.BigInteger(), nullable=True),
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
            "record_type IN ('engagement', 'success_initiative', 'success_case', 'success_task', 'touchpoint')",
            name=op.f("ck_attachments_record_type_valid"),
        ),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_attachments_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_attachments_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_contact_id"],
            ["contacts.id"],
            name=op.f("fk_attachments_uploaded_by_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["users.id"],
            name=op.f("fk_attachments_uploaded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_account_id"), "attachments", ["account_id"], unique=False)
    op.create_index(
        "ix_attachments_record",
        "attachments",
        ["record_type", "record_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("on_behalf_of_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("record_type", sa.Text(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_contact_id"],
            ["contacts.id"],
            name=op.f("fk_audit_log_actor_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_log_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_contact_id"],
            ["contacts.id"],
            name=op.f("fk_audit_log_on_behalf_of_contact_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        "ix_audit_log_record", "audit_log", ["record_type", "record_id", "at"], unique=False
    )
    op.create_table(
        "contact_relationships",
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_contact_relationships_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_relationships_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "account_id", name=op.f("pk_contact_relationships")),
    )
    op.create_index(
        op.f("ix_contact_relationships_account_id"),
        "contact_relationships",
        ["account_id"],
        unique=False,
    )
    op.create_table(
        "success_initiatives",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'SINIT' || lpad(nextval('success_initiative_number_seq')::text, 7, '0')"
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
        sa.Column("visible_to_customer", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('english', number || ' ' || short_description || ' ' || coalesce(description, ''))",
                persisted=True,
            ),
            nullable=True,
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
        sa.Column("progress", sa.Text(), server_default="NOT_STARTED", nullable=False),
        sa.CheckConstraint(
            "progress IN ('NOT_STARTED', 'ON_TRACK', 'AT_RISK', 'PAUSED', 'COMPLETED', 'CANCELED')",
            name=op.f("ck_success_initiatives_progress_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED', 'CLOSED', 'CANCELED')",
            name=op.f("ck_success_initiatives_state_valid"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 5", name=op.f("ck_success_initiatives_priority_valid")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["users.id"],
            name=op.f("fk_success_initiatives_assigned_to_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_success_initiatives_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_success_initiatives_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_initiatives")),
        sa.UniqueConstraint("id", "engagement_id", name="uq_success_initiatives_id_engagement"),
        sa.UniqueConstraint("number", name=op.f("uq_success_initiatives_number")),
    )
    op.create_index(
        "ix_success_initiatives_account_due",
        "success_initiatives",
        ["account_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_success_initiatives_assigned",
        "success_initiatives",
        ["assigned_to_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_success_initiatives_contact", "success_initiatives", ["contact_id"], unique=False
    )
    op.create_index(
        "ix_success_initiatives_due", "success_initiatives", ["due_date", "id"], unique=False
    )
    op.create_index(
        "ix_success_initiatives_engagement_due",
        "success_initiatives",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_success_initiatives_search",
        "success_initiatives",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_success_initiatives_updated", "success_initiatives", ["updated_at", "id"], unique=False
    )
    op.create_table(
        "touchpoints",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'TPNT' || lpad(nextval('touchpoint_number_seq')::text, 7, '0')"
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
        sa.Column("visible_to_customer", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('english', number || ' ' || short_description || ' ' || coalesce(description, ''))",
                persisted=True,
            ),
            nullable=True,
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
        sa.Column("type", sa.Text(), server_default="MEETING", nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED', 'CLOSED', 'CANCELED')",
            name=op.f("ck_touchpoints_state_valid"),
        ),
        sa.CheckConstraint(
            "type IN ('MEETING', 'CALL', 'EMAIL', 'BUSINESS_REVIEW', 'WORKSHOP')",
            name=op.f("ck_touchpoints_type_valid"),
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name=op.f("ck_touchpoints_priority_valid")),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"], name=op.f("fk_touchpoints_assigned_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_touchpoints_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_touchpoints_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touchpoints")),
        sa.UniqueConstraint("number", name=op.f("uq_touchpoints_number")),
    )
    op.create_index(
        "ix_touchpoints_account_due", "touchpoints", ["account_id", "due_date", "id"], unique=False
    )
    op.create_index(
        "ix_touchpoints_assigned", "touchpoints", ["assigned_to_id", "due_date", "id"], unique=False
    )
    op.create_index("ix_touchpoints_contact", "touchpoints", ["contact_id"], unique=False)
    op.create_index("ix_touchpoints_due", "touchpoints", ["due_date", "id"], unique=False)
    op.create_index(
        "ix_touchpoints_engagement_due",
        "touchpoints",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_touchpoints_search",
        "touchpoints",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_touchpoints_updated", "touchpoints", ["updated_at", "id"], unique=False)
    op.create_table(
        "success_cases",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'SCASE' || lpad(nextval('success_case_number_seq')::text, 7, '0')"
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
        sa.Column("visible_to_customer", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('english', number || ' ' || short_description || ' ' || coalesce(description, ''))",
                persisted=True,
            ),
            nullable=True,
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
        sa.Column("initiative_id", sa.BigInteger(), nullable=True),
        sa.Column("product_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "state IN ('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED', 'CLOSED', 'CANCELED')",
            name=op.f("ck_success_cases_state_valid"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 5", name=op.f("ck_success_cases_priority_valid")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"], name=op.f("fk_success_cases_assigned_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_success_cases_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_success_cases_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id", "engagement_id"],
            ["success_initiatives.id", "success_initiatives.engagement_id"],
            name="fk_success_cases_initiative_id_same_engagement",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_success_cases_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_cases")),
        sa.UniqueConstraint("id", "engagement_id", name="uq_success_cases_id_engagement"),
        sa.UniqueConstraint("number", name=op.f("uq_success_cases_number")),
    )
    op.create_index(
        "ix_success_cases_account_due",
        "success_cases",
        ["account_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_success_cases_assigned",
        "success_cases",
        ["assigned_to_id", "due_date", "id"],
        unique=False,
    )
    op.create_index("ix_success_cases_contact", "success_cases", ["contact_id"], unique=False)
    op.create_index("ix_success_cases_due", "success_cases", ["due_date", "id"], unique=False)
    op.create_index(
        "ix_success_cases_engagement_due",
        "success_cases",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_success_cases_initiative_id"), "success_cases", ["initiative_id"], unique=False
    )
    op.create_index(
        "ix_success_cases_search",
        "success_cases",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_success_cases_updated", "success_cases", ["updated_at", "id"], unique=False)
    op.create_table(
        "success_initiative_contacts",
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_success_initiative_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["success_initiatives.id"],
            name=op.f("fk_success_initiative_contacts_record_id_success_initiatives"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "record_id", "contact_id", name=op.f("pk_success_initiative_contacts")
        ),
    )
    op.create_index(
        op.f("ix_success_initiative_contacts_contact_id"),
        "success_initiative_contacts",
        ["contact_id"],
        unique=False,
    )
    op.create_table(
        "touchpoint_contacts",
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_touchpoint_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["touchpoints.id"],
            name=op.f("fk_touchpoint_contacts_record_id_touchpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "contact_id", name=op.f("pk_touchpoint_contacts")),
    )
    op.create_index(
        op.f("ix_touchpoint_contacts_contact_id"),
        "touchpoint_contacts",
        ["contact_id"],
        unique=False,
    )
    op.create_table(
        "success_case_articles",
        sa.Column("success_case_id", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "shared_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["knowledge_articles.id"],
            name=op.f("fk_success_case_articles_article_id_knowledge_articles"),
        ),
        sa.ForeignKeyConstraint(
            ["success_case_id"],
            ["success_cases.id"],
            name=op.f("fk_success_case_articles_success_case_id_success_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "success_case_id", "article_id", name=op.f("pk_success_case_articles")
        ),
    )
    op.create_index(
        op.f("ix_success_case_articles_article_id"),
        "success_case_articles",
        ["article_id"],
        unique=False,
    )
    op.create_table(
        "success_case_contacts",
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_success_case_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["success_cases.id"],
            name=op.f("fk_success_case_contacts_record_id_success_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "contact_id", name=op.f("pk_success_case_contacts")),
    )
    op.create_index(
        op.f("ix_success_case_contacts_contact_id"),
        "success_case_contacts",
        ["contact_id"],
        unique=False,
    )
    op.create_table(
        "success_tasks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'STASK' || lpad(nextval('success_task_number_seq')::text, 7, '0')"
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
        sa.Column("visible_to_customer", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('english', number || ' ' || short_description || ' ' || coalesce(description, ''))",
                persisted=True,
            ),
            nullable=True,
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
        sa.Column("progress", sa.Text(), server_default="NOT_STARTED", nullable=False),
        sa.Column("initiative_id", sa.BigInteger(), nullable=True),
        sa.Column("success_case_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "progress IN ('NOT_STARTED', 'ON_TRACK', 'AT_RISK', 'PAUSED', 'COMPLETED', 'CANCELED')",
            name=op.f("ck_success_tasks_progress_valid"),
        ),
        sa.CheckConstraint(
            "state IN ('NEW', 'IN_PROGRESS', 'PAUSED', 'BLOCKED', 'CLOSED', 'CANCELED')",
            name=op.f("ck_success_tasks_state_valid"),
        ),
        sa.CheckConstraint(
            "(initiative_id IS NULL) <> (success_case_id IS NULL)",
            name=op.f("ck_success_tasks_one_parent"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 5", name=op.f("ck_success_tasks_priority_valid")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"], name=op.f("fk_success_tasks_assigned_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_success_tasks_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_success_tasks_engagement_account",
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id", "engagement_id"],
            ["success_initiatives.id", "success_initiatives.engagement_id"],
            name="fk_success_tasks_initiative_id_same_engagement",
        ),
        sa.ForeignKeyConstraint(
            ["success_case_id", "engagement_id"],
            ["success_cases.id", "success_cases.engagement_id"],
            name="fk_success_tasks_success_case_id_same_engagement",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_tasks")),
        sa.UniqueConstraint("number", name=op.f("uq_success_tasks_number")),
    )
    op.create_index(
        "ix_success_tasks_account_due",
        "success_tasks",
        ["account_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_success_tasks_assigned",
        "success_tasks",
        ["assigned_to_id", "due_date", "id"],
        unique=False,
    )
    op.create_index("ix_success_tasks_contact", "success_tasks", ["contact_id"], unique=False)
    op.create_index("ix_success_tasks_due", "success_tasks", ["due_date", "id"], unique=False)
    op.create_index(
        "ix_success_tasks_engagement_due",
        "success_tasks",
        ["engagement_id", "due_date", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_success_tasks_initiative_id"), "success_tasks", ["initiative_id"], unique=False
    )
    op.create_index(
        "ix_success_tasks_search",
        "success_tasks",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_success_tasks_success_case_id"), "success_tasks", ["success_case_id"], unique=False
    )
    op.create_index("ix_success_tasks_updated", "success_tasks", ["updated_at", "id"], unique=False)
    op.create_table(
        "success_task_contacts",
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_success_task_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["success_tasks.id"],
            name=op.f("fk_success_task_contacts_record_id_success_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "contact_id", name=op.f("pk_success_task_contacts")),
    )
    op.create_index(
        op.f("ix_success_task_contacts_contact_id"),
        "success_task_contacts",
        ["contact_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_success_task_contacts_contact_id"), table_name="success_task_contacts")
    op.drop_table("success_task_contacts")
    op.drop_index("ix_success_tasks_updated", table_name="success_tasks")
    op.drop_index(op.f("ix_success_tasks_success_case_id"), table_name="success_tasks")
    op.drop_index("ix_success_tasks_search", table_name="success_tasks", postgresql_using="gin")
    op.drop_index(op.f("ix_success_tasks_initiative_id"), table_name="success_tasks")
    op.drop_index("ix_success_tasks_engagement_due", table_name="success_tasks")
    op.drop_index("ix_success_tasks_due", table_name="success_tasks")
    op.drop_index("ix_success_tasks_contact", table_name="success_tasks")
    op.drop_index("ix_success_tasks_assigned", table_name="success_tasks")
    op.drop_index("ix_success_tasks_account_due", table_name="success_tasks")
    op.drop_table("success_tasks")
    op.drop_index(op.f("ix_success_case_contacts_contact_id"), table_name="success_case_contacts")
    op.drop_table("success_case_contacts")
    op.drop_index(op.f("ix_success_case_articles_article_id"), table_name="success_case_articles")
    op.drop_table("success_case_articles")
    op.drop_index(op.f("ix_touchpoint_contacts_contact_id"), table_name="touchpoint_contacts")
    op.drop_table("touchpoint_contacts")
    op.drop_index(
        op.f("ix_success_initiative_contacts_contact_id"), table_name="success_initiative_contacts"
    )
    op.drop_table("success_initiative_contacts")
    op.drop_index("ix_success_cases_updated", table_name="success_cases")
    op.drop_index("ix_success_cases_search", table_name="success_cases", postgresql_using="gin")
    op.drop_index(op.f("ix_success_cases_initiative_id"), table_name="success_cases")
    op.drop_index("ix_success_cases_engagement_due", table_name="success_cases")
    op.drop_index("ix_success_cases_due", table_name="success_cases")
    op.drop_index("ix_success_cases_contact", table_name="success_cases")
    op.drop_index("ix_success_cases_assigned", table_name="success_cases")
    op.drop_index("ix_success_cases_account_due", table_name="success_cases")
    op.drop_table("success_cases")
    op.drop_index("ix_touchpoints_updated", table_name="touchpoints")
    op.drop_index("ix_touchpoints_search", table_name="touchpoints", postgresql_using="gin")
    op.drop_index("ix_touchpoints_engagement_due", table_name="touchpoints")
    op.drop_index("ix_touchpoints_due", table_name="touchpoints")
    op.drop_index("ix_touchpoints_contact", table_name="touchpoints")
    op.drop_index("ix_touchpoints_assigned", table_name="touchpoints")
    op.drop_index("ix_touchpoints_account_due", table_name="touchpoints")
    op.drop_table("touchpoints")
    op.drop_index("ix_success_initiatives_updated", table_name="success_initiatives")
    op.drop_index(
        "ix_success_initiatives_search", table_name="success_initiatives", postgresql_using="gin"
    )
    op.drop_index("ix_success_initiatives_engagement_due", table_name="success_initiatives")
    op.drop_index("ix_success_initiatives_due", table_name="success_initiatives")
    op.drop_index("ix_success_initiatives_contact", table_name="success_initiatives")
    op.drop_index("ix_success_initiatives_assigned", table_name="success_initiatives")
    op.drop_index("ix_success_initiatives_account_due", table_name="success_initiatives")
    op.drop_table("success_initiatives")
    op.drop_index(op.f("ix_contact_relationships_account_id"), table_name="contact_relationships")
    op.drop_table("contact_relationships")
    op.drop_index("ix_audit_log_record", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_attachments_record", table_name="attachments")
    op.drop_index(op.f("ix_attachments_account_id"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index("ix_activities_record", table_name="activities")
    op.drop_index(op.f("ix_activities_account_id"), table_name="activities")
    op.drop_table("activities")
    op.drop_index(
        op.f("ix_partner_relationships_customer_account_id"), table_name="partner_relationships"
    )
    op.drop_table("partner_relationships")
    op.drop_index(op.f("ix_engagements_parent_id"), table_name="engagements")
    op.drop_index(op.f("ix_engagements_account_id"), table_name="engagements")
    op.drop_table("engagements")
    op.drop_index("uq_contacts_email_lower", table_name="contacts")
    op.drop_index(op.f("ix_contacts_account_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
    op.drop_table("products")
    op.drop_index(
        "ix_knowledge_articles_search", table_name="knowledge_articles", postgresql_using="gin"
    )
    op.drop_table("knowledge_articles")
    op.drop_index(op.f("ix_accounts_parent_id"), table_name="accounts")
    op.drop_table("accounts")
    for name in NUMBER_SEQUENCES:
        op.execute(sa.schema.DropSequence(sa.Sequence(name)))
