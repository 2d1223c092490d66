"""Schema extensions: validation within limits, the node limit, error coding and masking.

``schema_extensions(limits, production=...)`` is the one entry point; pass its result to
``strawberry.Schema(..., extensions=...)``. It returns classes and zero-argument factories only:
strawberry builds fresh instances per request from them, so no state leaks between requests.

Order matters, because strawberry enters hooks in list order and leaves them in reverse:

* :class:`ObserveOperation` comes first, so that it reads the errors as the client gets them.
* :class:`CodeErrors` comes next, so its "after" code runs after every other extension's and
  sees every error, whoever produced it.
* :class:`ValidateWithinLimits` comes last, so that the validation rules the extensions before
  it add (``DisableIntrospection``) are in the validation it runs.

The one piece of state shared between requests is :class:`ValidDocuments`, a bounded record of
documents known to be valid; it holds no request's data.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import orjson
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSyntaxError, print_ast
from graphql.validation import validate
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from csm_graphql.db.failures import classify
from csm_graphql.errors import (
    CodedError,
    ErrorCode,
    QueryTooComplex,
    RateLimited,
)
from csm_graphql.graphql.cost import MUTATION_POINTS, QueryCost, measure, node_limit_errors
from csm_graphql.graphql.input_text import StorableVariables
from csm_graphql.graphql.observe import ObserveOperation
from csm_graphql.graphql.parse_cache import ParsedDocuments, ReuseParsedDocuments
from csm_graphql.graphql.shape import measure_shape
from csm_graphql.settings import Limits
from csm_graphql.throttle import Charge, Throttle

if TYPE_CHECKING:  # OpenTelemetry is optional: imported only when tracing is on
    from opentelemetry.trace import Tracer

logger = logging.getLogger("csm_graphql.errors")

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]

DOCUMENT_CACHE_SIZE = 512
# The most errors one response carries: enough to fix a document by, too few to flood anyone.
MAX_ERRORS = 10
# The rules strawberry adds to graphql-core's when it validates (schema.validate_document).
STRAWBERRY_RULES: tuple[type[ASTValidationRule], ...] = (
    MaybeNullValidationRule,
    OneOfInputValidationRule,
)
UNEXPECTED_MESSAGE = "Unexpected error."


def schema_extensions(
    limits: Limits,
    *,
    production: bool,
    throttle: Throttle | None = None,
    tracer: Tracer | None = None,
) -> list[ExtensionFactory]:
    """The extensions every schema of this service runs, in the order they must run; with a
    tracer, a span per operation (outermost, so that it times everything else)."""
    extensions: list[ExtensionFactory] = []
    if tracer is not None:
        from csm_graphql.graphql.tracing import TraceOperation

        extensions.append(partial(TraceOperation, tracer))
    extensions += [
        ObserveOperation,
        partial(CodeErrors, production=production),
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        # A document sent again is not parsed again (under the same token limit).
        partial(ReuseParsedDocuments, ParsedDocuments()),
    ]
    if production:
        # Production clients use the exported schema.graphql; nobody needs to crawl it live.
        extensions.append(DisableIntrospection)
    # Text no part of the system can store is refused before anything else looks at it.
    extensions.append(StorableVariables)
    # Last, so that rules added by the extensions before it are part of the validation it runs.
    valid_documents = ValidDocuments(DOCUMENT_CACHE_SIZE)
    costs = MeasuredCosts(DOCUMENT_CACHE_SIZE)
    extensions.append(partial(ValidateWithinLimits, limits, valid_documents, throttle, costs))
    return extensions


# --- Validation within limits ------------------------------------------------------------------


class ValidDocuments:
    """The documents that passed validation lately, as sent and as printed from their syntax
    tree (with the rules they passed).

    Portals send the same few documents over and over; each is validated once. The text as
    sent makes the common case a dictionary lookup; the printed form makes a comment or other
    spacing no reason to validate again. Only valid documents are kept: errors point at
    positions in the text, which differ between two spellings of one document. Bounded, so
    unique documents cannot grow memory without limit.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._keys: OrderedDict[tuple[str, tuple[type[ASTValidationRule], ...]], None] = (
            OrderedDict()
        )

    def __contains__(self, key: tuple[str, tuple[type[ASTValidationRule], ...]]) -> bool:
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        return False

    def add(self, key: tuple[str, tuple[type[ASTValidationRule], ...]]) -> None:
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)


class MeasuredCosts:
    """The cost of a document lately measured, by its text, operation name and variables.

    A cost depends on nothing else (the schema and the default page size are fixed for the
    schema these extensions serve), and portals send the same few documents with the same
    variables over and over. Keyed by the exact text: the same text parses to the same
    document. Bounded; variables that do not encode to JSON are measured every time.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._costs: OrderedDict[tuple[str, str | None, bytes], QueryCost] = OrderedDict()

    @staticmethod
    def key(
        query: str | None, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> tuple[str, str | None, bytes] | None:
        if query is None:
            return None
        try:
            encoded = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # orjson.JSONEncodeError: nothing to key the cost by
            return None
        return query, operation_name, encoded

    def get(self, key: tuple[str, str | None, bytes]) -> QueryCost | None:
        cost = self._costs.get(key)
        if cost is not None:
            self._costs.move_to_end(key)
        return cost

    def add(self, key: tuple[str, str | None, bytes], cost: QueryCost) -> None:
        self._costs[key] = cost
        if len(self._costs) > self._size:
            self._costs.popitem(last=False)


class ValidateWithinLimits(SchemaExtension):
    """Validation, with the limits first and the node limit last, every step linear.

    1. The document's shape (depth and aliases, each fragment measured once): a document over
       either limit is refused here, before any other rule walks it.
    2. graphql-core's standard rules, stopped after :data:`MAX_ERRORS` errors.
       Both are skipped for a document validated before (:class:`ValidDocuments`).
    3. The node limit and the page sizes, which depend on the variables, so they run every time.
    4. Rate limiting: the viewer's bucket is charged the requested cost (throttle.py).

    Every response then reports the cost in ``extensions.cost``.

    Strawberry skips its own validation when an extension has set ``pre_execution_errors``, so
    validation still runs exactly once, and its errors still surface.
    """

    def __init__(
        self,
        limits: Limits,
        valid_documents: ValidDocuments,
        throttle: Throttle | None = None,
        costs: MeasuredCosts | None = None,
    ) -> None:
        super().__init__()
        self.limits = limits
        self.valid_documents = valid_documents
        self.throttle = throttle
        self.costs = costs or MeasuredCosts(DOCUMENT_CACHE_SIZE)
        self.cost: QueryCost | None = None
        self.charge: Charge | None = None

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None:
            errors = self._document_errors(context.query, document)
            if not errors:
                self.cost = self._measure(document)
                errors = node_limit_errors(self.cost, self.limits) or await self._charge()
            context.pre_execution_errors = errors
        yield

    def _measure(self, document: DocumentNode) -> QueryCost:
        context = self.execution_context
        key = self.costs.key(context.query, context.operation_name, context.variables)
        cost = self.costs.get(key) if key is not None else None
        if cost is None:
            cost = measure(
                context.schema._schema,
                document,
                context.variables,
                operation_name=context.operation_name,
                default_first=self.limits.default_first,
            )
            if key is not None:
                self.costs.add(key, cost)
        return cost

    async def _charge(self) -> list[GraphQLError]:
        """Charge the viewer's bucket the requested cost; RATE_LIMITED when it holds too few."""
        context = self.execution_context.context
        viewer = getattr(context, "viewer", None)
        principal = getattr(viewer, "principal_key", None)
        if self.throttle is None or self.cost is None or principal is None:
            return []
        prepaid = getattr(context, "prepaid", None)
        if prepaid is not None and prepaid[0] == self.cost.points:
            self.charge = prepaid[1]  # the fast path charged this very request (fast_path.py)
            return []
        self.charge = await self.throttle.charge(principal, self.cost.points)
        if self.charge.allowed:
            return []
        retry_after = self.throttle.retry_after_header(self.charge)
        return [
            RateLimited(
                f"Rate limit exceeded: this request costs {self.cost.points} points and "
                f"{int(self.charge.available)} are available. Retry in {retry_after} s.",
                retryAfter=int(retry_after),
            )
        ]

    def get_results(self) -> dict[str, Any]:
        """The cost report in every response's ``extensions`` (Shopify's shape)."""
        if self.cost is None:
            return {}
        report: dict[str, Any] = {
            "requestedQueryCost": self.cost.points,
            "maximumQueryCost": self.limits.max_nodes + MUTATION_POINTS,
        }
        if self.throttle is not None and self.charge is not None:
            report["throttleStatus"] = {
                "maximumAvailable": self.throttle.capacity,
                "currentlyAvailable": int(self.charge.available),
                "restoreRate": self.throttle.rate,
            }
        return {"cost": report}

    def _shape_errors(self, document: DocumentNode) -> list[GraphQLError]:
        shape = measure_shape(document)
        errors: list[GraphQLError] = []
        if shape.depth > self.limits.max_depth:
            errors.append(
                QueryTooComplex(
                    f"Query is nested too deeply: the maximum depth is {self.limits.max_depth}."
                )
            )
        if shape.aliases > self.limits.max_aliases:
            errors.append(
                QueryTooComplex(
                    f"Query uses too many aliases: the limit is {self.limits.max_aliases}."
                )
            )
        return errors

    def _document_errors(self, text: str | None, document: DocumentNode) -> list[GraphQLError]:
        """The shape and standard validation errors of a document; none for one known valid.

        A known text is a dictionary lookup. An unknown one is printed from its syntax tree
        and looked up again, so that a comment or other spacing costs one print, not a
        validation; then its shape is measured and it is validated.
        """
        context = self.execution_context
        rules = (*context.validation_rules, *STRAWBERRY_RULES)
        as_sent = (text or "", rules)
        if as_sent in self.valid_documents:
            return []
        as_printed = (print_ast(document), rules)
        if as_printed in self.valid_documents:
            self.valid_documents.add(as_sent)
            return []
        # max_errors counts the errors before graphql-core's own "Validation aborted." one.
        errors = self._shape_errors(document) or validate(
            context.schema._schema, document, rules, max_errors=MAX_ERRORS - 1
        )
        if not errors:
            self.valid_documents.add(as_sent)
            self.valid_documents.add(as_printed)
        return errors


# --- Error coding and masking -------------------------------------------------------------------

_TOKEN_LIMIT = re.compile(r"Document contains more than (\d+) tokens")
_SUGGESTION = re.compile(r"\s*Did you mean[^?]*\?")
# graphql-core's wording when variables or arguments do not coerce to their declared types.
_INPUT_ERROR = re.compile(r"^(Variable '\$|Argument ')")

_CODES = frozenset(code.value for code in ErrorCode)


class CodeErrors(MaskErrors):
    """Gives every error an ``extensions.code``, masks the unexpected ones, caps their number.

    Built on MaskErrors for its traversal of results (plain, incremental and streamed), but
    every error goes through :meth:`anonymise_error`, which codes it rather than blanking it:
    expected errors keep their message, unexpected ones become "Unexpected error." and are
    logged with their traceback. Nothing from an exception (class, SQL, host) reaches the
    client, because the coded error is rebuilt without ``original_error``.

    A response carries at most :data:`MAX_ERRORS` errors. The server log gets one line per
    failed request for the failures that are not bugs (timeouts, the database away), with the
    request id, operation and codes, and a traceback only for unexpected errors.
    """

    def __init__(self, *, production: bool) -> None:
        super().__init__(should_mask_error=lambda _error: True)
        self.production = production
        self._validation_errors: set[int] = set()
        self._failures: list[tuple[ErrorCode, GraphQLError]] = []

    def on_validate(self) -> Iterator[None]:
        yield
        # Being first in the list, this runs after every other validation hook: what is left
        # without a code is a plain validation error.
        self._validation_errors = {id(e) for e in self.execution_context.pre_execution_errors or ()}

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        shown = [self.anonymise_error(error) for error in errors[:MAX_ERRORS]]
        self._log_failures(left_out=len(errors) - len(shown))
        return shown

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
            return self._failure(error, failure.message, failure.code)
        logger.error(
            "Unexpected error at %s: %s",
            self._where(error),
            error.message,
            exc_info=cause or error,
        )
        return _recoded(error, UNEXPECTED_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR)

    def _failure(self, error: GraphQLError, message: str, code: ErrorCode) -> GraphQLError:
        """An expected server-side failure: logged once per request, by :meth:`_log_failures`."""
        self._failures.append((code, error))
        return _recoded(error, message, code)

    def _log_failures(self, *, left_out: int) -> None:
        if not self._failures and not left_out:
            return
        codes = sorted({code.value for code, _ in self._failures})
        fields = ", ".join(_field_path(error) for _, error in self._failures[:3])
        logger.warning(
            "Request failed: %s codes=%s fields=%s errors=%d left_out=%d",
            self._where(),
            ",".join(codes) or "-",
            fields or "-",
            len(self._failures),
            left_out,
        )
        self._failures.clear()

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

    def _where(self, error: GraphQLError | None = None) -> str:
        """Which request, for the server log: request id, operation and, given one, the field."""
        context = self.execution_context.context
        request = _request_of(context)
        request_id = getattr(context, "request_id", None) or (
            getattr(request.state, "request_id", None) if request is not None else None
        )
        operation = self.execution_context.operation_name or "anonymous"
        where = f"request={request_id or '-'} operation={operation}"
        return f"{where} field={_field_path(error)}" if error is not None else where


def _field_path(error: GraphQLError) -> str:
    return ".".join(str(key) for key in error.path or ()) or "-"


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
