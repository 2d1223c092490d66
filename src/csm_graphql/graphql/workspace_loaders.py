"""The workspace fields' batched reads: one statement per level of engagements (or records)
for each read, whatever the number of parents; the resolvers in graphql/types/ compute their
values from what these load."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from datetime import date
from typing import Annotated, Any

import strawberry

from csm_graphql.domain.weeks import last_weeks
from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.pagination import Connection, page_request
from csm_graphql.graphql.types.records import KnowledgeArticle
from csm_graphql.repositories import workspace as reads
from csm_graphql.repositories import workspace_summaries as summaries
from csm_graphql.repositories.paging import Page


def batched(
    info: Info, key: Hashable, fetch: Callable[[list[int]], Awaitable[dict[int, Any]]], default: Any
) -> Any:
    """The request's loader of one workspace read, batched over the engagements of a level."""
    return info.context.loaders.batched(("workspace", key), fetch, default)


def mondays_before(info: Info, weeks: int) -> list[date]:
    """The Mondays of the last ``weeks`` weeks, ending with the request's current one."""
    try:
        return last_weeks(info.context.today, weeks)
    except ValueError as error:
        raise BadUserInput(str(error), field="weeks") from error


def health_reading(info: Info, engagement_id: int) -> Awaitable[reads.HealthReading]:
    """The engagement's health definition and indicator measures (dashboard fields share it)."""
    viewer, db = info.context.viewer, info.context.db
    loader = batched(
        info, "health", lambda ids: reads.health_readings(db, viewer, ids), reads.HealthReading()
    )
    return loader.load(engagement_id)


ArticleKeywords = Annotated[
    str | None,
    strawberry.argument(
        description="Keywords to search the knowledge base with instead of the record's own "
        'text: all of them must match ("quoted phrases", -exclusions and or as in search); '
        "1 to 200 characters."
    ),
]


async def ranked_articles(
    info: Info,
    kind: str,
    record_id: int,
    first: int | None,
    after: str | None,
    text: str | None = None,
) -> Connection[KnowledgeArticle]:
    """Articles ranked against a record's text, or against the keywords the viewer typed,
    best first: a keyset page like every list (cursors hold the rank and the article's id),
    batched for all records of a level."""
    if text is not None and (not text.strip() or len(text) > 200 or "\x00" in text):
        raise BadUserInput("text must be 1 to 200 characters, without NUL.", field="text")
    request = page_request(info, first, after)
    viewer, db = info.context.viewer, info.context.db
    loader = batched(
        info,
        ("recommended", kind, request, text),
        lambda ids: summaries.recommended_article_pages(db, viewer, kind, ids, request, text),
        Page(),
    )
    return Connection.from_page(await loader.load(record_id), KnowledgeArticle.from_row)
