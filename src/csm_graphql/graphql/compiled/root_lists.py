"""The root lists the compiled reads answer, and what their arguments mean.

Each root list's resolver (graphql/queries.py) is ``reads.page`` over an entity, its row rule,
the conditions its filter adds and an ordering; the compiled path takes the very same
functions (``converted_filter`` and its siblings, whose filter values make their
conditions in repositories/filters.py; ``to_ordering`` / ``case_ordering``), applied to the
same converted Strawberry inputs, so a filter or an ordering cannot mean two things.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from csm_graphql.access.viewer import Viewer
from csm_graphql.graphql.case_inputs import case_ordering
from csm_graphql.graphql.inputs import record_filter, to_ordering
from csm_graphql.graphql.list_filters import converted_filter, project_task_filter
from csm_graphql.graphql.lookup_inputs import contact_filter
from csm_graphql.graphql.types.requests import REQUEST
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.filters import Filter, conditions
from csm_graphql.repositories.paging import Ordering

ToFilter = Callable[[Any], Filter | None]
Orders = Callable[[Entity, Any, Viewer], Ordering]


def _case_ordering(entity: Entity, order: Any, viewer: Viewer) -> Ordering:
    return case_ordering(order, viewer)


@dataclass(frozen=True, slots=True)
class RootList:
    entity: Entity
    to_filter: ToFilter  # the filter input (converted by Strawberry, or None) -> its value
    scoped: bool = False  # takes ``scope: ALL | MINE``
    ordering: Orders = to_ordering  # the ``orderBy`` input (or None) -> the ordering
    # Its filter narrows the rows even when none is given (contacts: active ones only).
    always_filtered: bool = False

    def conditions(self, filter: Any) -> list[Any]:
        """The WHERE conditions the filter input adds, exactly as the resolver's read adds
        them (repositories/filters.py)."""
        return conditions(self.entity, self.to_filter(filter))


def _success(entity: Entity) -> RootList:
    return RootList(entity, record_filter, scoped=True)


@dataclass(frozen=True, slots=True)
class _OwnTable:
    """A filter value whose conditions name their table themselves (SLA definitions')."""

    value: Any

    def conditions(self, entity: Entity) -> list[Any]:
        return list(self.value.conditions())


def _sla_definition_filter(filter: Any) -> Filter | None:
    """graphql/sla_definitions.py: the input's value; no filter, no conditions."""
    return _OwnTable(filter.to_value()) if filter else None


def _lookup(entity: Entity) -> RootList:
    """A picker's list (graphql/lookups.py ``lookup_list``): the entity's default order."""
    return RootList(entity, converted_filter)


ROOT_LISTS: dict[str, RootList] = {
    "engagements": RootList(entities.ENGAGEMENT, converted_filter),
    "accounts": RootList(entities.ACCOUNT, converted_filter),
    "users": RootList(entities.USER, converted_filter),
    "projects": RootList(entities.PROJECT, converted_filter),
    "projectTasks": RootList(entities.PROJECT_TASK, project_task_filter, scoped=True),
    "cases": RootList(case_entities.CASE, converted_filter, scoped=True, ordering=_case_ordering),
    "successInitiatives": _success(entities.SUCCESS_INITIATIVE),
    "successCases": _success(entities.SUCCESS_CASE),
    "successTasks": _success(entities.SUCCESS_TASK),
    "touchpoints": _success(entities.TOUCHPOINT),
    # The pickers' lists (issue 12).
    "contacts": RootList(entities.CONTACT, contact_filter, always_filtered=True),
    "assets": _lookup(case_entities.ASSET),
    "contracts": _lookup(case_entities.CONTRACT),
    "entitlements": _lookup(case_entities.ENTITLEMENT),
    "products": _lookup(entities.PRODUCT),
    "productModels": _lookup(case_entities.PRODUCT_MODEL),
    "schedules": _lookup(case_entities.SCHEDULE),
    "supportGroups": _lookup(case_entities.SUPPORT_GROUP),
    "workOrders": _lookup(case_entities.WORK_ORDER),
    "requests": _lookup(REQUEST),  # graphql/types/requests.py: a lookup list too
    "slaDefinitions": RootList(case_entities.SLA_DEFINITION, _sla_definition_filter),
}

__all__ = ["ROOT_LISTS", "RootList"]
