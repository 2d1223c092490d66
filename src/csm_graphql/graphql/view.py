"""The HTTP endpoint: authenticate, build the per-request context, run GraphQL, encode."""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from csm_graphql.access.viewer import NOBODY, Viewer
from csm_graphql.auth import read_token
from csm_graphql.db.failures import classify
from csm_graphql.errors import ErrorCode, Unauthenticated, error_body
from csm_graphql.explorer import render_page
from csm_graphql.graphql.compiled.execute import CompiledReader
from csm_graphql.graphql.context import Context
from csm_graphql.graphql.fast_path import PREPAID, FastPath
from csm_graphql.graphql.idempotency import IdempotentMutations
from csm_graphql.graphql.transport import (
    GRAPHQL_RESPONSE,
    JSON,
    Refusal,
    is_request_error,
    negotiate,
    rate_limited,
    refusal_response,
    request_body,
)
from csm_graphql.graphql.trusted_documents import PersistedDocuments
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.principals import load_viewer
from csm_graphql.settings import Settings
from csm_graphql.throttle import Throttle

log = logging.getLogger(__name__)
# A GET with any of these runs an operation (a persisted query has extensions but no query);
# a GET with none of them asks for the explorer's page.
_OPERATION_PARAMETERS = frozenset({"query", "extensions"})


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with the body already read given again first (the general path reads it
    after the fast path declined the request)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI app, with authentication in front of it.

    Unauthenticated requests never reach GraphQL: they get 401 and an UNAUTHENTICATED error,
    and no data. Only the GraphiQL page itself (a GET without a query) is served without a
    token, in development.
    """

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        db: Database,
        *,
        fast_path: bool = True,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.settings = settings
        self.db = db
        self.idempotency = IdempotentMutations(settings, db, self.decode_json)
        self.persisted_documents = PersistedDocuments.from_settings(settings)
        # Known compiled queries skip Strawberry's machinery (fast_path.py); not with what
        # only the general path does per request: a trusted-documents manifest, an operation
        # span (``fast_path=False`` with tracing).
        reader: CompiledReader | None = getattr(schema, "compiled_reader", None)
        throttle: Throttle | None = getattr(schema, "throttle", None)
        self.fast_path = (
            FastPath(reader, schema._schema, settings, db, self.decode_json, throttle)
            if fast_path and reader is not None and self.persisted_documents.manifest is None
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media_type = negotiate(request.headers.get("accept"))
        if request.method not in {"GET", "POST"}:
            message = "Send GraphQL requests with GET or POST."
            refusal = Refusal(405, message, ErrorCode.METHOD_NOT_ALLOWED, {"Allow": "GET, POST"})
            await refusal_response(refusal, media_type)(scope, receive, send)
            return
        if request.method != "GET" or not _OPERATION_PARAMETERS.isdisjoint(request.query_params):
            failure = await self._authenticate(request)
            if failure is not None:
                await failure(scope, receive, send)
                return
            if self.idempotency.requested(request):
                await self.idempotency(request, send, self._respond)
                return
            if self.fast_path is not None and self.fast_path.takes(request):
                body = await request.body()
                response = await self.fast_path.answer(request, body, media_type)
                if response is not None:
                    await response(scope, receive, send)
                    return
                receive = _replay(body, receive)
        await self._respond(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request and answer it, a refusal included (an ASGI app, so that the
        idempotency layer can wrap it)."""
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = refusal_response(error, negotiate(request.headers.get("accept")))
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """Strawberry's response template, carrying the negotiated media type; kept in the
        request state, where process_result (which sees the result) sets a request error's
        status."""
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate(request.headers.get("accept"))
        request.scope.setdefault("state", {})["sub_response"] = sub_response
        return sub_response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type != JSON:
                raise Refusal(
                    415,
                    "Send the request as application/json.",
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                )
        data = await super().parse_http_body(request)
        if isinstance(data, list):
            return data  # batches were refused when the body was decoded
        # A document named by its hash is filled in here, or refused (trusted_documents.py).
        return self.persisted_documents.resolve(data, negotiate(request.headers.get("accept")))

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A persisted query over GET has no `query` parameter, yet it is not a page request.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError:
            # orjson refuses a lone UTF-16 surrogate escape ("\ud800"), which JSON's grammar
            # allows: the standard library reads it, so that the variables check can refuse it
            # as BAD_USER_INPUT on the variable it is in (graphql/input_text.py).
            try:
                decoded = json.loads(data)
            except ValueError as error:
                message = "The request body is not valid JSON."
                raise Refusal(400, message, ErrorCode.BAD_REQUEST) from error
        return request_body(decoded)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError) and request.method == "GET":
                raise Refusal(
                    405,
                    "Mutations are sent with POST.",
                    ErrorCode.METHOD_NOT_ALLOWED,
                    {"Allow": "POST"},
                ) from error
            if isinstance(error.__cause__, MissingQueryError):
                raise Refusal(400, "The request has no query.", ErrorCode.BAD_REQUEST) from error
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        sub_response: Response = request.scope["state"]["sub_response"]
        if retry_after := rate_limited(result.errors):
            sub_response.status_code = 429
            sub_response.headers["Retry-After"] = retry_after
            return response
        request_error = is_request_error(result.data, result.errors)
        if sub_response.media_type == GRAPHQL_RESPONSE and request_error:
            # application/graphql-response+json: a request error is a 400, and nothing ran.
            response.pop("data", None)
            sub_response.status_code = 400
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            self.encode_json(response_data),
            sub_response.status_code or 200,
            media_type=sub_response.media_type or JSON,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        return response

    async def _authenticate(self, request: Request) -> Response | None:
        try:
            kind, principal_id = read_token(self.settings, request.headers.get("authorization"))
            viewer = await load_viewer(self.db, kind, principal_id)
        except Unauthenticated as error:
            return self._unauthenticated(error.message)
        except Exception as error:
            # Same codes as the same failure inside GraphQL: a statement cancelled by
            # statement_timeout is a timeout, a full pool is busy, neither is an outage.
            # One line per failed request, no traceback: these are expected failures, and an
            # outage would otherwise bury the log in identical tracebacks.
            failure = classify(error)
            if failure is None:
                raise
            log.warning(
                "Request failed: request=%s authentication code=%s %r",
                request.scope.get("state", {}).get("request_id", "-"),
                failure.code,
                error,
            )
            return _json(error_body(failure.message, failure.code), failure.status, failure.headers)
        if viewer is None:
            # Unknown, inactive or mixed-role principals look alike from outside.
            return self._unauthenticated("The token does not name an active principal.")
        request.scope.setdefault("state", {})["viewer"] = viewer
        return None

    @staticmethod
    def _unauthenticated(message: str) -> Response:
        body = error_body(message, ErrorCode.UNAUTHENTICATED)
        return _json(body, 401, {"WWW-Authenticate": 'Bearer realm="csm-graphql"'})

    @property
    def graphql_ide_html(self) -> str:
        # Our page, not Strawberry's: its assets come from this package, not from a CDN.
        return render_page(self.settings)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.scope.get("state", {})
        # Strawberry builds a context even for requests that run no operation (the GraphiQL
        # page, a GET without a query); those get a viewer that may see nothing.
        viewer: Viewer = state.get("viewer", NOBODY)
        prepaid = state.get(PREPAID)  # the fast path charged it already (fast_path.py)
        return Context.build(self.settings, self.db, viewer, state.get("request_id"), prepaid)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
