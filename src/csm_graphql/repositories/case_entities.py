"""The read-side registry entries of the customer service area (see ``entities``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, FromClause, Table, func, select

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.cases import CaseChannel, CaseState
from csm_graphql.domain.enums import Priority
from csm_graphql.repositories.entities import Entity, OrderField, ordering

CASE_ORDERS = frozenset(
    {OrderField.NUMBER, OrderField.PRIORITY, OrderField.UPDATED_AT, OrderField.CREATED_AT}
)


def _user_name(column: ColumnElement[int], label: str) -> ColumnElement[object]:
    return select(t.users.c.name).where(t.users.c.id == column).scalar_subquery().label(label)


# Who works the case and who opened it are shown by name to whoever sees the case, even where
# the person's record (an employee) is not visible to the viewer, as for activity authors.
_OPENED_BY_NAME = func.coalesce(
    select(t.users.c.name).where(t.users.c.id == t.cases.c.opened_by_user_id).scalar_subquery(),
    select(t.contacts.c.name)
    .where(t.contacts.c.id == t.cases.c.opened_by_contact_id)
    .scalar_subquery(),
).label("opened_by_name")

CASE = Entity(
    "Case",
    t.cases,
    lambda viewer, scope, table: rows.cases(viewer, scope, table),
    ordering(OrderField.NUMBER, descending=True),
    CASE_ORDERS,
    extra_columns=(_user_name(t.cases.c.assigned_to_id, "assigned_to_name"), _OPENED_BY_NAME),
)


def _simple(
    name: str, table: Table, rule: Callable[[Viewer, FromClause], ColumnElement[bool]]
) -> Entity:
    return Entity(
        name, table, lambda viewer, _scope, tbl: rule(viewer, tbl), ordering(OrderField.NUMBER)
    )


ASSET = _simple("Asset", t.assets, rows.assets)
ENTITLEMENT = _simple("Entitlement", t.entitlements, rows.entitlements)
CONTRACT = _simple("Contract", t.contracts, rows.contracts)
PRODUCT_MODEL = _simple("ProductModel", t.product_models, rows.product_models)
WORK_ORDER = _simple("WorkOrder", t.work_orders, rows.work_orders)
INTERACTION = Entity(
    "Interaction",
    t.interactions,
    lambda viewer, _scope, table: rows.interactions(viewer, table),
    ordering(OrderField.NUMBER, descending=True),
)
SCHEDULE = Entity(
    "Schedule",
    t.schedules,
    lambda v, _s, table: rows.internal_only(v, table),
    ordering(OrderField.NAME),
)
SUPPORT_GROUP = Entity(
    "SupportGroup",
    t.support_groups,
    lambda v, _s, table: rows.internal_only(v, table),
    ordering(OrderField.NAME),
)
SLA_DEFINITION = Entity(
    "SlaDefinition",
    t.sla_definitions,
    lambda v, _s, table: rows.internal_only(v, table),
    ordering(OrderField.NAME),
)
RELATED_RECORD = Entity(
    "RelatedRecord",
    t.case_related_records,
    lambda viewer, _scope, table: rows.case_related_records(viewer, table),
    ordering(OrderField.CREATED_AT, descending=True),
)

_definition = t.sla_definitions
TASK_SLA = Entity(
    "TaskSla",
    t.task_slas,
    lambda viewer, _scope, table: rows.task_slas(viewer, table),
    ordering(OrderField.CREATED_AT),
    extra_columns=(
        select(_definition.c.name)
        .where(_definition.c.id == t.task_slas.c.sla_definition_id)
        .scalar_subquery()
        .label("name"),
        select(_definition.c.target)
        .where(_definition.c.id == t.task_slas.c.sla_definition_id)
        .scalar_subquery()
        .label("target"),
        # The working hours its time runs in (null: wall-clock), in the same statement.
        *(
            select(column)
            .select_from(
                _definition.join(t.schedules, t.schedules.c.id == _definition.c.schedule_id)
            )
            .where(_definition.c.id == t.task_slas.c.sla_definition_id)
            .scalar_subquery()
            .label(f"schedule_{column.name}")
            for column in (t.schedules.c.hours, t.schedules.c.time_zone)
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """Filters of case lists; ids are already decoded database ids. All given ones apply."""

    states: tuple[CaseState, ...] = ()
    priorities: tuple[Priority, ...] = ()
    channels: tuple[CaseChannel, ...] = ()
    account_id: int | None = None
    updated_from: datetime | None = None
    project_id: int | None = None

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        columns = entity.table.c
        conditions: list[ColumnElement[bool]] = []
        if self.states:
            conditions.append(columns.state.in_([state.value for state in self.states]))
        if self.priorities:
            conditions.append(columns.priority.in_([int(p) for p in self.priorities]))
        if self.channels:
            conditions.append(columns.channel.in_([c.value for c in self.channels]))
        if self.account_id is not None:
            conditions.append(columns.account_id == self.account_id)
        if self.updated_from is not None:
            conditions.append(columns.updated_at >= self.updated_from)
        if self.project_id is not None:
            conditions.append(columns.project_id == self.project_id)
        return conditions


__all__ = [
    "ASSET",
    "CASE",
    "CONTRACT",
    "ENTITLEMENT",
    "INTERACTION",
    "PRODUCT_MODEL",
    "RELATED_RECORD",
    "SCHEDULE",
    "SLA_DEFINITION",
    "SUPPORT_GROUP",
    "TASK_SLA",
    "WORK_ORDER",
    "CaseFilter",
]
