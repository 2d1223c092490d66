"""Schema extensions: query limits, the node limit, error coding and masking.

``schema_extensions(limits, production=...)`` is the one entry point; pass its result to
``strawberry.Schema(..., extensions=...)``. It returns classes and zero-argument factories only:
strawberry builds fresh instances per request from them, so no state leaks between requests.

Order matters, because strawberry enters hooks in list order and leaves them in reverse:

* :class:`CodeErrors` comes first, so its "after" code runs last and sees every error, whoever
  produced it.
* :class:`NodeLimit` comes last, so any extension that validates on its own (``ValidationCache``)
  has done so before it looks at the validation result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, cast

from graphql import ASTValidationRule, GraphQLError, GraphQLSyntaxError, ValidationContext
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.schema import validate_document

from csm_graphql.db.failures import classify
from csm_graphql.errors import (
    CodedError,
    ErrorCode,
    QueryTooComplex,
)
from csm_graphql.graphql.cost import check_node_limits
from csm_graphql.graphql.input_text import StorableVariables
from csm_graphql.settings import Limits

logger = logging.getLogger("csm_graphql.errors")

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]

DOCUMENT_CACHE_SIZE = 512
UNEXPECTED_MESSAGE = "Unexpected error."


def schema_extensions(limits: Limits, *, production: bool) -> list[ExtensionFactory]:
    """The extensions every schema of this service runs, in the order they must run."""
    extensions: list[ExtensionFactory] = [
        partial(CodeErrors, production=production),
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        partial(AddValidationRules, limit_rules(limits)),
    ]
    if production:
        # Production clients use the exported schema.graphql; nobody needs to crawl it live.
        extensions.append(DisableIntrospection)
    # Portals send the same few documents over and over: validate each once. The cache is
    # bounded, so unique documents cannot grow memory without limit. (No ParserCache: its
    # parse errors escape the operation hook, so CodeErrors could not code them.)
    extensions += [
        partial(ValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
        # After the cache, which overwrites what an earlier extension reported.
        StorableVariables,
        partial(NodeLimit, limits),
    ]
    return extensions


# --- Depth and alias limits --------------------------------------------------------------------


def limit_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """Strawberry's depth and alias rules, reporting one coded QUERY_TOO_COMPLEX error each.

    The rule classes are built once per schema, not per request, so that a validation cache
    keyed by the rule tuple keeps hitting.
    """
    depth_rules = QueryDepthLimiter(max_depth=limits.max_depth).validation_rules
    alias_rules = MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules
    depth = f"Query is nested too deeply: the maximum depth is {limits.max_depth}."
    aliases = f"Query uses too many aliases: the limit is {limits.max_aliases}."
    return [_too_complex(rule, depth) for rule in depth_rules] + [
        _too_complex(rule, aliases) for rule in alias_rules
    ]


class _ReportOnceAs:
    """Stands in for the ValidationContext handed to a strawberry limit rule.

    The first error the rule reports becomes a :class:`QueryTooComplex` with our message; later
    ones are dropped, because the depth rule reports once per over-deep branch and one error
    says all the client needs. Everything else is delegated to the real context.
    """

    def __init__(self, context: ValidationContext, message: str) -> None:
        self._context = context
        self._message = message
        self._reported = False

    def report_error(self, error: GraphQLError) -> None:
        if not self._reported:
            self._reported = True
            self._context.report_error(QueryTooComplex(self._message))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _too_complex(rule: type[ASTValidationRule], message: str) -> type[ASTValidationRule]:
    def __init__(self: ASTValidationRule, context: ValidationContext) -> None:
        try:
            rule.__init__(self, cast(ValidationContext, _ReportOnceAs(context, message)))
        except KeyError:
            # Strawberry's depth rule looks fragments up without checking that they exist; an
            # unknown fragment is reported by graphql-core's KnownFragmentNames rule instead.
            ASTValidationRule.__init__(self, context)

    coded = type(f"TooComplex{rule.__name__}", (rule,), {"__init__": __init__})
    return cast(type[ASTValidationRule], coded)


# --- Node limit ----------------------------------------------------------------------------------


class NodeLimit(SchemaExtension):
    """Refuses, before execution, a query whose connections could return too many nodes.

    Validation rules cannot see variables, so this runs as an ``on_validate`` hook: it runs the
    standard validation itself (unless an earlier extension already did), and only for a valid
    document adds the page-size and node-count errors. Strawberry checks
    ``pre_execution_errors`` inside the validation hook and skips its own validation when it is
    already set, so validation still runs exactly once and its errors still surface.
    """

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and context.validation_rules and document:
            context.pre_execution_errors = validate_document(
                context.schema._schema, document, context.validation_rules
            )
        if not context.pre_execution_errors and document:
            context.pre_execution_errors = check_node_limits(
                context.schema._schema,
                document,
                context.variables,
                operation_name=context.operation_name,
                limits=self.limits,
            )
        yield


# --- Error coding and masking -------------------------------------------------------------------

_TOKEN_LIMIT = re.compile(r"Document contains more than (\d+) tokens")
_SUGGESTION = re.compile(r"\s*Did you mean[^?]*\?")
# graphql-core's wording when variables or arguments do not coerce to their declared types.
_INPUT_ERROR = re.compile(r"^(Variable '\$|Argument ')")

_CODES = frozenset(code.value for code in ErrorCode)


class CodeErrors(MaskErrors):
    """Gives every error an ``extensions.code`` and masks the unexpected ones.

    Built on MaskErrors for its traversal of results (plain, incremental and streamed), but
    every error goes through :meth:`anonymise_error`, which codes it rather than blanking it:
    expected errors keep their message, unexpected ones become "Unexpected error." and are
    logged here with their traceback. Nothing from an exception (class, SQL, host) reaches the
    client, because the coded error is rebuilt without ``original_error``.
    """

    def __init__(self, *, production: bool) -> None:
        super().__init__(should_mask_error=lambda _error: True)
        self.production = production
        self._validation_errors: set[int] = set()

    def on_validate(self) -> Iterator[None]:
        yield
        # Being first in the list, this runs after every other validation hook: what is left
        # without a code is a plain validation error.
        self._validation_errors = {id(e) for e in self.execution_context.pre_execution_errors or ()}

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if _is_coded(error):
            return error
        if isinstance(error, GraphQLSyntaxError):
            return self._syntax_error(error)
        if id(error) in self._validation_errors:
            return self._validation_error(error)
        cause = error.original_error
        if (cause is None or isinstance(cause, GraphQLError)) and _INPUT_ERROR.match(error.message):
            return self._public(error, ErrorCode.BAD_USER_INPUT)
        failure = classify(cause) if cause is not None else None
        if failure is not None:
            logger.warning("%s at %s: %r", failure.message, self._where(error), cause)
            return _recoded(error, failure.message, failure.code)
        logger.exception(
            "Unexpected error at %s: %s", self._where(error), error.message, exc_info=cause or error
        )
        return _recoded(error, UNEXPECTED_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR)

    def _syntax_error(self, error: GraphQLError) -> GraphQLError:
        if match := _TOKEN_LIMIT.search(error.message):
            message = f"Query has too many tokens: the limit is {match[1]}."
            return _recoded(error, message, ErrorCode.QUERY_TOO_COMPLEX)
        return self._public(error, ErrorCode.GRAPHQL_PARSE_FAILED)

    def _validation_error(self, error: GraphQLError) -> GraphQLError:
        # graphql-core gives up with exactly this message when a document exhausts its budget
        # for comparing overlapping fields or walking fragments: a cost limit of its own. (Its
        # other abort, after too many errors, says more and stays a validation failure.)
        if isinstance(error, ValidationAbortedError) and error.message == "Validation aborted.":
            message = "Query is too complex to validate."
            return _recoded(error, message, ErrorCode.QUERY_TOO_COMPLEX)
        return self._public(error, ErrorCode.GRAPHQL_VALIDATION_FAILED)

    def _public(self, error: GraphQLError, code: ErrorCode) -> GraphQLError:
        """An error whose graphql-core message is safe to show, minus suggestions in production:
        "Did you mean ...?" would let anyone map the schema with introspection switched off."""
        message = _SUGGESTION.sub("", error.message) if self.production else error.message
        return _recoded(error, message, code)

    def _where(self, error: GraphQLError) -> str:
        """Where an error happened, for the server log: HTTP path, request id, operation, field."""
        context = self.execution_context.context
        request = _request_of(context)
        url_path = request.url.path if request is not None else "-"
        request_id = getattr(context, "request_id", None) or (
            getattr(request.state, "request_id", None) if request is not None else None
        )
        field_path = ".".join(str(key) for key in error.path or ()) or "-"
        operation = self.execution_context.operation_name or "anonymous"
        return f"{url_path} request={request_id or '-'} operation={operation} field={field_path}"


def _is_coded(error: GraphQLError) -> bool:
    if isinstance(error, CodedError) or isinstance(error.original_error, CodedError):
        return True
    code = (error.extensions or {}).get("code")
    return code in _CODES


def _recoded(error: GraphQLError, message: str, code: ErrorCode) -> GraphQLError:
    """A fresh error at the same place, carrying only what the client may see."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code.value},
    )


def _request_of(context: Any) -> Any:
    """The Starlette request, from strawberry's default dict context or a context attribute."""
    if isinstance(context, dict):
        return context.get("request")
    return getattr(context, "request", None)
