"""Case relations that are not a plain foreign key: informed users and linked articles."""

from __future__ import annotations

from collections.abc import Sequence

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import paging
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.entities import data_columns
from csm_graphql.repositories.paging import Ordering, Page, PageRequest

LINKED_AT_DESC = Ordering(
    "LINKED_AT_DESC",
    key=lambda _: t.case_articles.c.linked_at,
    descending=True,
    tiebreak=lambda _: t.knowledge_articles.c.id,
)


async def case_articles(
    db: Database, viewer: Viewer, case_ids: Sequence[int], request: PageRequest
) -> dict[int, Page]:
    """Knowledge articles linked to each case, newest link first; internal-audience articles
    never reach contacts."""
    linked = t.knowledge_articles.join(
        t.case_articles, t.case_articles.c.article_id == t.knowledge_articles.c.id
    )
    return await paging.fetch_child_pages(
        db,
        linked,
        data_columns(t.knowledge_articles),
        t.case_articles.c.case_id,
        case_ids,
        [rows.knowledge_articles(viewer)],
        LINKED_AT_DESC,
        request,
    )
