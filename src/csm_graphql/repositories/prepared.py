"""Compiled reads' statements, built once per shape and bound per request (issue 10).

Building a compiled read's SELECT (the row rules of ``access.rows``, pages, JSON) and having
SQLAlchemy compile it costs milliseconds of Python; the text only depends on the *shape* of
the request, never on the viewer's ids, "today" or the id a ``node`` asks for. So the text
is cached with an ordered list of *slots*, one per positional parameter, that say where each
value comes from, and a request fills the slots and runs the text (a prepared statement in
asyncpg's per-connection cache, since the text repeats).

The key is the bound shapes (``repositories/compiled.py``'s dataclasses, with every value
they hold: page sizes, cursors, orderings, scopes, the type a ``node`` id names) with the
ids of ``node`` lookups left out, plus the viewer's *shape*: its kind, its roles and which
of its id lists are empty, everything the row rules branch on.

Why a cached text is safe, checked on every miss before anything is cached:

* the statement is built three times: for the real request, and for two *symbolic*
  requests of the same shape whose viewer ids, id lists, "today" and ``node`` ids are
  distinctive sentinel values (different in each, the second's lists longer and holding
  duplicates within and across lists);
* the three SQL texts must be equal (no rule branched on a value);
* every parameter of the first symbolic build must be a sentinel (a viewer attribute, a
  concatenation of id lists, today, a node id) or a constant, and that reading must give
  exactly the parameters of the second symbolic build and of the real request.

When any check fails, the shape is remembered as uncacheable and its requests build their
statement each time, as before.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import Dialect, Select

from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories.paging import PageRequest

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
        sql.PageInfoShape,
        sql.EdgesShape,
        sql.NodesShape,
        sql.Connection,
        sql.Link,
        PageRequest,
    }
)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _SHAPE_TYPES
}
_HOLE = "<node id>"


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


def _key_of(value: Any, holes: list[int]) -> Hashable:
    if value is None or isinstance(value, str | int | float | date | Enum):
        return value
    kind = type(value)
    if kind in _SHAPE_TYPES:
        parts: list[Any] = [kind]
        for name in _FIELD_NAMES[kind]:
            item = getattr(value, name)
            if kind is sql.ToOne and name == "key_value" and item is not None:
                holes.append(item)
                parts.append(_HOLE)
            else:
                parts.append(_key_of(item, holes))
        return tuple(parts)
    if kind is tuple or kind is list:
        return (kind, *(_key_of(item, holes) for item in value))
    return _Same(value)


def request_key(fields: Sequence[sql.Field]) -> tuple[Hashable, tuple[int, ...]]:
    """The shapes' cache key, and the node ids left out of it (in the key's order)."""
    holes: list[int] = []
    key = _key_of(tuple(fields), holes)
    return key, tuple(holes)


def _with_holes(value: Any, ids: Callable[[], int]) -> Any:
    """The shapes with each node id replaced by the next of ``ids``, in ``request_key``'s
    order."""
    kind = type(value)
    if kind in _SHAPE_TYPES:
        changes = {}
        for name in _FIELD_NAMES[kind]:
            item = getattr(value, name)
            if kind is sql.ToOne and name == "key_value" and item is not None:
                changes[name] = ids()
            else:
                replaced = _with_holes(item, ids)
                if replaced is not item:
                    changes[name] = replaced
        return dataclasses.replace(value, **changes) if changes else value
    if kind is tuple or kind is list:
        items = [_with_holes(item, ids) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return kind(items)
    return value


# -- slots: where each parameter's value comes from --------------------------------------------


@dataclass(frozen=True, slots=True)
class Bound:
    """What a request gives a cached statement."""

    viewer: Viewer
    today: date
    node_ids: tuple[int, ...]


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
    # Sentinel value -> where it stands for (first build only).
    ids: dict[int, Slot | tuple[str, int]]

    @classmethod
    def of(cls, variant: int, viewer: Viewer, fields: Sequence[sql.Field], holes: int) -> _Symbolic:
        base = _SENTINEL_BASE - variant * _SENTINEL_STRIDE
        counter = itertools.count()
        ids: dict[int, Slot | tuple[str, int]] = {}

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
        node_ids = [sentinel(NodeId(i)) for i in range(holes)]
        symbolic_fields = _with_holes(tuple(fields), iter(node_ids).__next__)
        today = date(1001 + variant, 1 + variant, 1 + variant)
        bound = Bound(dataclasses.replace(viewer, **changes), today, tuple(node_ids))
        return cls(bound, symbolic_fields, ids)


class Uncacheable(Exception):
    """A shape whose statement must be built per request (a check failed)."""


def _slot(value: Any, first: _Symbolic) -> Slot:
    """What a parameter of the first symbolic build stands for."""
    if isinstance(value, date) and value == first.bound.today:
        return Today()
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
    first, second = (_Symbolic.of(v, real.viewer, fields, len(real.node_ids)) for v in (0, 1))
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
    uncacheable: int = 0  # requests of a shape that is built per request


class StatementCache:
    """Bounded LRU of prepared statements (or of the refusal to cache a shape)."""

    def __init__(self, size: int = STATEMENT_CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Prepared | Uncacheable] = OrderedDict()
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
    ) -> tuple[str, tuple[Any, ...]]:
        """The text and parameters that answer this request."""
        shapes, node_ids = request_key(fields)
        key = (shapes, viewer_shape(viewer))
        bound = Bound(viewer, today, node_ids)
        entry = self._entries.get(key)
        if isinstance(entry, Prepared):
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return entry.text, entry.parameters(bound)
        real = compile_statement(build(viewer, today, fields), dialect)
        if entry is None:
            self.stats.misses += 1
            try:
                self._remember(key, prepare(build, dialect, bound, real, fields))
            except Uncacheable as refusal:
                self._remember(key, refusal)
        else:
            self._entries.move_to_end(key)
            self.stats.uncacheable += 1
        return real.text, real.parameters()

    def _remember(self, key: Hashable, entry: Prepared | Uncacheable) -> None:
        self._entries[key] = entry
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def entry(self, fields: Sequence[sql.Field], viewer: Viewer) -> Prepared | Uncacheable | None:
        """The cached entry this request would use (for tests and debugging)."""
        return self._entries.get((request_key(fields)[0], viewer_shape(viewer)))


__all__ = [
    "Bound",
    "Prepared",
    "StatementCache",
    "StatementStats",
    "Uncacheable",
    "compile_statement",
    "request_key",
    "viewer_shape",
]
