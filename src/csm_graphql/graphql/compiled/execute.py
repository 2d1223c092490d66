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
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import orjson
from graphql import FragmentDefinitionNode, GraphQLError, GraphQLSchema, get_operation_ast
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult

from csm_graphql.access.viewer import Viewer
from csm_graphql.errors import CodedError
from csm_graphql.graphql.compiled.finishers import FinisherFailed, finish, prepare
from csm_graphql.graphql.compiled.loaded import CaptureRefused
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
from csm_graphql.repositories.prepared import StatementCache

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
        self.statements = StatementCache()
        # Which path each request took, and why not the fast one (for metrics and tests).
        self.served = 0
        self.fallbacks: Counter[FallbackReason] = Counter()

    def plan(self, context: ExecutionContext, viewer: Viewer) -> tuple[FieldPlan, ...]:
        assert context.query is not None
        key = (context.query, context.operation_name, viewer.kind.value, frozenset(viewer.roles))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._build(context, viewer)
            self._plans[key] = plan
            if len(self._plans) > self._size:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(key)
        if isinstance(plan, NotCompilable):
            raise plan
        return plan

    @staticmethod
    def _build(context: ExecutionContext, viewer: Viewer) -> tuple[FieldPlan, ...] | NotCompilable:
        document = context.graphql_document
        assert document is not None
        operation = get_operation_ast(document, context.operation_name)
        if operation is None:
            return NotCompilable("no operation", FallbackReason.OPERATION)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        schema: GraphQLSchema = context.schema._schema
        try:
            return plan_operation(schema, operation, fragments, viewer)
        except NotCompilable as refusal:
            return refusal

    def _fallback(self, reason: FallbackReason, detail: str) -> Outcome:
        self.fallbacks[reason] += 1
        log.debug("Compiled read refused (%s): %s", reason.value, detail)
        return Outcome("fallback", reason, detail)

    async def run(self, context: ExecutionContext) -> tuple[ExecutionResult | None, Outcome]:
        """The response's result, or None (the resolvers answer this one), and the path."""
        request: Context = context.context
        if context.query is None or not isinstance(request, Context):
            return None, Outcome("fallback", FallbackReason.OPERATION, "no query or context")
        try:
            plans = self.plan(context, request.viewer)
            fields = bind_operation(plans, self._binding(context, request))
            await prepare(fields, request)  # what loaded finishers read (finishers.py)
            text, parameters = self.statements.statement(
                build_statement,
                request.db.engine.dialect,
                request.viewer,
                request.today,
                fields,
            )
        except NotCompilable as refusal:
            return None, self._fallback(refusal.reason, str(refusal))
        except CaptureRefused as refusal:
            return None, self._fallback(FallbackReason.COMPUTED_FIELD, str(refusal))
        except CodedError as error:  # e.g. a malformed cursor: the resolvers word the error
            return None, self._fallback(FallbackReason.ARGUMENT_REFUSED, str(error))
        try:
            result = await request.db.scalar_sql(text, parameters)
        except Exception as error:
            # As from a failing root resolver: coded (timeout, database away) or masked by
            # CodeErrors, at the first root field, data null.
            path = [fields[0].key] if fields else None
            failure = GraphQLError(str(error), path=path, original_error=error)
            return ExecutionResult(data=None, errors=[failure]), Outcome("compiled")
        try:  # the fields computed in Python, if any (finishers.py)
            finished = await finish(result, request, fields)
        except FinisherFailed as refusal:
            return None, self._fallback(FallbackReason.FINISHER, str(refusal))
        self.served += 1
        data = cast(dict[str, Any], orjson.Fragment(finished))
        return ExecutionResult(data=data, errors=None), Outcome("compiled")

    @staticmethod
    def _binding(context: ExecutionContext, request: Context) -> Binding:
        document = context.graphql_document
        assert document is not None
        operation = get_operation_ast(document, context.operation_name)
        assert operation is not None
        variables = get_variable_values(
            context.schema._schema, operation.variable_definitions or (), context.variables or {}
        )
        if isinstance(variables, list):
            raise NotCompilable("variables do not coerce", FallbackReason.OPERATION)
        return Binding(variables, request.viewer, request.settings.limits)


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
        yield

    def get_results(self) -> dict[str, Any]:
        if not self.debug or self.outcome is None:
            return {}
        return {"compiledReads": self.outcome.as_extension()}


__all__ = ["CompiledReader", "CompiledReads", "Outcome"]
