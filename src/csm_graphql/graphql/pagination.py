"""Relay-style connection types over keyset pages, and the page arguments every list takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.context import Info
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.paging import Page, PageRequest

NodeT = TypeVar("NodeT")

FIRST_DESCRIPTION = "How many items to return (at most 100)."
AFTER_DESCRIPTION = "The endCursor of the previous page; omit it for the first page."

# The page arguments every connection field takes.
First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]


@strawberry.type(description="Where a page ends and whether more follow (forward pagination).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether another page follows this one.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` to fetch the next page; null on an empty page."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether this page was asked for after a cursor (lists page forward only)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null on an empty page."
    )


@strawberry.type(description="An item of a page and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="An opaque position in the list.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A keyset-paginated list: stable cursors, totals on demand.")
class Connection(Generic[NodeT]):
    total_count: int = strawberry.field(
        description="How many items the whole list holds for this viewer (not just this page)."
    )
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    edges: list[Edge[NodeT]] = strawberry.field(description="The page's items with cursors.")
    nodes: list[NodeT] = strawberry.field(description="The page's items.")

    @classmethod
    def from_page(cls, page: Page, build: Callable[[Row], NodeT]) -> Connection[NodeT]:
        nodes = [build(row) for row in page.rows]
        return cls(
            total_count=page.total if page.total is not None else 0,
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=page.cursors[-1] if page.cursors else None,
                has_previous_page=page.has_previous,
                start_cursor=page.cursors[0] if page.cursors else None,
            ),
            edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            nodes=nodes,
        )


def _selects(
    selection_set: SelectionSetNode | None,
    name: str,
    fragments: dict[str, FragmentDefinitionNode],
) -> bool:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            if selection.name.value == name:
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _selects(selection.selection_set, name, fragments):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment and _selects(fragment.selection_set, name, fragments):
                return True
    return False


def wants_total(info: Info) -> bool:
    """Whether this connection field's selection (fragments included) asks for totalCount.

    Walks the document's nodes directly: strawberry's ``info.selected_fields`` converts the
    whole subtree on every call, which costs milliseconds on a nested list's every parent.
    """
    raw = info._raw_info
    return any(
        _selects(node.selection_set, "totalCount", raw.fragments) for node in raw.field_nodes
    )


def page_request(info: Info, first: int | None, after: str | None) -> PageRequest:
    limits = info.context.settings.limits
    count = limits.default_first if first is None else first
    if not 0 <= count <= limits.max_first:
        raise BadUserInput(f"first must be between 0 and {limits.max_first}.", field="first")
    return PageRequest(first=count, after=after or None, with_total=wants_total(info))
