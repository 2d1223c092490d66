"""SLA definitions state when they apply: a contract and an entitlement besides the priority

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:10:00

``sla_definitions`` gains two optional conditions, ``contract_id`` and ``entitlement_id``: a
definition that names one applies only to cases of that contract or entitlement (besides its
priority). Existing definitions name neither, so they keep applying exactly as before.
Downgrade drops the columns, and with them the conditions of any definition that set them
(such a definition then applies to every case of its priority).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITIONS = (("contract_id", "contracts"), ("entitlement_id", "entitlements"))


def upgrade() -> None:
    for column, table in CONDITIONS:
        op.add_column("sla_definitions", sa.Column(column, sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            op.f(f"fk_sla_definitions_{column}_{table}"),
            "sla_definitions",
            table,
            [column],
            ["id"],
        )


def downgrade() -> None:
    for column, table in reversed(CONDITIONS):
        op.drop_constraint(
            op.f(f"fk_sla_definitions_{column}_{table}"), "sla_definitions", type_="foreignkey"
        )
        op.drop_column("sla_definitions", column)
