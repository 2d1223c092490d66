"""The four customer-success record kinds that share one write side: initiatives, success
cases, success tasks and touchpoints (ACCESS.md "Customer success records")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.enums import RecordType


@dataclass(frozen=True, slots=True)
class SuccessKind:
    label: str
    table: Table
    # The explicit half of the record's contact filter.
    contact_list: Table
    record_type: RecordType
    visible: Callable[[Viewer], ColumnElement[bool]]
    # The columns an update may change besides the shared ones.
    own_fields: frozenset[str] = frozenset()

    @property
    def has_progress(self) -> bool:
        return "progress" in self.table.c


# Every kind's short description, description, priority and due date may change.
SHARED_FIELDS = frozenset({"short_description", "description", "priority", "due_date"})

INITIATIVE = SuccessKind(
    "success initiative",
    t.success_initiatives,
    t.success_initiative_contacts,
    RecordType.SUCCESS_INITIATIVE,
    rows.success_initiatives,
    frozenset({"progress"}),
)
SUCCESS_CASE = SuccessKind(
    "success case",
    t.success_cases,
    t.success_case_contacts,
    RecordType.SUCCESS_CASE,
    rows.success_cases,
)
TASK = SuccessKind(
    "success task",
    t.success_tasks,
    t.success_task_contacts,
    RecordType.SUCCESS_TASK,
    rows.success_tasks,
    frozenset({"progress"}),
)
TOUCHPOINT = SuccessKind(
    "touchpoint",
    t.touchpoints,
    t.touchpoint_contacts,
    RecordType.TOUCHPOINT,
    rows.touchpoints,
    frozenset({"type", "scheduled_at"}),
)
