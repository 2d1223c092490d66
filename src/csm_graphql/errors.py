"""Coded errors: every error a client sees carries ``extensions.code``.

Expected failures raise a :class:`CodedError`; anything else is masked to "Unexpected error."
with ``INTERNAL_SERVER_ERROR`` before it leaves the process (see graphql/extensions.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLError


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    STALE_VERSION = "STALE_VERSION"
    RATE_LIMITED = "RATE_LIMITED"
    TIMEOUT = "TIMEOUT"
    # The document does not parse, or does not validate against the schema.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    # Depth, token, alias or node limits.
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    # HTTP-level refusals before GraphQL runs: a malformed request (a body that is not a JSON
    # object, no query, a batch), a method it does not allow, a content type it cannot read.
    BAD_REQUEST = "BAD_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # An Idempotency-Key sent again with a different request (HTTP 422).
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    # The first request with the key made its changes, but its response was lost (HTTP 409).
    IDEMPOTENCY_RESPONSE_LOST = "IDEMPOTENCY_RESPONSE_LOST"
    # Automatic persisted queries (Apollo's protocol): the server does not know this hash yet,
    # send the document with it (a normal step, answered 200 like Apollo Server); or the
    # server does not take hashes (CSM_PERSISTED_QUERIES=off).
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    # Trusted documents (CSM_TRUSTED_DOCUMENTS): the document is not in the manifest (HTTP 403).
    DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class CodedError(GraphQLError):
    """An expected error: its message and code are safe to show to the client."""

    code: ErrorCode = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, *, code: ErrorCode | None = None, **extensions: Any) -> None:
        if code is not None:
            self.code = code
        super().__init__(message, extensions={"code": self.code.value, **extensions})


class Unauthenticated(CodedError):
    code = ErrorCode.UNAUTHENTICATED


class BadUserInput(CodedError):
    code = ErrorCode.BAD_USER_INPUT


class NotFound(CodedError):
    code = ErrorCode.NOT_FOUND


class Forbidden(CodedError):
    code = ErrorCode.FORBIDDEN


class QueryTooComplex(CodedError):
    code = ErrorCode.QUERY_TOO_COMPLEX


class RateLimited(CodedError):
    code = ErrorCode.RATE_LIMITED


class RequestTimeout(CodedError):
    code = ErrorCode.TIMEOUT


TIMEOUT_MESSAGE = "The request took too long."
UNAVAILABLE_MESSAGE = "The database is unavailable."
BUSY_MESSAGE = "The server is busy; retry shortly."


def error_body(message: str, code: ErrorCode) -> dict[str, Any]:
    """A GraphQL-shaped response body for errors raised before GraphQL runs (HTTP layer)."""
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code.value}}]}
