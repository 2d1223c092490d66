"""The ``cases`` search source: number, short description, description and the case's
journal (additional comments; work notes only for viewers who may read them)."""

from __future__ import annotations

from sqlalchemy import REAL, ColumnElement, FromClause, case, exists, func, literal, or_

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.repositories import paging
from csm_graphql.repositories.case_entities import CASE
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.paging import Ordering, Page, PageRequest

# Journal entries a case is found by; the activities rule then drops the work notes for
# contacts and proxy contacts, so they can neither match nor rank.
SEARCHED_KINDS = (ActivityKind.COMMENT.value, ActivityKind.WORK_NOTE.value)


def _query(text: str) -> ColumnElement[object]:
    return func.websearch_to_tsquery("english", literal(text))


async def search_cases(db: Database, viewer: Viewer, text: str, request: PageRequest) -> Page:
    table = t.cases
    entry = t.activities.alias("searched_entry")
    in_journal = exists().where(
        entry.c.record_type == RecordType.CASE.value,
        entry.c.record_id == table.c.id,
        entry.c.kind.in_(SEARCHED_KINDS),
        rows.activities(viewer, entry),
        func.to_tsvector("english", func.coalesce(entry.c.body, "")).op("@@")(_query(text)),
    )
    number = text.strip().upper()
    matches = or_(
        table.c.search_vector.op("@@")(_query(text)), table.c.number == number, in_journal
    )

    def rank(source: FromClause) -> ColumnElement[object]:
        exact = case((source.c.number == number, 1.0), else_=0.0)
        return func.ts_rank(source.c.search_vector, _query(text), type_=REAL) + exact

    ordering = Ordering("Case_RANK", rank, descending=True)
    return await paging.fetch_page(
        db, table, CASE.columns, [rows.cases(viewer), matches], ordering, request
    )
