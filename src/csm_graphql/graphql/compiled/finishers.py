"""Python finishers: computed fields whose value only Python computes (the SLA clock in
working hours), patched into a compiled read's result.

The statement writes, in place of such a field, a marker object
``{"$finish": "<resolver>", "row": [<the columns it reads>]}`` (``$`` cannot start a
GraphQL response key, so no selection can collide with it). After the statement,
:func:`finish` parses the result only if a marker is in it, builds the object from the row as
the resolver path builds it (its ``from_row``), runs the field's own resolver on it with the
request's context, serialises the value as the schema's scalar does and puts it in the
marker's place: only the finished fields' values come from Python, each computed by the very
function the resolvers run.

Keyed by the function's qualified name, as ``producers.PythonFunction`` records it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import orjson
from strawberry.types.base import get_object_definition

from csm_graphql.graphql.compiled.loaded import capture, finish_loaded, loaded_shapes
from csm_graphql.graphql.declared.fields import SPEC, ComputedSpec
from csm_graphql.graphql.types.case_records import TaskSla
from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories.compiled_values import column_parsers
from csm_graphql.repositories.entities import Entity

Resolve = Callable[[Any, Any], Any]


@dataclass(frozen=True, slots=True)
class Finisher:
    """How to compute one field in Python: the object its resolver runs on is ``build(row)``,
    the row holding ``reads`` (columns of the entity)."""

    build: Callable[[Mapping[str, Any]], Any]
    resolve: Resolve
    reads: tuple[str, ...]


def _clock_row(row: Mapping[str, Any]) -> Any:
    """The object an SLA clock field's resolver runs on: the columns it declares it reads."""
    return SimpleNamespace(**row)


def _declared(declared: type, build: Callable[[Mapping[str, Any]], Any]) -> dict[str, Finisher]:
    """A finisher for each field of ``declared`` computed in Python, reading the columns the
    field declares (``computed(reads=...)``): the statement sends those alone, not the whole
    row (issue 10: the SLA's three clock fields per row made the case list's markers most of
    its PostgreSQL time while they sent all twelve columns)."""
    found: dict[str, Finisher] = {}
    for definition in get_object_definition(declared, strict=True).fields:
        spec = definition.metadata.get(SPEC)
        if isinstance(spec, ComputedSpec):
            resolve = spec.function
            name = f"{resolve.__module__}.{resolve.__qualname__}"
            found[name] = Finisher(build, resolve, spec.reads)
    return found


FINISHERS: dict[str, Finisher] = _declared(TaskSla, _clock_row)


@dataclass(frozen=True, slots=True)
class Planned:
    """What finishing a marker needs besides its finisher, known once it is planned: how to
    read its row's columns back (instants, dates, numerics) and the field's serialiser."""

    parse: Mapping[str, Callable[[Any], Any]]
    serialize: Callable[[Any], Any]


PLANNED: dict[str, Planned] = {}


def plan_finished(
    key: str, marker: str, entity: Entity, serialize: Callable[[Any], Any]
) -> sql.Finished:
    """The shape of a finished field (and what :func:`finish` will need for it)."""
    finisher = FINISHERS[marker]
    PLANNED[marker] = Planned(column_parsers(entity, finisher.reads), serialize)
    return sql.Finished(key, marker, finisher.reads)


class FinisherFailed(Exception):
    """A finisher raised: the resolvers answer the request instead (and word the error)."""


async def finish(text: str, context: Any, fields: Sequence[sql.Field]) -> str | bytes:
    """The result with every marker replaced by its value; the text itself when it has none."""
    if f'"{sql.FINISH}"' not in text:
        return text
    info = SimpleNamespace(context=context)
    try:
        data = orjson.loads(text)
        loaded = loaded_shapes(fields)
        if loaded:
            data = await finish_loaded(data, context, loaded)
        _Patcher(info).patch(data, fields)
        finished = orjson.dumps(data)
    except Exception as error:
        raise FinisherFailed(repr(error)) from error
    if _MARKER in finished:  # a shape the walk below does not know held one
        raise FinisherFailed("a finisher's marker was left in the answer")
    return finished


_MARKER = f'"{sql.FINISH}"'.encode()


async def prepare(fields: Sequence[sql.Field], context: Any) -> None:
    """Before the statement: capture what each loaded field reads (loaded.py)."""
    for state in loaded_shapes(fields).values():
        await capture(state, context)


# A step of a patch: patches one object of the answer (a dict) in place.
Step = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class _Patcher:
    """Patches the markers of an answer, walking it along its shapes: only into the fields
    whose shapes hold a finished field, never through every value (walking all of the case
    list's values was half of its Python time, issue 10).

    Each sequence of shapes is turned once per request into a *program*: the steps for the
    fields that hold a finished value, nothing for the others. A page of 20 cases then runs
    the same short program 20 times instead of matching every field of every case against
    every kind of shape (most of the case list's finishing time, issue 10)."""

    info: Any
    programs: dict[int, tuple[Step, ...]] = field(default_factory=dict)  # by id of shapes

    def patch(self, value: dict[str, Any], fields: Sequence[Any]) -> None:
        for step in self.program(fields):
            step(value)

    def program(self, shapes: Sequence[Any]) -> tuple[Step, ...]:
        # The shapes outlive the patch (the request holds them), so their ids stay theirs.
        program = self.programs.get(id(shapes))
        if program is None:
            program = self.programs[id(shapes)] = tuple(self._steps(shapes))
        return program

    def _steps(self, shapes: Sequence[Any]) -> Iterator[Step]:
        finished = [shape for shape in shapes if isinstance(shape, sql.Finished)]
        if finished:
            yield self._finished_step(finished)
        for shape in shapes:
            match shape:
                case sql.ToOne(key=key, shape=inner) | sql.Inline(key=key, shape=inner):
                    if _finished(shape):
                        yield self._object_step(key, inner.fields)
                case sql.Connection(key=key, fields=items) if _finished(shape):
                    yield from self._connection_steps(key, items)
                case sql.NodeList() if _finished(shape):
                    yield self._node_list_step(shape)
                case sql.LinkList(key=key, shape=inner) if _finished(shape):
                    yield self._list_step(key, inner.fields)

    def _finished_step(self, finished: list[sql.Finished]) -> Step:
        """The object's finished fields: the first of those reading the same columns carries
        the row (compiled.py, StatementBuilder._object); the object built from it serves the
        others too."""
        info = self.info
        fields = [
            (f.key, f.marker, f.columns, FINISHERS[f.marker].resolve, PLANNED[f.marker].serialize)
            for f in finished
        ]

        def step(value: dict[str, Any]) -> None:
            roots: dict[tuple[str, ...], Any] = {}
            for key, marker, columns, resolve, serialize in fields:
                root = roots.get(columns)
                if root is None:
                    root = roots[columns] = _root(marker, value[key]["row"])
                computed = resolve(root, info)
                value[key] = None if computed is None else serialize(computed)

        return step

    def _object_step(self, key: str, fields: Sequence[Any]) -> Step:
        def step(value: dict[str, Any]) -> None:
            inner = value[key]
            if inner is not None:
                self.patch(inner, fields)

        return step

    def _list_step(self, key: str, fields: Sequence[Any]) -> Step:
        def step(value: dict[str, Any]) -> None:
            program = self.program(fields)
            for item in value[key]:
                for inner_step in program:
                    inner_step(item)

        return step

    def _connection_steps(self, key: str, items: Sequence[Any]) -> Iterator[Step]:
        for item in items:
            match item:
                case sql.NodesShape(key=nodes_key, shape=inner) if _finished(item):
                    yield self._nodes_step(key, nodes_key, inner.fields)
                case sql.EdgesShape(key=edges_key, fields=edge_fields) if _finished(item):
                    for node in edge_fields:
                        if isinstance(node, sql.NodesShape) and _finished(node):
                            yield self._edges_step(key, edges_key, node.key, node.shape.fields)

    def _nodes_step(self, key: str, nodes_key: str, fields: Sequence[Any]) -> Step:
        def step(value: dict[str, Any]) -> None:
            program = self.program(fields)
            for node in value[key][nodes_key]:
                for inner_step in program:
                    inner_step(node)

        return step

    def _edges_step(self, key: str, edges_key: str, node_key: str, fields: Sequence[Any]) -> Step:
        def step(value: dict[str, Any]) -> None:
            program = self.program(fields)
            for edge in value[key][edges_key]:
                for inner_step in program:
                    inner_step(edge[node_key])

        return step

    def _node_list_step(self, shape: sql.NodeList) -> Step:
        def step(value: dict[str, Any]) -> None:
            for item, found in zip(shape.items, value[shape.key], strict=True):
                if item is not None and found is not None:
                    self.patch(found, shape.groups[item[0]].shape.fields)

        return step


def _finished(shape: Any) -> bool:
    """Whether a finished field is this shape or under it."""
    match shape:
        case sql.Finished():
            return True
        case (
            sql.ToOne(shape=inner)
            | sql.LinkList(shape=inner)
            | sql.Inline(shape=inner)
            | sql.NodesShape(shape=inner)
        ):
            return any(_finished(item) for item in inner.fields)
        case sql.Connection(fields=items) | sql.EdgesShape(fields=items):
            return any(_finished(item) for item in items)
        case sql.NodeList(groups=groups):
            return any(_finished(item) for group in groups for item in group.shape.fields)
    return False


def _root(marker: str, values: list[Any]) -> Any:
    """The object the field's resolver runs on, from the row the statement sent."""
    finisher = FINISHERS[marker]
    row = dict(zip(finisher.reads, values, strict=True))
    for column, parse in PLANNED[marker].parse.items():
        if row[column] is not None:
            row[column] = parse(row[column])
    return finisher.build(row)


__all__ = [
    "FINISHERS",
    "Finisher",
    "FinisherFailed",
    "finish",
    "plan_finished",
    "prepare",
]
