"""Pure ASGI middlewares: request id, body-size cap, request timeout.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: they wrap ``receive``/``send`` directly,
so they can count body bytes as they stream in, cancel the app in its own task, and add
headers without buffering the response or breaking WebSockets.

Suggested order, outermost first: RequestId (so every answer, 413, 500 and 504 included, carries
the id), UnexpectedErrors, BodySizeLimit, RequestTimeout.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csm_graphql.errors import TIMEOUT_MESSAGE, ErrorCode, error_body

log = logging.getLogger("csm_graphql.errors")
UNEXPECTED_MESSAGE = "Unexpected error."

REQUEST_ID_HEADER = b"x-request-id"
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    """Send a complete JSON response (for answers given before or instead of the app)."""
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


class _TrackedSend:
    """A ``send`` that remembers whether the response has started: until then a middleware may
    still answer in the app's place; after, the status is on the wire."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


class RequestId:
    """Tags each request with an id, in ``scope["state"]["request_id"]`` and the response.

    A caller's (or proxy's) ``X-Request-ID`` is reused when it looks like an id, so logs join up
    across services; anything else (too long, odd characters that could forge log lines) is
    replaced by a fresh uuid4.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = self._request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (key, value)
                    for key, value in message.get("headers", ())
                    if key.lower() != REQUEST_ID_HEADER
                ]
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)

    @staticmethod
    def _request_id(scope: Scope) -> str:
        incoming = _header(scope, REQUEST_ID_HEADER)
        if incoming is not None and _SANE_REQUEST_ID.fullmatch(incoming):
            return incoming.decode("ascii")
        return uuid.uuid4().hex


class UnexpectedErrors:
    """Answers a coded JSON 500 for an exception that escapes the app, and logs it once.

    Starlette's own last resort answers text/plain from outside every middleware, so without
    this a client would get a body it cannot parse and no request id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = _TrackedSend(send)
        try:
            await self.app(scope, receive, response)
        except Exception:
            request_id = scope.get("state", {}).get("request_id", "-")
            log.exception("Unexpected error: request=%s path=%s", request_id, scope.get("path"))
            if response.started:
                raise  # too late for an answer of our own: the server closes the connection
            body = error_body(UNEXPECTED_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR)
            await send_json(send, 500, body)


class BodySizeLimit:
    """Answers 413 to a request body over ``max_bytes``, before the app reads past the cap.

    A declared Content-Length over the cap is refused without running the app. A streamed
    (chunked) body is counted as it arrives: once over the cap, the app's next read sees a
    disconnect, whatever it answers is dropped, and the client gets the 413.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, framed = self._declared_length(scope)
        if declared > self.max_bytes:
            await self.reject(send)
            return
        if framed:
            # The body is exactly the declared length (HTTP/1.1 framing, which the server
            # enforces), within the cap: nothing to count, so no wrapper around the app.
            await self.app(scope, receive, send)
            return
        await _CappedRequest(self, receive, send).run(scope)

    async def reject(self, send: Send) -> None:
        message = f"Request body too large (limit {self.max_bytes} bytes)."
        await send_json(send, 413, error_body(message, ErrorCode.PAYLOAD_TOO_LARGE))

    @staticmethod
    def _declared_length(scope: Scope) -> tuple[int, bool]:
        """The declared Content-Length (0 if none), and whether it frames the body: a valid
        length and no Transfer-Encoding (a request with neither has no body at all). A chunked
        or malformed request is counted as it streams in."""
        length: bytes | None = None
        chunked = False
        for key, value in scope.get("headers", ()):
            name = key.lower()
            if name == b"content-length":
                if length is not None:
                    return 0, False  # repeated: counted, never trusted
                length = bytes(value)
            elif name == b"transfer-encoding":
                chunked = True
        if length is None:
            return 0, not chunked
        # A malformed length is the server's to refuse; the streamed count still applies.
        if not length.isdigit():
            return 0, False
        return int(length), not chunked


class _CappedRequest:
    """One request through BodySizeLimit: counts body bytes, swaps the answer when over."""

    def __init__(self, limit: BodySizeLimit, receive: Receive, send: Send) -> None:
        self._limit = limit
        self._receive = receive
        self._send = send
        self._received = 0
        self.exceeded = False
        self.started = False

    async def run(self, scope: Scope) -> None:
        try:
            await self._limit.app(scope, self.receive, self.send)
        except Exception:
            # The app failed because its read was cut off (Starlette raises ClientDisconnect);
            # that is the 413 below, not a server error.
            if not self.exceeded:
                raise
        if self.exceeded and not self.started:
            await self._limit.reject(self._send)

    async def receive(self) -> Message:
        if self.exceeded:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit.max_bytes:
                self.exceeded = True
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.exceeded and not self.started:
            return  # the 413 replaces whatever the app answers to a cut-off body
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


class RequestTimeout:
    """Bounds an HTTP request's time in the app; 504 if nothing was answered by then.

    The app runs under ``asyncio.timeout``, which cancels it at the deadline (and with it any
    query awaiting the database). If the response has already started, its status cannot
    change: the response is cut short instead. WebSockets are long-lived by design and pass
    through.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = _TrackedSend(send)
        deadline = asyncio.timeout(self.seconds)
        try:
            async with deadline:
                await self.app(scope, receive, response)
        except TimeoutError:
            # A TimeoutError of the app's own (asyncpg's command_timeout) is not ours to answer.
            if not deadline.expired():
                raise
            if not response.started:
                await send_json(send, 504, error_body(TIMEOUT_MESSAGE, ErrorCode.TIMEOUT))
