"""The field constructors of a declaration: ``column``, ``to_one``, ``connection`` (and the
record streams ``activity_stream``, ``comment_stream``, ``work_note_stream``,
``attachment_list``), ``link_many``, ``row_list`` and ``computed``.

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

from csm_graphql.domain.enums import ActivityKind, RecordType
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import producers
from csm_graphql.graphql.declared.registry import DeclarationError, builder
from csm_graphql.graphql.inputs import to_ordering
from csm_graphql.graphql.loaders import ChildFilter, ChildQuery, Loaders
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.repositories import entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering, PageRequest

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
class NarrowedSpec(FieldSpec):
    target: Entity
    child_key: str
    narrow: Callable[..., Narrowing]

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        if self.child_key not in self.target.table.c:
            raise DeclarationError(f"{entity.name}.{python_name}: {self.target.name} has no "
                                   f"column {self.child_key!r}.")  # fmt: skip
        return producers.NarrowedToMany(
            self.target.name, self.target.table.name, self.child_key, _qualified(self.narrow)
        )


@dataclass(frozen=True, slots=True)
class RowListSpec(FieldSpec):
    target: Entity
    rows: Callable[[Loaders], DataLoader]

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        return producers.RowList(self.target.name, self.target.table.name, _qualified(self.rows))


@dataclass(frozen=True, slots=True)
class Narrowing:
    """What a ``narrow`` function makes of a list's arguments: the ordering (None: the
    entity's default) and the filter (hashable, so equal lists share a loader batch)."""

    ordering: Ordering | None = None
    record_filter: ChildFilter | None = None


@dataclass(frozen=True, slots=True)
class LinkSpec(FieldSpec):
    """``target`` rows a link table lists for this row: a keyset page (``LinkMany``) or a
    plain list (``LinkList``, ``paged`` False)."""

    target: Entity
    link_table: Table
    parent_key: str
    target_key: str
    paged: bool = True

    def producer(self, entity: Entity, python_name: str) -> producers.Producer:
        for column in (self.parent_key, self.target_key):
            if column not in self.link_table.c:
                raise DeclarationError(f"{entity.name}.{python_name}: {self.link_table.name} "
                                       f"has no column {column!r}.")  # fmt: skip
        kind = producers.LinkMany if self.paged else producers.LinkList
        return kind(
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
    return _to_one(target, key, description, lambda: builder(target))


def reference(target: Entity, key: str, description: str, *, shown_as: type) -> Any:
    """The ``target`` row this row's ``key`` column points to, shown by ``shown_as``, the
    type declared on ``target`` with ``row_type(reference=...)``: a few fields of another
    type's row, under ``target``'s rule, which lets whoever sees this row see them
    (access/rows.py). A to-one otherwise; a reference type is no node, so the row is built
    by ``shown_as`` itself."""
    build: Callable[[Any], Any] = shown_as.from_row  # type: ignore[attr-defined]
    return _to_one(target, key, description, lambda: build)


def _to_one(
    target: Entity, key: str, description: str, build: Callable[[], Callable[[Any], Any]]
) -> Any:
    # ``build`` is looked up per call: a node's builder is registered after its field.
    async def resolve(root: Any, info: Info) -> Any:
        value = getattr(root, key)
        if value is None:
            return None
        row = await info.context.loaders.by_id(target).load(value)
        return build()(row) if row else None

    return _field(ToOneSpec(target, key), description, resolve)


def _parameters(**annotations: object) -> list[inspect.Parameter]:
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter(name, keyword, default=None, annotation=annotation)
        for name, annotation in annotations.items()
        if annotation is not None
    ]


def _page_resolver(
    load: Callable[..., Any], *narrowing: inspect.Parameter, **arguments: object
) -> Callable[..., Any]:
    """A resolver ``(root, info, first, after, <arguments>)``; its signature is built here,
    because which list arguments a field takes is part of its declaration (``narrowing``:
    a ``narrow`` function's own, with their defaults)."""

    async def resolve(root: Any, info: Info, **kwargs: Any) -> Any:
        # Arguments come by name; one the query omits may be absent.
        return await load(root, info, kwargs.get("first"), kwargs.get("after"), kwargs)

    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("root", positional),
            inspect.Parameter("info", positional, annotation=Info),
            *_parameters(first=First, after=After, **arguments),
            *narrowing,
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
    narrow: Callable[..., Narrowing] | None = None,
    shown_as: Entity | None = None,
) -> Any:
    """A keyset page of ``target`` rows whose ``child_key`` is this row's id, under the
    target's row rule, batched with the page's siblings (one statement per level).

    ``filter_arg``/``order_arg`` are the argument annotations the list accepts (an input
    wrapped in ``Annotated`` with its description); ``to_filter`` turns the filter input into
    a hashable ``ChildFilter``. ``record_type`` and ``kinds`` select a polymorphic child's
    rows (activities and attachments of one record type). ``narrow(info, **arguments)``
    instead makes the list's ``Narrowing`` from arguments it declares itself (keyword
    parameters with their descriptions and defaults) and the request. ``shown_as`` is the
    entity whose type shows the rows, when ``target`` reads that type's table under a rule
    of its own (an engagement's contracts)."""
    if (filter_arg is None) != (to_filter is None):
        raise DeclarationError("filter_arg and to_filter go together.")
    if narrow is not None:
        if filter_arg is not None or order_arg is not None or record_type or kinds:
            raise DeclarationError("narrow states the list's arguments alone.")
        return _narrowed(target, child_key, description, narrow, shown_as or target)
    if shown_as is not None:
        raise DeclarationError("shown_as is for a narrowed list.")
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


def _narrowed(
    target: Entity,
    child_key: str,
    description: str,
    narrow: Callable[..., Narrowing],
    shown_as: Entity,
) -> Any:
    # The arguments are narrow's parameters after ``info``, as Strawberry reads them.
    parameters = list(inspect.signature(narrow, eval_str=True).parameters.values())[1:]
    defaults = {p.name: p.default for p in parameters}

    async def load(
        root: Any, info: Info, first: int | None, after: str | None, arguments: dict[str, Any]
    ) -> Connection[Any]:
        narrowing = narrow(info, **{name: arguments.get(name, d) for name, d in defaults.items()})
        query = ChildQuery(
            target,
            child_key,
            page_request(info, first, after),
            ordering=narrowing.ordering,
            record_filter=narrowing.record_filter,
        )
        page = await info.context.loaders.children(query).load(root.db_id)
        return Connection.from_page(page, builder(shown_as))

    keyword = inspect.Parameter.KEYWORD_ONLY
    own = [p.replace(kind=keyword) for p in parameters]
    return _field(NarrowedSpec(target, child_key, narrow), description, _page_resolver(load, *own))


def activity_stream(
    record_type: RecordType,
    description: str = "The activity stream, newest first; work notes are internal.",
    *kinds: str,
) -> Any:
    """A record's activity stream, newest first: all entries, or those of ``kinds``. Work
    notes are filtered by the activities' row rule, like every other path."""
    return connection(
        entities.ACTIVITY, "record_id", description, record_type=record_type, kinds=kinds
    )


def comment_stream(
    record_type: RecordType,
    description: str = "Additional comments (customer-visible), newest first.",
) -> Any:
    """A record's additional comments (one wording everywhere, so clients learn it once)."""
    return activity_stream(record_type, description, ActivityKind.COMMENT.value)


def work_note_stream(record_type: RecordType) -> Any:
    """A record's work notes (internal: annotate the field nullable, a denial is null)."""
    return activity_stream(
        record_type,
        "Work notes (internal communication), newest first.",
        ActivityKind.WORK_NOTE.value,
    )


def attachment_list(
    record_type: RecordType, description: str = "Attached files, newest first."
) -> Any:
    """Files attached to a record of ``record_type``, newest first, under the attachments'
    row rule (who sees the record sees its files)."""
    return connection(entities.ATTACHMENT, "record_id", description, record_type=record_type)


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

    spec = LinkSpec(target, link_table, parent_key, target_key)
    return _field(spec, description, _page_resolver(load))


def link_list(
    target: Entity, link_table: Table, parent_key: str, target_key: str, description: str
) -> Any:
    """Every visible ``target`` row listed in ``link_table`` for this row (its
    ``parent_key`` is this row's id, its ``target_key`` names the target), in ``target``'s
    default ordering, as a plain list (one statement per level; compiled as one subquery)."""

    async def resolve(root: Any, info: Info) -> list[Any]:
        loader = info.context.loaders.linked(target, link_table, parent_key, target_key)
        build = builder(target)
        return [build(row) for row in await loader.load(root.db_id)]

    spec = LinkSpec(target, link_table, parent_key, target_key, paged=False)
    return _field(spec, description, resolve)


def row_list(target: Entity, description: str, *, rows: Callable[[Loaders], DataLoader]) -> Any:
    """Every ``target`` row the per-request loader ``rows(loaders)`` gives for this row's id,
    as a plain list (one statement per level), each shown by ``target``'s type."""

    async def resolve(root: Any, info: Info) -> list[Any]:
        build = builder(target)
        return [build(row) for row in await rows(info.context.loaders).load(root.db_id) if row]

    return _field(RowListSpec(target, rows), description, resolve)


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
    "Narrowing",
    "activity_stream",
    "attachment_list",
    "column",
    "comment_stream",
    "computed",
    "connection",
    "link_list",
    "link_many",
    "reference",
    "row_list",
    "to_one",
    "work_note_stream",
]
