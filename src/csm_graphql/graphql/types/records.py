"""Records that hang off other records: activities, attachments, knowledge, products."""

from __future__ import annotations

from datetime import datetime

from strawberry.scalars import JSON

from csm_graphql.graphql.declared import Declared, column, row_type
from csm_graphql.graphql.types.common import ActivityKind, ArticleAudience
from csm_graphql.graphql.types.node import Node
from csm_graphql.repositories import entities


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
    kind: ActivityKind = column("Comment, work note, state change, ...")
    at: datetime = column("When it happened.")
    body: str | None = column("The text, for comments and notes.")
    actor_name: str | None = column("Who did it, by name.")
    changes: JSON | None = column("Field changes, for change entries.")


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
