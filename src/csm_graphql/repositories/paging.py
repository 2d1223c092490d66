"""Keyset pagination in SQL: pages, batched child pages, totals, and opaque cursors.

A page is ``ORDER BY key, id LIMIT first + 1`` after a ``(key, id) > (cursor)`` condition, so a
cursor stays valid when rows are inserted before it and the database walks an index instead of
skipping an offset. ``totalCount`` is computed in the same statement, and only when asked for.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Float,
    FromClause,
    Integer,
    Numeric,
    RowMapping,
    Select,
    SmallInteger,
    Text,
    any_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    true,
    tuple_,
)
from sqlalchemy.types import TypeEngine

from csm_graphql.errors import BadUserInput
from csm_graphql.repositories.database import Database

AnySelect = Select[*tuple[Any, ...]]

MAX_BIGINT = 2**63 - 1

SORT_KEY = "_sort_key"
POSITION = "_position"
TOTAL = "_total"
PARENT = "_parent_id"
PAGE = "page"


@dataclass(frozen=True, slots=True)
class Ordering:
    """A named sort order. ``key`` builds the (never null) sort expression from the table."""

    name: str
    key: Callable[[FromClause], ColumnElement[object]]
    descending: bool = False
    # The unique column that breaks ties; a join names its own (e.g. the article's id).
    tiebreak: Callable[[FromClause], ColumnElement[int]] = lambda table: table.c.id


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int
    after: str | None = None
    with_total: bool = False


@dataclass(slots=True)
class Page:
    rows: list[RowMapping] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)
    has_next: bool = False
    # Forward pagination: a page asked for after a cursor has rows before it (Relay allows
    # this approximation when it cannot be known cheaply).
    has_previous: bool = False
    total: int | None = None


# -- cursors ------------------------------------------------------------------------------------


def encode_cursor(ordering: Ordering, sort_key: str, row_id: int) -> str:
    payload = orjson.dumps([ordering.name, sort_key, row_id])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: Ordering) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, sort_key, row_id = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadUserInput("Invalid cursor.", field="after") from error
    if name != ordering.name:
        raise BadUserInput("This cursor belongs to another ordering.", field="after")
    if (
        not isinstance(sort_key, str)
        or type(row_id) is not int
        or not -MAX_BIGINT <= row_id <= MAX_BIGINT
        or "\x00" in sort_key
    ):
        raise BadUserInput("Invalid cursor.", field="after")
    return sort_key, row_id


def _integer_limit(key_type: Integer) -> int:
    if isinstance(key_type, SmallInteger):
        return 2**15 - 1
    return MAX_BIGINT if isinstance(key_type, BigInteger) else 2**31 - 1


def _canonical_sort_key(value: str, key_type: TypeEngine[Any]) -> str:
    """Cursors are client input: parse the key by its column's type and hand PostgreSQL the
    canonical spelling, so a forged key is the client's error, never a database failure."""
    try:
        if isinstance(key_type, Date):
            return (
                value
                if value in {"infinity", "-infinity"}
                else date.fromisoformat(value).isoformat()
            )
        if isinstance(key_type, DateTime):
            return datetime.fromisoformat(value).isoformat()
        if isinstance(key_type, Integer):
            number, limit = int(value), _integer_limit(key_type)
            if not -limit <= number <= limit:
                raise ValueError(value)
            return str(number)
        if isinstance(key_type, Float | Numeric):
            real = float(value)
            if not math.isfinite(real):
                raise ValueError(value)
            return repr(real)
    except ValueError as error:
        raise BadUserInput("Invalid cursor.", field="after") from error
    return value


# -- statements ---------------------------------------------------------------------------------


def _order_clauses(ordering: Ordering, table: FromClause) -> list[ColumnElement[Any]]:
    key, row_id = ordering.key(table), ordering.tiebreak(table)
    if ordering.descending:
        return [key.desc(), row_id.desc()]
    return [key.asc(), row_id.asc()]


def cursor_position(cursor: str, ordering: Ordering, key_type: TypeEngine[Any]) -> tuple[str, int]:
    """The (canonical sort key, id) a page after ``cursor`` starts from: what the keyset
    condition binds (the compiled reads' cached statements bind it per request too)."""
    sort_key, row_id = decode_cursor(cursor, ordering)
    return _canonical_sort_key(sort_key, key_type), row_id


def _after(ordering: Ordering, table: FromClause, cursor: str) -> ColumnElement[bool]:
    key = ordering.key(table)
    sort_key, row_id = cursor_position(cursor, ordering, key.type)
    position = tuple_(key, ordering.tiebreak(table))
    boundary = tuple_(cast(literal(sort_key, Text), key.type), literal(row_id, BigInteger))
    return position < boundary if ordering.descending else position > boundary


def page_size(value: int) -> ColumnElement[int]:
    """A page size written into the statement, not bound: PostgreSQL plans a page with the
    very number. Its generic plans (the only ones, see db/engine.py) would otherwise plan
    ``LIMIT $n`` for a tenth of the table, and prefer a sort over an ordered index walk."""
    return literal_column(str(int(value)), BigInteger)


def page_select(
    table: FromClause,
    columns: Sequence[ColumnElement[object]],
    where: Sequence[ColumnElement[bool]],
    ordering: Ordering,
    request: PageRequest,
) -> AnySelect:
    """``first + 1`` rows after the cursor, with their sort key as text (``SORT_KEY``, what
    cursors carry) and their position (``POSITION``); the compiled reads page the same way."""
    order = _order_clauses(ordering, table)
    conditions = list(where)
    if request.after:
        conditions.append(_after(ordering, table, request.after))
    return (
        select(
            *columns,
            cast(ordering.key(table), Text).label(SORT_KEY),
            func.row_number().over(order_by=order).label(POSITION),
        )
        .select_from(table)
        .where(*conditions)
        .order_by(*order)
        .limit(page_size(request.first + 1))
    )


def _page_columns(columns: Sequence[ColumnElement[object]]) -> list[ColumnElement[Any]]:
    """The page subquery's columns, named rather than proxied.

    ``lateral.c`` would build a proxy object per column (about 2 ms for a 20-column record,
    the largest single cost of a nested list); named columns with the source's types cost
    nothing, and keep their result processing (JSON, numerics).
    """
    named = [
        literal_column(f'{PAGE}."{column.name}"', type_=column.type).label(column.name)
        for column in columns
    ]
    return [*named, literal_column(f"{PAGE}.{SORT_KEY}", Text).label(SORT_KEY)]


def _count(table: FromClause, where: Sequence[ColumnElement[bool]]) -> AnySelect:
    return select(func.count()).select_from(table).where(*where)


def _to_page(rows: Sequence[RowMapping], ordering: Ordering, request: PageRequest) -> Page:
    page = Page(has_next=len(rows) > request.first, has_previous=request.after is not None)
    for row in rows[: request.first]:
        page.rows.append(row)
        page.cursors.append(encode_cursor(ordering, row[SORT_KEY], row["id"]))
    return page


async def fetch_page(
    db: Database,
    table: FromClause,
    columns: Sequence[ColumnElement[object]],
    where: Sequence[ColumnElement[bool]],
    ordering: Ordering,
    request: PageRequest,
) -> Page:
    """One page of ``table`` rows matching ``where`` (visibility included): one statement."""
    rows_select = page_select(table, columns, where, ordering, request)
    if not request.with_total:
        return _to_page(await db.rows(rows_select), ordering, request)
    # total LEFT JOIN LATERAL page: one row even when the page is empty, so one statement.
    total = _count(table, where).subquery("total")
    page = rows_select.lateral(PAGE)
    statement = (
        select(total.c.count.label(TOTAL), *_page_columns(columns))
        .select_from(total.outerjoin(page, true()))
        .order_by(literal_column(f"{PAGE}.{POSITION}"))
    )
    rows = await db.rows(statement)
    result = _to_page([row for row in rows if row["id"] is not None], ordering, request)
    result.total = rows[0][TOTAL]
    return result


async def fetch_child_pages(
    db: Database,
    table: FromClause,
    columns: Sequence[ColumnElement[object]],
    parent_column: ColumnElement[int] | Callable[[ColumnElement[int]], ColumnElement[bool]],
    parent_ids: Sequence[int],
    where: Sequence[ColumnElement[bool]],
    ordering: Ordering,
    request: PageRequest,
) -> dict[int, Page]:
    """A page of children for each parent id, in one statement whatever the number of parents.

    ``unnest(parent ids) LEFT JOIN LATERAL (page of children)``: each parent's page is an index
    walk limited to ``first + 1`` rows. ``parent_column`` is the child's parent key, or a
    function from the parent id to the condition that links a child to it (e.g. a timeline
    whose entries hang off several kinds of record under the parent).
    """
    parents = (
        func.unnest(bindparam("parent_ids", list(parent_ids), type_=ARRAY(BigInteger)))
        .table_valued("parent_id")
        .render_derived()
        .alias("parents")
    )
    if isinstance(parent_column, ColumnElement):
        link = parent_column == parents.c.parent_id
    else:
        link = parent_column(parents.c.parent_id)
    where = [link, *where]
    page = page_select(table, columns, where, ordering, request).lateral(PAGE)
    selected: list[Any] = [parents.c.parent_id.label(PARENT)]
    source: FromClause = parents
    if request.with_total:
        # Joined laterally, so each parent's count runs once, not once per row of its page.
        total = _count(table, where).lateral("total")
        source = source.join(total, true())
        selected.append(total.c[0].label(TOTAL))
    statement = (
        select(*selected, *_page_columns(columns))
        .select_from(source.outerjoin(page, true()))
        .order_by(parents.c.parent_id, literal_column(f"{PAGE}.{POSITION}"))
    )
    grouped: dict[int, list[RowMapping]] = {parent_id: [] for parent_id in parent_ids}
    totals: dict[int, int | None] = {}
    for row in await db.rows(statement):
        totals[row[PARENT]] = row.get(TOTAL)
        if row["id"] is not None:
            grouped[row[PARENT]].append(row)
    pages = {}
    for parent_id, rows in grouped.items():
        pages[parent_id] = _to_page(rows, ordering, request)
        pages[parent_id].total = totals.get(parent_id)
    return pages


async def fetch_by_ids(
    db: Database,
    table: FromClause,
    columns: Sequence[ColumnElement[object]],
    ids: Sequence[int],
    where: Sequence[ColumnElement[bool]],
) -> dict[int, RowMapping]:
    """Rows by primary key that also satisfy ``where``; the missing and the hidden are absent."""
    key = table.c.id == any_(bindparam("ids", list(ids), type_=ARRAY(BigInteger)))
    rows = await db.rows(select(*columns).where(key, *where))
    return {row["id"]: row for row in rows}
