"""Compiled reads' statements, built once per shape and bound per request (issue 10).

Building a compiled read's SELECT (the row rules of ``access.rows``, pages, JSON) and having
SQLAlchemy compile it costs milliseconds of Python; the text only depends on the *shape* of
the request, never on the viewer's ids, "today" or the id a ``node`` asks for. So the text
is cached with an ordered list of *slots*, one per positional parameter, that say where each
value comes from, and a request fills the slots and runs the text (a prepared statement in
asyncpg's per-connection cache, since the text repeats).

The key is the bound shapes (``repositories/compiled.py``'s dataclasses, with every value
they hold: page sizes, orderings, scopes, the type a ``node`` id names) with the ids of
``node`` lookups, the ``after`` cursors and ``search``'s texts left out (whether a page has a
cursor stays in), plus the viewer's *shape*: its kind, its roles and which of its id lists are
empty, everything the row rules branch on. A cursor is read per request exactly as paging
reads it (``paging.cursor_position``), so a malformed one is the same BadUserInput. A
search's connection is keyed without its ordering, which is built from the text
(``sql.Connection`` documents why that is sound: the statement ranks by the ordering its
builder derives from the entity, the viewer and the text).

Why a cached text is safe, checked on every miss before anything is cached:

* the statement is built three times: for the real request, and for two *symbolic*
  requests of the same shape whose viewer ids, id lists, "today", ``node`` ids, cursors
  (sort key and id) and search texts are distinctive sentinel values (different in each;
  the second's lists longer, holding duplicates within and across lists; the texts of
  different lengths, with spaces around and letters of both cases);
* the three SQL texts must be equal (no rule branched on a value);
* every parameter of the first symbolic build must be a sentinel (a viewer attribute, a
  concatenation of id lists, today, a node id, a cursor's part, a search text or the record
  number ``search.record_number`` reads from it) or a constant, and that reading must give
  exactly the parameters of the second symbolic build and of the real request. A value the
  search derived from its text in any other way (lower-cased, stripped alone, its length)
  is neither, and differs between the symbolic builds: the shape is refused.

When any check fails, the shape is remembered as uncacheable and its requests build their
statement each time, as before.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Protocol, cast

from sqlalchemy import Date, DateTime, Dialect, Float, FromClause, Integer, Numeric, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories import paging
from csm_graphql.repositories.paging import Ordering, PageRequest
from csm_graphql.repositories.search import record_number

STATEMENT_CACHE_SIZE = 512

# Viewer attributes the row rules read values from (the rest of the viewer is its shape).
ID_LISTS = ("account_ids", "descendant_account_ids", "served_account_ids")
_VIEWER_FIELDS = frozenset({"kind", "id", "name", "email", "roles", *ID_LISTS})
_VALUE_FIELDS = frozenset({"today"})

# Sentinels: far outside any real id (still BIGINT), distinct per symbolic build.
_SENTINEL_BASE = -7_300_000_000_000_000_000
_SENTINEL_STRIDE = 1_000_000


def viewer_shape(viewer: Viewer) -> Hashable:
    """What the rules branch on: kind, roles, and which id lists are empty."""
    return (
        viewer.kind,
        viewer.roles,
        *(bool(getattr(viewer, name)) for name in ID_LISTS),
    )


# -- the request's key: the bound shapes, node ids left out ------------------------------------

_SHAPE_TYPES: frozenset[type] = frozenset(
    {
        sql.Value,
        sql.GlobalIdValue,
        sql.Constant,
        sql.Expression,
        sql.ObjectShape,
        sql.ToOne,
        sql.LinkList,
        sql.PageInfoShape,
        sql.EdgesShape,
        sql.NodesShape,
        sql.Connection,
        sql.Link,
        sql.Inline,
        sql.NodeGroup,
        sql.NodeList,
        PageRequest,
    }
)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _SHAPE_TYPES
}
_NODE_ID = "<node id>"
_CURSOR = "<cursor>"
_TEXT = "<search text>"
_SEARCH_ORDERING = "<the search text's ordering>"


@dataclass(slots=True)
class _Holes:
    """The values left out of a key, in the key's (depth-first) order."""

    node_ids: list[int] = dataclasses.field(default_factory=list)
    cursors: list[str] = dataclasses.field(default_factory=list)
    texts: list[str] = dataclasses.field(default_factory=list)


class _Same:
    """Anything else in a shape (an entity, an ordering, a table, a twin): the same object,
    by identity. The key keeps it alive, so its identity cannot be reused."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


# Leaves whose fields are plain values or schema objects compared by identity (enum classes,
# twin functions): the frozen dataclass is its own key (equal field by field).
# A finisher's place (planned once) and the viewer's JSON (keyed by its value) are leaves too.
_LEAVES: frozenset[type] = frozenset(
    {sql.Value, sql.GlobalIdValue, sql.Expression, sql.Finished, sql.Bound}
)
_PLAIN: frozenset[type] = frozenset({type(None), str, int, bool, float})


class _Volatile(Exception):
    """The shapes hold what was built for this request alone (a filter's conditions, a loaded
    field's captured SELECTs): no key can name it, so the statement is built per request."""


# Per shape type: all its fields at once, and the one that is a hole (left out of the key).
_READ_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    cls: (
        operator.attrgetter(*names)
        if len(names) > 1
        else (lambda value, name=names[0]: (getattr(value, name),))  # type: ignore[misc]
    )
    for cls, names in _FIELD_NAMES.items()
}
_HOLE_FIELD: dict[type, str] = {sql.ToOne: "key_value", PageRequest: "after"}


def _key_of(value: Any, holes: _Holes) -> Hashable:
    kind = type(value)
    # The common kinds first (by exact type: none of them is a SQL expression).
    if kind in _PLAIN or kind in _LEAVES:
        return value
    if kind is tuple or kind is list:
        return (
            kind,
            *[
                item if type(item) in _LEAVES or type(item) in _PLAIN else _key_of(item, holes)
                for item in value
            ],
        )
    if kind in _SHAPE_TYPES:
        parts: list[Any] = [kind]
        hole = _HOLE_FIELD.get(kind)
        if kind is sql.Connection and value.search is not None:
            hole = "ordering"  # derived from the text (sql.Connection), which is a hole
        for name, item in zip(_FIELD_NAMES[kind], _READ_FIELDS[kind](value), strict=True):
            if name == hole and item is not None:
                if kind is sql.ToOne:
                    holes.node_ids.append(item)
                    parts.append(_NODE_ID)
                elif kind is sql.Connection:
                    parts.append(_SEARCH_ORDERING)
                else:
                    holes.cursors.append(item)
                    parts.append(_CURSOR)
                continue
            item_kind = type(item)  # a plain value or leaf inline: most fields are
            if item_kind in _PLAIN or item_kind in _LEAVES:
                parts.append(item)
            else:
                parts.append(_key_of(item, holes))
        return tuple(parts)
    if kind is sql.SearchText:
        holes.texts.append(value.text)
        return _TEXT
    if kind is sql.Loaded or isinstance(value, ColumnElement | Select):
        raise _Volatile
    if isinstance(value, date | Enum):
        return value
    return _Same(value)


def request_key(fields: Sequence[sql.Field]) -> tuple[Hashable, _Holes]:
    """The shapes' cache key, and the node ids, cursors and search texts left out of it."""
    holes = _Holes()
    key = _key_of(tuple(fields), holes)
    return key, holes


Keyed = tuple[Hashable, _Holes]


def cache_key(fields: Sequence[sql.Field]) -> Keyed | None:
    """``request_key``, or None for shapes built for this request alone (volatile)."""
    try:
        return request_key(fields)
    except _Volatile:
        return None


def key_type(connection: sql.Connection) -> TypeEngine[Any]:
    """The SQL type of a connection's sort key, which a cursor's key is read as (the source
    as ``StatementBuilder._connection`` pages it)."""
    table = connection.entity.table
    source: FromClause = table
    if connection.link is not None:
        link = connection.link.table
        source = table.join(link, link.c[connection.link.target_key] == table.c.id)
    return connection.ordering.key(source).type


def _with_holes(
    value: Any,
    node_id: Callable[[], int],
    cursor: Callable[[sql.Connection], str],
    text: Callable[[], str],
) -> Any:
    """The shapes with each node id, cursor and search text replaced by the next of
    ``node_id``, ``cursor`` and ``text``, in ``request_key``'s order."""
    kind = type(value)
    if kind is sql.SearchText:
        return sql.SearchText(text())
    if kind in _SHAPE_TYPES:
        changes = {}
        for name in _FIELD_NAMES[kind]:
            item = getattr(value, name)
            if kind is sql.ToOne and name == "key_value" and item is not None:
                changes[name] = node_id()
            elif kind is PageRequest and name == "after" and item is not None:
                raise AssertionError("replaced by its connection")
            elif kind is sql.Connection and name == "request" and item.after is not None:
                changes[name] = dataclasses.replace(item, after=cursor(value))
            elif kind is sql.Connection and name == "ordering" and value.search is not None:
                # Left out of the key, so the symbolic builds prove it is not read: its sort
                # key is the request's text's (sql.Connection); the cursors' name stays.
                changes[name] = dataclasses.replace(item, key=_not_read)
            else:
                replaced = _with_holes(item, node_id, cursor, text)
                if replaced is not item:
                    changes[name] = replaced
        return dataclasses.replace(value, **changes) if changes else value
    if kind is tuple or kind is list:
        items = [_with_holes(item, node_id, cursor, text) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return kind(items)
    return value


def _not_read(table: FromClause) -> ColumnElement[Any]:
    raise Uncacheable("a search's statement read the ordering its key leaves out")


# -- slots: where each parameter's value comes from --------------------------------------------


@dataclass(frozen=True, slots=True)
class Bound:
    """What a request gives a cached statement."""

    viewer: Viewer
    today: date
    node_ids: Sequence[int]
    cursors: Sequence[str]
    texts: Sequence[str]


class Slot(Protocol):
    def value(self, bound: Bound) -> Any: ...


@dataclass(frozen=True, slots=True)
class Fixed:
    constant: Any

    def value(self, bound: Bound) -> Any:
        return self.constant


@dataclass(frozen=True, slots=True)
class ViewerId:
    def value(self, bound: Bound) -> Any:
        return bound.viewer.id


@dataclass(frozen=True, slots=True)
class ViewerIds:
    """The concatenation of some of the viewer's id lists, in order, duplicates dropped or
    not (``Viewer.case_account_ids`` drops them; ``my_accounts`` passes the list as is)."""

    lists: tuple[str, ...]
    unique: bool

    def value(self, bound: Bound) -> Any:
        ids = list(itertools.chain.from_iterable(getattr(bound.viewer, n) for n in self.lists))
        return list(dict.fromkeys(ids)) if self.unique else ids


@dataclass(frozen=True, slots=True)
class Today:
    def value(self, bound: Bound) -> Any:
        return bound.today


@dataclass(frozen=True, slots=True)
class NodeId:
    index: int

    def value(self, bound: Bound) -> Any:
        return bound.node_ids[self.index]


@dataclass(frozen=True, slots=True)
class CursorKey:
    """The sort key a page starts after, read from the request's cursor as paging reads it
    (a malformed or foreign cursor raises the resolvers' BadUserInput)."""

    index: int
    ordering: Ordering
    key_type: TypeEngine[Any]

    def value(self, bound: Bound) -> Any:
        return paging.cursor_position(bound.cursors[self.index], self.ordering, self.key_type)[0]


@dataclass(frozen=True, slots=True)
class CursorId:
    index: int
    ordering: Ordering
    key_type: TypeEngine[Any]

    def value(self, bound: Bound) -> Any:
        return paging.cursor_position(bound.cursors[self.index], self.ordering, self.key_type)[1]


@dataclass(frozen=True, slots=True)
class SearchTextSlot:
    """A search's text, as the request gave it (websearch_to_tsquery reads it)."""

    index: int

    def value(self, bound: Bound) -> Any:
        return bound.texts[self.index]


@dataclass(frozen=True, slots=True)
class SearchNumberSlot:
    """The record number a search's text names (``search.record_number``, which the exact
    number match compares with)."""

    index: int

    def value(self, bound: Bound) -> Any:
        return record_number(bound.texts[self.index])


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement's text and, per positional parameter, its slot and bind processor."""

    text: str
    slots: tuple[tuple[Slot, Callable[[Any], Any] | None], ...]

    def parameters(self, bound: Bound) -> tuple[Any, ...]:
        return tuple(
            slot.value(bound) if process is None else process(slot.value(bound))
            for slot, process in self.slots
        )


@dataclass(frozen=True, slots=True)
class Compiled:
    """One build, compiled: the text, the parameters' raw values and their processors."""

    text: str
    values: tuple[Any, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for value, process in zip(self.values, self.processors, strict=True)
        )


def compile_statement(statement: Select[Any], dialect: Dialect) -> Compiled:
    """The driver's text (``$1`` placeholders; expanding IN lists rendered) and values."""
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    names = compiled.positiontup or []
    values = compiled.construct_params()
    processors = compiled._bind_processors
    return Compiled(
        compiled.string,
        tuple(values[name] for name in names),
        tuple(processors.get(name) for name in names),  # type: ignore[misc]
    )


# -- symbolic requests -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Symbolic:
    """A request of the real one's shape whose values are all sentinels."""

    bound: Bound
    fields: Sequence[sql.Field]
    # Sentinel value -> where it stands for.
    ids: dict[int, Slot | tuple[str, int]]
    keys: dict[str, Slot]

    @classmethod
    def of(
        cls, variant: int, viewer: Viewer, fields: Sequence[sql.Field], holes: _Holes
    ) -> _Symbolic:
        base = _SENTINEL_BASE - variant * _SENTINEL_STRIDE
        counter = itertools.count()
        ids: dict[int, Slot | tuple[str, int]] = {}
        keys: dict[str, Slot] = {}
        cursors: list[str] = []

        def sentinel(stands_for: Slot | tuple[str, int]) -> int:
            value = base - next(counter)
            ids[value] = stands_for
            return value

        changes: dict[str, Any] = {
            "id": sentinel(ViewerId()),
            "name": f"\x01name {variant}",
            "email": f"\x01email {variant}",
        }
        shared: list[int] = []  # the second build repeats ids within and across lists
        for name in ID_LISTS:
            if not getattr(viewer, name):
                continue
            own = [sentinel((name, 0)), sentinel((name, 1))]
            if variant == 0:
                changes[name] = tuple(own)
            else:
                changes[name] = (*own, own[0], *shared[:1])
                shared += own
        node_ids = [sentinel(NodeId(i)) for i in range(len(holes.node_ids))]
        texts = [_text_sentinel(variant, i) for i in range(len(holes.texts))]
        for index, text in enumerate(texts):
            keys[text] = SearchTextSlot(index)
            keys[record_number(text)] = SearchNumberSlot(index)

        def cursor(connection: sql.Connection) -> str:
            index, ordering, sql_type = len(cursors), connection.ordering, key_type(connection)
            sort_key = _sort_key_sentinel(sql_type, variant, index)
            keys[sort_key] = CursorKey(index, ordering, sql_type)
            row_id = sentinel(CursorId(index, ordering, sql_type))
            cursors.append(paging.encode_cursor(ordering, sort_key, row_id))
            return cursors[-1]

        symbolic_fields = _with_holes(
            tuple(fields), iter(node_ids).__next__, cursor, iter(texts).__next__
        )
        today = date(1001 + variant, 1 + variant, 1 + variant)
        viewer = dataclasses.replace(viewer, **changes)
        bound = Bound(viewer, today, tuple(node_ids), tuple(cursors), tuple(texts))
        return cls(bound, symbolic_fields, ids, keys)


def _sort_key_sentinel(sql_type: TypeEngine[Any], variant: int, index: int) -> str:
    """A sort key of the key's type (a cursor's key is parsed by it) that no real key is,
    already in the canonical spelling paging gives it."""
    offset = 100 * variant + index
    if isinstance(sql_type, Date):
        return date(1100 + offset, 1, 1).isoformat()
    if isinstance(sql_type, DateTime):
        return datetime(1100 + offset, 1, 1, 0, 0, 1, 1, tzinfo=UTC).isoformat()
    if isinstance(sql_type, Integer):
        return str(-30_000 - offset)  # within a SMALLINT
    if isinstance(sql_type, Float | Numeric):
        return repr(float(-1e15 - offset))
    return f"\x01sort key {variant} {index}"


def _text_sentinel(variant: int, index: int) -> str:
    """A search text no request sends, whose every usual derivation is another string:
    spaces around (strip), letters of both cases (upper, lower), and a length of its own per
    build (so a length, too, would differ between the symbolic builds)."""
    return f" \x01Search text {index} of build {variant}{'~' * variant} "


class Uncacheable(Exception):
    """A shape whose statement must be built per request (a check failed)."""


def _slot(value: Any, first: _Symbolic) -> Slot:
    """What a parameter of the first symbolic build stands for."""
    if isinstance(value, date) and value == first.bound.today:
        return Today()
    if isinstance(value, str) and value in first.keys:
        return first.keys[value]
    if type(value) is int and value in first.ids:
        stands_for = first.ids[value]
        if isinstance(stands_for, tuple):
            raise Uncacheable("one id of a list, alone")
        return stands_for
    if isinstance(value, list) and value and all(type(v) is int for v in value):
        places = [first.ids.get(v) for v in value]
        if all(isinstance(p, tuple) for p in places):
            return _lists(places, first.bound.viewer)  # type: ignore[arg-type]
        if any(p is not None for p in places):
            raise Uncacheable("a list mixing sentinels and constants")
    return Fixed(value)


def _lists(places: list[tuple[str, int]], viewer: Viewer) -> Slot:
    """The id lists whose concatenation gives ``places`` (whole lists, in order)."""
    names: list[str] = []
    position = 0
    while position < len(places):
        name = places[position][0]
        size = len(getattr(viewer, name))
        if places[position : position + size] != [(name, i) for i in range(size)]:
            raise Uncacheable("part of an id list")
        names.append(name)
        position += size
    return ViewerIds(tuple(names), unique=False)


def _reproduces(slots: list[Slot], bound: Bound, compiled: Compiled) -> bool:
    return [slot.value(bound) for slot in slots] == list(compiled.values)


def prepare(
    build: Callable[[Viewer, date, Sequence[sql.Field]], Select[Any]],
    dialect: Dialect,
    real: Bound,
    real_compiled: Compiled,
    fields: Sequence[sql.Field],
) -> Prepared:
    """The cacheable form of the real request's statement, or :class:`Uncacheable`."""
    if {f.name for f in dataclasses.fields(Viewer)} != _VIEWER_FIELDS:
        raise Uncacheable("the viewer has attributes this cache does not know")
    if {f.name for f in dataclasses.fields(sql.RequestValues)} != _VALUE_FIELDS:
        raise Uncacheable("the request values have attributes this cache does not know")
    holes = _Holes(list(real.node_ids), list(real.cursors), list(real.texts))
    first, second = (_Symbolic.of(v, real.viewer, fields, holes) for v in (0, 1))
    builds = [
        compile_statement(build(s.bound.viewer, s.bound.today, s.fields), dialect)
        for s in (first, second)
    ]
    if not builds[0].text == builds[1].text == real_compiled.text:
        raise Uncacheable("the text depends on values")
    slots = [_slot(value, first) for value in builds[0].values]
    # A list's duplicates: kept or dropped, as the second build and the real request show.
    for index, slot in enumerate(slots):
        if isinstance(slot, ViewerIds):
            unique = dataclasses.replace(slot, unique=True)
            for candidate in (slot, unique):
                if all(
                    candidate.value(bound) == compiled.values[index]
                    for bound, compiled in ((second.bound, builds[1]), (real, real_compiled))
                ):
                    slots[index] = candidate
                    break
    for bound, compiled in ((first.bound, builds[0]), (second.bound, builds[1])):
        if not _reproduces(slots, bound, compiled):
            raise Uncacheable("a parameter is not a sentinel")
    if not _reproduces(slots, real, real_compiled):
        raise Uncacheable("the real request's parameters differ")
    return Prepared(real_compiled.text, tuple(zip(slots, real_compiled.processors, strict=True)))


# -- the cache ---------------------------------------------------------------------------------


@dataclass
class StatementStats:
    hits: int = 0
    misses: int = 0
    uncacheable: int = 0  # requests of a shape that is built and compiled per request
    rebuilt: int = 0  # built per request, its compiled form found by its structure


class _Structures:
    """Compiled statements by their structure: for statements built per request (a shape
    this cache cannot key), so that only the first of a structure pays SQLAlchemy's compile
    (the dashboard's statement: a quarter of its Python went there, issue 10).

    The key is SQLAlchemy's own cache key, which names a statement's structure and lists its
    bound values apart; a request's values are bound into the cached compiled form, and
    expanding IN lists rendered, as ``Connection.execute`` does with its compiled cache
    (SQLAlchemy internals: pyproject bounds the version). A statement without a cache key is
    compiled each time."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._compiled: OrderedDict[Hashable, SQLCompiler] = OrderedDict()

    def text_and_parameters(
        self, statement: Select[Any], dialect: Dialect, stats: StatementStats
    ) -> tuple[str, tuple[Any, ...]]:
        key = statement._generate_cache_key()
        if key is None:
            stats.uncacheable += 1
            once = compile_statement(statement, dialect)
            return once.text, once.parameters()
        compiled = self._compiled.get(key.key)
        if compiled is None:
            stats.uncacheable += 1
            compiled = cast(SQLCompiler, statement.compile(dialect=dialect, cache_key=key))
            self._compiled[key.key] = compiled
            if len(self._compiled) > self._size:
                self._compiled.popitem(last=False)
        else:
            stats.rebuilt += 1
            self._compiled.move_to_end(key.key)
        values = compiled.construct_params(
            extracted_parameters=key.bindparams, _no_postcompile=True
        )
        expanded = compiled._process_parameters_for_postcompile(values)
        processors: Mapping[str, Callable[[Any], Any]] = expanded.processors
        parameters = []
        for name in expanded.positiontup or ():
            process = processors.get(name)
            value = expanded.parameters[name]
            parameters.append(value if process is None else process(value))
        return expanded.statement, tuple(parameters)


class StatementCache:
    """Bounded LRU of prepared statements (or of the refusal to cache a shape)."""

    def __init__(self, size: int = STATEMENT_CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Prepared | Uncacheable] = OrderedDict()
        self._structures = _Structures(size)
        self.stats = StatementStats()

    def __len__(self) -> int:
        return len(self._entries)

    def statement(
        self,
        build: Callable[[Viewer, date, Sequence[sql.Field]], Select[Any]],
        dialect: Dialect,
        viewer: Viewer,
        today: date,
        fields: Sequence[sql.Field],
        keyed: Keyed | None = None,
    ) -> tuple[str, tuple[Any, ...]]:
        """The text and parameters that answer this request (``keyed``: the fields'
        ``cache_key``, if the caller has it already)."""
        try:
            shapes, holes = keyed if keyed is not None else request_key(fields)
        except _Volatile:
            statement = build(viewer, today, fields)
            return self._structures.text_and_parameters(statement, dialect, self.stats)
        key = (shapes, viewer_shape(viewer))
        bound = Bound(viewer, today, holes.node_ids, holes.cursors, holes.texts)
        entry = self._entries.get(key)
        if isinstance(entry, Prepared):
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return entry.text, entry.parameters(bound)
        if entry is not None:  # a shape known to be uncacheable
            self._entries.move_to_end(key)
            statement = build(viewer, today, fields)
            return self._structures.text_and_parameters(statement, dialect, self.stats)
        real = compile_statement(build(viewer, today, fields), dialect)
        self.stats.misses += 1
        try:
            self._remember(key, prepare(build, dialect, bound, real, fields))
        except Uncacheable as refusal:
            self._remember(key, refusal)
        return real.text, real.parameters()

    def _remember(self, key: Hashable, entry: Prepared | Uncacheable) -> None:
        self._entries[key] = entry
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def entry(self, fields: Sequence[sql.Field], viewer: Viewer) -> Prepared | Uncacheable | None:
        """The cached entry this request would use (for tests and debugging)."""
        try:
            return self._entries.get((request_key(fields)[0], viewer_shape(viewer)))
        except _Volatile:
            return None


__all__ = [
    "Bound",
    "Keyed",
    "Prepared",
    "StatementCache",
    "StatementStats",
    "Uncacheable",
    "cache_key",
    "compile_statement",
    "request_key",
    "viewer_shape",
]
