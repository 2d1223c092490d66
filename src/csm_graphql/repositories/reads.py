"""Generic reads: every query of the read side goes through these three shapes.

Each starts from the entity's visibility predicate (``access.rows``), so no caller can forget it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, RowMapping

from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.enums import Priority, WorkState
from csm_graphql.repositories import paging
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.filters import Filter
from csm_graphql.repositories.paging import Ordering, Page, PageRequest


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Filters of the customer-success lists; ids are already decoded database ids."""

    states: tuple[WorkState, ...] = ()
    priorities: tuple[Priority, ...] = ()
    engagement_id: int | None = None
    account_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        columns = entity.table.c
        conditions: list[ColumnElement[bool]] = []
        if self.states:
            conditions.append(columns.state.in_([state.value for state in self.states]))
        if self.priorities:
            conditions.append(columns.priority.in_([int(p) for p in self.priorities]))
        if self.engagement_id is not None:
            conditions.append(columns.engagement_id == self.engagement_id)
        if self.account_id is not None:
            # Every success record carries its account (denormalised, indexed): no join.
            conditions.append(columns.account_id == self.account_id)
        if self.due_from is not None:
            conditions.append(columns.due_date >= self.due_from)
        if self.due_to is not None:
            conditions.append(columns.due_date <= self.due_to)
        return conditions


async def page(
    db: Database,
    entity: Entity,
    viewer: Viewer,
    request: PageRequest,
    *,
    scope: ListScope = ListScope.ALL,
    where: Sequence[ColumnElement[bool]] = (),
    filter: Filter | None = None,
    ordering: Ordering | None = None,
) -> Page:
    """A page of the rows the viewer sees, narrowed by ``where`` and ``filter``."""
    visible = entity.visible(viewer, scope, entity.table)
    filtered = filter.conditions(entity) if filter is not None else []
    return await paging.fetch_page(
        db,
        entity.table,
        entity.columns,
        [visible, *where, *filtered],
        ordering or entity.default_ordering,
        request,
    )


async def child_pages(
    db: Database,
    entity: Entity,
    viewer: Viewer,
    parent_column: str,
    parent_ids: Sequence[int],
    request: PageRequest,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    ordering: Ordering | None = None,
) -> dict[int, Page]:
    """Children under parents the viewer already sees; the children's own rule applies too."""
    visible = entity.visible(viewer, ListScope.ALL, entity.table)
    return await paging.fetch_child_pages(
        db,
        entity.table,
        entity.columns,
        entity.table.c[parent_column],
        parent_ids,
        [visible, *where],
        ordering or entity.default_ordering,
        request,
    )


async def by_ids(
    db: Database, entity: Entity, viewer: Viewer, ids: Sequence[int]
) -> dict[int, RowMapping]:
    visible = entity.visible(viewer, ListScope.ALL, entity.table)
    return await paging.fetch_by_ids(db, entity.table, entity.columns, ids, [visible])
