"""The GraphQL part of a request's observation: its operation name and its error codes.

First in the extension list, so that it leaves last and sees the errors as the client gets
them, coded by CodeErrors. It writes into the request's record (observability/record.py); the
observing middleware turns the record into metrics and the access log line.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from csm_graphql.observability.record import current_request


class ObserveOperation(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        record = current_request.get()
        if record is None:
            return  # a subscription over WebSocket: no HTTP request to report on
        context = self.execution_context
        record.ran_graphql = True
        record.operation = context.operation_name
        errors = context.result.errors if context.result is not None else None
        record.error_codes = [
            str((error.extensions or {}).get("code", "other")) for error in errors or ()
        ]
