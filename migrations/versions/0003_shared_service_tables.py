"""shared service tables: support groups, contracts, notification outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:21:24.019979
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("contract_number_seq")))
    op.create_table(
        "support_groups",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_support_groups_name")),
    )
    op.create_table(
        "support_group_members",
        sa.Column("support_group_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["support_group_id"],
            ["support_groups.id"],
            name=op.f("fk_support_group_members_support_group_id_support_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_support_group_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "support_group_id", "user_id", name=op.f("pk_support_group_members")
        ),
    )
    op.create_index(
        op.f("ix_support_group_members_user_id"), "support_group_members", ["user_id"], unique=False
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text("'CNTR' || lpad(nextval('contract_number_seq')::text, 7, '0')"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("engagement_id", sa.BigInteger(), nullable=True),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
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
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_contracts_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contracts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id", "account_id"],
            ["engagements.id", "engagements.account_id"],
            name="fk_contracts_engagement_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
    )
    op.create_index(op.f("ix_contracts_account_id"), "contracts", ["account_id"], unique=False)
    op.create_index(
        op.f("ix_contracts_engagement_id"), "contracts", ["engagement_id"], unique=False
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("record_type", sa.Text(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("recipient_user_id", sa.BigInteger(), nullable=True),
        sa.Column("recipient_contact_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(recipient_user_id, recipient_contact_id) = 1",
            name=op.f("ck_notifications_one_recipient"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_contact_id"],
            ["contacts.id"],
            name=op.f("fk_notifications_recipient_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["users.id"],
            name=op.f("fk_notifications_recipient_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_record", "notifications", ["record_type", "record_id"], unique=False
    )
    op.create_index(
        "ix_notifications_undelivered",
        "notifications",
        ["id"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_notifications_undelivered",
        table_name="notifications",
        postgresql_where=sa.text("delivered_at IS NULL"),
    )
    op.drop_index("ix_notifications_record", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_contracts_engagement_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_account_id"), table_name="contracts")
    op.drop_table("contracts")
    op.drop_index(op.f("ix_support_group_members_user_id"), table_name="support_group_members")
    op.drop_table("support_group_members")
    op.drop_table("support_groups")
    op.execute(sa.schema.DropSequence(sa.Sequence("contract_number_seq")))
