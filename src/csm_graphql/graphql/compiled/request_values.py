"""Root fields whose value is the request's own (``viewer``): no row to read, so the compiled
read computes them in Python when it binds the request, with the very resolvers the resolver
path runs, projects the value onto the selection as graphql-core would (field rules, enums
and scalars serialised by the schema's types), and the statement returns that JSON as a bound
parameter. Only synchronous resolvers without arguments are run here; a field that reads the
database (``Viewer.accounts``) is refused, and the query falls back.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import orjson
from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

from csm_graphql.access.fields import allows, rule_for
from csm_graphql.access.viewer import Viewer

STRAWBERRY_FIELD = GraphQLCoreConverter.DEFINITION_BACKREF

# (the object, the request's info) -> the projected JSON value
Project = Callable[[Any, Any], Any]


class Refused(Exception):
    """The selection reads something this module does not compute."""


def _resolver(definition: GraphQLField) -> Callable[[Any, Any], Any] | None:
    strawberry_field = definition.extensions.get(STRAWBERRY_FIELD)
    if strawberry_field is None:
        raise Refused("no Strawberry field")
    resolver = strawberry_field.base_resolver
    if resolver is None:
        name: str = strawberry_field.python_name
        return lambda obj, _info: getattr(obj, name)
    if resolver.is_async or resolver.arguments:
        raise Refused(f"{strawberry_field.python_name} reads the database or takes arguments")
    function: Callable[..., Any] = resolver.wrapped_func
    if resolver.info_parameter is None:
        return lambda obj, _info: function(obj)
    return function


def projection(
    output: GraphQLOutputType,
    node: FieldNode,
    collect: Callable[[Any, GraphQLObjectType], list[FieldNode]],
    viewer: Viewer,
) -> Project:
    """How to turn a resolved value of type ``output`` into the JSON graphql-core would
    write for this selection (``collect`` gives the selected fields, merged as planned)."""
    nullable = not isinstance(output, GraphQLNonNull)
    inner = output.of_type if isinstance(output, GraphQLNonNull) else output
    if isinstance(inner, GraphQLList):
        item = projection(inner.of_type, node, collect, viewer)
        return lambda value, info: None if value is None else [item(v, info) for v in value]
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        return _serializer(inner)
    if not isinstance(inner, GraphQLObjectType):
        raise Refused(f"{inner} values")
    fields: list[tuple[str, Project]] = []
    for child in collect(node.selection_set, inner):
        key = child.alias.value if child.alias else child.name.value
        name = child.name.value
        if name == "__typename":
            type_name = inner.name
            fields.append((key, lambda _value, _info, type_name=type_name: type_name))  # type: ignore[misc]
            continue
        if child.arguments:
            raise Refused(f"{inner.name}.{name} with arguments")
        definition = inner.fields[name]
        if not allows(rule_for(inner.name, name), viewer):
            if isinstance(definition.type, GraphQLNonNull):
                raise Refused(f"{inner.name}.{name} is denied and not nullable")
            fields.append((key, lambda _value, _info: None))
            continue
        shown = projection(definition.type, child, collect, viewer)
        fields.append((key, _field(definition, shown)))

    def project(value: Any, info: Any) -> Any:
        if value is None:
            if not nullable:
                raise Refused("a null non-null value")
            return None
        return {key: shown(value, info) for key, shown in fields}

    return project


def _serializer(scalar: GraphQLScalarType | GraphQLEnumType) -> Project:
    """The scalar's ``serialize``, except that a value already of the scalar's own Python
    type (an int within GraphQL's 32 bits, a finite float, a str, a bool) is written as it
    is, which is what ``serialize`` returns for it: a dashboard projects thousands of them,
    and graphql-core checks each value's type in several steps first."""
    serialize = scalar.serialize
    if serialize is GraphQLInt.serialize:

        def project_int(value: Any, _info: Any) -> Any:
            if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                return value
            return None if value is None else serialize(value)

        return project_int
    if serialize is GraphQLFloat.serialize:

        def project_float(value: Any, _info: Any) -> Any:
            if type(value) is float and math.isfinite(value):
                return value
            return None if value is None else serialize(value)

        return project_float
    as_is = _AS_IS.get(serialize)
    if as_is is not None:

        def project_plain(value: Any, _info: Any) -> Any:
            if type(value) is as_is:
                return value
            return None if value is None else serialize(value)

        return project_plain
    return lambda value, _info: None if value is None else serialize(value)


_AS_IS: dict[Callable[[Any], Any], type] = {
    GraphQLString.serialize: str,
    GraphQLBoolean.serialize: bool,
}


def _field(definition: GraphQLField, shown: Project) -> Project:
    strawberry_field = definition.extensions.get(STRAWBERRY_FIELD)
    if strawberry_field is not None and strawberry_field.base_resolver is None:
        name: str = strawberry_field.python_name  # an attribute: read in the same call
        return lambda value, info: shown(getattr(value, name), info)
    resolve = _resolver(definition)
    assert resolve is not None
    return lambda value, info: shown(resolve(value, info), info)


@dataclass(frozen=True, slots=True)
class RequestValuePlan:
    """A root field computed from the request (its ``resolve`` is the root resolver)."""

    key: str
    resolve: Callable[[Any, Any], Any]
    project: Project

    def json(self, viewer: Viewer) -> str:
        info = SimpleNamespace(context=SimpleNamespace(viewer=viewer))
        return orjson.dumps(self.project(self.resolve(None, info), info)).decode()


def plan_request_value(
    key: str,
    definition: GraphQLField,
    node: FieldNode,
    collect: Callable[[Any, GraphQLObjectType], list[FieldNode]],
    viewer: Viewer,
) -> RequestValuePlan:
    resolve = _resolver(definition)
    assert resolve is not None
    return RequestValuePlan(key, resolve, projection(definition.type, node, collect, viewer))


__all__ = ["Refused", "RequestValuePlan", "plan_request_value"]
