"""Records that hang off other records: activities, attachments, knowledge, products."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strawberry.scalars import JSON

from csm_graphql.domain.enums import RecordType as RecordTypeValue
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import Declared, column, computed, row_type
from csm_graphql.graphql.declared.registry import NodeEntry, fetchable
from csm_graphql.graphql.types.common import ActivityKind, ArticleAudience, RecordType
from csm_graphql.graphql.types.node import Node
from csm_graphql.repositories import entities


def record_node_type(record_type: RecordTypeValue) -> str:
    """The GraphQL type of the records of ``record_type`` (success_case -> SuccessCase)."""
    return "".join(part.capitalize() for part in record_type.value.split("_"))


def record_node(record_type: RecordTypeValue) -> NodeEntry | None:
    return fetchable(record_node_type(record_type))


async def _record(root: Any, info: Info) -> Node | None:
    # Through the record's own node loader: its row rule decides (a hidden record is null,
    # exactly as node(id:) answers), and the entries of one page batch per record type.
    entry = record_node(RecordTypeValue(root.record_type))
    if entry is None:
        return None
    row = await info.context.loaders.by_id(entry.entity).load(root.record_id)
    built: Node | None = entry.build(row) if row else None
    return built


@row_type(entities.PRODUCT, description="A product of the catalogue.")
class Product(Node, Declared):
    number: str = column("Product number.")
    name: str = column("Product name.")
    description: str | None = column("What the product does.")


# Activities and attachments hang off a record, whose rule they need: by id they are read
# under the rule of the streams that show them (``Entity.alone``).
@row_type(
    entities.ACTIVITY,
    description="An entry of a record's activity stream (append-only). Work notes are "
    "internal and never reach external viewers.",
)
class Activity(Node, Declared):
    kind: ActivityKind = column(
        "What happened: opened, a state change, an assignment, a comment, a work note, ..."
    )
    at: datetime = column("When it happened.")
    body: str | None = column("The text, for comments and notes.")
    actor_name: str | None = column("Who did it, by name.")
    changes: JSON | None = column("Field changes, for change entries.")
    record_type: RecordType = column("The type of record the entry is on.")
    record: Node | None = computed(
        _record,
        "The record the entry is on, under that record's own access rule: null when the "
        "viewer may not see it.",
        reads=["record_id"],
    )


@row_type(entities.ATTACHMENT, description="File metadata attached to a record.")
class Attachment(Node, Declared):
    file_name: str = column("File name.")
    content_type: str = column("MIME type.")
    size_bytes: int = column("Size in bytes.")
    created_at: datetime = column("When it was attached.")


@row_type(entities.KNOWLEDGE_ARTICLE, description="A knowledge article.")
class KnowledgeArticle(Node, Declared):
    number: str = column("Article number, e.g. KB0000012.")
    title: str = column("Title.")
    body: str = column("Article text.")
    audience: ArticleAudience | None = column("Who may read it.")
