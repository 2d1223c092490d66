"""Connections over values computed in Python rather than read as rows (work items, health
indicators): keyset-paged like the SQL pages, with the same cursors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.pagination import Connection, Edge, PageInfo
from csm_graphql.repositories import paging
from csm_graphql.repositories.paging import Ordering, PageRequest

T = TypeVar("T")


def computed_connection(
    nodes: list[T], cursors: list[str], has_next: bool, has_previous: bool, total: int | None
) -> Connection[T]:
    """A connection over already-built nodes (work items, computed indicators)."""
    return Connection(
        total_count=total or 0,
        page_info=PageInfo(
            has_next_page=has_next,
            end_cursor=cursors[-1] if cursors else None,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
        ),
        edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)],
        nodes=nodes,
    )


def computed_page(
    items: list[tuple[int, T]],
    key: Callable[[T], float],
    name: str,
    descending: bool,
    request: PageRequest,
) -> Connection[T]:
    """Keyset paging of a small computed list of ``(id, value)`` (an engagement's indicators,
    whose score and gap exist only once the formula ran): sorted by (key, id) and cut after
    the cursor, like the SQL pages, and counted before the cut."""
    ordering = Ordering(name, key=lambda table: table.c.id, descending=descending)

    def position(item: tuple[int, T]) -> tuple[float, int]:
        return key(item[1]), item[0]

    ranked = sorted(items, key=position, reverse=descending)
    if request.after:
        sort_key, row_id = paging.decode_cursor(request.after, ordering)
        try:
            boundary = (float(sort_key), row_id)
        except ValueError as error:
            raise BadUserInput("Invalid cursor.", field="after") from error
        if descending:
            ranked = [item for item in ranked if position(item) < boundary]
        else:
            ranked = [item for item in ranked if position(item) > boundary]
    shown = ranked[: request.first]
    cursors = [paging.encode_cursor(ordering, repr(key(i)), ident) for ident, i in shown]
    return computed_connection(
        [value for _, value in shown],
        cursors,
        len(ranked) > request.first,
        request.after is not None,
        len(items),
    )
