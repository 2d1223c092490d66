"""The customer service area's entries of the one entity registry (``entities``, where they
are defined), under the names its callers use, and the case lists' filter value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement

from csm_graphql.domain.cases import CaseChannel, CaseState
from csm_graphql.domain.enums import Priority
from csm_graphql.repositories.entities import (
    ASSET,
    CASE,
    CASE_ORDERS,
    CONTRACT,
    ENTITLEMENT,
    INTERACTION,
    PRODUCT_MODEL,
    RELATED_RECORD,
    SCHEDULE,
    SLA_DEFINITION,
    SUPPORT_GROUP,
    TASK_SLA,
    WORK_ORDER,
    Entity,
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
    "CASE_ORDERS",
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
