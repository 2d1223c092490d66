"""Portal search: hits grouped by source, each a connection, ranked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from csm_graphql.graphql.context import Info
from csm_graphql.graphql.pagination import After, Connection, page_request
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.cases import Case
from csm_graphql.graphql.types.records import KnowledgeArticle
from csm_graphql.graphql.types.success import (
    SuccessCase,
    SuccessInitiative,
    SuccessTask,
    Touchpoint,
)
from csm_graphql.repositories import entities
from csm_graphql.repositories.case_search import search_cases
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.search import search

SourceFirst = Annotated[
    int | None,
    strawberry.argument(description="Hits of this source; the search's first when null."),
]


async def _hits(
    root: SearchResults,
    info: Info,
    entity: Entity,
    build: Callable[[Row], Any],
    first: int | None,
    after: str | None,
) -> Connection[Any]:
    request = page_request(info, root.first if first is None else first, after)
    page = await search(info.context.db, entity, info.context.viewer, root.text, request)
    return Connection.from_page(page, build)


@field_rules
@strawberry.type(
    description="Search hits grouped by source, best first. Counts and hits include only "
    "records the viewer may see."
)
class SearchResults:
    text: strawberry.Private[str]
    first: strawberry.Private[int]

    @strawberry.field(description="Matching success cases.")
    async def success_cases(
        self, info: Info, first: SourceFirst = None, after: After = None
    ) -> Connection[SuccessCase]:
        return await _hits(self, info, entities.SUCCESS_CASE, SuccessCase.from_row, first, after)

    @strawberry.field(description="Matching success tasks.")
    async def success_tasks(
        self, info: Info, first: SourceFirst = None, after: After = None
    ) -> Connection[SuccessTask]:
        return await _hits(self, info, entities.SUCCESS_TASK, SuccessTask.from_row, first, after)

    @strawberry.field(description="Matching success initiatives.")
    async def success_initiatives(
        self, info: Info, first: SourceFirst = None, after: After = None
    ) -> Connection[SuccessInitiative]:
        return await _hits(
            self, info, entities.SUCCESS_INITIATIVE, SuccessInitiative.from_row, first, after
        )

    @strawberry.field(
        description="Matching customer service cases: number, short description, description "
        "and additional comments (work notes too, for viewers who may read them)."
    )
    async def cases(
        self, info: Info, first: SourceFirst = None, after: After = None
    ) -> Connection[Case]:
        request = page_request(info, self.first if first is None else first, after)
        page = await search_cases(info.context.db, info.context.viewer, self.text, request)
        return Connection.from_page(page, Case.from_row)

    @strawberry.field(description="Matching touchpoints.")
    async def touchpoints(
        self, info: Info, first: SourceFirst = None, after: After = None
    ) -> Connection[Touchpoint]:
        return await _hits(self, info, entities.TOUCHPOINT, Touchpoint.from_row, first, after)

    @strawberry.field(
        description="Matching knowledge articles: number, title and body. Internal viewers "
        "search every article; contacts only the PUBLIC and CUSTOMERS ones (never an INTERNAL "
        "one)."
    )
    async def knowledge_articles(
        self, info: Info, first: SourceFirst = None, after: After = None
    ) -> Connection[KnowledgeArticle]:
        return await _hits(
            self, info, entities.KNOWLEDGE_ARTICLE, KnowledgeArticle.from_row, first, after
        )
