"""Portal search: hits grouped by source, each a connection, ranked."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared.registry import builder
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
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.search import search

SourceFirst = Annotated[
    int | None,
    strawberry.argument(description="Hits of this source; the search's first when null."),
]


def _hits(entity: Entity, description: str) -> Any:
    """A source's connection of hits (its rows' own builder), ranked in SQL."""

    async def resolve(
        root: Any, info: Info, first: SourceFirst = None, after: After = None
    ) -> Connection[Any]:
        request = page_request(info, root.first if first is None else first, after)
        page = await search(info.context.db, entity, info.context.viewer, root.text, request)
        return Connection.from_page(page, builder(entity))

    return strawberry.field(resolver=resolve, description=description)


@field_rules
@strawberry.type(
    description="Search hits grouped by source, best first. Counts and hits include only "
    "records the viewer may see."
)
class SearchResults:
    text: strawberry.Private[str]
    first: strawberry.Private[int]

    success_cases: Connection[SuccessCase] = _hits(entities.SUCCESS_CASE, "Matching success cases.")
    success_tasks: Connection[SuccessTask] = _hits(entities.SUCCESS_TASK, "Matching success tasks.")
    success_initiatives: Connection[SuccessInitiative] = _hits(
        entities.SUCCESS_INITIATIVE, "Matching success initiatives."
    )

    cases: Connection[Case] = _hits(
        case_entities.CASE,
        "Matching customer service cases: number, short description, description and "
        "additional comments (work notes too, for viewers who may read them).",
    )
    touchpoints: Connection[Touchpoint] = _hits(entities.TOUCHPOINT, "Matching touchpoints.")
    knowledge_articles: Connection[KnowledgeArticle] = _hits(
        entities.KNOWLEDGE_ARTICLE,
        "Matching knowledge articles: number, title and body. Internal viewers search every "
        "article; contacts only the PUBLIC and CUSTOMERS ones (never an INTERNAL one).",
    )
