"""The field constructors of a declaration: ``column``, ``to_one``, ``connection``,
``activity_stream``, ``link_many`` and ``computed``.

Each returns a Strawberry field that carries its ``FieldSpec`` in its metadata; ``row_type``
reads the specs to derive the row conversion, the private keys the resolvers need and the
producer records. Leaves (``column``) get no resolver: Strawberry reads the attribute, so a
leaf costs what a hand-written one costs. Relations resolve through the per-request loaders,
so a nested list stays one statement per level.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

import strawberry
from aiodataloader import DataLoader

from csm_graphql.domain.enums import RecordType
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import producers
from csm_graphql.graphql.declared.registry import DeclarationError, builder
from csm_graphql.graphql.inputs import to_ordering
from csm_graphql.graphql.loaders import ChildFilter, ChildQuery, Loaders
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.repositories import entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import PageRequest

if TYPE_CHECKING:
    from sqlalchemy import Table

SPEC = "csm_graphql.declared"


class FieldSpec:
    """What a declared field needs from its type: row keys to keep, and its producer."""

    def kept_columns(self) -> tuple[str, ...]:
        """Columns the object must keep (privately) for this field's resolver."""
        return ()

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class ColumnSpec(FieldSpec):
    column: str | None

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        name = self.column or python_name
        if name in entity.table.c:
            return producers.Column(entity.table.name, name)
        if (extra := _extra_column(entity, name)) is not None:
            return producers.SqlExpression(name, extra)
        raise DeclarationError(f"{entity.name}.{python_name}: no column {name!r} is read.")


def _extra_column(entity: Entity, name: str) -> Any:
    """The entity's ``extra_columns`` entry labelled ``name`` (e.g. a joined name), if any."""
    return next((e for e in entity.extra_columns if getattr(e, "name", None) == name), None)


@dataclass(frozen=True, slots=True)
class ToOneSpec(FieldSpec):
    target: Entity
    key: str

    def kept_columns(self) -> tuple[str, ...]:
        return (self.key,)

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        if self.key not in entity.table.c:
            raise DeclarationError(f"{entity.name}.{python_name}: no key column {self.key!r}.")
        return producers.ToOne(self.target.name, self.target.table.name, self.key)


@dataclass(frozen=True, slots=True)
class ToManySpec(FieldSpec):
    target: Entity
    child_key: str
    equals: tuple[tuple[str, tuple[str, ...]], ...]
    filter_input: str | None
    order_input: str | None
    to_filter: Callable[[Any], ChildFilter | None] | None = None

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        if self.child_key not in self.target.table.c:
            raise DeclarationError(f"{entity.name}.{python_name}: {self.target.name} has no "
                                   f"column {self.child_key!r}.")  # fmt: skip
        return producers.ToMany(
            self.target.name,
            self.target.table.name,
            self.child_key,
            self.equals,
            self.filter_input,
            self.order_input,
            self.to_filter,
        )


@dataclass(frozen=True, slots=True)
class LinkManySpec(FieldSpec):
    target: Entity
    link_table: Table
    parent_key: str
    target_key: str

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        return producers.LinkMany(
            self.target.name,
            self.target.table.name,
            self.link_table.name,
            self.parent_key,
            self.target_key,
        )


@dataclass(frozen=True, slots=True)
class ComputedSpec(FieldSpec):
    function: Callable[..., Any]
    reads: tuple[str, ...]

    def kept_columns(self) -> tuple[str, ...]:
        return self.reads

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        for name in self.reads:
            if name not in entity.table.c and _extra_column(entity, name) is None:
                raise DeclarationError(f"{entity.name}.{python_name} reads no column {name!r}.")
        return producers.PythonFunction(_qualified(self.function), self.reads)


def _qualified(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _field(
    spec: FieldSpec,
    description: str,
    resolver: Callable[..., Any] | None = None,
    name: str | None = None,
) -> Any:
    if resolver is None:
        return strawberry.field(description=description, name=name, metadata={SPEC: spec})
    return strawberry.field(
        resolver=resolver, description=description, name=name, metadata={SPEC: spec}
    )


def column(description: str, *, name: str | None = None) -> Any:
    """A leaf read from the entity's column ``name`` (default: the attribute's name) or from
    one of its ``extra_columns``; an enum-typed leaf is converted from the stored value."""
    return _field(ColumnSpec(name), description)


def version_column() -> Any:
    """The optimistic-concurrency version of a record that updates guard with
    ``expectedVersion``: one wording for every such type, so clients learn it once."""
    return column("Optimistic-concurrency version: pass it as expectedVersion to updates.")


def to_one(target: Entity, key: str, description: str) -> Any:
    """The ``target`` row this row's ``key`` column points to; null when the key is empty or
    the row is not visible to the viewer (batched by id, one statement per level)."""

    async def resolve(root: Any, info: Info) -> Any:
        value = getattr(root, key)
        if value is None:
            return None
        row = await info.context.loaders.by_id(target).load(value)
        return builder(target)(row) if row else None

    return _field(ToOneSpec(target, key), description, resolve)


def _parameters(**annotations: object) -> list[inspect.Parameter]:
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter(name, keyword, default=None, annotation=annotation)
        for name, annotation in annotations.items()
        if annotation is not None
    ]


def _page_resolver(load: Callable[..., Any], **arguments: object) -> Callable[..., Any]:
    """A resolver ``(root, info, first, after, <arguments>)``; its signature is built here,
    because which list arguments a field takes is part of its declaration."""

    async def resolve(root: Any, info: Info, **kwargs: Any) -> Any:
        # Arguments come by name; one the query omits may be absent.
        return await load(root, info, kwargs.get("first"), kwargs.get("after"), kwargs)

    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("root", positional),
            inspect.Parameter("info", positional, annotation=Info),
            *_parameters(first=First, after=After, **arguments),
        ]
    )
    return resolve


def _input_name(argument: object) -> str | None:
    """The input class's name in ``Annotated[SomeInput | None, strawberry.argument(...)]``."""
    if argument is None:
        return None
    options = get_args(get_args(argument)[0]) or (get_args(argument)[0],)
    return next(option.__name__ for option in options if option is not type(None))


def connection(
    target: Entity,
    child_key: str,
    description: str,
    *,
    filter_arg: object = None,
    to_filter: Callable[[Any], ChildFilter | None] | None = None,
    order_arg: object = None,
    record_type: RecordType | None = None,
    kinds: Sequence[str] = (),
) -> Any:
    """A keyset page of ``target`` rows whose ``child_key`` is this row's id, under the
    target's row rule, batched with the page's siblings (one statement per level).

    ``filter_arg``/``order_arg`` are the argument annotations the list accepts (an input
    wrapped in ``Annotated`` with its description); ``to_filter`` turns the filter input into
    a hashable ``ChildFilter``. ``record_type`` and ``kinds`` select a polymorphic child's
    rows (activities and attachments of one record type)."""
    if (filter_arg is None) != (to_filter is None):
        raise DeclarationError("filter_arg and to_filter go together.")
    kinds = tuple(kinds)
    record_type_value = record_type.value if record_type else None

    async def load(
        root: Any, info: Info, first: int | None, after: str | None, arguments: dict[str, Any]
    ) -> Connection[Any]:
        filter_input, order_input = arguments.get("filter"), arguments.get("order_by")
        query = ChildQuery(
            target,
            child_key,
            page_request(info, first, after),
            ordering=to_ordering(target, order_input, info.context.viewer) if order_arg else None,
            record_filter=to_filter(filter_input) if to_filter and filter_input else None,
            record_type=record_type_value,
            kinds=kinds,
        )
        page = await info.context.loaders.children(query).load(root.db_id)
        return Connection.from_page(page, builder(target))

    equals = ((("record_type", (record_type_value,)),) if record_type_value else ()) + (
        (("kind", kinds),) if kinds else ()
    )
    spec = ToManySpec(
        target, child_key, equals, _input_name(filter_arg), _input_name(order_arg), to_filter
    )
    resolver = _page_resolver(load, filter=filter_arg, order_by=order_arg)
    return _field(spec, description, resolver)


def activity_stream(record_type: RecordType, description: str, *kinds: str) -> Any:
    """A record's activity stream, newest first: all entries, or those of ``kinds``. Work
    notes are filtered by the activities' row rule, like every other path."""
    return connection(
        entities.ACTIVITY, "record_id", description, record_type=record_type, kinds=kinds
    )


def link_many(
    target: Entity,
    link_table: Table,
    parent_key: str,
    target_key: str,
    description: str,
    *,
    loader: Callable[[Loaders, PageRequest], DataLoader],
) -> Any:
    """A keyset page of ``target`` rows listed in ``link_table`` for this row; ``loader`` is
    the per-request loader that reads it (one statement per level)."""

    async def load(
        root: Any, info: Info, first: int | None, after: str | None, _: dict[str, Any]
    ) -> Any:
        pages = loader(info.context.loaders, page_request(info, first, after))
        return Connection.from_page(await pages.load(root.db_id), builder(target))

    spec = LinkManySpec(target, link_table, parent_key, target_key)
    return _field(spec, description, _page_resolver(load))


def computed(
    function: Callable[..., Any],
    description: str,
    *,
    reads: Sequence[str] = (),
    name: str | None = None,
) -> Any:
    """A value ``function(root, info, ...)`` computes in Python from the row's ``reads``
    columns (kept on the object, named as the columns; an ``extra_columns`` label counts as a
    column) and the request; its arguments become
    the field's. ``name`` is its GraphQL name, for a field that shows a column it reads under
    that column's name."""
    return _field(ComputedSpec(function, tuple(reads)), description, function, name)


__all__ = [
    "SPEC",
    "FieldSpec",
    "activity_stream",
    "column",
    "computed",
    "connection",
    "link_many",
    "to_one",
]
