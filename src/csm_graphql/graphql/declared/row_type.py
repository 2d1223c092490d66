"""``@row_type(entity)``: one declaration per type, from which the Strawberry type, its row
conversion, its field rules, its node registration and its producer records derive.

    @row_type(entities.PROJECT, description="A customer project.")
    class Project(Node, Declared):
        number: str = column("Project number, e.g. PRJ0000012.")
        account: Account | None = to_one(entities.ACCOUNT, "account_id", "The account.")

The schema shows the fields in the order they are declared, resolver methods included (a
``field_group`` mixin keeps its order too). Checked at import time: every field has a rule
in ``access/fields.py`` (the one place to audit field access), every column exists, and
every leaf is declared (a bare annotation is not).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

import strawberry
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.private import is_private
from strawberry.utils.str_converters import to_camel_case

from csm_graphql.access.fields import rule_for
from csm_graphql.graphql.declared import producers
from csm_graphql.graphql.declared.fields import SPEC, ColumnSpec, FieldSpec
from csm_graphql.graphql.declared.registry import (
    DECLARED,
    DeclarationError,
    DeclaredField,
    DeclaredType,
    register_node,
)
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity

T = TypeVar("T", bound="type[Declared]")
G = TypeVar("G", bound=type)
# The annotation row_type gives the keys it keeps: private, so not in the schema.
_KEPT: object = strawberry.Private[Any]  # type: ignore[misc]


class Declared:
    """Base of every declared type: ``from_row`` comes from the declaration, and ``db_id``
    (the row's id, kept private) is there for resolvers written by hand."""

    if TYPE_CHECKING:
        db_id: int
        row_entity: ClassVar[Entity]  # the entity whose rows it shows (set by row_type)

    @classmethod
    def from_row(cls, row: Row) -> Self:
        plan: _RowPlan | None = cls.__dict__.get("_row_plan")
        if plan is None:
            plan = _RowPlan.of(cls)
            cls._row_plan = plan  # type: ignore[attr-defined]
        return cls(**plan.values(row))


@dataclass(frozen=True, slots=True)
class _RowPlan:
    """How a row becomes constructor arguments. Built on the first row, when every
    annotation resolves (types of one area refer to each other)."""

    id_type: str  # the type name in the global id
    plain: tuple[tuple[str, str], ...]
    converted: tuple[tuple[str, str, Callable[[Any], Any]], ...]
    keys: tuple[str, ...]

    @classmethod
    def of(cls, declared: type) -> _RowPlan:
        definition = get_object_definition(declared, strict=True)
        plain: list[tuple[str, str]] = []
        converted: list[tuple[str, str, Callable[[Any], Any]]] = []
        for field in definition.fields:
            spec = field.metadata.get(SPEC)
            if not isinstance(spec, ColumnSpec):
                continue
            name = spec.column or field.python_name
            field_type = field.type
            if isinstance(field_type, StrawberryOptional):
                field_type = field_type.of_type
            if isinstance(field_type, StrawberryEnumDefinition):
                converted.append((field.python_name, name, field_type.wrapped_cls))
            else:
                plain.append((field.python_name, name))
        keys = declared.__dict__["_row_keys"]
        return cls(declared.__dict__["_id_type"], tuple(plain), tuple(converted), keys)

    def values(self, row: Row) -> dict[str, Any]:
        values = {attribute: row[name] for attribute, name in self.plain}
        for attribute, name, convert in self.converted:
            value = row[name]
            values[attribute] = None if value is None else convert(value)
        for key in self.keys:
            values[key] = row[key]
        values["db_id"] = row["id"]
        values["id"] = strawberry.ID(to_global_id(self.id_type, row["id"]))
        return values


def _specs(cls: type) -> dict[str, FieldSpec]:
    return {
        attribute: value.metadata[SPEC]
        for attribute, value in vars(cls).items()
        if isinstance(value, StrawberryField) and SPEC in value.metadata
    }


def _producer(entity: Entity, id_type: str, field: StrawberryField) -> producers.Producer | None:
    spec = field.metadata.get(SPEC)
    if isinstance(spec, FieldSpec):
        return spec.producer(entity, field.python_name)
    if field.python_name == "id":
        return producers.GlobalId(id_type)
    if field.base_resolver is not None:  # written by hand (e.g. in a mixin)
        function = field.base_resolver.wrapped_func
        return producers.PythonFunction(f"{function.__module__}.{function.__qualname__}")
    return None


def _is_private(field: StrawberryField) -> bool:
    # Only a plain attribute can be private; asking a relation for its type would resolve
    # its annotation before the types it names exist.
    plain = SPEC not in field.metadata and field.base_resolver is None
    return plain and is_private(field.type)


def _keep_keys(cls: type, entity: Entity, type_name: str) -> tuple[str, ...]:
    """Annotate, as private attributes named as their columns, the row's values the
    relation and computed resolvers read (and ``db_id``)."""
    specs = _specs(cls)
    # A column shown as a field of the same name is on the object already.
    shown = {a for a, spec in specs.items() if isinstance(spec, ColumnSpec) and not spec.column}
    wanted = (key for spec in specs.values() for key in spec.kept_columns())
    keys = tuple(dict.fromkeys(key for key in wanted if key not in shown))
    if clashes := [key for key in keys if key in specs]:
        raise DeclarationError(
            f"{type_name} keeps column {clashes[0]!r} under a field's name: rename the "
            "field's attribute (and give computed() its GraphQL name)."
        )
    annotations = dict(inspect.get_annotations(cls))
    for key in ("db_id", *keys):
        annotations.setdefault(key, _KEPT)
    cls.__annotations__ = annotations
    return keys


def _declared_fields(
    typed: type, entity: Entity, type_name: str, id_type: str
) -> dict[str, DeclaredField]:
    """Every served field with its producer and rule; refuses an undeclared leaf and a field
    without a rule in access/fields.py."""
    fields: dict[str, DeclaredField] = {}
    unruled: list[str] = []
    for field in get_object_definition(typed, strict=True).fields:
        if _is_private(field):
            continue
        graphql_name = field.graphql_name or to_camel_case(field.python_name)
        producer = _producer(entity, id_type, field)
        if producer is None:
            raise DeclarationError(f"{type_name}.{graphql_name}: declare it (column(), ...).")
        rule = rule_for(type_name, graphql_name)
        if rule is None:
            unruled.append(graphql_name)
            continue
        fields[graphql_name] = DeclaredField(graphql_name, field.python_name, producer, rule)
    if unruled:
        raise DeclarationError(
            f"{type_name}: no rule in access/fields.py FIELD_RULES for {', '.join(unruled)}."
        )
    return fields


def _in_declaration_order(cls: type) -> list[str]:
    """Annotate each resolver method where it is declared: Strawberry appends unannotated
    fields after the annotated ones, which would move a method-written field below every
    declared one. Returns the annotations added (removed again once the type is built, as
    Strawberry removes its own)."""
    annotations = dict(inspect.get_annotations(cls))
    body = list(vars(cls))
    methods = [
        name
        for name, value in vars(cls).items()
        if isinstance(value, StrawberryField)
        and value.base_resolver is not None
        and value.type_annotation is None
        and name not in annotations
    ]
    ordered: dict[str, Any] = {}
    for name, annotation in annotations.items():
        while name in body and methods and body.index(methods[0]) < body.index(name):
            method = methods.pop(0)
            ordered[method] = vars(cls)[method].base_resolver.type_annotation
        ordered[name] = annotation
    for method in methods:
        ordered[method] = vars(cls)[method].base_resolver.type_annotation
    cls.__annotations__ = ordered
    return [name for name in ordered if name not in annotations]


def _strawberry_type(cls: G, **options: Any) -> G:
    added = _in_declaration_order(cls)
    typed = strawberry.type(cls, **options)
    for name in added:
        del typed.__annotations__[name]
    return typed


def field_group(*, description: str) -> Callable[[G], G]:
    """A mixin of fields for one declared type (e.g. the engagement's workspace lists), in
    declaration order: declared fields (``connection``, ``computed``...) and resolver methods
    alike; the type that inherits it records their producers and checks their rules."""

    def declare(cls: G) -> G:
        return _strawberry_type(cls, description=description)

    return declare


def row_type(
    entity: Entity,
    *,
    description: str,
    name: str | None = None,
    fetchable: bool = True,
    reference: Entity | None = None,
) -> Callable[[T], T]:
    """Declare ``cls`` as the type that shows ``entity``'s rows (its GraphQL name is
    ``name`` or the class's). ``node(id:)`` reads it under ``entity.alone`` where the entity
    has one (a record whose row rule holds only behind its parent's); ``fetchable`` False
    keeps it out of ``node(id:)``. A type with a ``reference`` shows a few fields of a row of
    that entity's type to whoever may see the record that refers to it (``entity`` reads
    the rows under the rule of references): its ``id`` is that row's global id, and it is
    no node of its own."""

    def declare(cls: T) -> T:
        type_name = name or cls.__name__
        id_type = reference.name if reference is not None else type_name
        cls._row_keys = _keep_keys(cls, entity, type_name)  # type: ignore[attr-defined]
        cls._id_type = id_type  # type: ignore[attr-defined]
        typed = _strawberry_type(cls, name=name, description=description)
        typed.row_entity = entity
        fields = _declared_fields(typed, entity, type_name, id_type)
        field_rules(typed)
        DECLARED[type_name] = DeclaredType(type_name, entity, typed, fields)
        if reference is None:
            register_node(typed, entity, typed.from_row, name=type_name, fetchable=fetchable)
        return typed

    return declare


__all__ = ["Declared", "field_group", "row_type"]
