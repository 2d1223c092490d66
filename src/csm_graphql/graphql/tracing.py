"""One OpenTelemetry span per GraphQL operation (never per field).

Named as OpenTelemetry's GraphQL conventions ask (``query CaseList``), with the operation's
type and name as attributes, and an error status carrying the error codes when the answer has
errors. The SQL statements the operation runs are its children. Added to the schema only when
tracing is on (observability/tracing.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from strawberry.extensions import SchemaExtension


class TraceOperation(SchemaExtension):
    def __init__(self, tracer: Tracer) -> None:
        super().__init__()
        self.tracer = tracer

    def on_operation(self) -> Iterator[None]:
        with self.tracer.start_as_current_span("GraphQL operation", kind=SpanKind.INTERNAL) as span:
            yield
            context = self.execution_context
            operation_type = _operation_type(context)
            name = context.operation_name
            span.update_name(" ".join(part for part in (operation_type, name) if part))
            if operation_type:
                span.set_attribute("graphql.operation.type", operation_type)
            if name:
                span.set_attribute("graphql.operation.name", name)
            errors = context.result.errors if context.result is not None else None
            if errors:
                codes = sorted({str((e.extensions or {}).get("code", "other")) for e in errors})
                span.set_attribute("graphql.error.codes", codes)
                span.set_status(Status(StatusCode.ERROR, ", ".join(codes)))


def _operation_type(context: Any) -> str | None:
    try:
        return str(context.operation_type.value)
    except RuntimeError:
        return None  # the document did not parse, or names no operation it has
