"""The compiled executor's hook: a schema extension that answers a compilable query with one
SQL statement, before Strawberry would execute it field by field.

It runs in ``on_execute``, so every check before execution has run exactly as for the
resolvers: parsing, the token limit, validation, the shape and node limits, the cost and the
rate limit (``ValidateWithinLimits``); the cost report still reaches ``extensions.cost``.
When it answers, it sets ``execution_context.result`` (Strawberry then skips its executor);
when it does not (not compilable, or not for these arguments), the resolvers run as always.

``data`` is PostgreSQL's JSON text, wrapped in ``orjson.Fragment``: the response encoder
writes it as it is, so the rows are never parsed into Python objects.

The statement itself comes from ``repositories.prepared``: built and compiled once per shape
(the bound arguments and what the rules see of the viewer), then only its values are bound.
Which path a request took, and why not the fast one, is counted (``/metrics``:
``csm_compiled_reads_total``) and, in development, shown in ``extensions.compiledReads``.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    get_operation_ast,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult

from csm_graphql.access.viewer import Viewer
from csm_graphql.errors import CodedError
from csm_graphql.graphql.compiled.finishers import FinisherFailed, finish, prepare
from csm_graphql.graphql.compiled.loaded import CaptureRefused, loaded_shapes
from csm_graphql.graphql.compiled.plan import (
    Binding,
    FieldPlan,
    NotCompilable,
    bind_operation,
    plan_operation,
)
from csm_graphql.graphql.compiled.reasons import FallbackReason
from csm_graphql.graphql.context import Context
from csm_graphql.repositories import compiled as sql
from csm_graphql.repositories.compiled import RequestValues, StatementBuilder
from csm_graphql.repositories.prepared import Keyed, StatementCache, cache_key

log = logging.getLogger(__name__)

PLAN_CACHE_SIZE = 512

PlanKey = tuple[str, str | None, str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Which path a request took: ``compiled``, or ``fallback`` with the category and the
    detail of the refusal."""

    path: str
    reason: FallbackReason | None = None
    detail: str | None = None

    def as_extension(self) -> dict[str, str | None]:
        return {
            "path": self.path,
            "reason": self.reason.value if self.reason else None,
            "detail": self.detail,
        }


def build_statement(viewer: Viewer, today: date, fields: Sequence[sql.Field]) -> Any:
    return StatementBuilder(viewer, RequestValues(today)).statement(fields)


@dataclass(frozen=True, slots=True)
class KnownDocument:
    """A document the general path answered compiled: it parsed within the token limit and
    passed validation (both pure functions of its text, for this schema), so a request that
    sends it again needs neither (the HTTP fast path, fast_path.py)."""

    document: DocumentNode
    operation_name: str | None  # as Strawberry names it: given, else the operation's own


@dataclass(frozen=True, slots=True)
class Answered:
    """A compiled answer: the response's ``data`` as PostgreSQL's JSON text, or the failure
    of its statement (worded like a failing root resolver's: at the first root field)."""

    data: str | bytes | None
    failure: GraphQLError | None = None


@dataclass(frozen=True, slots=True)
class BoundRead:
    """An operation's plans bound to one request, and the statement cache's key of them
    (None: shapes built for this request alone)."""

    fields: list[sql.Field]
    keyed: Keyed | None
    # Whether it holds loaded fields: captured per request (finishers.prepare), never kept.
    loaded: bool


class CompiledReader:
    """Plans (cached) and runs compiled reads; shared by the requests of one schema.

    A plan depends on the document, the operation and what the field rules see of the
    viewer (its kind and roles), never on the viewer's ids: those, and the variables, are
    bound per request. Refusals are cached like plans, so an operation that cannot be
    compiled costs one dictionary lookup per request.
    """

    def __init__(self, size: int = PLAN_CACHE_SIZE) -> None:
        self._size = size
        self._plans: OrderedDict[PlanKey, tuple[FieldPlan, ...] | NotCompilable] = OrderedDict()
        self._known: OrderedDict[tuple[str, str | None], KnownDocument] = OrderedDict()
        self._reads: OrderedDict[Hashable, BoundRead] = OrderedDict()
        self.statements = StatementCache()
        # Which path each request took, and why not the fast one (for metrics and tests).
        self.served = 0
        self.fallbacks: Counter[FallbackReason] = Counter()

    def plan(
        self,
        query: str,
        operation_name: str | None,
        document: DocumentNode,
        schema: GraphQLSchema,
        viewer: Viewer,
    ) -> tuple[FieldPlan, ...]:
        key = (query, operation_name, viewer.kind.value, frozenset(viewer.roles))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._build(document, operation_name, schema, viewer)
            self._plans[key] = plan
            if len(self._plans) > self._size:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(key)
        if isinstance(plan, NotCompilable):
            raise plan
        return plan

    @staticmethod
    def _build(
        document: DocumentNode, operation_name: str | None, schema: GraphQLSchema, viewer: Viewer
    ) -> tuple[FieldPlan, ...] | NotCompilable:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return NotCompilable("no operation", FallbackReason.OPERATION)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        try:
            return plan_operation(schema, operation, fragments, viewer)
        except NotCompilable as refusal:
            return refusal

    def known(self, query: str, provided_operation_name: str | None) -> KnownDocument | None:
        """The document of a request the general path answered compiled before, if any."""
        return self._known.get((query, provided_operation_name))

    def remember(
        self, query: str, provided_operation_name: str | None, known: KnownDocument
    ) -> None:
        key = (query, provided_operation_name)
        if key in self._known:
            self._known.move_to_end(key)
            return
        self._known[key] = known
        if len(self._known) > self._size:
            self._known.popitem(last=False)

    def _fallback(self, reason: FallbackReason, detail: str, *, count: bool = True) -> Outcome:
        if count:
            self.fallbacks[reason] += 1
            log.debug("Compiled read refused (%s): %s", reason.value, detail)
        return Outcome("fallback", reason, detail)

    async def run(self, context: ExecutionContext) -> tuple[ExecutionResult | None, Outcome]:
        """The response's result, or None (the resolvers answer this one), and the path."""
        request: Context = context.context
        if context.query is None or not isinstance(request, Context):
            return None, Outcome("fallback", FallbackReason.OPERATION, "no query or context")
        document = context.graphql_document
        assert document is not None
        answered, outcome = await self.answer(
            context.query,
            context.operation_name,
            document,
            context.schema._schema,
            context.variables,
            request,
        )
        if answered is None:
            return None, outcome
        if answered.failure is not None:
            return ExecutionResult(data=None, errors=[answered.failure]), outcome
        assert answered.data is not None
        data = cast(dict[str, Any], orjson.Fragment(answered.data))
        return ExecutionResult(data=data, errors=None), outcome

    async def answer(
        self,
        query: str,
        operation_name: str | None,
        document: DocumentNode,
        schema: GraphQLSchema,
        variables: dict[str, Any] | None,
        request: Context,
        *,
        count_fallbacks: bool = True,
        before_read: Callable[[], Awaitable[bool]] | None = None,
    ) -> tuple[Answered | None, Outcome]:
        """The compiled answer, or None when the resolvers must answer (the refusal is
        counted unless ``count_fallbacks`` is off: the fast path leaves that to the general
        path it hands the request to, so that each request is counted once). ``before_read``
        runs once the statement is ready, before it is sent; False stops there (None)."""
        try:
            plans = self.plan(query, operation_name, document, schema, request.viewer)
            read = self._bound(plans, query, operation_name, document, schema, variables, request)
            if read.loaded:
                await prepare(read.fields, request)  # what loaded finishers read (finishers.py)
            fields = read.fields
            text, parameters = self.statements.statement(
                build_statement,
                request.db.engine.dialect,
                request.viewer,
                request.today,
                fields,
                read.keyed,
            )
        except NotCompilable as refusal:
            return None, self._fallback(refusal.reason, str(refusal), count=count_fallbacks)
        except CaptureRefused as refusal:
            reason = FallbackReason.COMPUTED_FIELD
            return None, self._fallback(reason, str(refusal), count=count_fallbacks)
        except CodedError as error:  # e.g. a malformed cursor: the resolvers word the error
            reason = FallbackReason.ARGUMENT_REFUSED
            return None, self._fallback(reason, str(error), count=count_fallbacks)
        if before_read is not None and not await before_read():
            return None, Outcome("fallback", FallbackReason.OPERATION, "stopped before the read")
        try:
            result = await request.db.scalar_sql(text, parameters)
        except Exception as error:
            # As from a failing root resolver: coded (timeout, database away) or masked by
            # CodeErrors, at the first root field, data null.
            path = [fields[0].key] if fields else None
            failure = GraphQLError(str(error), path=path, original_error=error)
            return Answered(None, failure), Outcome("compiled")
        try:  # the fields computed in Python, if any (finishers.py)
            finished = await finish(result, request, fields)
        except FinisherFailed as refusal:
            reason = FallbackReason.FINISHER
            return None, self._fallback(reason, str(refusal), count=count_fallbacks)
        self.served += 1
        return Answered(finished), Outcome("compiled")

    def _bound(
        self,
        plans: tuple[FieldPlan, ...],
        query: str,
        operation_name: str | None,
        document: DocumentNode,
        schema: GraphQLSchema,
        variables: dict[str, Any] | None,
        request: Context,
    ) -> BoundRead:
        """The plans bound to this request's variables and viewer, from the cache when the
        same viewer sent the same operation with the same variables before.

        Binding is a pure function of the plans, the variables, the viewer and the limits
        (fixed per schema): it reads nothing else of the request, no clock, no database. So
        its result, and the statement cache's key of it, are kept per (operation, viewer,
        variables); about a quarter of a small query's Python (issue 10). Keyed by the whole
        viewer, not its shape: a bound ``viewer { ... }`` holds the viewer's own values. Not
        kept: shapes built for one request (volatile: a list filter's conditions, a loaded
        field's captured reads)."""
        try:
            variables_key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # not JSON (only a caller in process can send that): not kept
            variables_key = None
        key = (query, operation_name, request.viewer, variables_key)
        read = self._reads.get(key) if variables_key is not None else None
        if read is not None:
            self._reads.move_to_end(key)
            return read
        binding = self._binding(document, operation_name, schema, variables, request)
        fields = bind_operation(plans, binding)
        read = BoundRead(fields, cache_key(fields), bool(loaded_shapes(fields)))
        if read.keyed is not None and not read.loaded and variables_key is not None:
            self._reads[key] = read
            if len(self._reads) > self._size:
                self._reads.popitem(last=False)
        return read

    @staticmethod
    def _binding(
        document: DocumentNode,
        operation_name: str | None,
        schema: GraphQLSchema,
        variables: dict[str, Any] | None,
        request: Context,
    ) -> Binding:
        operation = get_operation_ast(document, operation_name)
        assert operation is not None
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            raise NotCompilable("variables do not coerce", FallbackReason.OPERATION)
        return Binding(coerced, request.viewer, request.settings.limits)


class CompiledReads(SchemaExtension):
    """Answers compilable queries with one statement (issue 10); off unless
    ``CSM_COMPILED_READS`` is set. Last in the list: every extension's checks come first.
    With ``debug`` (development), the response says which path ran and why not the fast one
    (``extensions.compiledReads``)."""

    def __init__(self, reader: CompiledReader, *, debug: bool = False) -> None:
        super().__init__()
        self.reader = reader
        self.debug = debug
        self.outcome: Outcome | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors and context.result is None:
            result, self.outcome = await self.reader.run(context)
            if result is not None:
                context.result = result
                if context.query is not None and context.graphql_document is not None:
                    known = KnownDocument(context.graphql_document, context.operation_name)
                    provided = context._provided_operation_name
                    self.reader.remember(context.query, provided, known)
        yield

    def get_results(self) -> dict[str, Any]:
        if not self.debug or self.outcome is None:
            return {}
        return {"compiledReads": self.outcome.as_extension()}


__all__ = ["Answered", "CompiledReader", "CompiledReads", "KnownDocument", "Outcome"]
