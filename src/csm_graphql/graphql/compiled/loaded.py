"""Finishers for computed fields that read batched loaders (the workspace dashboard's health
score and colour, health and adoption series, health indicators), in one statement.

Such a field's resolver asks ``info.context.loaders.batched(key, fetch, default)`` for rows
of other tables (health readings, snapshots, adoption history) and computes its value from
them in Python. A compiled read keeps the resolver and replaces only where the rows come from:

1. *capture* (per request, before the statement): the resolver runs once on a placeholder
   row with a context whose ``db`` records the SELECT each ``fetch`` builds (the repository's
   own, with the row rules of ``access/rows.py``) instead of running it;
2. the statement embeds each captured SELECT and writes each row's rows beside a marker. For
   the items of a page (the dashboard's engagements) the SELECT runs once for the page, as the
   resolvers' DataLoader runs it once for a level: its ``engagement_ids`` parameter replaced by
   the ids on the page, its rows grouped by their parent column in a CTE, from which each row
   picks its own; reads of one loader key are read once (``StatementBuilder._page_loads``).
   Elsewhere (a to-one row, ``nodes(ids:)``) it is a correlated subquery per row, its
   ``engagement_ids`` replaced by the row's own id;
3. *replay* (after the statement, :func:`finish_loaded`): the resolver runs again for each
   marker with a context whose ``db`` hands each ``fetch`` its rows from the result; the
   repository function turns them into its value as always, the resolver computes the field,
   and the value is projected onto the selection (``request_values.projection``). As on the
   resolver path, where a DataLoader batches a level, each ``fetch`` runs once per loaded
   field for all the markers' parents (their rows put together), not once per marker: the
   repository builds its SELECT object each time it is called, and that is most of its cost.

So the values are computed by the same code as on the resolver path, from the same rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLField

from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories.compiled_values import row_readers, selects_by_parent_ids

if TYPE_CHECKING:
    from sqlalchemy import Select

# Resolvers a compiled read may run as loaded finishers (producers.PythonFunction's names).
_HEALTH = "csm_graphql.graphql.types.engagement_health.EngagementHealth"
LOADED_FIELDS = frozenset(
    f"{_HEALTH}.{name}"
    for name in (
        "health_score",
        "health_colour",
        "health_series",
        "health_indicators",
        "adoption_series",
        "adoption_today",
        "success_rate",
    )
)


class CaptureRefused(Exception):
    """The resolver read something other than batched loaders' rows."""


@dataclass(slots=True)
class LoadedRunner:
    """One loaded field of a plan: its resolver, arguments and projection."""

    resolve: Callable[..., Awaitable[Any]]
    definition: GraphQLField
    node: FieldNode
    fragments: Any  # the document's fragments, for wants_total
    project: Callable[[Any, Any], Any]


@dataclass(slots=True)
class Loaded:
    """A loaded field of one request: what its resolver reads (captured), by loader key."""

    key: str
    marker: str
    runner: LoadedRunner
    arguments: dict[str, Any]
    # Filled by capture: (loader key, the SELECT its fetch built), in the order asked.
    loads: list[tuple[Hashable, Select[Any]]] = field(default_factory=list)


class _Info(SimpleNamespace):
    pass


def _info(context: Any, runner: LoadedRunner) -> Any:
    raw = SimpleNamespace(field_nodes=[runner.node], fragments=runner.fragments)
    return _Info(context=context, _raw_info=raw)


def _context(request: Any, db: Any, loaders: Any) -> Any:
    return SimpleNamespace(
        settings=request.settings,
        viewer=request.viewer,
        today=request.today,
        now=request.now,
        db=db,
        loaders=loaders,
    )


Fetch = Callable[[list[int]], Awaitable[dict[int, Any]]]


# A replay's answers by (loader key, the parents it was asked for): kept for the request.
Fetched = dict[tuple[Hashable, tuple[int, ...]], dict[int, Any]]


class _Loader:
    """``loaders.batched(...)`` of a capture or a replay: capture asks ``fetch`` for the
    placeholder parent alone; a replay asks it once for every parent of the loaded field
    (``parent_ids``) and keeps the answer (``fetched``) for the field's other markers and
    for the other loaded fields that ask the same loader for the same parents (the
    dashboard's health score, colour and indicators all read the "health" loader), as one
    request's DataLoader answers them all on the resolver path."""

    def __init__(
        self,
        key: Hashable,
        fetch: Fetch,
        default: Any,
        db: _Rows,
        parent_ids: tuple[int, ...] | None,
        fetched: Fetched,
    ) -> None:
        self.key, self.fetch, self.default, self.db = key, fetch, default, db
        self.parent_ids, self.fetched = parent_ids, fetched

    async def load(self, parent_id: int) -> Any:
        if self.parent_ids is None:  # capture
            self.db.key = self.key
            found = await self.fetch([parent_id])
            return found.get(parent_id, self.default)
        asked = (self.key, self.parent_ids)
        if asked not in self.fetched:
            self.db.key = self.key
            self.fetched[asked] = await self.fetch(list(self.parent_ids))
        return self.fetched[asked].get(parent_id, self.default)


class _Rows:
    """The ``db`` a resolver's fetch reads through: records (capture) or replays rows."""

    def __init__(self, rows: dict[Hashable, list[dict[str, Any]]] | None = None) -> None:
        self.key: Hashable = None
        self.captured: list[tuple[Hashable, Select[Any]]] = []
        self.replayed = rows

    async def rows(self, statement: Any) -> list[dict[str, Any]]:
        if self.replayed is None:
            if not selects_by_parent_ids(statement):
                # Only a SELECT of the parents named by PARENT_IDS can be read per row.
                raise CaptureRefused(f"loader {self.key!r}: not a SELECT by {sql.PARENT_IDS}")
            self.captured.append((self.key, statement))
            return []
        return self.replayed[self.key]

    def __getattr__(self, name: str) -> Any:
        raise CaptureRefused(f"the resolver reads db.{name}")


class _Loaders:
    def __init__(
        self,
        db: _Rows,
        parent_ids: tuple[int, ...] | None = None,
        fetched: Fetched | None = None,
    ) -> None:
        self.db, self.parent_ids = db, parent_ids
        self.fetched: Fetched = {} if fetched is None else fetched

    def batched(self, key: Hashable, fetch: Any, default: Any) -> _Loader:
        return _Loader(key, fetch, default, self.db, self.parent_ids, self.fetched)

    def __getattr__(self, name: str) -> Any:
        raise CaptureRefused(f"the resolver reads loaders.{name}")


PLACEHOLDER_ID = 0


async def capture(loaded: Loaded, request: Any) -> None:
    db = _Rows()
    context = _context(request, db, _Loaders(db))
    parent = SimpleNamespace(db_id=PLACEHOLDER_ID)
    try:
        await loaded.runner.resolve(parent, _info(context, loaded.runner), **loaded.arguments)
    except CaptureRefused:
        raise
    except Exception as error:  # e.g. weeks out of range: the resolvers word the error
        raise CaptureRefused(repr(error)) from error
    loaded.loads = db.captured


async def finish_loaded(data: Any, request: Any, shapes: dict[str, Loaded]) -> Any:
    """Replace every loaded marker in ``data`` by its value."""
    by_field: dict[str, list[tuple[Any, Any, dict[str, Any]]]] = {}
    for holder, key, marker in _markers(data):
        by_field.setdefault(marker[sql.FINISH], []).append((holder, key, marker))
    fetched: Fetched = {}
    for finish, markers in by_field.items():
        loaded = shapes[finish]
        db = _Rows(_rows_of(loaded, [marker for _, _, marker in markers]))
        # One set of loaders for the whole field: each fetch runs once, for every parent.
        parent_ids = tuple(dict.fromkeys(marker["id"] for _, _, marker in markers))
        context = _context(request, db, _Loaders(db, parent_ids, fetched))
        info = _info(context, loaded.runner)
        for holder, key, marker in markers:
            parent = SimpleNamespace(db_id=marker["id"])
            value = await loaded.runner.resolve(parent, info, **loaded.arguments)
            holder[key] = loaded.runner.project(value, info)
    return data


def _rows_of(loaded: Loaded, markers: list[dict[str, Any]]) -> dict[Hashable, list[dict[str, Any]]]:
    """The rows each captured SELECT returned, for every parent once (a record shown twice
    in one response carries its rows twice), typed as the SELECT's columns read them."""
    rows: dict[Hashable, list[dict[str, Any]]] = {load_key: [] for load_key, _ in loaded.loads}
    # Per load: where its rows go, how to read them, and whether any column needs reading.
    loads = []
    for load_key, statement in loaded.loads:
        readers = row_readers(statement)
        names = tuple(name for name, _, _ in readers)
        loads.append((rows[load_key], readers, names, any(read for _, read, _ in readers)))
    seen: set[Any] = set()
    for marker in markers:
        if marker["id"] in seen:
            continue
        seen.add(marker["id"])
        for (into, readers, names, parsed), found in zip(loads, marker["loads"], strict=True):
            if not parsed:
                into.extend(dict(zip(names, row, strict=True)) for row in found)
                continue
            into.extend(
                {
                    name: value if read is None or value is None else read(value)
                    for (name, read, _), value in zip(readers, row, strict=True)
                }
                for row in found
            )
    return rows


def _markers(value: Any) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        if isinstance(item, dict) and "loads" in item and sql.FINISH in item:
            yield value, key, item
        else:
            yield from _markers(item)


def loaded_shapes(fields: Sequence[Any]) -> dict[str, Loaded]:
    """Every loaded field of a bound operation, by marker."""
    found: dict[str, Loaded] = {}
    for shape in _walk(fields):
        if isinstance(shape, sql.Loaded):
            found[shape.state.marker] = shape.state
    return found


def _walk(fields: Sequence[Any]) -> Iterator[Any]:
    for shape in fields:
        yield shape
        match shape:
            case (
                sql.ToOne(shape=inner)
                | sql.LinkList(shape=inner)
                | sql.Inline(shape=inner)
                | sql.NodesShape(shape=inner)
            ):
                yield from _walk(inner.fields)
            case sql.Connection(fields=items) | sql.EdgesShape(fields=items):
                yield from _walk(items)
            case sql.NodeList(groups=groups):
                for group in groups:
                    yield from _walk(group.shape.fields)


__all__ = [
    "LOADED_FIELDS",
    "CaptureRefused",
    "Loaded",
    "LoadedRunner",
    "capture",
    "finish_loaded",
    "loaded_shapes",
]
