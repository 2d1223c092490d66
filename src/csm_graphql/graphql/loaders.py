"""Per-request DataLoaders: every nested read is batched into one statement per level.

Loaders close over the request's viewer, so a cached row can never be served to anyone else,
and they die with the request. A loader that takes page arguments is keyed by them: all parents
asking for the same page shape share one batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from aiodataloader import DataLoader

from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import case_relations, reads, relations
from csm_graphql.repositories.database import Database, Row
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.filters import ChildFilter, ChildQuery
from csm_graphql.repositories.paging import Page, PageRequest

if TYPE_CHECKING:
    from sqlalchemy import Table

V = TypeVar("V")


def _batch(fetch: Callable[[list[int]], Awaitable[dict[int, V]]], default: V) -> DataLoader[int, V]:
    async def load(keys: list[int]) -> list[V]:
        found = await fetch(keys)
        return [found.get(key, default) for key in keys]

    return DataLoader(batch_load_fn=load)


class Loaders:
    def __init__(self, db: Database, viewer: Viewer) -> None:
        self.db = db
        self.viewer = viewer
        self._loaders: dict[Hashable, DataLoader[int, Any]] = {}

    def _memo(self, key: Hashable, build: Callable[[], DataLoader[int, V]]) -> DataLoader[int, V]:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = build()
        return loader

    def by_id(self, entity: Entity) -> DataLoader[int, Row | None]:
        """Rows of ``entity`` by database id; None when missing or not visible."""

        def fetch(ids: list[int]) -> Awaitable[dict[int, Row]]:
            return reads.by_ids(self.db, entity, self.viewer, ids)

        # Keyed by the rule too: an entity read alone (``node``) may have a rule of its own.
        key = ("by_id", entity.name, entity.visible)
        return self._memo(key, lambda: _batch(fetch, None))

    def children(self, query: ChildQuery) -> DataLoader[int, Page]:
        """A page of children per parent id."""

        def fetch(ids: list[int]) -> Awaitable[dict[int, Page]]:
            return reads.child_pages(
                self.db,
                query.entity,
                self.viewer,
                query.parent_column,
                ids,
                query.request,
                where=query.conditions(),
                ordering=query.ordering,
            )

        return self._memo(("children", query), lambda: _batch(fetch, Page()))

    def linked(
        self, target: Entity, link: Table, parent_key: str, target_key: str
    ) -> DataLoader[int, list[Row]]:
        """Each parent's ``target`` rows listed in ``link`` (declared ``link_list``)."""

        def fetch(ids: list[int]) -> Awaitable[dict[int, list[Row]]]:
            return relations.linked_rows(
                self.db, self.viewer, target, link, parent_key, target_key, ids
            )

        key = ("linked", target.name, target.visible, link.name, parent_key, target_key)
        return self._memo(key, lambda: _batch(fetch, []))

    def contact_filter(self, record_table: Table) -> DataLoader[int, list[Row]]:
        def fetch(ids: list[int]) -> Awaitable[dict[int, list[Row]]]:
            return relations.contact_filters(self.db, self.viewer, record_table, ids)

        return self._memo(("contact_filter", record_table.name), lambda: _batch(fetch, []))

    def contact_accounts(self) -> DataLoader[int, list[Row]]:
        def fetch(ids: list[int]) -> Awaitable[dict[int, list[Row]]]:
            return relations.contact_accounts(self.db, self.viewer, ids)

        return self._memo("contact_accounts", lambda: _batch(fetch, []))

    def batched(
        self, key: Hashable, fetch: Callable[[list[int]], Awaitable[dict[int, V]]], default: V
    ) -> DataLoader[int, V]:
        """A per-request loader for an area's own relation: ``fetch`` maps parent ids to
        values (one statement per batch); ``key`` names the loader (and its page shape)."""
        return self._memo(key, lambda: _batch(fetch, default))

    def shared_articles(self, request: PageRequest) -> DataLoader[int, Page]:
        def fetch(ids: list[int]) -> Awaitable[dict[int, Page]]:
            return relations.shared_articles(self.db, self.viewer, ids, request)

        return self._memo(("shared_articles", request), lambda: _batch(fetch, Page()))

    def case_articles(self, request: PageRequest) -> DataLoader[int, Page]:
        def fetch(ids: list[int]) -> Awaitable[dict[int, Page]]:
            return case_relations.case_articles(self.db, self.viewer, ids, request)

        return self._memo(("case_articles", request), lambda: _batch(fetch, Page()))

    def project_contacts(self, request: PageRequest) -> DataLoader[int, Page]:
        def fetch(ids: list[int]) -> Awaitable[dict[int, Page]]:
            return relations.project_contacts(self.db, self.viewer, ids, request)

        return self._memo(("project_contacts", request), lambda: _batch(fetch, Page()))


__all__ = ["ChildFilter", "ChildQuery", "Loaders"]
