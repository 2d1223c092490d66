"""Customer projects (DOMAIN.md section 3): projects, their contacts, tasks, change requests
and issues.

Tasks, change requests and issues carry their project's ``account_id`` (pinned by a composite
foreign key), so access predicates stay join-free like those of the success graph.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Sequence,
    Table,
    Text,
    UniqueConstraint,
)

from csm_graphql.domain.enums import ProjectState
from csm_graphql.tables.base import id_column, metadata, number_column, one_of, record_columns

project_number_seq = Sequence("project_number_seq", metadata=metadata)
project_task_number_seq = Sequence("project_task_number_seq", metadata=metadata)
project_change_request_number_seq = Sequence("project_change_request_number_seq", metadata=metadata)
project_issue_number_seq = Sequence("project_issue_number_seq", metadata=metadata)


def _dates() -> list[Column[object]]:
    return [
        Column("planned_start", Date, nullable=True),
        Column("planned_end", Date, nullable=True),
        Column("actual_start", Date, nullable=True),
        Column("actual_end", Date, nullable=True),
    ]


def _date_rules() -> list[CheckConstraint]:
    return [
        CheckConstraint("planned_end >= planned_start", name="planned_end_after_start"),
        CheckConstraint("actual_end >= actual_start", name="actual_end_after_start"),
    ]


projects = Table(
    "projects",
    metadata,
    id_column(),
    number_column(project_number_seq, "PRJ"),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("account_id", BigInteger, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("state", Text, nullable=False, server_default=ProjectState.PENDING.value),
    *_dates(),
    *record_columns(),
    one_of("state", ProjectState),
    *_date_rules(),
    UniqueConstraint("id", "account_id", name="uq_projects_id_account"),
    Index("ix_projects_updated", "updated_at", "id"),
)

# The project's contacts: the only external viewers who see the project (ACCESS.md). The
# service admits contacts of the project's account and partner contacts serving it.
project_contacts = Table(
    "project_contacts",
    metadata,
    Column(
        "project_id", BigInteger, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("contact_id", BigInteger, ForeignKey("contacts.id"), primary_key=True, index=True),
)


def _under_project(name: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["project_id", "account_id"],
        ["projects.id", "projects.account_id"],
        name=f"fk_{name}_project_account",
    )


project_tasks = Table(
    "project_tasks",
    metadata,
    id_column(),
    number_column(project_task_number_seq, "PTASK"),
    Column("project_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, nullable=False, index=True),
    Column("short_description", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("state", Text, nullable=False, server_default=ProjectState.PENDING.value),
    *_dates(),
    # A task is assigned to an external contact or to an employee, or to nobody yet.
    Column("assigned_contact_id", BigInteger, ForeignKey("contacts.id"), nullable=True),
    Column("assigned_to_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("visible_to_customer", Boolean, nullable=False, server_default="false"),
    *record_columns(),
    _under_project("project_tasks"),
    one_of("state", ProjectState),
    *_date_rules(),
    CheckConstraint("num_nonnulls(assigned_contact_id, assigned_to_id) <= 1", name="one_assignee"),
    # Assigning a task to a contact makes it visible to customers (DOMAIN.md), so a contact's
    # task is never hidden from its assignee.
    CheckConstraint(
        "assigned_contact_id IS NULL OR visible_to_customer", name="contact_task_visible"
    ),
    UniqueConstraint("id", "project_id", name="uq_project_tasks_id_project"),
    Index("ix_project_tasks_project_planned", "project_id", "planned_end", "id"),
    Index("ix_project_tasks_assigned_contact", "assigned_contact_id", "planned_end", "id"),
    Index("ix_project_tasks_assigned_to", "assigned_to_id", "planned_end", "id"),
    Index("ix_project_tasks_updated", "updated_at", "id"),
)


def _raised_for_a_case(name: str, sequence: Sequence, prefix: str) -> Table:
    """Change requests and issues: raised for a case, linked to its project."""
    return Table(
        name,
        metadata,
        id_column(),
        number_column(sequence, prefix),
        Column("project_id", BigInteger, nullable=False),
        Column("account_id", BigInteger, nullable=False, index=True),
        # The case it was raised for.
        Column("case_id", BigInteger, ForeignKey("cases.id"), nullable=True, index=True),
        Column("short_description", Text, nullable=False),
        Column("description", Text, nullable=True),
        Column("state", Text, nullable=False, server_default=ProjectState.OPEN.value),
        *record_columns(),
        _under_project(name),
        one_of("state", ProjectState),
        Index(f"ix_{name}_project", "project_id", "number"),
    )


project_change_requests = _raised_for_a_case(
    "project_change_requests", project_change_request_number_seq, "PCHG"
)
project_issues = _raised_for_a_case("project_issues", project_issue_number_seq, "PISS")
