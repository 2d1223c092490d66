"""success tasks: a customer search document

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:02:15.713279
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "success_tasks",
        sa.Column(
            "customer_search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('english', number || ' ' || short_description)", persisted=True
            ),
            nullable=True,
        ),
    )
    op.create_index(
        "ix_success_tasks_customer_search",
        "success_tasks",
        ["customer_search_vector"],
        unique=False,
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_success_tasks_customer_search", table_name="success_tasks", postgresql_using="gin"
    )
    op.drop_column("success_tasks", "customer_search_vector")
