"""From a GraphQL operation to the shapes of one SQL statement (repositories/compiled.py).

Planning runs once per (document, operation, viewer kind and roles): it walks the selection
against the declared types (``DECLARED``: what produces each field) and applies the field
rules of ``access/fields.py``, which depend on the viewer's kind and roles only, so a denied
field becomes a constant null (or ``[]``). Binding runs per request: it reads the arguments
(page size, cursor, ordering, list scope) from the request's variables and decodes
``node(id:)``'s id.

Whatever the planner does not know raises :class:`NotCompilable`, and the operation runs
through the resolvers, which stay the reference semantics. What compiles is listed in
docs/contributing.md ("Compiled reads").
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from types import SimpleNamespace
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution.values import get_argument_values, get_directive_values
from graphql.type.definition import get_named_type
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments

from csm_graphql.access.fields import allows, rule_for
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.errors import CodedError
from csm_graphql.graphql.compiled.finishers import FINISHERS, plan_finished
from csm_graphql.graphql.compiled.loaded import (
    LOADED_FIELDS,
    Loaded,
    LoadedRunner,
)
from csm_graphql.graphql.compiled.reasons import FallbackReason, classify
from csm_graphql.graphql.compiled.request_values import (
    Refused,
    RequestValuePlan,
    plan_request_value,
    projection,
)
from csm_graphql.graphql.compiled.root_lists import ROOT_LISTS, Orders
from csm_graphql.graphql.compiled.twins import TWINS, VIEWER_TWINS
from csm_graphql.graphql.declared import producers
from csm_graphql.graphql.declared.registry import DECLARED, DeclaredType, fetchable
from csm_graphql.graphql.ids import from_global_id
from csm_graphql.graphql.inputs import to_ordering
from csm_graphql.graphql.list_filters import check_search
from csm_graphql.graphql.loaders import ChildFilter
from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories import entities
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.paging import Ordering, PageRequest
from csm_graphql.repositories.relations import LINK_ORDERINGS
from csm_graphql.repositories.search import search_terms
from csm_graphql.settings import Limits
from csm_graphql.tables import metadata

# A list's filter input -> the WHERE conditions its resolver's read adds.
Conditions = Callable[[Any], list[Any]]


class NotCompilable(Exception):
    """Why an operation, or this request of it, takes the resolver path: the text for the
    debug log, and a bounded ``reason`` for metrics (sorted by the wording unless given)."""

    def __init__(self, detail: str, reason: FallbackReason | None = None) -> None:
        super().__init__(detail)
        self.reason = reason if reason is not None else classify(detail)


STRAWBERRY_FIELD = GraphQLCoreConverter.DEFINITION_BACKREF
# The sources of ``search`` that rank with repositories.search (cases have their own search).
SEARCH_SOURCES = {
    "successCases": entities.SUCCESS_CASE,
    "successTasks": entities.SUCCESS_TASK,
    "successInitiatives": entities.SUCCESS_INITIATIVE,
    "touchpoints": entities.TOUCHPOINT,
    "cases": entities.CASE,
    "knowledgeArticles": entities.KNOWLEDGE_ARTICLE,
}
# Root fields whose value is the request's own, computed when the request is bound.
REQUEST_VALUES = frozenset({"viewer"})

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
    _markers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def marker(self) -> str:
        """A loaded field's marker: unique in the request, and the same in every request of
        the plan (bound in the same order), so that the statement's text, which holds it,
        repeats and its compiled form is reused (prepared._Structures)."""
        return f"loaded{next(self._markers)}"


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
class LinkListPlan:
    key: str
    entity: Entity
    link: sql.Link
    child_key: str
    shape: ObjectPlan

    def bind(self, binding: Binding) -> sql.LinkList:
        return sql.LinkList(
            self.key, self.entity, self.shape.bind(binding), self.link, self.child_key
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
    arguments: ArgumentReader
    fields: tuple[ConnectionItem, ...]
    with_total: bool
    child_key: str | None = None
    equals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ordered: bool = False  # takes ``orderBy``
    scoped: bool = False  # takes ``scope``
    link: sql.Link | None = None
    fixed_ordering: Ordering | None = None  # a link table's list has its own order
    # The filter input -> conditions, as the resolver computes them (None: takes no filter).
    conditions: Conditions | None = None
    ordering: Orders = to_ordering
    always_filtered: bool = False  # its conditions apply without a filter too (contacts)

    def bind(self, binding: Binding) -> sql.Connection:
        arguments = self.arguments.read(self.definition, self.node, binding)
        first = arguments.get("first")
        count = binding.limits.default_first if first is None else first
        if not 0 <= count <= binding.limits.max_first:
            raise NotCompilable("first out of range: the resolvers word the error")
        order = arguments.get("order_by") if self.ordered else None
        try:
            ordering = self.fixed_ordering or self.ordering(self.entity, order, binding.viewer)
            filter_input = arguments.get("filter")
            where: tuple[Any, ...] = ()
            if filter_input is not None or self.always_filtered:
                if self.conditions is None:
                    raise NotCompilable("a filter this list does not compile")
                where = tuple(self.conditions(filter_input))
        except CodedError as error:
            raise NotCompilable(f"arguments refused: {error}") from error
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
            where=where,
        )


def _child_conditions(entity: Entity, to_filter: Callable[[Any], Any]) -> Conditions:
    """A nested list's filter, as ``ChildQuery.conditions`` applies it."""

    def conditions(filter_input: Any) -> list[Any]:
        child_filter: ChildFilter | None = to_filter(filter_input)
        return child_filter.conditions(entity) if child_filter else []

    return conditions


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
        return self.one(_arguments(self.definition, self.node, binding)["id"], binding)

    def one(self, global_id: str, binding: Binding) -> sql.ToOne | sql.Constant:
        """What ``_load_node`` gives for this id: the visible row, else null."""
        decoded = from_global_id(global_id)
        entry = fetchable(decoded[0]) if decoded else None
        if decoded is None or entry is None:
            return sql.Constant(self.key, None)  # malformed, unknown or unfetchable: null
        type_name, database_id = decoded
        plan = self.object_plan(type_name)
        return sql.ToOne(self.key, entry.entity, plan.bind(binding), "id", key_value=database_id)

    def object_plan(self, type_name: str) -> ObjectPlan:
        plan = self.by_type.get(type_name)
        if plan is None:
            try:
                plan = self.planner.object(type_name, self.node.selection_set)
            except NotCompilable as refusal:
                plan = refusal
            self.by_type[type_name] = plan
        if isinstance(plan, NotCompilable):
            raise plan
        return plan


@dataclass(frozen=True, slots=True)
class ViewerPlan:
    """A root field computed from the request alone (request_values.py)."""

    plan: RequestValuePlan

    def bind(self, binding: Binding) -> sql.Bound:
        try:
            return sql.Bound(self.plan.key, self.plan.json(binding.viewer))
        except Refused as refusal:
            raise NotCompilable(str(refusal), FallbackReason.FIELD_WITHOUT_SQL) from refusal


@dataclass(frozen=True, slots=True)
class LoadedPlan:
    """A computed field read from batched loaders (loaded.py): captured and replayed."""

    key: str
    runner: LoadedRunner
    arguments: ArgumentReader

    def bind(self, binding: Binding) -> sql.Loaded:
        runner = self.runner
        arguments = self.arguments.read(runner.definition, runner.node, binding)
        return sql.Loaded(self.key, Loaded(self.key, binding.marker(), runner, arguments))


@dataclass(frozen=True, slots=True)
class SearchSourcePlan:
    """One source of ``search``: its hits, a page under the entity's row rule, the match
    condition and the rank ordering of ``repositories.search.search_terms`` (which the
    statement builder applies to the connection's ``search``)."""

    plan: ConnectionPlan

    def bind(self, binding: Binding, text: str, search_first: int) -> sql.Connection:
        plan = self.plan
        arguments = plan.arguments.read(plan.definition, plan.node, binding)
        first = arguments.get("first")
        count = search_first if first is None else first
        if not 0 <= count <= binding.limits.max_first:
            raise NotCompilable("first out of range: the resolvers word the error")
        # The text, not its conditions: the statement builder adds those (and ranks by its
        # own ordering), so that the cached statement binds the text (sql.SearchText).
        _, ordering = search_terms(plan.entity, binding.viewer, text)
        return sql.Connection(
            plan.key,
            plan.entity,
            PageRequest(count, arguments.get("after") or None, plan.with_total),
            ordering,
            tuple(_bind_part(f, binding) for f in plan.fields),
            search=sql.SearchText(text),
        )


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """``search(text:, first:)``: an object of ranked connections, one per source."""

    key: str
    definition: GraphQLField
    node: FieldNode
    fields: tuple[SearchSourcePlan | sql.Constant, ...]

    def bind(self, binding: Binding) -> sql.Inline:
        arguments = _arguments(self.definition, self.node, binding)
        text, first = arguments["text"], arguments.get("first", 10)
        try:
            check_search(text, first, binding.limits)
        except CodedError as error:
            reason = FallbackReason.ARGUMENT_REFUSED  # blank text, first out of range
            raise NotCompilable(f"search refused: {error}", reason) from error
        fields = tuple(
            f.bind(binding, text, first) if isinstance(f, SearchSourcePlan) else f
            for f in self.fields
        )
        return sql.Inline(self.key, sql.ObjectShape(fields))


@dataclass(slots=True)
class NodeListPlan:
    """``nodes(ids:)``: each id as ``node(id:)``, in order, null where not visible."""

    key: str
    node: NodePlan

    def bind(self, binding: Binding) -> sql.NodeList:
        ids = _arguments(self.node.definition, self.node.node, binding)["ids"]
        if len(ids) > min(binding.limits.max_first, sql.MAX_ITEMS):
            raise NotCompilable("too many ids: the resolvers word the error")
        # Grouped by type, as the resolvers' loaders batch them: one read per type (a row
        # rule evaluated once, not once per id).
        groups: dict[str, tuple[int, list[int]]] = {}
        items: list[tuple[int, int] | None] = []
        for global_id in ids:
            decoded = from_global_id(global_id)
            entry = fetchable(decoded[0]) if decoded else None
            if decoded is None or entry is None:
                items.append(None)  # malformed, unknown or unfetchable: null
                continue
            type_name, database_id = decoded
            index, type_ids = groups.setdefault(type_name, (len(groups), []))
            type_ids.append(database_id)
            items.append((index, database_id))
        bound = tuple(
            sql.NodeGroup(
                _entity_of(type_name),
                self.node.object_plan(type_name).bind(binding),
                tuple(type_ids),
            )
            for type_name, (_, type_ids) in groups.items()
        )
        return sql.NodeList(self.key, bound, tuple(items))


@dataclass(slots=True)
class DirectiveVariants:
    """An operation whose @skip/@include read variables: what it selects depends on their
    values, so it is planned per set of values (at most 2^n, n the variables read), on first
    use, and the plans are remembered with the operation's."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    viewer: Viewer
    names: tuple[str, ...]
    plans: dict[tuple[Any, ...], tuple[FieldPlan, ...] | NotCompilable] = field(
        default_factory=dict
    )

    def bind(self, binding: Binding) -> list[sql.Field]:
        values = binding.variables.coerced
        key = tuple(values.get(name) for name in self.names)
        plans = self.plans.get(key)
        if plans is None:
            planner = Planner(self.schema, self.fragments, self.viewer, variables=binding.variables)
            try:
                plans = planner.operation(self.operation)
            except NotCompilable as refusal:
                plans = refusal
            self.plans[key] = plans
        if isinstance(plans, NotCompilable):
            raise plans
        return [bind(plan, binding) for plan in plans]


# Plans a request binds (the others are shapes already).
BoundPlan = (
    ToOnePlan
    | LinkListPlan
    | ConnectionPlan
    | NodePlan
    | NodeListPlan
    | ViewerPlan
    | SearchPlan
    | LoadedPlan
)
FieldPlan = (
    sql.Value
    | sql.GlobalIdValue
    | sql.Constant
    | sql.Expression
    | sql.Finished
    | BoundPlan
    | DirectiveVariants  # an operation's only plan, when it has one (bind_operation)
)


def bind(plan: FieldPlan, binding: Binding) -> sql.Field:
    if isinstance(plan, BoundPlan):
        return plan.bind(binding)
    if isinstance(plan, DirectiveVariants):
        raise TypeError("DirectiveVariants binds a whole operation")
    return plan


def _bind_part(part: Any, binding: Binding) -> Any:
    return part.bind(binding) if isinstance(part, NodesPlan | EdgesPlan) else part


def _arguments(definition: GraphQLField, node: FieldNode, binding: Binding) -> dict[str, Any]:
    try:
        return get_argument_values(definition, node, binding.variables)
    except GraphQLError as error:
        raise NotCompilable(f"arguments: {error.message}") from error


@dataclass(frozen=True, slots=True)
class ArgumentReader:
    """A field's arguments as its resolver receives them: coerced by graphql-core, then
    converted by Strawberry into its inputs (python names, input classes), so that the
    resolvers' own functions (filters, orderings) read them unchanged."""

    scalar_registry: Any
    config: Any
    # Arguments written out in the document (``first: 20``), read once per plan: the same
    # node gives the same values. By id, with the node kept (its id cannot be reused).
    constants: dict[int, tuple[FieldNode, dict[str, Any]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, schema: GraphQLSchema) -> ArgumentReader:
        converter = schema._strawberry_schema.schema_converter  # type: ignore[attr-defined]
        return cls(converter.scalar_registry, converter.config)

    def read(self, definition: GraphQLField, node: FieldNode, binding: Binding) -> dict[str, Any]:
        known = self.constants.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        raw = _arguments(definition, node, binding)
        strawberry_field = definition.extensions.get(STRAWBERRY_FIELD)
        if strawberry_field is None:
            raise NotCompilable(f"{node.name.value}: no Strawberry field")
        values: dict[str, Any] = convert_arguments(
            raw,
            strawberry_field.arguments,
            scalar_registry=self.scalar_registry,
            config=self.config,
        )
        if _constant(node) and all(
            type(v) in _IMMUTABLE or isinstance(v, Enum) for v in values.values()
        ):
            self.constants[id(node)] = (node, values)  # shared: callers only read it
        return values


# Values a shared arguments dictionary may hold (an input object could be changed by a reader).
_IMMUTABLE = frozenset({type(None), bool, int, float, str})


def _constant(node: FieldNode) -> bool:
    """The field's arguments name no variable (their values are in the document)."""
    return not any(
        isinstance(child, VariableNode)
        for argument in node.arguments or ()
        for child in _values(argument.value)
    )


def _values(value: ValueNode) -> Iterator[ValueNode]:
    yield value
    if isinstance(value, ListValueNode):
        for item in value.values:
            yield from _values(item)
    elif isinstance(value, ObjectValueNode):
        for member in value.fields:
            yield from _values(member.value)


# -- planning ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Planner:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    # Read only by the field rules, which depend on its kind and roles alone: the plan cache's
    # key. Its ids reach the statement through the row rules, at build time, never from here.
    viewer: Viewer

    # The values of the variables @skip/@include read (None when they read none): a plan
    # with such directives is made per set of their values (``DirectiveVariants``).
    variables: Any = None  # graphql-core's VariableValues
    arguments: ArgumentReader = field(init=False)

    def __post_init__(self) -> None:
        self.arguments = ArgumentReader.of(self.schema)

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
            elif name == "search":
                plans.append(self.search(key, query.fields[name], node))
            elif name in REQUEST_VALUES:
                plans.append(self.request_value(key, query.fields[name], node))
            elif name == "nodes":
                plans.append(NodeListPlan(key, NodePlan(key, query.fields[name], node, self)))
            elif name in ROOT_LISTS:
                root = ROOT_LISTS[name]
                plan = self.connection(
                    key, root.entity, query.fields[name], node, ordered=True, scoped=root.scoped
                )
                plans.append(
                    replace(
                        plan,
                        conditions=root.conditions,
                        ordering=root.ordering,
                        always_filtered=root.always_filtered,
                    )
                )
            else:
                raise NotCompilable(f"root field {name}")
        return tuple(plans)

    def search(self, key: str, definition: GraphQLField, node: FieldNode) -> SearchPlan:
        results = get_named_type(definition.type)
        assert isinstance(results, GraphQLObjectType)
        fields: list[SearchSourcePlan | sql.Constant] = []
        for child in self.collect(node.selection_set, results):
            child_key, name = _key(child), child.name.value
            if name == "__typename":
                fields.append(sql.Constant(child_key, results.name))
                continue
            entity = SEARCH_SOURCES.get(name)
            if entity is None:
                raise NotCompilable(f"search source {name}", FallbackReason.FIELD_WITHOUT_SQL)
            if not allows(rule_for(results.name, name), self.viewer):
                denied = FallbackReason.FIELD_WITHOUT_SQL  # the resolvers word the denial
                raise NotCompilable(f"{results.name}.{name} is denied", denied)
            plan = self.connection(child_key, entity, results.fields[name], child, ordered=False)
            fields.append(SearchSourcePlan(plan))
        return SearchPlan(key, definition, node, tuple(fields))

    def request_value(self, key: str, definition: GraphQLField, node: FieldNode) -> ViewerPlan:
        try:
            plan = plan_request_value(key, definition, node, self.collect, self.viewer)
        except Refused as refusal:
            raise NotCompilable(
                f"{node.name.value}: {refusal}", FallbackReason.FIELD_WITHOUT_SQL
            ) from refusal
        return ViewerPlan(plan)

    def collect(
        self, selection_set: SelectionSetNode | None, on: GraphQLObjectType
    ) -> list[FieldNode]:
        """The fields selected on an object of type ``on``, as graphql-core's
        ``collect_fields`` finds them: fragments that apply to it included, @skip/@include
        applied, and the selections of a response key selected twice merged into its first
        place (validation has made sure they are the same field with the same arguments)."""
        merged: dict[str, FieldNode] = {}
        for node in self._collect(selection_set, on, set()):
            key = _key(node)
            first = merged.get(key)
            if first is None:
                merged[key] = node
            elif first.selection_set is not None and node.selection_set is not None:
                selections = (*first.selection_set.selections, *node.selection_set.selections)
                merged[key] = FieldNode(
                    alias=first.alias,
                    name=first.name,
                    arguments=first.arguments,
                    directives=(),
                    selection_set=SelectionSetNode(selections=selections),
                )
        return list(merged.values())

    def _collect(
        self, selection_set: SelectionSetNode | None, on: GraphQLObjectType, seen: set[str]
    ) -> list[FieldNode]:
        found: list[FieldNode] = []
        for selection in selection_set.selections if selection_set else ():
            if not self._included(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                found.append(selection)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen:  # as collect_fields: a fragment is spread once per level
                    continue
                seen.add(name)
                fragment = self.fragments.get(name)
                if fragment is None:
                    raise NotCompilable("unknown fragment")
                if fragment.directives:
                    raise NotCompilable("directives")
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                raise NotCompilable(f"selection {selection.kind}")
            if condition is None or _applies(condition.name.value, on):
                found += self._collect(inner, on, seen)
        return found

    def _included(self, directives: Sequence[DirectiveNode] | None) -> bool:
        """@skip and @include, as graphql-core's ``should_include_node``; any other
        directive is left to the resolvers."""
        if not directives:
            return True
        for directive in directives:
            if directive.name.value not in {"skip", "include"}:
                raise NotCompilable(f"directive @{directive.name.value}")
            if self.variables is None and _reads_variables(directive):
                raise NotCompilable("@skip/@include read variables: planned per their values")
        holder = SimpleNamespace(directives=directives)
        variables = self.variables
        skip = get_directive_values(GraphQLSkipDirective, holder, variables)  # type: ignore[arg-type]
        if skip is not None and skip["if"] is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, holder, variables)  # type: ignore[arg-type]
        return not (include is not None and include["if"] is False)

    def object(self, type_name: str, selection_set: SelectionSetNode | None) -> ObjectPlan:
        declared = _declared(type_name)
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
        if isinstance(producer, producers.PythonFunction) and producer.function in LOADED_FIELDS:
            return self._loaded(key, definition, node, where)
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
                target_type = _declared(target)
                if target_type is None:
                    raise NotCompilable(f"{where}: {target} is not declared")
                shape = self.object(target, node.selection_set)
                return ToOnePlan(key, target_type.entity, key_column, target_key, shape)
            case producers.LinkList():
                target_type = _declared(producer.entity)
                if target_type is None:
                    raise NotCompilable(f"{where}: {producer.entity} is not declared")
                link = sql.Link(metadata.tables[producer.link_table], producer.target_key)
                shape = self.object(producer.entity, node.selection_set)
                return LinkListPlan(key, target_type.entity, link, producer.parent_key, shape)
            case producers.ToMany():
                target_type = _declared(producer.entity)
                if target_type is None:
                    raise NotCompilable(f"{where}: {producer.entity} is not declared")
                plan = self.connection(
                    key,
                    target_type.entity,
                    definition,
                    node,
                    ordered=producer.order_input is not None,
                    child_key=producer.child_key,
                    equals=producer.equals,
                )
                if producer.to_filter is None:
                    return plan
                conditions = _child_conditions(target_type.entity, producer.to_filter)
                return replace(plan, conditions=conditions)
            case producers.LinkMany():
                target_type = _declared(producer.entity)
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
                if twin is None and function in VIEWER_TWINS:
                    twin = VIEWER_TWINS[function](self.viewer)
                if twin is not None:
                    return sql.Expression(key, twin, reads)
                if function in FINISHERS and not node.arguments:
                    return self._finished(key, function, declared, definition, where)
                raise NotCompilable(f"{where} is computed in Python")
        raise NotCompilable(f"{where}: {type(producer).__name__} is not compiled yet")

    def _loaded(
        self, key: str, definition: GraphQLField, node: FieldNode, where: str
    ) -> LoadedPlan:
        strawberry_field = definition.extensions.get(STRAWBERRY_FIELD)
        resolver = strawberry_field.base_resolver if strawberry_field else None
        if resolver is None or not resolver.is_async:
            raise NotCompilable(f"{where}: not a loaded resolver")
        try:
            project = projection(definition.type, node, self.collect, self.viewer)
        except Refused as refusal:
            raise NotCompilable(f"{where}: {refusal}", FallbackReason.COMPUTED_FIELD) from refusal
        runner = LoadedRunner(resolver.wrapped_func, definition, node, self.fragments, project)
        return LoadedPlan(key, runner, self.arguments)

    @staticmethod
    def _finished(
        key: str, marker: str, declared: DeclaredType, definition: GraphQLField, where: str
    ) -> sql.Finished:
        scalar = get_named_type(definition.type)
        if not isinstance(scalar, GraphQLScalarType):
            raise NotCompilable(f"{where}: a finisher of {scalar} values")
        return plan_finished(key, marker, declared.entity, scalar.serialize)

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
            key, entity, definition, node, self.arguments, tuple(items), with_total, child_key,
            equals, ordered, scoped,
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


def _reads_variables(directive: DirectiveNode) -> bool:
    return any(isinstance(argument.value, VariableNode) for argument in directive.arguments or ())


def directive_variables(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables that @skip/@include read anywhere in the operation and its fragments."""
    names: set[str] = set()

    class Reader(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            if node.name.value in {"skip", "include"}:
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)

    for document_node in (operation, *fragments.values()):
        visit(document_node, Reader())
    return tuple(sorted(names))


def _entity_of(type_name: str) -> Entity:
    """The entity a fetchable type's rows are read from."""
    entry = fetchable(type_name)
    assert entry is not None
    return entry.entity


def _declared(type_name: str) -> DeclaredType | None:
    """The declared type (every served type with producers is declared)."""
    return DECLARED.get(type_name)


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
    if isinstance(field_type, GraphQLList) and _plain_items(field_type.of_type):
        # An array column of text (roles): to_json writes the list Strawberry returns.
        return sql.Value(key, column)
    raise NotCompilable(f"{where}: {field_type} values are not compiled yet")


def _plain_items(item_type: Any) -> bool:
    """Items json_build_object writes as Strawberry does: non-null text, numbers, flags."""
    return (
        isinstance(item_type, GraphQLNonNull)
        and isinstance(item_type.of_type, GraphQLScalarType)
        and item_type.of_type.name in {"String", "Int", "Boolean"}
    )


def plan_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    viewer: Viewer,
) -> tuple[FieldPlan, ...]:
    names = directive_variables(operation, fragments)
    if names:
        return (DirectiveVariants(schema, operation, fragments, viewer, names),)
    return Planner(schema, fragments, viewer).operation(operation)


def bind_operation(plans: Sequence[FieldPlan], binding: Binding) -> list[sql.Field]:
    fields: list[sql.Field] = []
    for plan in plans:
        if isinstance(plan, DirectiveVariants):
            fields += plan.bind(binding)
        else:
            fields.append(bind(plan, binding))
    return fields


__all__ = [
    "Binding",
    "FieldPlan",
    "NotCompilable",
    "bind_operation",
    "plan_operation",
]
