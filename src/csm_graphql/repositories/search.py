"""Full-text search over the customer-success records, under the same visibility as lists."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import REAL, ColumnElement, FromClause, case, func, literal, or_

from csm_graphql.access.fields import search_document
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import paging
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering, Page, PageRequest


def _query(text: str) -> ColumnElement[object]:
    # websearch syntax ("quoted phrases", -exclusions, or) never raises on user input.
    return func.websearch_to_tsquery("english", literal(text))


def record_number(text: str) -> str:
    """The record number a search's text names (numbers are stored upper case): what the
    exact number match compares (the compiled reads' cached statements bind it too)."""
    return text.strip().upper()


def _rank(text: str, document: str) -> Callable[[FromClause], ColumnElement[object]]:
    def rank(table: FromClause) -> ColumnElement[object]:
        exact_number = case((table.c.number == record_number(text), 1.0), else_=0.0)
        return func.ts_rank(table.c[document], _query(text), type_=REAL) + exact_number

    return rank


def search_terms(
    entity: Entity, viewer: Viewer, text: str
) -> tuple[list[ColumnElement[bool]], Ordering]:
    """What searching ``entity`` for ``text`` adds to its row rule: the match condition and
    the rank ordering (the compiled reads page with these too)."""
    table = entity.table
    document = search_document(entity.name, viewer)
    matches = or_(
        table.c[document].op("@@")(_query(text)),
        table.c.number == record_number(text),
    )
    return [matches], Ordering(f"{entity.name}_RANK", _rank(text, document), descending=True)


async def search(
    db: Database, entity: Entity, viewer: Viewer, text: str, request: PageRequest
) -> Page:
    """Ranked hits of ``entity`` for ``text``: number, short description and description.

    A record's number matches exactly (case-insensitive) as well as through the text index, and
    ranks first. Visibility is part of the WHERE clause, so hits and counts never leak.
    """
    table = entity.table
    matches, ordering = search_terms(entity, viewer, text)
    return await paging.fetch_page(
        db,
        table,
        entity.columns,
        [entity.visible(viewer, ListScope.ALL, table), *matches],
        ordering,
        request,
    )
