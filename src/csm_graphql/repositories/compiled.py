"""One SELECT whose JSON PostgreSQL builds: the SQL half of the compiled reads (issue 10).

``graphql/compiled`` turns an operation into *shapes* (which keys to show, read from which
entity's rows, under which page arguments); this module turns the shapes into one statement.
It lives here because repositories are the only modules that build SELECTs, and because it
must read rows exactly as the resolver path does:

* rows come from the entity's row rule (``Entity.visible``, i.e. ``access.rows``), composed
  into the WHERE before ORDER BY and LIMIT, for pages, totals and to-one rows alike;
* pages are ``paging.page_select`` itself (keyset condition, ``first + 1``, the sort key as
  text), so cursors, ``hasNextPage`` and the cursor checks cannot drift;
* cursors and global ids are encoded in SQL byte for byte as ``paging.encode_cursor`` and
  ``graphql.ids.to_global_id`` encode them in Python.

Every object is built over a named row source (``n1``, ``p2``, ...); nested relations refer to
their parent's columns by that name, so a correlated reference never depends on how
SQLAlchemy correlates FROM clauses.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, StrEnum
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Float,
    FromClause,
    Numeric,
    Select,
    Table,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    not_,
    null,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    CollectionAggregate,
    Grouping,
    Label,
)
from sqlalchemy.sql.visitors import replacement_traverse

from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import paging
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering, PageRequest
from csm_graphql.repositories.search import search_terms

# json_build_object takes at most 100 arguments: 50 keys and their values.
MAX_KEYS = 50
# json_build_array likewise: at most 100 items.
MAX_ITEMS = 100
# The key of a finisher's marker object ("$" starts no GraphQL response key).
FINISH = "$finish"

# A column of the object's row source, by its SQL name.
ColumnRef = Callable[[str], ColumnElement[Any]]


@dataclass(frozen=True, slots=True)
class RequestValues:
    """What a statement needs from the request besides the viewer: one "today" per
    response, as the resolvers' context has."""

    today: date


class ValueKind(StrEnum):
    PLAIN = "PLAIN"  # json_build_object serialises it as Python would (text, numbers, dates)
    ENUM = "ENUM"  # the stored value, shown as the enum member's name
    DATETIME = "DATETIME"  # datetime.isoformat() of the UTC instant
    DECIMAL = "DECIMAL"  # str(Decimal): the numeric's text


@dataclass(frozen=True, slots=True)
class Value:
    """A leaf read from a column of the row."""

    key: str
    column: str
    kind: ValueKind = ValueKind.PLAIN
    enum: type[Enum] | None = None


@dataclass(frozen=True, slots=True)
class GlobalIdValue:
    key: str
    type_name: str


@dataclass(frozen=True, slots=True)
class Constant:
    """A value that does not depend on the row: a denied field (null or []), __typename."""

    key: str
    value: str | list[Any] | None


@dataclass(frozen=True, slots=True)
class Expression:
    """A computed field's SQL twin: built from the row's columns and the request's values."""

    key: str
    build: Callable[[ColumnRef, RequestValues], ColumnElement[Any]]
    reads: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Loaded:
    """A field computed in Python from batched reads (graphql/compiled/loaded.py): the
    statement writes ``{"$finish": marker, "id": <row id>, "loads": [<rows>, ...]}``, the
    rows of each captured SELECT (``state.loads``) for this row: read once for a page's items
    (its parent ids parameter, ``PARENT_IDS``, replaced by the ids on the page, the rows
    grouped by parent: ``StatementBuilder._page_loads``), else per row (the parameter
    replaced by the row's id: ``StatementBuilder._load``).

    Per page, not per row: the dashboard's 20 engagements ran each read 20 times (and the
    health reading four times over), about 6x the resolver path's PostgreSQL time (issue 10)."""

    key: str
    state: Any  # loaded.Loaded: its marker, and the captured SELECTs once captured

    def loads(self) -> list[tuple[Hashable, Select[Any]]]:
        """(loader key, captured SELECT) of each batched read, in the order asked."""
        found: list[tuple[Hashable, Select[Any]]] = self.state.loads
        return found


# The parameter the batched reads name their parent ids by (repositories/workspace._ids).
PARENT_IDS = "engagement_ids"


@dataclass(frozen=True, slots=True)
class Inline:
    """An object of the response without a row of its own (``search``'s results)."""

    key: str
    shape: ObjectShape


@dataclass(frozen=True, slots=True)
class Bound:
    """A value computed in Python for this request (the viewer), sent as a parameter."""

    key: str
    json: str


@dataclass(frozen=True, slots=True)
class Finished:
    """A field computed in Python after the statement (graphql/compiled/finishers.py): the
    statement writes ``{"$finish": marker, "row": [<columns>]}`` in its place, the columns'
    values in ``columns`` order as PostgreSQL's JSON gives them (instants as ISO 8601 text,
    which Python reads back to the very instant). A later finished field of the same object
    reading the same columns gets ``{"$finish": marker}`` alone and the earlier one's row.

    An array of the raw values, once per object, not an object of formatted ones per field:
    an SLA's three clock fields, each with its own object of twelve columns and ``to_char``
    instants, were most of the case list's PostgreSQL time (issue 10)."""

    key: str
    marker: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ObjectShape:
    fields: tuple[Field, ...]

    def columns(self) -> set[str]:
        """The row's columns its fields read: a row source selects these alone, which keeps
        both the statement and the work of building it small."""
        names = {"id"}
        for shape in self.fields:
            match shape:
                case Value(column=column):
                    names.add(column)
                case Expression(reads=reads) | Finished(columns=reads):
                    names.update(reads)
                case ToOne(key_column=str() as column):
                    names.add(column)
        return names


@dataclass(frozen=True, slots=True)
class ToOne:
    """The row of ``entity`` whose ``target_key`` is the parent's ``key_column`` (or, at the
    root, ``key_value``), if the viewer may see it; else null."""

    key: str
    entity: Entity
    shape: ObjectShape
    target_key: str = "id"
    key_column: str | None = None
    key_value: int | None = None


class Part(StrEnum):
    TOTAL_COUNT = "totalCount"
    HAS_NEXT_PAGE = "hasNextPage"
    HAS_PREVIOUS_PAGE = "hasPreviousPage"
    START_CURSOR = "startCursor"
    END_CURSOR = "endCursor"
    CURSOR = "cursor"


@dataclass(frozen=True, slots=True)
class PageInfoShape:
    key: str
    fields: tuple[tuple[str, Part] | Constant, ...]


@dataclass(frozen=True, slots=True)
class EdgesShape:
    key: str
    fields: tuple[tuple[str, Part] | Constant | NodesShape, ...]


@dataclass(frozen=True, slots=True)
class NodesShape:
    key: str
    shape: ObjectShape


@dataclass(frozen=True, slots=True)
class SearchText:
    """What ``search(text:)`` asked for: a connection holding one pages the entity's hits for
    the text, ranked, as ``repositories.search.search_terms`` defines them. The text alone,
    not the conditions built from it, so that the statement cache binds it as a value
    (``repositories/prepared.py``) instead of building the statement per request."""

    text: str


@dataclass(frozen=True, slots=True)
class Connection:
    """A keyset page of ``entity`` rows: the children of the parent row (``child_key`` is
    their key to it) or, at the root, a list under ``scope``.

    With ``search`` set, the rows are also the text's hits and the page is ranked: the
    statement takes the match conditions and the ordering from ``search_terms(entity,
    viewer, search.text)``, never ``ordering``. That one is the same function's ordering for
    the request's text, kept for what reads a connection without its viewer (a cursor's
    ordering name, the sort key's SQL type: neither depends on the text), and the statement
    cache leaves it out of its key (it follows from the entity, the viewer's shape and the
    text)."""

    key: str
    entity: Entity
    request: PageRequest
    ordering: Ordering
    fields: tuple[tuple[str, Part] | Constant | PageInfoShape | NodesShape | EdgesShape, ...]
    scope: ListScope = ListScope.ALL
    child_key: str | None = None
    # Fixed conditions of a polymorphic child (record type, activity kinds).
    equals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Children listed in a link table instead (``child_key`` is then the link's parent key).
    link: Link | None = None
    # The conditions the list's filter adds, as its resolver computes them.
    where: tuple[ColumnElement[bool], ...] = ()
    search: SearchText | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A link table whose ``parent_key`` rows name the children by ``target_key``."""

    table: Table
    target_key: str


@dataclass(frozen=True, slots=True)
class LinkList:
    """Every visible row of ``entity`` that ``link`` lists for the parent (its ``child_key``
    is the parent's id), in the entity's default ordering, as a JSON array: a plain list, as
    ``relations.linked_rows`` reads it."""

    key: str
    entity: Entity
    shape: ObjectShape
    link: Link
    child_key: str


@dataclass(frozen=True, slots=True)
class NodeGroup:
    """The rows of one type among ``nodes(ids:)``'s ids, read at once under its row rule."""

    entity: Entity
    shape: ObjectShape
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NodeList:
    """``nodes(ids:)``: one item per id, in order: (its group, its id), or None for null."""

    key: str
    groups: tuple[NodeGroup, ...]
    items: tuple[tuple[int, int] | None, ...]


Field = (
    Value
    | GlobalIdValue
    | Constant
    | Expression
    | ToOne
    | Connection
    | LinkList
    | NodeList
    | Finished
    | Bound
    | Inline
    | Loaded
)


def _text(value: str) -> ColumnElement[str]:
    """A string constant written into the statement (keys, type names, enum names): these
    come from the schema, never from a request, and keep the statement text stable."""
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def _base64url(text: ColumnElement[Any]) -> ColumnElement[str]:
    """base64url without padding, as ``base64.urlsafe_b64encode(...).rstrip("=")``
    (PostgreSQL's base64 also breaks lines every 76 characters: those go too)."""
    encoded = func.encode(
        func.convert_to(text, literal_column("'UTF8'")), literal_column("'base64'")
    )
    return func.translate(encoded, literal_column("E'+/=\\n'"), literal_column("'-_'"))


def _global_id(type_name: str, row_id: ColumnElement[Any]) -> ColumnElement[str]:
    return _base64url(_text(f"{type_name}:").op("||")(cast(row_id, Text)))


def _cursor(ordering: Ordering, sort_key: ColumnElement[Any], row_id: ColumnElement[Any]) -> Any:
    """``paging.encode_cursor``: base64url of orjson's ``[name, sort key, id]``, which has no
    spaces (PostgreSQL's json arrays do, so the text is assembled here)."""
    head = _text("[" + orjson.dumps(ordering.name).decode() + ",")
    body = head.op("||")(cast(func.to_json(sort_key), Text)).op("||")(_text(","))
    return _base64url(body.op("||")(cast(row_id, Text)).op("||")(_text("]")))


def _isoformat(column: str) -> ColumnElement[str]:
    """``datetime.isoformat()`` of an aware UTC instant: microseconds only when not zero."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return literal_column(
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = "
        f"'000000' THEN '' ELSE '.' || to_char({utc}, 'US') END || '+00:00'",
        Text,
    )


def _enum_name(column: str, enum: type[Enum]) -> ColumnElement[str]:
    """The member's name for the stored value (what Strawberry serialises)."""
    branches = " ".join(
        f"WHEN {member.value if isinstance(member.value, int) else _quote(member.value)} "
        f"THEN {_quote(member.name)}"
        for member in enum
    )
    return literal_column(f"CASE {column} {branches} END", Text)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _json_constant(value: str | list[Any] | None) -> ColumnElement[Any]:
    if value is None:
        return literal_column("CAST(NULL AS json)")
    if isinstance(value, str):
        return _text(value)
    return literal_column("CAST(" + _quote(orjson.dumps(value).decode()) + " AS json)")


def _object(pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    if len(pairs) > MAX_KEYS:
        raise ValueError(f"an object of {len(pairs)} keys")  # the planner refuses these first
    return func.json_build_object(*itertools.chain.from_iterable((_text(k), v) for k, v in pairs))


@dataclass
class StatementBuilder:
    """Builds one statement for one request (its viewer and values)."""

    viewer: Viewer
    values: RequestValues
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # A page's loaded fields' rows, read once for the page (``_page_loads``): per (page's row
    # source, marker), each load's rows for the row, picked from the page's.
    _picks: dict[tuple[str, str], list[ColumnElement[Any]]] = field(default_factory=dict)

    def statement(self, fields: Sequence[Field]) -> Select[tuple[str]]:
        """``SELECT json_build_object(<root fields>)::text``: the response's ``data``."""
        pairs = [(f.key, self._field(f, None)) for f in fields]
        return select(cast(_object(pairs), Text))

    def _name(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    @staticmethod
    def _ref(source: str | None) -> ColumnRef:
        def column(name: str) -> ColumnElement[Any]:
            return literal_column(f'{source}."{name}"')

        return column

    def _object(self, shape: ObjectShape, source: str) -> ColumnElement[Any]:
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        sent: set[tuple[str, ...]] = set()
        for item in shape.fields:
            if isinstance(item, Finished) and item.columns in sent:
                # The row went with an earlier marker of this object (an SLA's clock fields
                # all read the same columns): the marker alone, the finisher reuses that row.
                pairs.append((item.key, _object([(FINISH, _text(item.marker))])))
                continue
            if isinstance(item, Finished):
                sent.add(item.columns)
            pairs.append((item.key, self._field(item, source)))
        return _object(pairs)

    def _field(self, shape: Field, source: str | None) -> ColumnElement[Any]:
        ref = self._ref(source)
        match shape:
            case Value(column=column, kind=ValueKind.PLAIN):
                return ref(column)
            case Value(column=column, kind=ValueKind.ENUM, enum=enum) if enum is not None:
                return _enum_name(f'{source}."{column}"', enum)
            case Value(column=column, kind=ValueKind.DATETIME):
                return _isoformat(f'{source}."{column}"')
            case Value(column=column, kind=ValueKind.DECIMAL):
                return cast(ref(column), Text)
            case GlobalIdValue(type_name=type_name):
                return _global_id(type_name, ref("id"))
            case Constant(value=value):
                return _json_constant(value)
            case Expression(build=build):
                return build(ref, self.values)
            case ToOne():
                return self._to_one(shape, source)
            case Connection():
                return self._connection(shape, source)
            case LinkList():
                return self._link_list(shape, source)
            case Loaded(state=state):
                picked = self._picks.get((source or "", state.marker))
                loads = picked or [self._load(select, source) for _, select in shape.loads()]
                return _object(
                    [
                        (FINISH, _text(state.marker)),
                        ("id", ref("id")),
                        ("loads", func.json_build_array(*loads)),
                    ]
                )
            case Inline(shape=inline):
                return _object([(f.key, self._field(f, source)) for f in inline.fields])
            case Bound(json=json):
                return cast(bindparam(None, json, type_=Text), JSON)
            case Finished(marker=marker, columns=columns):
                row = func.json_build_array(*(ref(name) for name in columns))
                return _object([(FINISH, _text(marker)), ("row", row)])
            case NodeList():
                return self._node_list(shape)
        raise TypeError(f"no SQL for {shape!r}")

    def _node_list(self, shape: NodeList) -> ColumnElement[Any]:
        """Each group's visible rows as one JSON object by id (``reads.by_ids`` per type),
        and the list built from them in the ids' order; an id not there is null."""
        sources: list[FromClause] = []
        names: list[str] = []
        for group in shape.groups:
            table, name = group.entity.table, self._name("n")
            ids = bindparam(None, list(group.ids), type_=ARRAY(BigInteger))
            rows = (
                select(*_columns(group.entity, group.shape.columns()))
                .where(
                    table.c.id == func.any(ids),
                    group.entity.visible(self.viewer, ListScope.ALL, table),
                )
                .subquery(name)
            )
            by_id = func.json_object_agg(self._ref(name)("id"), self._object(group.shape, name))
            names.append(self._name("g"))
            sources.append(select(by_id.label("v")).select_from(rows).subquery(names[-1]))
        null: ColumnElement[Any] = literal_column("CAST(NULL AS json)")
        values = [
            null
            if item is None
            else literal_column(f"{names[item[0]]}.v").op("->")(
                bindparam(None, str(item[1]), type_=Text)
            )
            for item in shape.items
        ]
        array = func.json_build_array(*values)
        if not sources:
            return array
        joined = sources[0]
        for other in sources[1:]:  # one row each: a cross join, written as one
            joined = joined.join(other, true())
        return select(array).select_from(joined).scalar_subquery()

    def _load(self, statement: Select[Any], source: str | None) -> ColumnElement[Any]:
        """A batched read's rows for the row of ``source``: its SELECT with the parent ids
        parameter swapped for the row's id, as a JSON array of arrays (numerics as text,
        instants as isoformat text: read back exactly as the driver gives them)."""
        parent_ids = postgresql.array([literal_column(f'{source}."id"', BigInteger)])

        def swap(element: Any, **_: Any) -> Any:
            if isinstance(element, BindParameter) and element.key == PARENT_IDS:
                return parent_ids
            return None

        swapped: Select[Any] = replacement_traverse(statement, {}, swap)  # type: ignore[assignment]
        name = self._name("l")
        rows = swapped.subquery(name)
        aggregate = func.json_agg(_load_row(statement, name))
        found = func.coalesce(aggregate, literal_column("CAST('[]' AS json)"))
        return select(found).select_from(rows).scalar_subquery()

    def _page_loads(self, shape: Connection, page: FromClause, name: str) -> list[FromClause]:
        """The loaded fields of the page's items, each batched read once for the whole page
        (as the resolvers' DataLoader reads it, once for the page's parents) instead of once
        per row: its SELECT with the parent ids parameter swapped for the ids on the page, its
        rows grouped by parent (in the SELECT's order) into a materialised CTE, and each row
        picks its own (``_picks``). Reads of one loader key are read once (the health reading
        behind healthScore, healthColour, healthSeries and healthIndicators): on the resolver
        path they are one DataLoader, whose first fetch answers them all.

        A SELECT whose parent column is not one of its columns is read per row as before."""
        ctes: list[FromClause] = []
        shared: dict[Hashable, Any] = {}
        first = paging.page_size(shape.request.first)
        on_page = select(page.c.id).where(page.c[paging.POSITION] <= first)
        page_ids = func.array(on_page.scalar_subquery())
        row_id = self._ref(name)("id")
        for node in _nodes(shape):
            for item in node.fields:
                if not isinstance(item, Loaded):
                    continue
                picks: list[ColumnElement[Any]] = []
                for key, statement in item.loads():
                    parent = parent_column(statement)
                    if parent is None:
                        picks.append(self._load(statement, name))
                        continue
                    # The key, and the columns its rows are read back by (which a fetch
                    # of the same key could not change without breaking the DataLoader).
                    columns = tuple(column.name for column in statement.selected_columns)
                    cte = shared.get((key, columns))
                    if cte is None:
                        cte = shared[(key, columns)] = self._grouped(statement, parent, page_ids)
                        ctes.append(cte)
                    rows = select(cte.c.rows).where(cte.c.parent == row_id).scalar_subquery()
                    picks.append(func.coalesce(rows, literal_column("CAST('[]' AS json)")))
                self._picks[(name, item.state.marker)] = picks
        return ctes

    def _grouped(self, statement: Select[Any], parent: str, ids: ColumnElement[Any]) -> Any:
        """``statement``'s rows for the parents ``ids``, one row per parent: ``parent`` and
        ``rows`` (the JSON array ``_load`` would give that parent)."""

        def swap(element: Any, **_: Any) -> Any:
            if isinstance(element, BindParameter) and element.key == PARENT_IDS:
                return ids
            return None

        swapped: Select[Any] = replacement_traverse(statement, {}, swap)  # type: ignore[assignment]
        name = self._name("l")
        # Numbered in the SELECT's order: GROUP BY may sort, and a sort is not stable.
        numbered = select(
            literal_column(f"{name}s.*"), func.row_number().over().label(_ROW_NUMBER)
        ).select_from(swapped.subquery(f"{name}s"))
        rows = numbered.subquery(f"{name}n")
        reference: ColumnElement[Any] = literal_column(f'{name}n."{parent}"')
        aggregate = func.json_agg(
            aggregate_order_by(
                _load_row(statement, f"{name}n"), literal_column(f"{name}n.{_ROW_NUMBER}")
            )
        )
        grouped = (
            select(reference.label("parent"), aggregate.label("rows"))
            .select_from(rows)
            .group_by(reference)
        )
        # Referenced once in the text but read once per row: PostgreSQL would inline it.
        return grouped.cte(name).prefix_with("MATERIALIZED")

    def _link_list(self, shape: LinkList, parent: str | None) -> ColumnElement[Any]:
        """The linked rows under their rule, as ``relations.linked_rows`` reads them, in a
        JSON array ordered as it orders them (an empty list when there are none)."""
        entity, table, link = shape.entity, shape.entity.table, shape.link.table
        ordering = entity.default_ordering
        name = self._name("k")
        rows = (
            select(
                *_columns(entity, shape.shape.columns()),
                ordering.key(table).label(_LIST_KEY),
                ordering.tiebreak(table).label(_LIST_TIEBREAK),
            )
            .select_from(table.join(link, link.c[shape.link.target_key] == table.c.id))
            .where(
                link.c[shape.child_key] == self._ref(parent)("id"),
                entity.visible(self.viewer, ListScope.ALL, table),
            )
            .subquery(name)
        )
        ref = self._ref(name)
        order = [ref(_LIST_KEY), ref(_LIST_TIEBREAK)]
        if ordering.descending:
            order = [column.desc() for column in order]
        aggregate = func.json_agg(aggregate_order_by(self._object(shape.shape, name), *order))
        found = func.coalesce(aggregate, literal_column("CAST('[]' AS json)"))
        return select(found).select_from(rows).scalar_subquery()

    def _to_one(self, shape: ToOne, parent: str | None) -> ColumnElement[Any]:
        """``reads.by_ids`` for one key: the row, under its rule, or no row (null)."""
        entity, table = shape.entity, shape.entity.table
        if shape.key_column is not None:
            key: ColumnElement[Any] = self._ref(parent)(shape.key_column)
        else:
            key = bindparam(None, shape.key_value, type_=BigInteger)
        name = self._name("r")
        row = (
            select(*_columns(entity, shape.shape.columns()))
            .where(
                table.c[shape.target_key] == key,
                entity.visible(self.viewer, ListScope.ALL, table),
            )
            .subquery(name)
        )
        return select(self._object(shape.shape, name)).select_from(row).scalar_subquery()

    def _connection(self, shape: Connection, parent: str | None) -> ColumnElement[Any]:
        """One page and its total, as ``paging.fetch_page`` / ``fetch_child_pages`` read
        them, aggregated into the connection's JSON."""
        entity, table = shape.entity, shape.entity.table
        source: FromClause = table
        where: list[ColumnElement[bool]] = []
        if shape.link is not None:
            link = shape.link.table
            source = table.join(link, link.c[shape.link.target_key] == table.c.id)
            where.append(link.c[shape.child_key or ""] == self._ref(parent)("id"))
        elif shape.child_key is not None:
            where.append(table.c[shape.child_key] == self._ref(parent)("id"))
        where.append(entity.visible(self.viewer, shape.scope, table))
        where += [
            table.c[column].in_([_text(value) for value in values])
            for column, values in shape.equals
        ]
        where += shape.where
        ordering = shape.ordering
        if shape.search is not None:
            matches, ordering = search_terms(entity, self.viewer, shape.search.text)
            if ordering.name != shape.ordering.name:  # its cursors would not decode
                raise ValueError(f"a search of {entity.name} ordered by {shape.ordering.name}")
            where += matches
        name = self._name("p")
        columns = _columns(entity, set().union(*(node.columns() for node in _nodes(shape))))
        # The page's size is written into the text (paging.page_size): the statement
        # cache keys on the shape's sizes anyway.
        rows = paging.page_select(source, columns, where, ordering, shape.request)
        loaded = any(isinstance(f, Loaded) for node in _nodes(shape) for f in node.fields)
        page: FromClause = (
            rows.cte(name).prefix_with("MATERIALIZED") if loaded else rows.subquery(name)
        )
        ctes = self._page_loads(shape, page, name) if loaded else []
        ref = self._ref(name)
        position = ref(paging.POSITION)
        on_page = position <= paging.page_size(shape.request.first)
        cursor = _cursor(ordering, ref(paging.SORT_KEY), ref("id"))

        def cursors(*order: Any) -> ColumnElement[Any]:
            aggregate = func.array_agg(aggregate_order_by(cursor, *order)).filter(on_page)
            return type_coerce(aggregate.self_group(), ARRAY(Text))[1]

        def part(name: Part) -> ColumnElement[Any]:
            match name:
                case Part.TOTAL_COUNT:
                    total = select(func.count()).select_from(source).where(*where)
                    return total.scalar_subquery()
                case Part.HAS_NEXT_PAGE:
                    return func.count() > paging.page_size(shape.request.first)
                case Part.HAS_PREVIOUS_PAGE:
                    after = shape.request.after is not None
                    return literal_column("true" if after else "false", Boolean)
                case Part.START_CURSOR:
                    return cursors(position)
                case Part.END_CURSOR:
                    return cursors(position.desc())
                case Part.CURSOR:
                    return cursor
            raise TypeError(name)

        def items(value: ColumnElement[Any]) -> ColumnElement[Any]:
            aggregate = func.json_agg(aggregate_order_by(value, position)).filter(on_page)
            return func.coalesce(aggregate, literal_column("CAST('[]' AS json)"))

        def connection_field(
            item: tuple[str, Part] | Constant | PageInfoShape | NodesShape | EdgesShape,
        ) -> tuple[str, ColumnElement[Any]]:
            match item:
                case Constant():
                    return item.key, _json_constant(item.value)
                case PageInfoShape(key=key, fields=fields):
                    return key, _object([connection_field(f) for f in fields])
                case NodesShape(key=key, shape=node):
                    return key, items(self._object(node, name))
                case EdgesShape(key=key, fields=fields):
                    edge = [
                        (f.key, self._object(f.shape, name))
                        if isinstance(f, NodesShape)
                        else connection_field(f)
                        for f in fields
                    ]
                    return key, items(_object(edge))
                case (str() as key, Part() as name_of_part):
                    return key, part(name_of_part)
            raise TypeError(item)

        built = _object([connection_field(item) for item in shape.fields])
        # GROUP BY (): one row whatever the page holds, even when no aggregate is selected
        # (a connection asked only for its totalCount).
        one_row = select(built).select_from(page).group_by(literal_column("()"))
        if loaded:
            one_row = one_row.add_cte(page, *ctes, nest_here=True)  # type: ignore[arg-type]
        return one_row.scalar_subquery()


_ROW_NUMBER = "row_number"


def _load_row(statement: Select[Any], source: str) -> ColumnElement[Any]:
    """A row of a batched read as a JSON array (numerics as text, instants as isoformat
    text: read back exactly as the driver gives them, ``compiled_values.row_readers``)."""
    values: list[ColumnElement[Any]] = []
    for column in statement.selected_columns:
        reference = f'{source}."{column.name}"'
        if isinstance(column.type, DateTime):
            values.append(_isoformat(reference))
        elif isinstance(column.type, Numeric) and not isinstance(column.type, Float):
            values.append(cast(literal_column(reference), Text))
        else:
            values.append(literal_column(reference))
    return func.json_build_array(*values)


def parent_column(statement: Select[Any]) -> str | None:
    """The name of the column of a batched read that says whose row it is: the selected
    column its WHERE requires to be ``= ANY(PARENT_IDS)`` (a conjunct, so every row it gives
    belongs to one of the parents asked for); None when there is no such column."""
    criteria = list(statement._where_criteria)
    while criteria:
        criterion = criteria.pop()
        if isinstance(criterion, BooleanClauseList) and criterion.operator is operators.and_:
            criteria.extend(criterion.clauses)
            continue
        if not (
            isinstance(criterion, BinaryExpression)
            and criterion.operator is operators.eq
            and isinstance(criterion.right, CollectionAggregate)
            and criterion.right.operator is operators.any_op
        ):
            continue
        parameter: Any = criterion.right.element
        while isinstance(parameter, Grouping):
            parameter = parameter.element
        if not (isinstance(parameter, BindParameter) and parameter.key == PARENT_IDS):
            continue
        for column in statement.selected_columns:
            if column is criterion.left or (
                isinstance(column, Label) and column.element is criterion.left
            ):
                return column.name
    return None


def _nodes(shape: Connection) -> list[ObjectShape]:
    """The shapes of a connection's items, under ``nodes`` and ``edges { node }``."""
    found: list[ObjectShape] = []
    for item in shape.fields:
        if isinstance(item, NodesShape):
            found.append(item.shape)
        elif isinstance(item, EdgesShape):
            found += [f.shape for f in item.fields if isinstance(f, NodesShape)]
    return found


# A linked list's sort key and tiebreak, beside the rows' own columns.
_LIST_KEY = "_list_key"
_LIST_TIEBREAK = "_list_tiebreak"


def _columns(entity: Entity, names: set[str]) -> list[ColumnElement[Any]]:
    """The entity's columns (and computed ``extra_columns``) of these names, in the entity's
    order, so that one selection always gives one statement text."""
    return [column for column in entity.columns if column.name in names or column.name == "id"]


def days_until(due: ColumnElement[Any], values: RequestValues) -> ColumnElement[Any]:
    """``domain.dates.days_remaining`` in SQL: a date minus a date is whole days."""
    return due - bindparam(None, values.today, type_=Date)


def when_flag(
    value: ColumnElement[Any], flag: ColumnElement[Any], *, when_set: bool, when_unset: bool
) -> ColumnElement[Any]:
    """``value`` where the row's boolean ``flag`` allows it, else a text null: the value
    itself, null, or a CASE on the flag (a field rule that depends on the row, asked for both
    values of the flag)."""
    if when_set and when_unset:
        return value
    if not when_set and not when_unset:
        return cast(null(), Text)
    return case((flag if when_set else not_(flag), value), else_=cast(null(), Text))


__all__ = [
    "FINISH",
    "MAX_ITEMS",
    "MAX_KEYS",
    "PARENT_IDS",
    "Bound",
    "ColumnRef",
    "Connection",
    "Constant",
    "EdgesShape",
    "Expression",
    "Field",
    "Finished",
    "GlobalIdValue",
    "Inline",
    "Link",
    "LinkList",
    "Loaded",
    "NodeGroup",
    "NodeList",
    "NodesShape",
    "ObjectShape",
    "PageInfoShape",
    "Part",
    "RequestValues",
    "SearchText",
    "StatementBuilder",
    "ToOne",
    "Value",
    "ValueKind",
    "days_until",
    "parent_column",
    "when_flag",
]
