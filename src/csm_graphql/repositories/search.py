"""Full-text search over the records of the search's sources (success records, cases,
knowledge articles), under the same visibility as lists."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import REAL, ColumnElement, FromClause, case, exists, func, literal, or_

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.fields import search_document
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.repositories import paging
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering, Page, PageRequest

# Journal entries a case is found by; the activities rule then drops the work notes for
# contacts and proxy contacts, so they can neither match nor rank.
SEARCHED_KINDS = (ActivityKind.COMMENT.value, ActivityKind.WORK_NOTE.value)


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


def _in_case_journal(viewer: Viewer, table: FromClause, text: str) -> ColumnElement[bool]:
    """A case is found by its journal too: its additional comments, and its work notes for
    viewers who may read them (the entries' own rule, ``rows.activities``). They match; the
    rank stays the case's own text's."""
    entry = t.activities.alias("searched_entry")
    return exists().where(
        entry.c.record_type == RecordType.CASE.value,
        entry.c.record_id == table.c.id,
        entry.c.kind.in_(SEARCHED_KINDS),
        rows.activities(viewer, entry),
        func.to_tsvector("english", func.coalesce(entry.c.body, "")).op("@@")(_query(text)),
    )


# Sources that match on more than their own search document, by type name.
_ALSO_MATCHING: dict[str, Callable[[Viewer, FromClause, str], ColumnElement[bool]]] = {
    "Case": _in_case_journal,
}


def search_terms(
    entity: Entity, viewer: Viewer, text: str
) -> tuple[list[ColumnElement[bool]], Ordering]:
    """What searching ``entity`` for ``text`` adds to its row rule: the match condition and
    the rank ordering (the compiled reads page with these too)."""
    table = entity.table
    document = search_document(entity.name, viewer)
    matches = [table.c[document].op("@@")(_query(text)), table.c.number == record_number(text)]
    also = _ALSO_MATCHING.get(entity.name)
    if also is not None:
        matches.append(also(viewer, table, text))
    ordering = Ordering(f"{entity.name}_RANK", _rank(text, document), descending=True)
    return [or_(*matches)], ordering


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
