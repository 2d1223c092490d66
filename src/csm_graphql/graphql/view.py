"""The HTTP endpoint: authenticate, build the per-request context, run GraphQL, encode."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import strawberry
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from csm_graphql.access.viewer import NOBODY, Viewer
from csm_graphql.auth import read_token
from csm_graphql.db.failures import is_timeout
from csm_graphql.errors import (
    TIMEOUT_MESSAGE,
    UNAVAILABLE_MESSAGE,
    ErrorCode,
    Unauthenticated,
    error_body,
)
from csm_graphql.graphql.context import Context
from csm_graphql.graphql.idempotency import IdempotentMutations
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.principals import load_viewer
from csm_graphql.settings import Settings

log = logging.getLogger(__name__)


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI app, with authentication in front of it.

    Unauthenticated requests never reach GraphQL: they get 401 and an UNAUTHENTICATED error,
    and no data. Only the GraphiQL page itself (a GET without a query) is served without a
    token, in development.
    """

    def __init__(self, schema: strawberry.Schema, settings: Settings, db: Database) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.settings = settings
        self.db = db
        self.idempotency = IdempotentMutations(settings, db, self.decode_json)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            if request.method != "GET" or "query" in request.query_params:
                failure = await self._authenticate(request)
                if failure is not None:
                    await failure(scope, receive, send)
                    return
                if self.idempotency.requested(request):
                    await self.idempotency(request, send, super().__call__)
                    return
        await super().__call__(scope, receive, send)

    async def _authenticate(self, request: Request) -> Response | None:
        try:
            kind, principal_id = read_token(self.settings, request.headers.get("authorization"))
            viewer = await load_viewer(self.db, kind, principal_id)
        except Unauthenticated as error:
            return self._unauthenticated(error.message)
        except (OSError, InterfaceError, OperationalError, DBAPIError, TimeoutError) as error:
            # Same codes as the same failure inside GraphQL: a statement cancelled by
            # statement_timeout is a timeout, not an outage.
            if is_timeout(error):
                log.warning("authentication timed out: %r", error)
                return _json(error_body(TIMEOUT_MESSAGE, ErrorCode.TIMEOUT), 504)
            log.exception("authentication could not reach the database")
            return _json(error_body(UNAVAILABLE_MESSAGE, ErrorCode.SERVICE_UNAVAILABLE), 503)
        if viewer is None:
            # Unknown, inactive or mixed-role principals look alike from outside.
            return self._unauthenticated("The token does not name an active principal.")
        request.scope.setdefault("state", {})["viewer"] = viewer
        return None

    @staticmethod
    def _unauthenticated(message: str) -> Response:
        body = error_body(message, ErrorCode.UNAUTHENTICATED)
        return _json(body, 401, {"WWW-Authenticate": 'Bearer realm="csm-graphql"'})

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.scope.get("state", {})
        # Strawberry builds a context even for requests that run no operation (the GraphiQL
        # page, a GET without a query); those get a viewer that may see nothing.
        viewer: Viewer = state.get("viewer", NOBODY)
        return Context.build(self.settings, self.db, viewer, state.get("request_id"))

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
