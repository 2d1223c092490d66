"""One observation per HTTP request: the access log line and the request's metrics.

Placed just inside :class:`~csm_graphql.middleware.RequestId`, so that it knows the request id
and sees every answer the service gives, a 413, 500 or 504 included.
"""

from __future__ import annotations

import logging
import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csm_graphql.observability.metrics import Metrics
from csm_graphql.observability.record import RequestRecord, current_request

access_log = logging.getLogger("csm_graphql.access")

GRAPHQL_PATH = "/graphql"
# Refusals are small JSON bodies; a larger error body is not parsed for its codes.
_MAX_PEEKED_BODY = 4096


class ObserveRequests:
    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(scope.get("state", {}).get("request_id", "-"))
        token = current_request.set(record)
        response = _ObservedResponse(send, record)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, response)
        finally:
            self._report(scope, record, response, time.perf_counter() - started)
            current_request.reset(token)

    def _report(
        self, scope: Scope, record: RequestRecord, response: _ObservedResponse, seconds: float
    ) -> None:
        if not record.ran_graphql:
            # Answered before GraphQL ran (401, 413, ...): the body says why.
            record.error_codes = response.error_codes()
        if self.metrics is not None and scope["path"] == GRAPHQL_PATH:
            self.metrics.observe(record, response.status, seconds)
            if response.replayed:
                self.metrics.replays.inc()
        client = scope.get("client")
        fields: dict[str, object] = {
            # The peer, or the client a trusted proxy forwarded for (CSM_FORWARDED_ALLOW_IPS).
            "client": client[0] if client else None,
            "method": scope["method"],
            "path": scope["path"],
            "status": response.status,
            "duration_ms": round(seconds * 1000, 1),
        }
        if record.operation is not None:
            fields["operation"] = record.operation
        # The path without its query string: a GET query may carry variables, even secrets.
        access_log.info(
            "%s %s %d %.1fms",
            scope["method"],
            scope["path"],
            response.status,
            seconds * 1000,
            extra=fields,
        )


class _ObservedResponse:
    """A ``send`` that notes the status, the replay header, and the body of an answer given
    without GraphQL (a refusal), whose error codes only the body tells."""

    def __init__(self, send: Send, record: RequestRecord) -> None:
        self._send = send
        self._record = record
        # Nothing was sent: the server closes the connection, which a client sees as a 500.
        self.status = 500
        self.replayed = False
        self._json = False
        self._body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            for key, value in message.get("headers", ()):
                name = key.lower()
                if name == b"idempotent-replayed":
                    self.replayed = value == b"true"
                elif name == b"content-type":
                    self._json = b"json" in value
        elif message["type"] == "http.response.body" and self._peeking:
            self._body += message.get("body", b"")
        await self._send(message)

    @property
    def _peeking(self) -> bool:
        # By the time the body is sent, the GraphQL extension has recorded its errors if it ran.
        return self._json and not self._record.ran_graphql and len(self._body) <= _MAX_PEEKED_BODY

    def error_codes(self) -> list[str]:
        if not self._body or len(self._body) > _MAX_PEEKED_BODY:
            return []
        try:
            body = orjson.loads(self._body)
        except orjson.JSONDecodeError:
            return []
        errors = body.get("errors") if isinstance(body, dict) else None
        return [
            str(error.get("extensions", {}).get("code", "other"))
            for error in errors or ()
            if isinstance(error, dict)
        ]
