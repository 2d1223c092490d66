"""The node limit: how many nodes a query may ask for, computed as GitHub does.

Every field that returns a connection may return up to ``first`` nodes, and a connection nested
under another one may do so once per parent node, so its cost is the product of the ``first``
values along its path. The query's node count is the sum over every connection field occurrence
(fragments included, each spread counted where it is used). This is an upper bound known before
anything runs, which is the point: a query that could fan out to millions of rows is refused
without touching the database.

Everything here is pure: a graphql-core schema, a *valid* document and the raw variables in, a
number and the explicit page sizes out. Validation must have run first (fragment cycles,
unknown fields and type conditions are its business, not ours).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)

from csm_graphql.errors import BadUserInput, QueryTooComplex
from csm_graphql.settings import Limits

PAGE_SIZE_ARGUMENT = "first"

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageSize:
    """A ``first`` value the client chose (literally or through a variable) at a field."""

    path: str
    value: int


# What an operation costs before its nodes: a write locks, audits and notifies, so it costs more.
OPERATION_POINTS = 1
MUTATION_POINTS = 10


@dataclass(slots=True)
class QueryCost:
    """The node count of one operation and the page sizes it asked for."""

    nodes: int
    page_sizes: list[PageSize] = field(default_factory=list)
    mutation: bool = False

    @property
    def points(self) -> int:
        """The requested cost that rate limiting charges: the operation, plus one per node."""
        return self.nodes + (MUTATION_POINTS if self.mutation else OPERATION_POINTS)


def is_connection(type_: GraphQLNamedType) -> bool:
    """A Relay-style connection: an object type named ``*Connection`` with edges or nodes."""
    return (
        isinstance(type_, GraphQLObjectType)
        and type_.name.endswith("Connection")
        and ("edges" in type_.fields or "nodes" in type_.fields)
    )


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    *,
    operation_name: str | None = None,
    default_first: int,
) -> QueryCost:
    """Count the nodes the selected operation may return, and collect its explicit page sizes.

    An operation that cannot be selected (ambiguous or unknown name) costs nothing here: it will
    not execute either, and strawberry reports why.
    """
    operation = get_operation_ast(document, operation_name)
    root = _root_type(schema, operation) if operation else None
    if operation is None or root is None:
        return QueryCost(nodes=0)
    walker = _Walker(schema, document, operation, variables or {}, default_first)
    nodes = walker.selection_set(operation.selection_set, root, (), None)
    mutation = operation.operation is OperationType.MUTATION
    return QueryCost(nodes=nodes, page_sizes=walker.page_sizes, mutation=mutation)


def check_node_limits(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    *,
    operation_name: str | None,
    limits: Limits,
) -> list[GraphQLError]:
    """The coded errors for out-of-range page sizes, else for too many nodes; [] when fine.

    Page sizes are reported first and alone: a ``first: 1000000`` also blows the node count, and
    the page size is the error the client can act on.
    """
    cost = measure(
        schema,
        document,
        variables,
        operation_name=operation_name,
        default_first=limits.default_first,
    )
    return node_limit_errors(cost, limits)


def node_limit_errors(cost: QueryCost, limits: Limits) -> list[GraphQLError]:
    """:func:`check_node_limits` for a cost already measured."""
    bad_sizes: list[GraphQLError] = [
        BadUserInput(
            f"{PAGE_SIZE_ARGUMENT} must be between 0 and {limits.max_first} "
            f"(got {size.value} at {size.path})."
        )
        for size in cost.page_sizes
        if not 0 <= size.value <= limits.max_first
    ]
    if bad_sizes:
        return bad_sizes
    if cost.nodes > limits.max_nodes:
        return [
            QueryTooComplex(
                f"Query may return up to {cost.nodes} nodes: the limit is {limits.max_nodes}."
            )
        ]
    return []


def _root_type(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> GraphQLObjectType | None:
    return {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]


class _Walker:
    """Computes, per selection set, the nodes it costs when its parent is fetched once.

    Costs scale linearly with the parent's multiplier, so a fragment's cost is computed once and
    reused at every spread: without that, fragments spreading fragments several times would
    make the walk exponential in the document size.

    A field that takes ``first`` without being a connection (``search``) sets the page size of
    the connections under it that are given none: that is what they return.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        default_first: int,
    ) -> None:
        self._schema = schema
        self._fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self._variables = {**_variable_defaults(operation), **variables}
        self._default_first = default_first
        self._fragment_costs: dict[tuple[str, int | None], int] = {}
        self.page_sizes: list[PageSize] = []

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLNamedType, path: Path, inherited: int | None
    ) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, path, inherited)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self._schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(
                    selection.selection_set, type_ or parent, path, inherited
                )
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, parent, path, inherited)
        return total

    def _fragment(
        self, name: str, parent: GraphQLNamedType, path: Path, inherited: int | None
    ) -> int:
        key = (name, inherited)
        if key not in self._fragment_costs:
            fragment = self._fragments[name]
            type_ = self._schema.get_type(fragment.type_condition.name.value) or parent
            # Page sizes inside the fragment are reported at the path of its first use.
            self._fragment_costs[key] = self.selection_set(
                fragment.selection_set, type_, path, inherited
            )
        return self._fragment_costs[key]

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType, path: Path, inherited: int | None
    ) -> int:
        definition = _field_definition(parent, node.name.value)
        if definition is None:  # __typename and introspection: no connections there
            return 0
        path = (*path, (node.alias or node.name).value)
        requested = self._requested_first(node)
        if requested is not None:
            self.page_sizes.append(PageSize(".".join(path), requested))
        type_ = get_named_type(definition.type)
        if not is_connection(type_):
            if PAGE_SIZE_ARGUMENT in definition.args:
                inherited = requested if requested is not None else self._default(definition)
            if not node.selection_set:
                return 0
            return self.selection_set(node.selection_set, type_, path, inherited)
        inner = (
            self.selection_set(node.selection_set, type_, path, None) if node.selection_set else 0
        )
        if requested is None:
            requested = self._default(definition, inherited)
        return max(requested, 0) * (1 + inner)

    def _requested_first(self, node: FieldNode) -> int | None:
        """The client's ``first`` at this field, or None when absent (or not an integer yet:
        variable coercion reports that during execution)."""
        for argument in node.arguments or ():
            if argument.name.value == PAGE_SIZE_ARGUMENT:
                return _as_int(self._value(argument.value))
        return None

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self._variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        return None

    def _default(self, definition: GraphQLField, inherited: int | None = None) -> int:
        """The page size of a field given no ``first``: its schema default, else the one set
        above it, else the service's default."""
        argument = definition.args.get(PAGE_SIZE_ARGUMENT)
        default = _as_int(argument.default_value) if argument else None
        if default is not None:
            return default
        return self._default_first if inherited is None else inherited


def _field_definition(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return parent.fields.get(name)
    return None


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    """Integer literal defaults of the operation's variables (``$first: Int = 50``)."""
    return {
        definition.variable.name.value: int(definition.default_value.value)
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
    }


def _as_int(value: Any) -> int | None:
    # bool is an int in Python but not a GraphQL Int; integral floats coerce to Int.
    if value is Undefined or value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
