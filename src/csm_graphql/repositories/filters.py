"""List filters as SQL: values (hashable, so equal filters share one loader batch) that the
GraphQL inputs build from their arguments, and that turn into WHERE conditions here, next to
the reads that apply them after the row rule and before ORDER BY/LIMIT."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, and_, exists, not_

from csm_graphql import tables as t
from csm_graphql.domain.enums import Priority
from csm_graphql.domain.workspace import PlaySource, RiskState
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering, PageRequest


class Filter(Protocol, Hashable):
    """A filter of a list's rows, compared by value so that equal filters share one batch."""

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]: ...


# The name the nested lists (loaders, declared connections) use.
ChildFilter = Filter


def conditions(entity: Entity, *filters: Filter | None) -> list[ColumnElement[bool]]:
    """The conditions of every given filter on ``entity``'s table."""
    return [c for found in filters if found is not None for c in found.conditions(entity)]


@dataclass(frozen=True, slots=True)
class ChildQuery:
    """A page of ``entity`` rows under each parent id; hashable, so it can key a loader."""

    entity: Entity
    parent_column: str
    request: PageRequest
    ordering: Ordering | None = None
    record_filter: Filter | None = None
    # For polymorphic children (activities, attachments): the parent's record type.
    record_type: str | None = None
    kinds: tuple[str, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        columns = self.entity.table.c
        found = self.record_filter.conditions(self.entity) if self.record_filter else []
        if self.record_type is not None:
            found.append(columns.record_type == self.record_type)
        if self.kinds:
            found.append(columns.kind.in_(self.kinds))
        return found


@dataclass(frozen=True, slots=True)
class Equals:
    """``column IN (values)`` for each (column, values) pair given (an empty tuple: no
    condition); the filter of lists that match stored values (stages, states, targets)."""

    pairs: tuple[tuple[str, tuple[object, ...]], ...] = ()

    @classmethod
    def of(cls, **values: tuple[object, ...] | object | None) -> Equals:
        pairs: list[tuple[str, tuple[object, ...]]] = []
        for column, value in values.items():
            if value is None or value == ():
                continue
            pairs.append((column, value if isinstance(value, tuple) else (value,)))
        return cls(tuple(pairs))

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        columns = entity.table.c
        return [columns[column].in_(values) for column, values in self.pairs]


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Project task filters (``projectTasks``, ``Project.tasks``)."""

    states: tuple[str, ...] = ()
    project_id: int | None = None
    planned_end_from: date | None = None
    planned_end_to: date | None = None

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        columns = entity.table.c
        found: list[ColumnElement[bool]] = []
        if self.states:
            found.append(columns.state.in_(self.states))
        if self.project_id is not None:
            found.append(columns.project_id == self.project_id)
        if self.planned_end_from is not None:
            found.append(columns.planned_end >= self.planned_end_from)
        if self.planned_end_to is not None:
            found.append(columns.planned_end <= self.planned_end_to)
        return found


# -- the engagement workspace ---------------------------------------------------------------------

HIGH_PRIORITIES = (Priority.CRITICAL, Priority.HIGH)
OPEN_RISK_STATES = tuple(state.value for state in RiskState if state.is_open)


@dataclass(frozen=True, slots=True)
class RiskConditions:
    """The overview's risk-signal views; all given flags apply together."""

    new: bool = False
    overdue: bool = False
    high_priority: bool = False
    unaddressed: bool = False
    states: tuple[str, ...] = ()
    today: date | None = None

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        risk = entity.table
        found: list[ColumnElement[bool]] = []
        if self.new:
            found.append(risk.c.state == RiskState.NEW.value)
        if self.overdue:
            found.append(and_(risk.c.state.in_(OPEN_RISK_STATES), risk.c.due_date < self.today))
        if self.high_priority:
            high = risk.c.priority.in_([int(p) for p in HIGH_PRIORITIES])
            found.append(and_(risk.c.state.in_(OPEN_RISK_STATES), high))
        if self.unaddressed:
            play = t.success_plays
            launched = exists().where(
                play.c.source_type == PlaySource.RISK_SIGNAL.value, play.c.source_id == risk.c.id
            )
            found.append(and_(risk.c.state.in_(OPEN_RISK_STATES), not_(launched)))
        if self.states:
            found.append(risk.c.state.in_(self.states))
        return found


@dataclass(frozen=True, slots=True)
class ActiveContracts:
    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        return [entity.table.c.active]


__all__ = [
    "ActiveContracts",
    "ChildFilter",
    "ChildQuery",
    "Equals",
    "Filter",
    "RiskConditions",
    "TaskFilter",
    "conditions",
]
