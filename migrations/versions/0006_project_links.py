"""project links: cases, work orders, change requests and issues reference projects and cases

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 06:57:47.113415
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Autogenerate does not see CHECK constraints.
    op.create_check_constraint(
        op.f("ck_cases_task_has_project"),
        "cases",
        "project_task_id IS NULL OR project_id IS NOT NULL",
    )
    op.create_index(op.f("ix_cases_project_task_id"), "cases", ["project_task_id"], unique=False)
    op.create_foreign_key(
        "fk_cases_project_task_of_project",
        "cases",
        "project_tasks",
        ["project_task_id", "project_id"],
        ["id", "project_id"],
    )
    op.create_foreign_key(
        "fk_cases_project_id_same_account",
        "cases",
        "projects",
        ["project_id", "account_id"],
        ["id", "account_id"],
    )
    op.create_foreign_key(
        op.f("fk_project_change_requests_case_id_cases"),
        "project_change_requests",
        "cases",
        ["case_id"],
        ["id"],
    )
    op.create_foreign_key(
        op.f("fk_project_issues_case_id_cases"), "project_issues", "cases", ["case_id"], ["id"]
    )
    op.create_foreign_key(
        "fk_work_orders_project_id_same_account",
        "work_orders",
        "projects",
        ["project_id", "account_id"],
        ["id", "account_id"],
    )


def downgrade() -> None:
    op.drop_constraint("fk_work_orders_project_id_same_account", "work_orders", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_project_issues_case_id_cases"), "project_issues", type_="foreignkey"
    )
    op.drop_constraint(
        op.f("fk_project_change_requests_case_id_cases"),
        "project_change_requests",
        type_="foreignkey",
    )
    op.drop_constraint("fk_cases_project_id_same_account", "cases", type_="foreignkey")
    op.drop_constraint("fk_cases_project_task_of_project", "cases", type_="foreignkey")
    op.drop_index(op.f("ix_cases_project_task_id"), table_name="cases")
    op.drop_constraint(op.f("ck_cases_task_has_project"), "cases", type_="check")
