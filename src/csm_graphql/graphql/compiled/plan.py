"""From a GraphQL operation to the shapes of one SQL statement (repositories/compiled.py).

Planning runs once per (document, operation, viewer kind and roles): it walks the selection
against the declared types (``DECLARED``: what produces each field) and applies the field
rules of ``access/fields.py``, which depend on the viewer's kind and roles only, so a denied
field becomes a constant null (or ``[]``). Binding runs per request: it reads the arguments
(page size, cursor, ordering, list scope) from the request's variables and decodes
``node(id:)``'s id.

Whatever the planner does not know raises :class:`NotCompilable`, and the operation runs
through the resolvers, which stay the reference semantics. This slice compiles queries made
of root lists (``engagements``, ``accounts``, ``users``, ``projects`` and the four
customer-success lists) and ``node(id:)``; columns, global ids, to-one relations, nested
connections (``totalCount``, ``pageInfo``, ``nodes``, ``edges``), ``__typename``, inline
fragments and fragment spreads without directives, and computed fields with an SQL twin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.values import get_argument_values
from graphql.type.definition import get_named_type

from csm_graphql.access.fields import allows
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.errors import CodedError
from csm_graphql.graphql.compiled.reasons import FallbackReason, classify
from csm_graphql.graphql.compiled.twins import TWINS
from csm_graphql.graphql.declared import producers
from csm_graphql.graphql.declared.registry import DECLARED, DeclaredType, fetchable
from csm_graphql.graphql.ids import from_global_id
from csm_graphql.graphql.inputs import to_ordering
from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories import entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering, PageRequest
from csm_graphql.repositories.relations import LINK_ORDERINGS
from csm_graphql.settings import Limits
from csm_graphql.tables import metadata


class NotCompilable(Exception):
    """Why an operation, or this request of it, takes the resolver path: the text for the
    debug log, and a bounded ``reason`` for metrics (sorted by the wording unless given)."""

    def __init__(self, detail: str, reason: FallbackReason | None = None) -> None:
        super().__init__(detail)
        self.reason = reason if reason is not None else classify(detail)


@dataclass(frozen=True, slots=True)
class RootList:
    entity: Entity
    scoped: bool = False  # takes ``scope: ALL | MINE``


# The root lists whose resolvers are reads.page over the entity, its rule and ordering.
ROOT_LISTS: dict[str, RootList] = {
    "engagements": RootList(entities.ENGAGEMENT),
    "accounts": RootList(entities.ACCOUNT),
    "users": RootList(entities.USER),
    "projects": RootList(entities.PROJECT),
    "successInitiatives": RootList(entities.SUCCESS_INITIATIVE, scoped=True),
    "successCases": RootList(entities.SUCCESS_CASE, scoped=True),
    "successTasks": RootList(entities.SUCCESS_TASK, scoped=True),
    "touchpoints": RootList(entities.TOUCHPOINT, scoped=True),
}

PARTS = {part.value: part for part in sql.Part}
# Scalars json_build_object writes as Strawberry does (ID is not one: a raw id is a number in
# SQL and a string in GraphQL; the global ids have their own producer).
PLAIN_SCALARS = frozenset({"String", "Int", "Boolean", "Date"})
VALUE_KINDS = {"DateTime": sql.ValueKind.DATETIME, "Decimal": sql.ValueKind.DECIMAL}


@dataclass(frozen=True, slots=True)
class Binding:
    """What binding a plan reads from one request."""

    variables: Any  # graphql-core's coerced VariableValues
    viewer: Viewer
    limits: Limits


# -- plans: a shape, or a relation whose shape depends on the request's arguments --------------


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    fields: tuple[FieldPlan, ...]

    def bind(self, binding: Binding) -> sql.ObjectShape:
        return sql.ObjectShape(tuple(bind(f, binding) for f in self.fields))


@dataclass(frozen=True, slots=True)
class ToOnePlan:
    key: str
    entity: Entity
    key_column: str
    target_key: str
    shape: ObjectPlan

    def bind(self, binding: Binding) -> sql.ToOne:
        return sql.ToOne(
            self.key, self.entity, self.shape.bind(binding), self.target_key, self.key_column
        )


@dataclass(frozen=True, slots=True)
class NodesPlan:
    key: str
    shape: ObjectPlan

    def bind(self, binding: Binding) -> sql.NodesShape:
        return sql.NodesShape(self.key, self.shape.bind(binding))


@dataclass(frozen=True, slots=True)
class EdgesPlan:
    key: str
    fields: tuple[tuple[str, sql.Part] | sql.Constant | NodesPlan, ...]

    def bind(self, binding: Binding) -> sql.EdgesShape:
        return sql.EdgesShape(self.key, tuple(_bind_part(f, binding) for f in self.fields))


ConnectionItem = tuple[str, sql.Part] | sql.Constant | sql.PageInfoShape | NodesPlan | EdgesPlan


@dataclass(frozen=True, slots=True)
class ConnectionPlan:
    key: str
    entity: Entity
    definition: GraphQLField
    node: FieldNode
    fields: tuple[ConnectionItem, ...]
    with_total: bool
    child_key: str | None = None
    equals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ordered: bool = False  # takes ``orderBy``
    scoped: bool = False  # takes ``scope``
    link: sql.Link | None = None
    fixed_ordering: Ordering | None = None  # a link table's list has its own order

    def bind(self, binding: Binding) -> sql.Connection:
        arguments = _arguments(self.definition, self.node, binding)
        if arguments.get("filter") is not None:
            raise NotCompilable("list filters are not compiled yet")
        first = arguments.get("first")
        count = binding.limits.default_first if first is None else first
        if not 0 <= count <= binding.limits.max_first:
            raise NotCompilable("first out of range: the resolvers word the error")
        order = arguments.get("orderBy") if self.ordered else None
        try:
            ordering = self.fixed_ordering or to_ordering(
                self.entity, _order(order), binding.viewer
            )
        except CodedError as error:
            raise NotCompilable(f"ordering refused: {error}") from error
        scope = arguments.get("scope") if self.scoped else None
        return sql.Connection(
            self.key,
            self.entity,
            PageRequest(count, arguments.get("after") or None, self.with_total),
            ordering,
            tuple(_bind_part(f, binding) for f in self.fields),
            scope=ListScope(scope.value) if scope is not None else ListScope.ALL,
            child_key=self.child_key,
            equals=self.equals,
            link=self.link,
        )


@dataclass(slots=True)
class NodePlan:
    """``node(id:)``: which type answers depends on the id, so the object is planned per
    type, on first use (and remembered, refusals included)."""

    key: str
    definition: GraphQLField
    node: FieldNode
    planner: Planner
    by_type: dict[str, ObjectPlan | NotCompilable] = field(default_factory=dict)

    def bind(self, binding: Binding) -> sql.ToOne | sql.Constant:
        global_id = _arguments(self.definition, self.node, binding)["id"]
        decoded = from_global_id(global_id)
        entry = fetchable(decoded[0]) if decoded else None
        if decoded is None or entry is None:
            return sql.Constant(self.key, None)  # malformed, unknown or unfetchable: null
        type_name, database_id = decoded
        plan = self.by_type.get(type_name)
        if plan is None:
            try:
                plan = self.planner.object(type_name, self.node.selection_set)
            except NotCompilable as refusal:
                plan = refusal
            self.by_type[type_name] = plan
        if isinstance(plan, NotCompilable):
            raise plan
        return sql.ToOne(self.key, entry.entity, plan.bind(binding), "id", key_value=database_id)


FieldPlan = (
    sql.Value
    | sql.GlobalIdValue
    | sql.Constant
    | sql.Expression
    | ToOnePlan
    | ConnectionPlan
    | NodePlan
)


def bind(plan: FieldPlan, binding: Binding) -> sql.Field:
    if isinstance(plan, ToOnePlan | ConnectionPlan | NodePlan):
        return plan.bind(binding)
    return plan


def _bind_part(part: Any, binding: Binding) -> Any:
    return part.bind(binding) if isinstance(part, NodesPlan | EdgesPlan) else part


def _arguments(definition: GraphQLField, node: FieldNode, binding: Binding) -> dict[str, Any]:
    try:
        return get_argument_values(definition, node, binding.variables)
    except GraphQLError as error:
        raise NotCompilable(f"arguments: {error.message}") from error


def _order(value: Mapping[str, Any] | None) -> Any:
    """The coerced ``orderBy`` input, as ``to_ordering`` reads the Strawberry input."""
    if value is None:
        return None
    return SimpleNamespace(field=value["field"], direction=value["direction"])


# -- planning ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Planner:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    # Read only by the field rules, which depend on its kind and roles alone: the plan cache's
    # key. Its ids reach the statement through the row rules, at build time, never from here.
    viewer: Viewer

    def operation(self, operation: OperationDefinitionNode) -> tuple[FieldPlan, ...]:
        if operation.operation is not OperationType.QUERY:
            raise NotCompilable(f"a {operation.operation.value}")
        if operation.directives:
            raise NotCompilable("directives")
        query = self.schema.query_type
        assert query is not None
        plans: list[FieldPlan] = []
        for node in self.collect(operation.selection_set, query):
            key = _key(node)
            name = node.name.value
            if name == "__typename":
                plans.append(sql.Constant(key, query.name))
            elif name == "node":
                plans.append(NodePlan(key, query.fields[name], node, self))
            elif name in ROOT_LISTS:
                root = ROOT_LISTS[name]
                plans.append(
                    self.connection(
                        key, root.entity, query.fields[name], node, ordered=True, scoped=root.scoped
                    )
                )
            else:
                raise NotCompilable(f"root field {name}")
        return tuple(plans)

    def collect(
        self, selection_set: SelectionSetNode | None, on: GraphQLObjectType
    ) -> list[FieldNode]:
        """The fields selected on an object of type ``on``, fragments that apply to it
        included, in order; a response key selected twice is left to the resolvers (which
        merge the selections)."""
        found = self._collect(selection_set, on)
        keys = [_key(node) for node in found]
        if len(set(keys)) != len(keys):
            raise NotCompilable("a response key selected twice")
        return found

    def _collect(
        self, selection_set: SelectionSetNode | None, on: GraphQLObjectType
    ) -> list[FieldNode]:
        found: list[FieldNode] = []
        for selection in selection_set.selections if selection_set else ():
            if selection.directives:
                raise NotCompilable("directives")
            if isinstance(selection, FieldNode):
                found.append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    raise NotCompilable("unknown fragment")
                if fragment.directives:
                    raise NotCompilable("directives")
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                raise NotCompilable(f"selection {selection.kind}")
            if condition is None or _applies(condition.name.value, on):
                found += self._collect(inner, on)
        return found

    def object(self, type_name: str, selection_set: SelectionSetNode | None) -> ObjectPlan:
        declared = DECLARED.get(type_name)
        graphql_type = self.schema.type_map.get(type_name)
        if declared is None or not isinstance(graphql_type, GraphQLObjectType):
            raise NotCompilable(f"{type_name} is not declared")
        nodes = self.collect(selection_set, graphql_type)
        if len(nodes) > sql.MAX_KEYS:
            raise NotCompilable("an object of more than 50 fields")
        return ObjectPlan(tuple(self._field(declared, graphql_type, node) for node in nodes))

    def _field(
        self, declared: DeclaredType, graphql_type: GraphQLObjectType, node: FieldNode
    ) -> FieldPlan:
        key, name = _key(node), node.name.value
        if name == "__typename":
            return sql.Constant(key, declared.name)
        entry = declared.fields.get(name)
        if entry is None:
            raise NotCompilable(f"{declared.name}.{name} is not declared")
        definition = graphql_type.fields[name]
        if not allows(entry.rule, self.viewer):
            return _denied(key, definition, f"{declared.name}.{name}")
        producer = entry.producer
        where = f"{declared.name}.{name}"
        if node.arguments and not isinstance(producer, producers.ToMany | producers.LinkMany):
            raise NotCompilable(f"{where} with arguments")
        match producer:
            case producers.GlobalId(type_name=type_name):
                return sql.GlobalIdValue(key, type_name)
            case producers.Column(column=column):
                return _leaf(key, column, definition, where)
            case producers.SqlExpression(label=label):
                return _leaf(key, label, definition, where)
            case producers.ToOne(entity=target, key=key_column, target_key=target_key):
                target_type = DECLARED.get(target)
                if target_type is None:
                    raise NotCompilable(f"{where}: {target} is not declared")
                shape = self.object(target, node.selection_set)
                return ToOnePlan(key, target_type.entity, key_column, target_key, shape)
            case producers.ToMany():
                target_type = DECLARED.get(producer.entity)
                if target_type is None:
                    raise NotCompilable(f"{where}: {producer.entity} is not declared")
                return self.connection(
                    key,
                    target_type.entity,
                    definition,
                    node,
                    ordered=producer.order_input is not None,
                    child_key=producer.child_key,
                    equals=producer.equals,
                )
            case producers.LinkMany():
                target_type = DECLARED.get(producer.entity)
                ordering = LINK_ORDERINGS.get(producer.link_table)
                if target_type is None or ordering is None:
                    raise NotCompilable(f"{where}: link table {producer.link_table}")
                link = sql.Link(metadata.tables[producer.link_table], producer.target_key)
                plan = self.connection(
                    key, target_type.entity, definition, node, ordered=False,
                    child_key=producer.parent_key,
                )  # fmt: skip
                return replace(plan, link=link, fixed_ordering=ordering)
            case producers.PythonFunction(function=function, reads=reads):
                twin = TWINS.get(function)
                if twin is None:
                    raise NotCompilable(f"{where} is computed in Python")
                return sql.Expression(key, twin, reads)
        raise NotCompilable(f"{where}: {type(producer).__name__} is not compiled yet")

    def connection(
        self,
        key: str,
        entity: Entity,
        definition: GraphQLField,
        node: FieldNode,
        *,
        ordered: bool,
        scoped: bool = False,
        child_key: str | None = None,
        equals: tuple[tuple[str, tuple[str, ...]], ...] = (),
    ) -> ConnectionPlan:
        connection_type = get_named_type(definition.type)
        if not isinstance(connection_type, GraphQLObjectType):
            raise NotCompilable(f"{definition.type} is not a connection")
        items: list[ConnectionItem] = []
        for child in self.collect(node.selection_set, connection_type):
            items.append(self._connection_item(child, connection_type, entity))
        # As pagination.wants_total: the total is counted only when it is selected.
        with_total = any(isinstance(i, tuple) and i[1] is sql.Part.TOTAL_COUNT for i in items)
        return ConnectionPlan(
            key, entity, definition, node, tuple(items), with_total, child_key, equals,
            ordered, scoped,
        )  # fmt: skip

    def _connection_item(
        self, node: FieldNode, connection_type: GraphQLObjectType, entity: Entity
    ) -> ConnectionItem:
        key, name = _key(node), node.name.value
        if name == "__typename":
            return sql.Constant(key, connection_type.name)
        if name == "totalCount":
            return key, sql.Part.TOTAL_COUNT
        if name == "nodes":
            return NodesPlan(key, self.object(entity.name, node.selection_set))
        child_type = get_named_type(connection_type.fields[name].type)
        assert isinstance(child_type, GraphQLObjectType)
        if name == "pageInfo":
            info = [
                self._part(child, child_type)
                for child in self.collect(node.selection_set, child_type)
            ]
            return sql.PageInfoShape(key, tuple(info))
        if name == "edges":
            edge: list[tuple[str, sql.Part] | sql.Constant | NodesPlan] = []
            for child in self.collect(node.selection_set, child_type):
                if child.name.value == "node":
                    edge.append(
                        NodesPlan(_key(child), self.object(entity.name, child.selection_set))
                    )
                else:
                    edge.append(self._part(child, child_type))
            return EdgesPlan(key, tuple(edge))
        raise NotCompilable(f"{connection_type.name}.{name}")

    @staticmethod
    def _part(node: FieldNode, on: GraphQLObjectType) -> tuple[str, sql.Part] | sql.Constant:
        name = node.name.value
        if name == "__typename":
            return sql.Constant(_key(node), on.name)
        if name not in PARTS:
            raise NotCompilable(f"{on.name}.{name}")
        return _key(node), PARTS[name]


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _applies(condition: str, on: GraphQLObjectType) -> bool:
    return condition == on.name or any(interface.name == condition for interface in on.interfaces)


def _denied(key: str, definition: GraphQLField, where: str) -> sql.Constant:
    """What a silent permission denial gives: null, or an empty list on a list field."""
    field_type = definition.type
    if isinstance(field_type, GraphQLNonNull):
        if isinstance(field_type.of_type, GraphQLList):
            return sql.Constant(key, [])
        raise NotCompilable(f"{where} is denied and not nullable")
    return sql.Constant(key, None)


def _leaf(key: str, column: str, definition: GraphQLField, where: str) -> sql.Value:
    field_type = definition.type
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    if isinstance(field_type, GraphQLEnumType):
        enum = getattr(field_type, "wrapped_cls", None)
        if enum is None:
            raise NotCompilable(f"{where}: an enum without its class")
        return sql.Value(key, column, sql.ValueKind.ENUM, enum)
    if isinstance(field_type, GraphQLScalarType):
        if field_type.name in PLAIN_SCALARS:
            return sql.Value(key, column)
        if field_type.name in VALUE_KINDS:
            return sql.Value(key, column, VALUE_KINDS[field_type.name])
    raise NotCompilable(f"{where}: {field_type} values are not compiled yet")


def plan_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    viewer: Viewer,
) -> tuple[FieldPlan, ...]:
    return Planner(schema, fragments, viewer).operation(operation)


def bind_operation(plans: Sequence[FieldPlan], binding: Binding) -> list[sql.Field]:
    return [bind(plan, binding) for plan in plans]


__all__ = [
    "Binding",
    "FieldPlan",
    "NotCompilable",
    "bind_operation",
    "plan_operation",
]
