"""success initiatives serve an objective of their own engagement

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 07:24:45.975387
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The target of the composite key first: (objective, engagement) must be unique.
    op.create_unique_constraint(
        "uq_success_objectives_id_engagement", "success_objectives", ["id", "engagement_id"]
    )
    op.add_column("success_initiatives", sa.Column("objective_id", sa.BigInteger(), nullable=True))
    op.create_index(
        op.f("ix_success_initiatives_objective_id"),
        "success_initiatives",
        ["objective_id"],
        unique=False,
    )
    op.create_foreign_key(
        "fk_success_initiatives_objective_id_same_engagement",
        "success_initiatives",
        "success_objectives",
        ["objective_id", "engagement_id"],
        ["id", "engagement_id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_success_initiatives_objective_id_same_engagement",
        "success_initiatives",
        type_="foreignkey",
    )
    op.drop_index(op.f("ix_success_initiatives_objective_id"), table_name="success_initiatives")
    op.drop_column("success_initiatives", "objective_id")
    op.drop_constraint("uq_success_objectives_id_engagement", "success_objectives", type_="unique")
