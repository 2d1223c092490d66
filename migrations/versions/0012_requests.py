"""requests: a customer's ask raised on behalf of a customer (DOMAIN.md "Request")

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:15:00

A new table only (tables/cases.py ``requests``) and the sequence its numbers come from
(CSR0000001); no existing data changes. Downgrade drops the table and the sequence, and with
them every request raised since the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("SUBMITTED", "IN_PROGRESS", "FULFILLED", "CLOSED", "CANCELED")


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("request_number_seq")))
    op.create_table(
        "requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text("'CSR' || lpad(nextval('request_number_seq')::text, 7, '0')"),
            nullable=False,
        ),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.Column("internal_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("opened_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("opened_by_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("product_id", sa.BigInteger(), nullable=True),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), server_default="SUBMITTED", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "state IN (" + ", ".join(f"'{state}'" for state in STATES) + ")",
            name=op.f("ck_requests_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_requests_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_requests_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["internal_contact_id"],
            ["users.id"],
            name=op.f("fk_requests_internal_contact_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_user_id"], ["users.id"], name=op.f("fk_requests_opened_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_contact_id"],
            ["contacts.id"],
            name=op.f("fk_requests_opened_by_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_requests_product_id_products")
        ),
        # The asset is one of the request's account's.
        sa.ForeignKeyConstraint(
            ["asset_id", "account_id"],
            ["assets.id", "assets.account_id"],
            name="fk_requests_asset_id_same_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_requests_number")),
    )
    for column in ("account_id", "contact_id", "internal_contact_id", "opened_by_contact_id"):
        op.create_index(op.f(f"ix_requests_{column}"), "requests", [column], unique=False)


def downgrade() -> None:
    op.drop_table("requests")
    op.execute(sa.schema.DropSequence(sa.Sequence("request_number_seq")))
