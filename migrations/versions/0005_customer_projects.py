"""customer projects: projects, contacts, tasks, change requests, issues

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 06:26:45.162879
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from csm_graphql.migrations._frozen import add_record_types, remove_record_types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SEQUENCES = (
    "project_number_seq",
    "project_task_number_seq",
    "project_change_request_number_seq",
    "project_issue_number_seq",
)


def upgrade() -> None:
    for name in SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    add_record_types("project", "project_task")
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text("'PRJ' || lpad(nextval('project_number_seq')::text, 7, '0')"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.Text(), server_default="PENDING", nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("actual_start", sa.Date(), nullable=True),
        sa.Column("actual_end", sa.Date(), nullable=True),
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
            "state IN ('PENDING', 'OPEN', 'WORK_IN_PROGRESS', 'CLOSED_COMPLETE', 'CLOSED_INCOMPLETE', 'CANCELED')",
            name=op.f("ck_projects_state_valid"),
        ),
        sa.CheckConstraint(
            "actual_end >= actual_start", name=op.f("ck_projects_actual_end_after_start")
        ),
        sa.CheckConstraint(
            "planned_end >= planned_start", name=op.f("ck_projects_planned_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_projects_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("id", "account_id", name="uq_projects_id_account"),
        sa.UniqueConstraint("number", name=op.f("uq_projects_number")),
    )
    op.create_index(op.f("ix_projects_account_id"), "projects", ["account_id"], unique=False)
    op.create_index("ix_projects_updated", "projects", ["updated_at", "id"], unique=False)
    op.create_table(
        "project_change_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'PCHG' || lpad(nextval('project_change_request_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), server_default="OPEN", nullable=False),
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
            "state IN ('PENDING', 'OPEN', 'WORK_IN_PROGRESS', 'CLOSED_COMPLETE', 'CLOSED_INCOMPLETE', 'CANCELED')",
            name=op.f("ck_project_change_requests_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "account_id"],
            ["projects.id", "projects.account_id"],
            name="fk_project_change_requests_project_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_change_requests")),
        sa.UniqueConstraint("number", name=op.f("uq_project_change_requests_number")),
    )
    op.create_index(
        op.f("ix_project_change_requests_account_id"),
        "project_change_requests",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_project_change_requests_case_id"),
        "project_change_requests",
        ["case_id"],
        unique=False,
    )
    op.create_index(
        "ix_project_change_requests_project",
        "project_change_requests",
        ["project_id", "number"],
        unique=False,
    )
    op.create_table(
        "project_contacts",
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_project_contacts_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_contacts_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "contact_id", name=op.f("pk_project_contacts")),
    )
    op.create_index(
        op.f("ix_project_contacts_contact_id"), "project_contacts", ["contact_id"], unique=False
    )
    op.create_table(
        "project_issues",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'PISS' || lpad(nextval('project_issue_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), server_default="OPEN", nullable=False),
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
            "state IN ('PENDING', 'OPEN', 'WORK_IN_PROGRESS', 'CLOSED_COMPLETE', 'CLOSED_INCOMPLETE', 'CANCELED')",
            name=op.f("ck_project_issues_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "account_id"],
            ["projects.id", "projects.account_id"],
            name="fk_project_issues_project_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_issues")),
        sa.UniqueConstraint("number", name=op.f("uq_project_issues_number")),
    )
    op.create_index(
        op.f("ix_project_issues_account_id"), "project_issues", ["account_id"], unique=False
    )
    op.create_index(op.f("ix_project_issues_case_id"), "project_issues", ["case_id"], unique=False)
    op.create_index(
        "ix_project_issues_project", "project_issues", ["project_id", "number"], unique=False
    )
    op.create_table(
        "project_tasks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            server_default=sa.text(
                "'PTASK' || lpad(nextval('project_task_number_seq')::text, 7, '0')"
            ),
            nullable=False,
        ),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), server_default="PENDING", nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("actual_start", sa.Date(), nullable=True),
        sa.Column("actual_end", sa.Date(), nullable=True),
        sa.Column("assigned_contact_id", sa.BigInteger(), nullable=True),
        sa.Column("assigned_to_id", sa.BigInteger(), nullable=True),
        sa.Column("visible_to_customer", sa.Boolean(), server_default="false", nullable=False),
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
            "state IN ('PENDING', 'OPEN', 'WORK_IN_PROGRESS', 'CLOSED_COMPLETE', 'CLOSED_INCOMPLETE', 'CANCELED')",
            name=op.f("ck_project_tasks_state_valid"),
        ),
        sa.CheckConstraint(
            "actual_end >= actual_start", name=op.f("ck_project_tasks_actual_end_after_start")
        ),
        sa.CheckConstraint(
            "assigned_contact_id IS NULL OR visible_to_customer",
            name=op.f("ck_project_tasks_contact_task_visible"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(assigned_contact_id, assigned_to_id) <= 1",
            name=op.f("ck_project_tasks_one_assignee"),
        ),
        sa.CheckConstraint(
            "planned_end >= planned_start", name=op.f("ck_project_tasks_planned_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_contact_id"],
            ["contacts.id"],
            name=op.f("fk_project_tasks_assigned_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"], name=op.f("fk_project_tasks_assigned_to_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "account_id"],
            ["projects.id", "projects.account_id"],
            name="fk_project_tasks_project_account",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_tasks")),
        sa.UniqueConstraint("id", "project_id", name="uq_project_tasks_id_project"),
        sa.UniqueConstraint("number", name=op.f("uq_project_tasks_number")),
    )
    op.create_index(
        op.f("ix_project_tasks_account_id"), "project_tasks", ["account_id"], unique=False
    )
    op.create_index(
        "ix_project_tasks_assigned_contact",
        "project_tasks",
        ["assigned_contact_id", "planned_end", "id"],
        unique=False,
    )
    op.create_index(
        "ix_project_tasks_assigned_to",
        "project_tasks",
        ["assigned_to_id", "planned_end", "id"],
        unique=False,
    )
    op.create_index(
        "ix_project_tasks_project_planned",
        "project_tasks",
        ["project_id", "planned_end", "id"],
        unique=False,
    )
    op.create_index("ix_project_tasks_updated", "project_tasks", ["updated_at", "id"], unique=False)


def downgrade() -> None:
    remove_record_types("project", "project_task")
    op.drop_index("ix_project_tasks_updated", table_name="project_tasks")
    op.drop_index("ix_project_tasks_project_planned", table_name="project_tasks")
    op.drop_index("ix_project_tasks_assigned_to", table_name="project_tasks")
    op.drop_index("ix_project_tasks_assigned_contact", table_name="project_tasks")
    op.drop_index(op.f("ix_project_tasks_account_id"), table_name="project_tasks")
    op.drop_table("project_tasks")
    op.drop_index("ix_project_issues_project", table_name="project_issues")
    op.drop_index(op.f("ix_project_issues_case_id"), table_name="project_issues")
    op.drop_index(op.f("ix_project_issues_account_id"), table_name="project_issues")
    op.drop_table("project_issues")
    op.drop_index(op.f("ix_project_contacts_contact_id"), table_name="project_contacts")
    op.drop_table("project_contacts")
    op.drop_index("ix_project_change_requests_project", table_name="project_change_requests")
    op.drop_index(op.f("ix_project_change_requests_case_id"), table_name="project_change_requests")
    op.drop_index(
        op.f("ix_project_change_requests_account_id"), table_name="project_change_requests"
    )
    op.drop_table("project_change_requests")
    op.drop_index("ix_projects_updated", table_name="projects")
    op.drop_index(op.f("ix_projects_account_id"), table_name="projects")
    op.drop_table("projects")
    for name in SEQUENCES:
        op.execute(sa.schema.DropSequence(sa.Sequence(name)))
