"""Records that hang off other records: activities, attachments, knowledge, products."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from sqlalchemy import RowMapping
from strawberry.scalars import JSON

from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.common import ActivityKind, ArticleAudience
from csm_graphql.graphql.types.node import Node


@field_rules
@strawberry.type(description="A product of the catalogue.")
class Product(Node):
    number: str = strawberry.field(description="Product number.")
    name: str = strawberry.field(description="Product name.")
    description: str | None = strawberry.field(description="What the product does.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Product", row["id"])),
            number=row["number"],
            name=row["name"],
            description=row["description"],
        )


@field_rules
@strawberry.type(
    description="An entry of a record's activity stream (append-only). Work notes are "
    "internal and never reach external viewers."
)
class Activity(Node):
    kind: ActivityKind = strawberry.field(description="Comment, work note, state change, ...")
    at: datetime = strawberry.field(description="When it happened.")
    body: str | None = strawberry.field(description="The text, for comments and notes.")
    actor_name: str | None = strawberry.field(description="Who did it, by name.")
    changes: JSON | None = strawberry.field(description="Field changes, for change entries.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Activity", row["id"])),
            kind=ActivityKind(row["kind"]),
            at=row["at"],
            body=row["body"],
            actor_name=row["actor_name"],
            changes=row["changes"],
        )


@field_rules
@strawberry.type(description="File metadata attached to a record.")
class Attachment(Node):
    file_name: str = strawberry.field(description="File name.")
    content_type: str = strawberry.field(description="MIME type.")
    size_bytes: int = strawberry.field(description="Size in bytes.")
    created_at: datetime = strawberry.field(description="When it was attached.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Attachment", row["id"])),
            file_name=row["file_name"],
            content_type=row["content_type"],
            size_bytes=row["size_bytes"],
            created_at=row["created_at"],
        )


@field_rules
@strawberry.type(description="A knowledge article.")
class KnowledgeArticle(Node):
    number: str = strawberry.field(description="Article number, e.g. KB0000012.")
    title: str = strawberry.field(description="Title.")
    body: str = strawberry.field(description="Article text.")
    audience: ArticleAudience | None = strawberry.field(description="Who may read it.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("KnowledgeArticle", row["id"])),
            number=row["number"],
            title=row["title"],
            body=row["body"],
            audience=ArticleAudience(row["audience"]),
        )
