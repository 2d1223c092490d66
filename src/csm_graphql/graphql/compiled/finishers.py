"""Python finishers: computed fields whose value only Python computes (the SLA clock in
working hours), patched into a compiled read's result.

The statement writes, in place of such a field, a marker object
``{"$finish": "<resolver>", "row": {<the columns it reads>}}`` (``$`` cannot start a
GraphQL response key, so no selection can collide with it). After the statement,
:func:`finish` parses the result only if a marker is in it, builds the object from the row as
the resolver path builds it (its ``from_row``), runs the field's own resolver on it with the
request's context, serialises the value as the schema's scalar does and puts it in the
marker's place: only the finished fields' values come from Python, each computed by the very
function the resolvers run.

Keyed by the function's qualified name, as ``producers.PythonFunction`` records it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import orjson

from csm_graphql.graphql.compiled.loaded import capture, finish_loaded, loaded_shapes
from csm_graphql.graphql.types import case_records as task_slas
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


# Every column TaskSla.from_row reads.
_SLA_ROW = ("id", "sla_definition_id", "start_at", "planned_end_at", "paused_seconds",
            "paused_at", "stopped_at", "schedule_hours", "schedule_time_zone", "name", "target",
            "stage")  # fmt: skip


def _sla(resolve: Resolve) -> tuple[str, Finisher]:
    name = f"{resolve.__module__}.{resolve.__qualname__}"
    return name, Finisher(TaskSla.from_row, resolve, _SLA_ROW)  # type: ignore[arg-type]


FINISHERS: dict[str, Finisher] = dict(
    _sla(resolve) for resolve in (task_slas._planned_end, task_slas._breached,
                                  task_slas._percent_elapsed)
)  # fmt: skip


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
    return sql.Finished(key, marker, finisher.reads, sql.instants(entity, finisher.reads))


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
        return orjson.dumps(_patch(data, info))
    except Exception as error:
        raise FinisherFailed(repr(error)) from error


async def prepare(fields: Sequence[sql.Field], context: Any) -> None:
    """Before the statement: capture what each loaded field reads (loaded.py)."""
    for state in loaded_shapes(fields).values():
        await capture(state, context)


def _patch(value: Any, info: Any) -> Any:
    if isinstance(value, dict):
        marker = value.get(sql.FINISH)
        if marker is not None:
            return _value(marker, value["row"], info)
        for key, item in value.items():
            value[key] = _patch(item, info)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _patch(item, info)
    return value


def _value(marker: str, row: dict[str, Any], info: Any) -> Any:
    planned = PLANNED[marker]
    for column, parse in planned.parse.items():
        if row[column] is not None:
            row[column] = parse(row[column])
    finisher = FINISHERS[marker]
    value = finisher.resolve(finisher.build(row), info)
    return None if value is None else planned.serialize(value)


__all__ = [
    "FINISHERS",
    "Finisher",
    "FinisherFailed",
    "finish",
    "plan_finished",
    "prepare",
]
