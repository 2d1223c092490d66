"""Text no part of the system can carry is refused where it enters GraphQL.

Two characters can never be stored, compared or even sent to PostgreSQL as a parameter
(domain/text.py): a lone UTF-16 surrogate, which has no UTF-8 encoding (the driver fails on
it, and so does the response's JSON encoder should an error message quote it), and NUL, which
PostgreSQL's ``text`` cannot hold.

Every String, ID and custom scalar input is text on the wire, so checking the raw variables
before they are coerced, and the document's string literals while it is validated, covers every
argument of every query and mutation at once; no resolver or service ever sees such a value.
(The lexer already refuses lone surrogates inside a document, escaped or not.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    VariableDefinitionNode,
)
from graphql.pyutils import print_path_list
from strawberry.extensions import SchemaExtension

from csm_graphql.domain.text import describe, unstorable_character
from csm_graphql.errors import ErrorCode


def _problem(text: str) -> str | None:
    character = unstorable_character(text)
    return None if character is None else describe(character)


def _bad_input(message: str, *nodes: Node) -> GraphQLError:
    return GraphQLError(message, list(nodes), extensions={"code": ErrorCode.BAD_USER_INPUT.value})


class StorableStringLiterals(ValidationRule):
    """A string literal in the document (an argument, a variable's default) holds no NUL (the
    lexer has refused lone surrogates already)."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        problem = _problem(node.value)
        if problem is not None:
            self.report_error(_bad_input(f"A string value cannot contain {problem}.", node))


class StorableVariables(SchemaExtension):
    """Adds :class:`StorableStringLiterals` to validation, and refuses any variable whose value
    holds such text (in a string or an input object's key, at any depth) before graphql-core
    coerces it.

    The variables are checked in ``on_validate`` before the hook yields, and this extension
    comes before ``ValidateWithinLimits``, which then leaves an operation with these errors
    alone: they stop it the way validation errors do.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (*context.validation_rules, StorableStringLiterals)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors and context.variables:
            errors = _variable_errors(
                context.variables, context.graphql_document, context.operation_name
            )
            if errors:
                context.pre_execution_errors = errors
        yield


def _variable_errors(
    variables: Mapping[str, Any], document: DocumentNode | None, operation_name: str | None
) -> list[GraphQLError]:
    definitions = _variable_definitions(document, operation_name)
    return [
        _bad_input(
            f"Variable '${name}' has invalid value{print_path_list(path)}: "
            f"text cannot contain {problem}.",
            *[definitions[name]] if name in definitions else [],
        )
        for name, value in variables.items()
        for path, problem in _problems(value, [])
    ]


def _problems(value: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    """(path, problem) for every unstorable string in a JSON value."""
    if isinstance(value, str):
        if (problem := _problem(value)) is not None:
            yield path, problem
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if (problem := _problem(str(key))) is not None:
                yield path, f"{problem} in a field name"
            else:
                yield from _problems(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _problems(item, [*path, index])


def _variable_definitions(
    document: DocumentNode | None, operation_name: str | None
) -> dict[str, VariableDefinitionNode]:
    """The selected operation's variable definitions by name (for the errors' locations)."""
    found: dict[str, VariableDefinitionNode] = {}
    for definition in document.definitions if document else ():
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            for variable in definition.variable_definitions or ():
                found.setdefault(variable.variable.name.value, variable)
    return found
