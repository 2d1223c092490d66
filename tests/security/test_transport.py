"""The HTTP transport, by the GraphQL-over-HTTP specification: every refusal is coded JSON.

Each request here carries a valid token, so what is refused is the request itself.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.routing import Route, Router

from csm_graphql.errors import ErrorCode
from csm_graphql.middleware import RequestId, UnexpectedErrors
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def auth(client: GraphQLClient, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.token(AGENT)}", **headers}


def assert_refusal(response: httpx.Response, status: int, code: ErrorCode) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert len(response.headers["x-request-id"]) == 32
    body: dict[str, Any] = response.json()
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    return body


@pytest.mark.parametrize("content", [b'"x"', b"7", b"null", b"true", b"[]"])
async def test_a_bare_json_value_is_a_coded_400(client: GraphQLClient, content: bytes) -> None:
    response = await client.http.post(
        "/graphql", content=content, headers=auth(client, **{"Content-Type": "application/json"})
    )
    assert_refusal(response, 400, ErrorCode.BAD_REQUEST)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", ErrorCode.BAD_REQUEST),
        (b"{}", ErrorCode.BAD_REQUEST),
        (b'{"query": 7}', ErrorCode.BAD_REQUEST),
        (b'{"query": "{ viewer { id } }", "operationName": 7}', ErrorCode.BAD_REQUEST),
        (b'{"query": "{ viewer { id } }", "variables": "x"}', ErrorCode.BAD_REQUEST),
        (b'[{"query": "{ viewer { id } }"}]', ErrorCode.BAD_REQUEST),
    ],
)
async def test_malformed_requests_are_coded_json(
    client: GraphQLClient, content: bytes, code: ErrorCode
) -> None:
    response = await client.http.post(
        "/graphql", content=content, headers=auth(client, **{"Content-Type": "application/json"})
    )
    assert_refusal(response, 400, code)


async def test_a_body_that_is_not_json_is_unsupported(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql",
        content=b"{ viewer { id } }",
        headers=auth(client, **{"Content-Type": "text/plain"}),
    )
    assert_refusal(response, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE)


async def test_a_mutation_over_get_is_405_with_allow_post(client: GraphQLClient) -> None:
    response = await client.http.get(
        "/graphql",
        params={
            "query": 'mutation M { addWorkNote(caseId: "x", body: "y") { userErrors { code } } }'
        },
        headers=auth(client),
    )
    assert_refusal(response, 405, ErrorCode.METHOD_NOT_ALLOWED)
    assert response.headers["allow"] == "POST"


async def test_a_query_over_get_runs(client: GraphQLClient) -> None:
    response = await client.http.get(
        "/graphql", params={"query": "query Me { viewer { kind } }"}, headers=auth(client)
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"kind": "USER"}}


async def test_an_unknown_method_is_405_json(client: GraphQLClient) -> None:
    response = await client.http.put("/graphql", json={"query": "{ viewer { id } }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_a_body_over_the_cap_is_coded_json(client: GraphQLClient) -> None:
    padding = " " * client.settings.limits.max_body_bytes
    response = await client.http.post(
        "/graphql", json={"query": "{ viewer { id } }" + padding}, headers=auth(client)
    )
    assert_refusal(response, 413, ErrorCode.PAYLOAD_TOO_LARGE)


# -- application/graphql-response+json -----------------------------------------------------------


async def post_as(
    client: GraphQLClient, accept: str, query: str, **variables: Any
) -> httpx.Response:
    return await client.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers=auth(client, Accept=accept),
    )


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("query Broken { viewer { id ", {}, ErrorCode.GRAPHQL_PARSE_FAILED),
        ("query Unknown { viewer { salary } }", {}, ErrorCode.GRAPHQL_VALIDATION_FAILED),
        ("query Big { cases(first: 1000) { nodes { id } } }", {}, ErrorCode.BAD_USER_INPUT),
        (
            "query V($n: Int) { cases(first: $n) { nodes { id } } }",
            {"n": "x"},
            ErrorCode.BAD_USER_INPUT,
        ),
    ],
)
async def test_request_errors_are_400_without_data_for_the_new_media_type(
    client: GraphQLClient, query: str, variables: dict[str, Any], code: ErrorCode
) -> None:
    response = await post_as(client, GRAPHQL_RESPONSE, query, **variables)
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    # application/json keeps its behaviour: 200 and data null.
    legacy = await post_as(client, "application/json", query, **variables)
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == "application/json"
    assert legacy.json()["data"] is None


async def test_the_new_media_type_answers_data_with_200(client: GraphQLClient) -> None:
    response = await post_as(
        client, f"{GRAPHQL_RESPONSE}, application/json;q=0.9", "{ viewer { kind } }"
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json()["data"] == {"viewer": {"kind": "USER"}}


async def test_a_field_error_keeps_200_and_data(client: GraphQLClient) -> None:
    response = await post_as(
        client,
        GRAPHQL_RESPONSE,
        'query Bad { viewer { kind } search(text: " ") { cases { totalCount } } }',
    )
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["path"] == ["search"]


@pytest.mark.parametrize("accept", ["*/*", "application/json", "text/html, */*;q=0.1"])
async def test_clients_that_do_not_ask_get_application_json(
    client: GraphQLClient, accept: str
) -> None:
    response = await post_as(client, accept, "query Unknown { viewer { salary } }")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


async def test_refusals_use_the_negotiated_media_type(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql",
        content=b"7",
        headers=auth(client, Accept=GRAPHQL_RESPONSE, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert "data" not in response.json()


# -- the last resort ------------------------------------------------------------------------------


async def test_an_escaped_exception_is_a_coded_json_500_with_the_request_id() -> None:
    async def broken(_: object) -> None:
        raise RuntimeError("SELECT secret FROM somewhere")

    # A Router, not a Starlette app: Starlette's own last resort would answer first.
    app = RequestId(UnexpectedErrors(Router(routes=[Route("/x", broken)])))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/x")
    assert_refusal(response, 500, ErrorCode.INTERNAL_SERVER_ERROR)
    assert "SELECT" not in response.text


@pytest.mark.parametrize(
    "operation_name",
    ["Nowhere", "Bad\ud800Name", "Nul\x00Name"],
    ids=["unknown", "surrogate", "nul"],
)
async def test_an_operation_name_that_names_nothing_is_a_coded_400(
    client: GraphQLClient, operation_name: str
) -> None:
    # Built with the standard library: it writes a lone surrogate as the escape JSON allows.
    content = json.dumps({"query": "query Me { viewer { id } }", "operationName": operation_name})
    response = await client.http.post(
        "/graphql",
        content=content.encode(),
        headers=auth(client, **{"Content-Type": "application/json"}),
    )
    assert_refusal(response, 400, ErrorCode.BAD_REQUEST)
