"""The root lists the compiled reads answer, and what their arguments mean.

Each root list's resolver (graphql/queries.py) is ``reads.page`` over an entity, its row rule,
the conditions its filter adds and an ordering; the compiled path takes the very same
functions (``queries.*_conditions``, ``to_ordering`` / ``case_ordering``), applied to the
same converted Strawberry inputs, so a filter or an ordering cannot mean two things.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from csm_graphql.access.viewer import Viewer
from csm_graphql.graphql import queries
from csm_graphql.graphql.case_inputs import case_ordering
from csm_graphql.graphql.inputs import to_ordering
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering

Conditions = Callable[[Any], list[ColumnElement[bool]]]
Orders = Callable[[Entity, Any, Viewer], Ordering]


def _case_ordering(entity: Entity, order: Any, viewer: Viewer) -> Ordering:
    return case_ordering(order, viewer)


@dataclass(frozen=True, slots=True)
class RootList:
    entity: Entity
    conditions: Conditions  # the filter input (converted, or None) -> WHERE conditions
    scoped: bool = False  # takes ``scope: ALL | MINE``
    ordering: Orders = to_ordering  # the ``orderBy`` input (or None) -> the ordering


def _success(entity: Entity) -> RootList:
    return RootList(entity, queries.success_conditions(entity), scoped=True)


ROOT_LISTS: dict[str, RootList] = {
    "engagements": RootList(entities.ENGAGEMENT, queries.engagement_conditions),
    "accounts": RootList(entities.ACCOUNT, queries.lookup_conditions(entities.ACCOUNT)),
    "users": RootList(entities.USER, queries.lookup_conditions(entities.USER)),
    "projects": RootList(entities.PROJECT, queries.project_conditions),
    "projectTasks": RootList(entities.PROJECT_TASK, queries.project_task_conditions, scoped=True),
    "cases": RootList(
        case_entities.CASE, queries.case_conditions, scoped=True, ordering=_case_ordering
    ),
    "successInitiatives": _success(entities.SUCCESS_INITIATIVE),
    "successCases": _success(entities.SUCCESS_CASE),
    "successTasks": _success(entities.SUCCESS_TASK),
    "touchpoints": _success(entities.TOUCHPOINT),
}

__all__ = ["ROOT_LISTS", "RootList"]
