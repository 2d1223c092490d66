"""Request guards: query limits, node limit, error coding and masking, ASGI middlewares.

A small schema of its own (no database): ``Item`` nests through ``child`` (depth) and through
connections (``children`` has a schema default for ``first``, ``others`` has none), and a few
root fields fail the ways real resolvers do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
import sqlalchemy.exc
import strawberry
from graphql import ASTValidationRule, ValidationContext, parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.extensions import AddValidationRules

from csm_graphql.errors import ErrorCode, Forbidden, error_body
from csm_graphql.graphql.cost import check_node_limits, measure
from csm_graphql.graphql.extensions import MAX_ERRORS, schema_extensions
from csm_graphql.middleware import BodySizeLimit, RequestId, RequestTimeout, _CappedRequest
from csm_graphql.settings import Limits

LIMITS = Limits()  # the shipped defaults: depth 12, 2000 tokens, 30 aliases, 50 000 nodes
SECRET = "SELECT password FROM principals -- on db-primary.internal.example:5432"


# --- The test schema ----------------------------------------------------------------------------


@strawberry.type
class Item:
    id: int

    @strawberry.field
    def child(self) -> Item:
        return Item(id=self.id + 1)

    @strawberry.field
    def children(self, first: int = 10) -> ItemConnection:
        return ItemConnection.of(first)

    @strawberry.field
    def others(self, first: int | None = None) -> ItemConnection:
        return ItemConnection.of(first or 1)


@strawberry.type
class ItemEdge:
    node: Item


@strawberry.type
class ItemConnection:
    edges: list[ItemEdge]

    @strawberry.field
    def nodes(self) -> list[Item]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(cls, first: int) -> ItemConnection:
        # The node limit is about what a query may ask for; serve two rows at most.
        return cls(edges=[ItemEdge(node=Item(id=i)) for i in range(min(first, 2))])


def _raise(error: Exception) -> int:
    raise error


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> int:
        return 1

    @strawberry.field
    def item(self) -> Item:
        return Item(id=1)

    @strawberry.field
    def items(self, first: int | None = None) -> ItemConnection:
        return ItemConnection.of(first or 1)

    @strawberry.field
    def echo(self, n: int) -> int:
        return n

    @strawberry.field
    def total(self, ns: list[int]) -> int:
        return sum(ns)

    @strawberry.field
    def boom(self) -> int:
        return _raise(RuntimeError(SECRET))

    @strawberry.field
    def slow(self) -> int:
        return _raise(TimeoutError())

    @strawberry.field
    def statement_timeout(self) -> int:
        canceled = asyncpg.exceptions.QueryCanceledError(
            "canceling statement due to statement timeout"
        )
        return _raise(sqlalchemy.exc.DBAPIError(SECRET, {}, canceled))

    @strawberry.field
    def refused(self) -> int:
        return _raise(ConnectionRefusedError(111, f"Connect call failed {SECRET}"))

    @strawberry.field
    def gone(self) -> int:
        closed = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
        return _raise(sqlalchemy.exc.InterfaceError(SECRET, {}, closed))

    @strawberry.field
    def forbidden(self) -> int:
        return _raise(Forbidden("You may not see this."))

    @strawberry.field
    def denied(self) -> int | None:
        return _raise(Forbidden("You may not see this."))


def make_schema(
    limits: Limits = LIMITS, *, production: bool = False, extra: list[Any] | None = None
) -> strawberry.Schema:
    return strawberry.Schema(
        Query, extensions=[*schema_extensions(limits, production=production), *(extra or [])]
    )


async def post(
    schema: strawberry.Schema, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    app = Starlette(routes=[Route("/graphql", GraphQL(schema))])
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    assert "Traceback" not in response.text
    return body


def only_error(body: dict[str, Any]) -> tuple[str, str]:
    """(message, code) of the single error in a response."""
    assert len(body["errors"]) == 1, body["errors"]
    error = body["errors"][0]
    return error["message"], error["extensions"]["code"]


DEV = make_schema()
PROD = make_schema(production=True)


def nested(field: str, depth: int, leaf: str = "id") -> str:
    """``{ item { child { ... { id } } } }`` with ``depth`` nested selection sets."""
    return "{ " + f"{field} {{ " + "child { " * (depth - 1) + leaf + " }" * depth + " }"


# --- Depth, aliases, tokens -----------------------------------------------------------------------


async def test_depth_at_the_limit_executes() -> None:
    body = await post(DEV, nested("item", LIMITS.max_depth))
    assert "errors" not in body
    assert body["data"]["item"]["child"]


@pytest.mark.parametrize("depth", [LIMITS.max_depth + 1, 20])
async def test_depth_over_the_limit_is_refused(depth: int) -> None:
    body = await post(DEV, nested("item", depth))
    assert only_error(body) == (
        "Query is nested too deeply: the maximum depth is 12.",
        ErrorCode.QUERY_TOO_COMPLEX,
    )
    assert body["data"] is None


async def test_depth_counts_through_fragments() -> None:
    query = (
        nested("item", 10, "...Deep")
        + " fragment Deep on Item { child { child { child { id } } } }"
    )
    assert only_error(await post(DEV, query)) == (
        "Query is nested too deeply: the maximum depth is 12.",
        ErrorCode.QUERY_TOO_COMPLEX,
    )


async def test_unknown_fragment_is_a_validation_error_not_a_crash() -> None:
    # Strawberry's own depth rule raises KeyError on this; ours defers to graphql-core.
    body = await post(DEV, "{ ...Missing }")
    assert only_error(body) == ("Unknown fragment 'Missing'.", ErrorCode.GRAPHQL_VALIDATION_FAILED)


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: ping" for i in range(count)) + " }"


async def test_aliases_at_the_limit_execute() -> None:
    body = await post(DEV, aliases(LIMITS.max_aliases))
    assert "errors" not in body
    assert len(body["data"]) == LIMITS.max_aliases


@pytest.mark.parametrize("count", [LIMITS.max_aliases + 1, 100])
async def test_aliases_over_the_limit_are_refused(count: int) -> None:
    body = await post(DEV, aliases(count))
    assert only_error(body) == (
        "Query uses too many aliases: the limit is 30.",
        ErrorCode.QUERY_TOO_COMPLEX,
    )


def tokens(count: int) -> str:
    # `{ total ( ns : [ ] ) }` is 8 tokens, graphql-core counts the start token too, and each
    # list item is one more. (Repeating a field instead trips graphql-core's own budget below.)
    return "{ total(ns: [" + " 1" * (count - 9) + "]) }"


async def test_tokens_at_the_limit_execute() -> None:
    body = await post(DEV, tokens(LIMITS.max_tokens))
    assert body["data"] == {"total": LIMITS.max_tokens - 9}


async def test_tokens_over_the_limit_are_refused() -> None:
    body = await post(DEV, tokens(LIMITS.max_tokens + 1))
    assert only_error(body) == (
        "Query has too many tokens: the limit is 2000.",
        ErrorCode.QUERY_TOO_COMPLEX,
    )


async def test_graphql_cores_validation_budget_is_a_complexity_error() -> None:
    # 1900 copies of one field: well under the token limit, but comparing every pair of them
    # for conflicts exhausts graphql-core's validation budget.
    body = await post(DEV, "{ " + "ping " * 1900 + "}")
    assert only_error(body) == ("Query is too complex to validate.", ErrorCode.QUERY_TOO_COMPLEX)


# --- Node limit --------------------------------------------------------------------------------


def three_levels(a: int, b: int, c: int) -> str:
    return (
        f"{{ items(first: {a}) {{ nodes {{ children(first: {b}) {{ edges {{ node {{"
        f" others(first: {c}) {{ nodes {{ id }} }} }} }} }} }} }} }}"
    )


async def test_nodes_at_the_limit_execute() -> None:
    # 50 + 50*27 + 50*27*36 = 50 000
    body = await post(DEV, three_levels(50, 27, 36))
    assert "errors" not in body
    assert body["data"]["items"]["nodes"]


async def test_nodes_over_the_limit_are_refused() -> None:
    # 50 + 50*27 + 50*27*37 = 51 350
    body = await post(DEV, three_levels(50, 27, 37))
    assert only_error(body) == (
        "Query may return up to 51350 nodes: the limit is 50000.",
        ErrorCode.QUERY_TOO_COMPLEX,
    )
    assert body["data"] is None


async def test_nodes_from_variables_and_their_defaults() -> None:
    query = """query($a: Int = 100, $b: Int) {
      items(first: $a) { nodes {
        children(first: $b) { nodes { others(first: $b) { nodes { id } } } }
      } }
    }"""
    # 100 + 100*100 + 100*100*100
    message, code = only_error(await post(DEV, query, {"b": 100}))
    assert (message, code) == (
        "Query may return up to 1010100 nodes: the limit is 50000.",
        ErrorCode.QUERY_TOO_COMPLEX,
    )
    # 100 + 100*4 + 100*4*4
    body = await post(DEV, query, {"b": 4})
    assert "errors" not in body


@pytest.mark.parametrize(("first", "value"), [("1000", 1000), ("-1", -1)])
async def test_first_out_of_range_is_bad_user_input(first: str, value: int) -> None:
    body = await post(DEV, f"{{ item {{ children(first: {first}) {{ nodes {{ id }} }} }} }}")
    assert only_error(body) == (
        f"first must be between 0 and 100 (got {value} at item.children).",
        ErrorCode.BAD_USER_INPUT,
    )
    assert body["data"] is None


async def test_first_out_of_range_through_a_variable() -> None:
    query = "query($n: Int) { page: items(first: $n) { nodes { id } } }"
    assert only_error(await post(DEV, query, {"n": 1000})) == (
        "first must be between 0 and 100 (got 1000 at page).",
        ErrorCode.BAD_USER_INPUT,
    )
    assert (await post(DEV, query, {"n": 100}))["data"]["page"]["nodes"]


async def test_validation_runs_exactly_once_and_its_errors_surface() -> None:
    runs: list[str] = []

    class Counting(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            runs.append("validated")
            super().__init__(context)

    schema = make_schema(extra=[lambda: AddValidationRules([Counting])])
    assert (await post(schema, "{ ping }"))["data"] == {"ping": 1}
    assert runs == ["validated"]
    runs.clear()
    body = await post(schema, "{ items(first: 5) { nope } }")
    assert only_error(body) == (
        "Cannot query field 'nope' on type 'ItemConnection'. Did you mean 'nodes'?",
        ErrorCode.GRAPHQL_VALIDATION_FAILED,
    )
    assert runs == ["validated"]


async def test_a_known_document_is_not_validated_again_whatever_its_spacing() -> None:
    runs: list[str] = []

    class Counting(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            runs.append("validated")
            super().__init__(context)

    schema = make_schema(extra=[lambda: AddValidationRules([Counting])])
    for text in ("{ pong: ping }", "{ pong: ping }", "# a comment\n{\n  pong: ping\n}"):
        assert (await post(schema, text))["data"] == {"pong": 1}
    assert runs == ["validated"]


GRAPHQL_SCHEMA = DEV._schema


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    return measure(GRAPHQL_SCHEMA, parse(query), variables, default_first=20).nodes


def test_cost_follows_fragments_and_counts_each_occurrence() -> None:
    query = """
    { items(first: 10) {
        ...Three
        ... on ItemConnection { nodes { children(first: 2) { nodes { id } } } }
      }
      again: items(first: 10) { ...Three } }
    fragment Three on ItemConnection { nodes { children(first: 3) { edges { node { id } } } } }
    """
    # first: 10 + 10*3 + 10*2; again: 10 + 10*3
    assert cost(query) == 60 + 40


def test_cost_uses_schema_defaults_then_default_first() -> None:
    # items: no default -> 20; children: schema default 10; others: no default -> 20
    query = "{ items { nodes { children { nodes { id } } others { nodes { id } } } } }"
    assert cost(query) == 20 + 20 * 10 + 20 * 20


def test_cost_ignores_plain_fields_and_introspection() -> None:
    assert cost("{ ping item { id child { id } } __typename }") == 0


def test_cost_of_fragments_spreading_fragments_stays_linear() -> None:
    # Each fragment spreads the next ten times: walking spread by spread would never finish.
    levels = 40
    fragments = " ".join(
        f"fragment F{i} on Item {{ "
        + " ".join(f"a{j}: child {{ ...F{i + 1} }}" for j in range(10))
        + " }"
        for i in range(levels)
    )
    last = f"fragment F{levels} on Item {{ children(first: 1) {{ nodes {{ id }} }} }}"
    query = f"{{ item {{ ...F0 }} }} {fragments} {last}"
    assert cost(query) == 10**levels


def test_check_reports_page_sizes_before_node_counts() -> None:
    errors = check_node_limits(
        GRAPHQL_SCHEMA,
        parse(three_levels(1000, 100, 100)),
        None,
        operation_name=None,
        limits=LIMITS,
    )
    assert [(e.message, e.extensions) for e in errors] == [
        ("first must be between 0 and 100 (got 1000 at items).", {"code": "BAD_USER_INPUT"})
    ]


# --- Error coding and masking --------------------------------------------------------------------


async def test_a_valid_query_under_all_limits_executes() -> None:
    body = await post(PROD, "{ ping echo(n: 3) items(first: 2) { edges { node { id } } } }")
    assert body == {
        "data": {
            "ping": 1,
            "echo": 3,
            "items": {"edges": [{"node": {"id": 0}}, {"node": {"id": 1}}]},
        },
        # One point for the operation and one per node it may return; no throttle here.
        "extensions": {"cost": {"requestedQueryCost": 3, "maximumQueryCost": 50_010}},
    }


async def test_a_measured_cost_is_reused_only_for_the_same_text_and_variables() -> None:
    """Costs are cached by document text, operation name and variables: each variation is
    measured for itself, and a repeat answers the same cost (and limit refusal) again."""
    schema = make_schema()  # its own caches
    query = "query Q($n: Int) { items(first: $n) { edges { node { id } } } }"

    def cost(body: dict[str, Any]) -> int:
        points: int = body["extensions"]["cost"]["requestedQueryCost"]
        return points

    assert cost(await post(schema, query, {"n": 2})) == 3
    assert cost(await post(schema, query, {"n": 5})) == 6
    assert cost(await post(schema, query, {"n": 2})) == 3
    assert cost(await post(schema, query.replace("Q(", "R("), {"n": 4})) == 5
    for _ in range(2):
        message, code = only_error(await post(schema, query, {"n": 1000}))
        assert code == ErrorCode.BAD_USER_INPUT
        assert "first must be between 0 and 100" in message


async def test_unknown_field_suggests_in_development_only() -> None:
    dev_message, dev_code = only_error(await post(DEV, "{ pin }"))
    prod_message, prod_code = only_error(await post(PROD, "{ pin }"))
    assert dev_code == prod_code == ErrorCode.GRAPHQL_VALIDATION_FAILED
    assert dev_message == "Cannot query field 'pin' on type 'Query'. Did you mean 'ping'?"
    assert prod_message == "Cannot query field 'pin' on type 'Query'."


async def test_malformed_document_is_a_parse_failure() -> None:
    assert only_error(await post(DEV, "{ ping ")) == (
        "Syntax Error: Expected Name, found <EOF>.",
        ErrorCode.GRAPHQL_PARSE_FAILED,
    )


async def test_variable_that_does_not_coerce_is_bad_user_input() -> None:
    message, code = only_error(await post(DEV, "query($n: Int!) { echo(n: $n) }", {"n": "x"}))
    assert code == ErrorCode.BAD_USER_INPUT
    assert message.startswith("Variable '$n' has invalid value")


async def test_unexpected_exception_is_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="csm_graphql.errors"):
        body = await post(PROD, "{ ping boom }")
    assert body["data"] is None  # boom is non-null, so the root is nulled
    assert body["errors"] == [
        {
            "message": "Unexpected error.",
            "locations": [{"line": 1, "column": 8}],
            "path": ["boom"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
    text = orjson.dumps(body).decode()
    for leak in ("SELECT", "db-primary", "RuntimeError", "Traceback", "password"):
        assert leak not in text
    [record] = [r for r in caplog.records if r.name == "csm_graphql.errors"]
    assert "field=boom" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


@pytest.mark.parametrize(
    ("field", "message", "code"),
    [
        ("slow", "The request took too long.", ErrorCode.TIMEOUT),
        ("statementTimeout", "The request took too long.", ErrorCode.TIMEOUT),
        ("refused", "The database is unavailable.", ErrorCode.SERVICE_UNAVAILABLE),
        ("gone", "The database is unavailable.", ErrorCode.SERVICE_UNAVAILABLE),
        ("forbidden", "You may not see this.", ErrorCode.FORBIDDEN),
    ],
)
async def test_expected_failures_keep_or_get_their_code(
    field: str, message: str, code: str
) -> None:
    body = await post(PROD, f"{{ {field} }}")
    assert only_error(body) == (message, code)
    assert "SELECT" not in orjson.dumps(body).decode()


async def test_a_response_carries_at_most_ten_errors(caplog: pytest.LogCaptureFixture) -> None:
    fields = " ".join(f"d{i}: denied" for i in range(25))
    with caplog.at_level(logging.WARNING, logger="csm_graphql.errors"):
        body = await post(PROD, f"{{ ping {fields} }}")
    assert body["data"]["ping"] == 1
    assert len(body["errors"]) == MAX_ERRORS
    assert [e["path"] for e in body["errors"]] == [[f"d{i}"] for i in range(MAX_ERRORS)]
    [record] = [r for r in caplog.records if r.name == "csm_graphql.errors"]
    assert "left_out=15" in record.getMessage()


async def test_a_failed_request_logs_one_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Context:  # the shape of csm_graphql.graphql.context.Context: no request, an id
        request_id = "ctx-5"

    with caplog.at_level(logging.WARNING, logger="csm_graphql.errors"):
        result = await PROD.execute("query Down { a: gone b: refused }", context_value=Context())
    assert result.errors is not None
    [record] = [r for r in caplog.records if r.name == "csm_graphql.errors"]
    assert record.getMessage() == (
        "Request failed: request=ctx-5 operation=Down codes=SERVICE_UNAVAILABLE fields=a "
        "errors=1 left_out=0"
    )
    assert record.exc_info is None


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_on_in_development() -> None:
    body = await post(DEV, INTROSPECTION)
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_introspection_is_off_in_production() -> None:
    body = await post(PROD, INTROSPECTION)
    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        (
            "GraphQL introspection has been disabled, but the requested query contained the"
            f" field '{field}'.",
            ErrorCode.GRAPHQL_VALIDATION_FAILED,
        )
        for field in ("__schema", "queryType")
    ]


def test_extensions_are_classes_or_factories_not_instances() -> None:
    from strawberry.extensions import SchemaExtension

    for production in (False, True):
        for extension in schema_extensions(LIMITS, production=production):
            assert not isinstance(extension, SchemaExtension)
            assert isinstance(extension(), SchemaExtension)


# --- ASGI middlewares --------------------------------------------------------------------------


class Recorder:
    """A plain ASGI app that reads the whole body, remembers what it saw, and answers 200."""

    def __init__(self) -> None:
        self.calls = 0
        self.body = b""
        self.disconnected = False
        self.state: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        self.state = dict(scope.get("state", {}))
        if scope["type"] != "http":
            return
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                break
            self.body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        response = JSONResponse({"ok": True}, headers={"x-request-id": "set-by-app"})
        await response(scope, receive, send)


def client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


CAP = 1024
TOO_LARGE = orjson.loads(
    orjson.dumps(
        error_body("Request body too large (limit 1024 bytes).", ErrorCode.PAYLOAD_TOO_LARGE)
    )
)


async def test_body_at_the_cap_passes() -> None:
    app = Recorder()
    async with client(BodySizeLimit(app, max_bytes=CAP)) as c:
        response = await c.post("/", content=b"x" * CAP)
    assert response.status_code == 200
    assert app.body == b"x" * CAP


async def test_declared_body_over_the_cap_is_refused_without_running_the_app() -> None:
    app = Recorder()
    async with client(BodySizeLimit(app, max_bytes=CAP)) as c:
        response = await c.post("/", content=b"x" * (CAP + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == TOO_LARGE
    assert app.calls == 0


async def chunks(total: int, size: int = 100) -> AsyncIterator[bytes]:
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


async def test_streamed_body_over_the_cap_is_cut_off() -> None:
    app = Recorder()
    async with client(BodySizeLimit(app, max_bytes=CAP)) as c:
        response = await c.post("/", content=chunks(10 * CAP))
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert app.disconnected
    assert len(app.body) <= CAP


async def test_streamed_body_over_the_cap_through_starlette_and_graphql() -> None:
    inner = Starlette(routes=[Route("/graphql", GraphQL(DEV))])
    async with client(BodySizeLimit(inner, max_bytes=CAP)) as c:
        response = await c.post(
            "/graphql", content=chunks(10 * CAP), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


async def test_streamed_body_under_the_cap_passes() -> None:
    app = Recorder()
    async with client(BodySizeLimit(app, max_bytes=CAP)) as c:
        response = await c.post("/", content=chunks(CAP))
    assert response.status_code == 200
    assert len(app.body) == CAP


async def run_capped(headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[Recorder, int]:
    """BodySizeLimit over a raw ASGI call whose body arrives in 100-byte messages."""
    app = Recorder()
    pieces = [body[start : start + 100] for start in range(0, len(body), 100)] or [b""]
    received: list[Message] = [
        {"type": "http.request", "body": piece, "more_body": index < len(pieces) - 1}
        for index, piece in enumerate(pieces)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return received.pop(0) if received else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    await BodySizeLimit(app, max_bytes=CAP)(scope, receive, send)
    return app, sent[0]["status"]


async def test_a_body_framed_by_its_length_reaches_the_app_unwrapped() -> None:
    """Within the cap and framed by Content-Length, there is nothing to count: the app reads
    the server's own ``receive``."""
    seen: list[Receive] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(receive)
        await Recorder()(scope, receive, send)

    async with client(BodySizeLimit(app, max_bytes=CAP)) as c:
        response = await c.post("/", content=b"x" * CAP)
    assert response.status_code == 200
    assert not isinstance(getattr(seen[0], "__self__", None), _CappedRequest)


async def test_a_chunked_body_is_counted_whatever_length_it_declares() -> None:
    small = [(b"content-length", b"10"), (b"transfer-encoding", b"chunked")]
    app, status = await run_capped(small, b"x" * (2 * CAP))
    assert status == 413
    assert app.disconnected
    large = [(b"content-length", str(CAP + 1).encode()), (b"transfer-encoding", b"chunked")]
    app, status = await run_capped(large, b"x")
    assert status == 413
    assert app.calls == 0


async def test_a_repeated_or_malformed_length_is_counted_not_trusted() -> None:
    for headers in (
        [(b"content-length", b"10"), (b"content-length", b"10")],
        [(b"content-length", b"ten")],
    ):
        app, status = await run_capped(headers, b"x" * (2 * CAP))
        assert status == 413
        assert app.disconnected
        app, status = await run_capped(headers, b"x" * CAP)
        assert status == 200
        assert app.body == b"x" * CAP


def sleeper(seconds: float, *, start_first: bool = False) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if start_first:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(seconds)
        await send({"type": "http.response.body", "body": b"late"})

    return app


async def test_slow_app_gets_504() -> None:
    async with client(RequestTimeout(sleeper(5), seconds=0.05)) as c:
        response = await c.get("/")
    assert response.status_code == 504
    assert response.json() == error_body("The request took too long.", ErrorCode.TIMEOUT)


async def test_fast_app_is_untouched_by_the_timeout() -> None:
    async with client(RequestTimeout(Recorder(), seconds=5)) as c:
        response = await c.get("/")
    assert response.status_code == 200


async def call(app: ASGIApp, scope: Scope) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_timeout_after_the_response_started_just_cancels() -> None:
    sent = await call(RequestTimeout(sleeper(5, start_first=True), seconds=0.05), {"type": "http"})
    assert sent == [{"type": "http.response.start", "status": 200, "headers": []}]


async def test_the_apps_own_timeout_error_is_not_a_504() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise TimeoutError

    with pytest.raises(TimeoutError):
        await call(RequestTimeout(app, seconds=5), {"type": "http"})


async def test_request_id_is_generated() -> None:
    app = Recorder()
    async with client(RequestId(app)) as c:
        response = await c.get("/")
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    assert int(request_id, 16) >= 0
    assert app.state["request_id"] == request_id
    assert response.headers.get_list("x-request-id") == [request_id]


async def test_sane_request_id_is_echoed() -> None:
    app = Recorder()
    async with client(RequestId(app)) as c:
        response = await c.get("/", headers={"X-Request-ID": "edge-42.a_b"})
    assert response.headers["x-request-id"] == "edge-42.a_b"
    assert app.state["request_id"] == "edge-42.a_b"


@pytest.mark.parametrize("incoming", ["x" * 129, "forged\r\nline", "a b", "é"])
async def test_odd_request_id_is_replaced(incoming: str) -> None:
    async with client(RequestId(Recorder())) as c:
        response = await c.get("/", headers=[(b"X-Request-ID", incoming.encode("utf-8"))])
    assert response.headers["x-request-id"] != incoming
    assert len(response.headers["x-request-id"]) == 32


async def test_request_id_reaches_the_graphql_error_log(caplog: pytest.LogCaptureFixture) -> None:
    app = RequestId(Starlette(routes=[Route("/graphql", GraphQL(DEV))]))
    with caplog.at_level(logging.ERROR, logger="csm_graphql.errors"):
        async with client(app) as c:
            await c.post("/graphql", json={"query": "{ boom }"}, headers={"X-Request-ID": "req-7"})
    assert any("request=req-7" in r.getMessage() for r in caplog.records)


async def test_request_id_from_a_context_object_reaches_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Context:  # the shape of csm_graphql.graphql.context.Context: no request, an id
        request_id = "ctx-9"

    with caplog.at_level(logging.ERROR, logger="csm_graphql.errors"):
        result = await DEV.execute("{ boom }", context_value=Context())
    assert result.errors is not None
    assert result.errors[0].message == "Unexpected error."
    [record] = [r for r in caplog.records if r.name == "csm_graphql.errors"]
    assert record.getMessage() == (
        "Unexpected error at request=ctx-9 operation=anonymous field=boom: " + SECRET
    )


MiddlewareFactory = Callable[[ASGIApp], ASGIApp]


@pytest.mark.parametrize(
    "wrap",
    [
        RequestId,
        lambda app: BodySizeLimit(app, max_bytes=1),
        lambda app: RequestTimeout(app, seconds=0.01),
    ],
)
@pytest.mark.parametrize("kind", ["lifespan", "websocket"])
async def test_non_http_scopes_pass_through(wrap: MiddlewareFactory, kind: str) -> None:
    app = Recorder()
    await call(wrap(app), {"type": kind})
    assert app.calls == 1


async def test_guards_compose_as_app_py_will_stack_them() -> None:
    async def handler(request: Request) -> JSONResponse:
        return JSONResponse({"size": len(await request.body())})

    inner: ASGIApp = Starlette(routes=[Route("/", handler, methods=["POST"])])
    app = RequestId(BodySizeLimit(RequestTimeout(inner, seconds=5), max_bytes=CAP))
    async with client(app) as c:
        ok = await c.post("/", content=b"x" * 10)
        too_large = await c.post("/", content=chunks(2 * CAP))
    assert ok.json() == {"size": 10}
    assert too_large.status_code == 413
    assert len(too_large.headers["x-request-id"]) == 32
