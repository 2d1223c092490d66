"""A case's task SLAs in their list order

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 08:35:00

``Case.slas`` lists a case's SLAs by creation (then id). The index on ``(case_id, id)`` found
them but left PostgreSQL a bitmap scan and a sort per case; on ``(case_id, created_at, id)``
it reads them in order, which the compiled case list does for every case of its page
(issue 10). It still leads with ``case_id``, so it serves every other lookup by case (the
services' reads, the foreign key to the case) and replaces the old one.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_task_slas_case_created", "task_slas", ["case_id", "created_at", "id"])
    op.drop_index("ix_task_slas_case", table_name="task_slas")


def downgrade() -> None:
    op.create_index("ix_task_slas_case", "task_slas", ["case_id", "id"])
    op.drop_index("ix_task_slas_case_created", table_name="task_slas")
