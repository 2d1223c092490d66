"""GraphQL over HTTP: which media type to answer in, which status, and refusals as JSON.

The GraphQL-over-HTTP specification has two response media types:

* ``application/json``, the legacy one, which every client understands: always 200 once the
  request reached GraphQL, with ``data`` present (null when nothing ran).
* ``application/graphql-response+json``, for clients that ask for it in ``Accept``: a request
  error (the document does not parse or validate, a limit refuses it, a variable does not
  coerce) is a 400 with no ``data`` key, because execution never started.

Refusals before GraphQL runs (a body that is not JSON, a wrong content type, a mutation over
GET, ...) are :class:`Refusal` exceptions, answered as a JSON body with a coded error, never as
text, so that a client can read every failure the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.responses import Response

from csm_graphql.domain.text import unstorable_character
from csm_graphql.errors import ErrorCode, error_body

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


class Refusal(HTTPException):
    """An HTTP-level refusal with its error code and any headers it needs (``Allow``)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: ErrorCode,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, message)
        self.code = code
        self.headers = dict(headers or {})


# Strawberry's own refusals carry only a status; these are the codes they get.
_CODES_BY_STATUS = {
    400: ErrorCode.BAD_REQUEST,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
}
_ALLOWED_METHODS = {"Allow": "GET, POST"}


def refusal_response(error: HTTPException, media_type: str = JSON) -> Response:
    """The JSON answer to a refusal, whoever raised it (this service or strawberry)."""
    if isinstance(error, Refusal):
        code, headers = error.code, error.headers
    else:
        code = _CODES_BY_STATUS.get(error.status_code, ErrorCode.BAD_REQUEST)
        headers = _ALLOWED_METHODS if error.status_code == 405 else {}
    body = error_body(error.reason, code)
    if media_type == GRAPHQL_RESPONSE:
        del body["data"]  # nothing ran
    return Response(orjson.dumps(body), error.status_code, headers, media_type=media_type)


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header.

    ``application/graphql-response+json`` when the client accepts it at least as much as
    ``application/json`` and names it; ``application/json`` otherwise, including without an
    ``Accept`` header and for ``*/*`` (the legacy behaviour the specification keeps for clients
    that predate the new type).
    """
    if not accept:
        return JSON
    weights = _weights(accept)
    graphql_response = weights.get(GRAPHQL_RESPONSE)
    if graphql_response is None or graphql_response <= 0:
        return JSON
    json = max(weights.get(JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    return GRAPHQL_RESPONSE if graphql_response >= json else JSON


def _weights(accept: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type:
            weights[media_type.lower()] = max(quality, weights.get(media_type.lower(), 0.0))
    return weights


def is_request_error(data: object, errors: list[GraphQLError] | None) -> bool:
    """The request failed before execution: no data, and no error belongs to a field.

    Parse, validation and limit errors, and variables that do not coerce, have no path;
    a field error always has one, even when it nulls the whole ``data``.
    """
    return data is None and bool(errors) and all(not error.path for error in errors or ())


def rate_limited(errors: list[GraphQLError] | None) -> str | None:
    """The ``Retry-After`` of a request the rate limiter refused, else None."""
    for error in errors or ():
        extensions = error.extensions or {}
        if extensions.get("code") == ErrorCode.RATE_LIMITED:
            return str(extensions.get("retryAfter", 1))
    return None


def request_body(data: Any) -> dict[str, Any]:
    """The decoded POST body as a GraphQL request object, or a refusal.

    The specification's request is a JSON object; a bare string, number, boolean or null is
    malformed, and so are members of the wrong type.
    """
    if isinstance(data, list):
        raise Refusal(400, "Batched requests are not supported.", ErrorCode.BAD_REQUEST)
    if not isinstance(data, dict):
        raise Refusal(
            400, "The request body must be a JSON object with a query.", ErrorCode.BAD_REQUEST
        )
    for member in ("operationName", "query"):
        value = data.get(member)
        if value is not None and not isinstance(value, str):
            raise Refusal(400, f"{member} must be a string.", ErrorCode.BAD_REQUEST)
    # Refusals quote the operation name; text no layer can carry must not reach one.
    name = data.get("operationName")
    if name is not None and unstorable_character(name) is not None:
        raise Refusal(400, "operationName must be a GraphQL name.", ErrorCode.BAD_REQUEST)
    return data
