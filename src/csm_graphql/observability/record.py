"""The request in flight, for everything that reports on it (logs, metrics).

The observing middleware sets :data:`current_request` for the request's task; log records and
the GraphQL extension read it from there. A context variable rather than an argument: log
calls deep in the code base would otherwise all need the request passed down, and the tasks
that loaders start copy the context, so their log lines carry the id too.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(slots=True)
class RequestRecord:
    request_id: str
    # Filled in by the GraphQL extension; None when GraphQL did not run the request (a
    # refusal before it, another route).
    operation: str | None = None
    ran_graphql: bool = False
    error_codes: list[str] = field(default_factory=list)


current_request: ContextVar[RequestRecord | None] = ContextVar("current_request", default=None)
