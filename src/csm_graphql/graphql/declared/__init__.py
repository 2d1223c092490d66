"""Declared types: each GraphQL type states each field once, with its description and what
produces it; the Strawberry type, the row conversion, the relation resolvers, the field
rules and the node registration derive from that one declaration (docs/contributing.md)."""

from csm_graphql.graphql.declared.fields import (
    Narrowing,
    activity_stream,
    attachment_list,
    column,
    comment_stream,
    computed,
    connection,
    link_list,
    link_many,
    reference,
    row_list,
    to_one,
    version_column,
    work_note_stream,
)
from csm_graphql.graphql.declared.registry import (
    DECLARED,
    NODES,
    DeclarationError,
    register_node,
)
from csm_graphql.graphql.declared.row_type import Declared, field_group, row_type

__all__ = [
    "DECLARED",
    "NODES",
    "DeclarationError",
    "Declared",
    "Narrowing",
    "activity_stream",
    "attachment_list",
    "column",
    "comment_stream",
    "computed",
    "connection",
    "field_group",
    "link_list",
    "link_many",
    "reference",
    "register_node",
    "row_list",
    "row_type",
    "to_one",
    "version_column",
    "work_note_stream",
]
