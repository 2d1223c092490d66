"""Idempotency keys over HTTP: a mutation sent again with the same ``Idempotency-Key`` header
runs once, and every retry gets the first answer.

- The header is honoured on POST requests whose operation is a mutation, any mutation
  (creates, comments and notes, updates, transitions). On a query it is ignored: reads are
  idempotent already. A malformed key is refused (400) whatever the operation.
- A key belongs to the principal that sent it, binds to the request's fingerprint (document,
  operation name, variables) and expires after ``Settings.idempotency_ttl_seconds`` (24 h).
  The same key with another request is refused with IDEMPOTENCY_KEY_REUSED (422); nothing runs.
- A duplicate that arrives while the first run is in progress waits for its answer, polling
  the key's record so that it holds no pooled connection meanwhile; the request timeout bounds
  the wait. Replays are byte-identical and carry ``Idempotent-Replayed: true``.
- Kept: the response of a run that wrote, or that answered (a payload, with or without
  userErrors). A run that wrote nothing and answered nothing (the document was refused, a
  timeout, the database unreachable, an unexpected error) releases the key: a retry runs afresh.

Records live in PostgreSQL (services/idempotency.py), so every worker and host shares them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Send

from csm_graphql.access.viewer import Viewer
from csm_graphql.db.failures import UNAVAILABLE, classify
from csm_graphql.errors import ErrorCode
from csm_graphql.graphql.transport import Refusal, negotiate, refusal_response
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.idempotency import (
    DATABASE_ERRORS,
    KeyScope,
    StoredResponse,
    find_key,
)
from csm_graphql.services.idempotency import (
    Claim,
    abandon,
    claim_key,
    holding,
    release,
    store_response,
)
from csm_graphql.settings import Settings

log = logging.getLogger(__name__)

HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
# Visible ASCII (no spaces), at most 255 characters: Stripe's rule; a UUID fits.
_SANE_KEY = re.compile(r"[!-~]{1,255}")
# A run is cancelled at the request timeout; the margin lets it release its claim before the
# claim lapses. A claim older than both belongs to a run that died.
_LEASE_MARGIN = timedelta(seconds=5)
# A waiting duplicate reads the first run's record after 10 ms, then less and less often.
_FIRST_POLL_SECONDS = 0.01
_MAX_POLL_SECONDS = 0.25
# Bookkeeping after a run must not hold up its answer (a 504, say) for long.
_CLEANUP_SECONDS = 2.0
_DATABASE_ERRORS = DATABASE_ERRORS

BAD_KEY = "The Idempotency-Key header must be one key of 1 to 255 visible ASCII characters."
REUSED = (
    "This Idempotency-Key was already used with a different request (document, operation "
    "name or variables). Use a new key for a new request."
)
LOST = (
    "The request first sent with this Idempotency-Key made its changes, but its response was "
    "lost. Read the records to see the outcome; this key will not run again."
)

DecodeJson = Callable[[bytes], object]


class IdempotentMutations:
    """Runs an authenticated GraphQL request at most once per (principal, key)."""

    def __init__(self, settings: Settings, db: Database, decode_json: DecodeJson) -> None:
        self.db = db
        # The endpoint's own JSON decoder: whatever it can read, this reads the same way.
        self.decode_json = decode_json
        self.ttl = timedelta(seconds=settings.idempotency_ttl_seconds)
        self.lease = timedelta(seconds=settings.limits.request_timeout_seconds) + _LEASE_MARGIN

    @staticmethod
    def requested(request: Request) -> bool:
        """Whether the request asks for idempotency at all (cheap: no body read)."""
        return request.method == "POST" and HEADER in request.headers

    async def __call__(self, request: Request, send: Send, app: ASGIApp) -> None:
        keys = request.headers.getlist(HEADER)
        if len(keys) != 1 or not _SANE_KEY.fullmatch(keys[0]):
            await _send(request, send, Refusal(400, BAD_KEY, ErrorCode.BAD_REQUEST))
            return
        body = await request.body()
        receive = _replaying(body, request.receive)
        fingerprint = mutation_fingerprint(body, self.decode_json)
        if fingerprint is None:
            await app(request.scope, receive, send)
            return
        viewer: Viewer = request.scope["state"]["viewer"]
        scope = KeyScope(viewer.kind, viewer.id, keys[0])
        try:
            settled = await self._settle(scope, fingerprint)
        except _DATABASE_ERRORS as error:
            log.warning("idempotency key could not be read: %r", error)
            settled = _database_failure(error)
        if isinstance(settled, Response | Refusal):
            await _send(request, send, settled)
            return
        await self._run(settled, request, receive, send, app)

    async def _settle(self, scope: KeyScope, fingerprint: bytes) -> Claim | Response | Refusal:
        """Claim the key for this request, or the answer to give instead: the first run's
        response (waiting for it if need be) or a refusal."""
        delay = _FIRST_POLL_SECONDS
        while True:
            claim = await claim_key(self.db, scope, fingerprint, ttl=self.ttl, lease=self.lease)
            if claim is not None:
                return claim
            # Until the record goes away (released) or may be taken over: claim again then.
            while (record := await find_key(self.db, scope)) and not record.claimable:
                if record.fingerprint != fingerprint:
                    return Refusal(422, REUSED, ErrorCode.IDEMPOTENCY_KEY_REUSED)
                if record.response is not None:
                    return _replay(record.response)
                if record.lapsed:  # it wrote, then ended without storing its answer
                    return Refusal(409, LOST, ErrorCode.IDEMPOTENCY_RESPONSE_LOST)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_POLL_SECONDS)

    async def _run(
        self, claim: Claim, request: Request, receive: Receive, send: Send, app: ASGIApp
    ) -> None:
        recorder = _Recorder(send)
        try:
            with holding(claim):
                await app(request.scope, receive, recorder)
        except BaseException:
            # Cancelled by the request timeout, or crashed: no answer to keep.
            await self._quietly(abandon(self.db, claim))
            raise
        response = recorder.response()
        if response is None:
            await self._quietly(abandon(self.db, claim))
        else:
            await self._quietly(self._keep_or_release(claim, response))

    async def _keep_or_release(self, claim: Claim, response: StoredResponse) -> None:
        # release() refuses when the run's writes committed: then its answer is kept whatever
        # it says (say the payload's read-back failed after the commit).
        if _answered(response.body) or not await release(self.db, claim):
            await store_response(self.db, claim, response)

    @staticmethod
    async def _quietly(bookkeeping: Awaitable[None]) -> None:
        """The client has its answer already; a failure here only leaves a claim to lapse."""
        try:
            async with asyncio.timeout(_CLEANUP_SECONDS):
                await bookkeeping
        except Exception:
            log.warning("idempotency key bookkeeping failed; its claim will lapse", exc_info=True)


def mutation_fingerprint(body: bytes, decode_json: DecodeJson) -> bytes | None:
    """SHA-256 of the request when its operation is a mutation; None for anything else.

    None covers queries and requests GraphQL will refuse before running anything (a body or
    document that does not parse, no operation to run): the endpoint answers those as usual.
    Reading them with the endpoint's decoder and graphql-core's parser (no stricter limits)
    guarantees that no request this calls unreadable can run a mutation.
    """
    try:
        payload = decode_json(body)
    except Exception:  # whatever the endpoint's decoder refuses (a batch too), it answers
        return None
    if not isinstance(payload, dict):
        return None
    query, name, variables = (payload.get(k) for k in ("query", "operationName", "variables"))
    if not isinstance(query, str) or not isinstance(name, str | None):
        return None
    try:
        document = parse(query, no_location=True)
    except (GraphQLError, RecursionError):
        return None
    operation = get_operation_ast(document, name)
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    canonical = orjson.dumps([query, name, variables or {}], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).digest()


def _answered(body: bytes) -> bool:
    """Some mutation field returned its payload (userErrors included): the mutation's answer."""
    try:
        data = orjson.loads(body).get("data")
    except (orjson.JSONDecodeError, AttributeError):
        return False
    return isinstance(data, dict) and any(value is not None for value in data.values())


class _Recorder:
    """Passes the response on to the client as it comes, and keeps a copy."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._status: int | None = None
        self._content_type: str | None = None
        self._chunks: list[bytes] = []
        self._complete = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._status = message["status"]
            for name, value in message.get("headers", ()):
                if name.lower() == b"content-type":
                    self._content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self._chunks.append(message.get("body", b""))
            self._complete = not message.get("more_body", False)
        await self._send(message)

    def response(self) -> StoredResponse | None:
        if self._status is None or not self._complete:
            return None
        return StoredResponse(self._status, self._content_type, b"".join(self._chunks))


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the endpoint the body already read, then defers to the
    client's (for the disconnect)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _replay(stored: StoredResponse) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if stored.content_type is not None:
        headers["content-type"] = stored.content_type
    return Response(stored.body, stored.status, headers)


def _database_failure(error: BaseException) -> Refusal:
    """The same answer the same failure gets during authentication (db/failures.py)."""
    failure = classify(error) or UNAVAILABLE
    return Refusal(failure.status, failure.message, failure.code, failure.headers)


async def _send(request: Request, send: Send, answer: Response | Refusal) -> None:
    if isinstance(answer, Refusal):
        answer = refusal_response(answer, negotiate(request.headers.get("accept")))
    await answer(request.scope, request.receive, send)
