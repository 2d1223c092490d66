"""Values no layer can carry are bad input, not server errors, and change nothing.

A lone UTF-16 surrogate (valid JSON: ``"\\ud800"``) and NUL are refused for every variable,
whatever its type, before coercion; a NUL in a document's string literal is refused while the
document is validated; a DateTime whose UTC instant Python cannot represent is refused by the
scalar. Control characters that can be stored but that free text may not hold are refused by
the services' one text validator, each kind with its own message.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import global_id
from tests.security.test_bad_input import _fingerprint
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
CASE_AGENT = "caseagent@csm.example"
ADMIN = "admin@csm.example"
SURROGATE = "\ud800"
NUL = "\x00"

CASE_COMMENT = """mutation($id: ID!, $body: String!) { addCaseComment(caseId: $id, body: $body) {
  comment { body } userErrors { code field message } } }"""
TASK_COMMENT = """mutation($id: ID!, $body: String!) { addProjectTaskComment(id: $id, body: $body) {
  comment { body } userErrors { code field message } } }"""
EDIT_TASK = """mutation($id: ID!, $v: Int!, $summary: String) {
  editProjectTask(id: $id, expectedVersion: $v, shortDescription: $summary) {
  projectTask { shortDescription } userErrors { code field message } } }"""
TOUCHPOINT = """mutation($input: CreateTouchpointInput!) { createTouchpoint(input: $input) {
  touchpoint { number scheduledAt } userErrors { code field message } } }"""


async def _one(engine: AsyncEngine, sql: str) -> Any:
    async with engine.connect() as connection:
        row = (await connection.execute(text(sql))).first()
    assert row is not None, sql
    return row


async def _post(
    client: GraphQLClient, query: str, variables: dict[str, Any], *, as_: str
) -> httpx.Response:
    """The body as json.dumps writes it: ASCII, with a lone surrogate as a ``\\ud800`` escape
    (httpx's own encoder writes UTF-8, which cannot hold one)."""
    return await client.http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}).encode("ascii"),
        headers={
            "Authorization": f"Bearer {client.token(as_)}",
            "Content-Type": "application/json",
        },
    )


Mutation = tuple[str, dict[str, Any], str, str]


async def _mutations(engine: AsyncEngine) -> dict[str, Mutation]:
    """One write per area: (document, variables with a TEXT placeholder, persona, an ordinary
    text for it). The ordinary edit of the seeded task keeps its summary, which other tests
    find it by."""
    case = await _one(engine, "SELECT id FROM cases WHERE state = 'OPEN' ORDER BY id DESC LIMIT 1")
    task = await _one(
        engine,
        "SELECT id, version FROM project_tasks "
        "WHERE short_description = 'Configure the partner connector'",
    )
    engagement = await _one(engine, "SELECT id FROM engagements ORDER BY id LIMIT 1")
    return {
        "case comment": (
            CASE_COMMENT,
            {"id": global_id("Case", case.id), "body": "TEXT"},
            CASE_AGENT,
            "Ordinary text",
        ),
        "project task comment": (
            TASK_COMMENT,
            {"id": global_id("ProjectTask", task.id), "body": "TEXT"},
            CASE_AGENT,
            "Ordinary text",
        ),
        "project task edit": (
            EDIT_TASK,
            {"id": global_id("ProjectTask", task.id), "v": task.version, "summary": "TEXT"},
            ADMIN,
            "Configure the partner connector",
        ),
        "workspace touchpoint": (
            TOUCHPOINT,
            {
                "input": {
                    "engagementId": global_id("Engagement", engagement.id),
                    "shortDescription": "TEXT",
                }
            },
            AGENT,
            "Ordinary text",
        ),
    }


def _with(variables: dict[str, Any], value: str) -> dict[str, Any]:
    """The variables with every "TEXT" placeholder replaced by ``value``."""
    encoded = json.dumps(variables).replace('"TEXT"', json.dumps(value))
    result: dict[str, Any] = json.loads(encoded)
    return result


@pytest.mark.parametrize(
    ("value", "described"),
    [(SURROGATE, "a lone UTF-16 surrogate (U+D800)"), (NUL, "a NUL character (U+0000)")],
)
@pytest.mark.parametrize(
    "mutation",
    ["case comment", "project task comment", "project task edit", "workspace touchpoint"],
)
async def test_unstorable_text_in_a_mutation_is_bad_user_input_and_writes_nothing(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    mutation: str,
    value: str,
    described: str,
) -> None:
    document, variables, persona, _ = (await _mutations(write_engine))[mutation]
    before = await _fingerprint(write_engine)
    variables = _with(variables, f"Before {value} after")
    response = await _post(write_client, document, variables, as_=persona)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith("Variable '$")
    assert error["message"].endswith(f"text cannot contain {described}.")
    assert error["locations"]  # the variable's definition in the document
    assert await _fingerprint(write_engine) == before


async def test_the_same_mutations_succeed_with_ordinary_text(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    """The refusals above are about the characters, not the documents or the personas."""
    for document, variables, persona, ordinary in (await _mutations(write_engine)).values():
        response = await _post(write_client, document, _with(variables, ordinary), as_=persona)
        payload = next(iter(response.json()["data"].values()))
        assert payload["userErrors"] == [], payload


@pytest.mark.parametrize(
    ("query", "variables", "variable"),
    [
        (
            "query($q: String!) { search(text: $q) { cases { nodes { id } } } }",
            {"q": "a\ud800"},
            "$q",
        ),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": NUL}, "$id"),
        (
            "query($f: CaseFilter) { cases(filter: $f) { totalCount } }",
            {"f": {"account": SURROGATE}},
            "$f",
        ),
        (
            "query($at: DateTime) { cases(filter: {updatedFrom: $at}) { totalCount } }",
            {"at": SURROGATE},
            "$at",
        ),
        (
            "query($p: [Priority!]) { cases(filter: {priority: $p}) { totalCount } }",
            {"p": [SURROGATE]},
            "$p",
        ),
        (
            "query($f: CaseFilter) { cases(filter: $f) { totalCount } }",
            {"f": {SURROGATE: 1}},
            "$f",
        ),
    ],
    ids=["search text", "node id", "filter id", "date-time", "enum list", "input field name"],
)
async def test_unstorable_text_in_any_query_variable_is_bad_user_input(
    client: GraphQLClient, query: str, variables: dict[str, Any], variable: str
) -> None:
    response = await _post(client, query, variables, as_=CASE_AGENT)
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith(f"Variable '{variable}' has invalid value")


async def test_a_nul_in_a_string_literal_is_bad_user_input(client: GraphQLClient) -> None:
    response = await _post(
        client, '{ search(text: "a\\u0000b") { cases { nodes { id } } } }', {}, as_=CASE_AGENT
    )
    [error] = response.json()["errors"]
    assert error == {
        "message": "A string value cannot contain a NUL character (U+0000).",
        "locations": [{"line": 1, "column": 16}],
        "extensions": {"code": "BAD_USER_INPUT"},
    }


OUT_OF_RANGE = [
    "9999-12-31T23:59:59-14:00",  # after 9999 in UTC
    "9999-12-31T23:00:00-01:00",
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "0001-01-01T00:59:59+01:00",
]


@pytest.mark.parametrize("instant", OUT_OF_RANGE)
async def test_a_date_time_outside_what_can_be_stored_is_bad_user_input(
    write_client: GraphQLClient, write_engine: AsyncEngine, instant: str
) -> None:
    engagement = await _one(write_engine, "SELECT id FROM engagements ORDER BY id LIMIT 1")
    variables = {
        "input": {
            "engagementId": global_id("Engagement", engagement.id),
            "shortDescription": "Quarterly review",
            "scheduledAt": instant,
        }
    }
    before = await _fingerprint(write_engine)
    body = (await _post(write_client, TOUCHPOINT, variables, as_=AGENT)).json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"] == (
        "Variable '$input' has invalid value at .scheduledAt: Value cannot represent a DateTime: "
        f"'{instant}' is outside the range that can be stored (years 1 to 9999 in UTC)."
    )
    assert await _fingerprint(write_engine) == before

    query = "query($at: DateTime) { cases(filter: {updatedFrom: $at}) { totalCount } }"
    filtered = (await _post(write_client, query, {"at": instant}, as_=CASE_AGENT)).json()
    assert [e["extensions"]["code"] for e in filtered["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59+00:00", "0001-01-01T12:00:00+00:00"])
async def test_the_extreme_instants_that_can_be_stored_are_accepted(
    write_client: GraphQLClient, write_engine: AsyncEngine, instant: str
) -> None:
    engagement = await _one(write_engine, "SELECT id FROM engagements ORDER BY id LIMIT 1")
    variables = {
        "input": {
            "engagementId": global_id("Engagement", engagement.id),
            "shortDescription": "Edge of time",
            "scheduledAt": instant,
        }
    }
    payload = (await _post(write_client, TOUCHPOINT, variables, as_=AGENT)).json()["data"]
    assert payload["createTouchpoint"]["userErrors"] == []
    assert payload["createTouchpoint"]["touchpoint"]["scheduledAt"] == instant


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ring \x07 the bell", "body cannot contain a control character (U+0007)"),
        ("\x1b[31mred", "body cannot contain a control character (U+001B)"),
        ("next\x85line", "body cannot contain a control character (U+0085)"),
        ("x" * 4001, "body takes at most 4000 characters, not 4001."),
        (" \t\n ", "body is required."),
    ],
    ids=["bell", "escape", "c1 next line", "too long", "blank"],
)
@pytest.mark.parametrize("mutation", ["case comment", "project task comment"])
async def test_free_text_refusals_are_user_errors_with_distinct_messages(
    write_client: GraphQLClient, write_engine: AsyncEngine, mutation: str, value: str, message: str
) -> None:
    document, variables, persona, _ = (await _mutations(write_engine))[mutation]
    variables = {**variables, "body": value}
    before = await _fingerprint(write_engine)
    payload = next(
        iter((await _post(write_client, document, variables, as_=persona)).json()["data"].values())
    )
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["body"])
    assert error["message"].startswith(message)
    assert payload["comment"] is None
    assert await _fingerprint(write_engine) == before


async def test_tabs_and_line_breaks_are_free_text(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    document, variables, persona, _ = (await _mutations(write_engine))["case comment"]
    body = "Steps:\n\t1. open\r\n\t2. close"
    payload = (await _post(write_client, document, {**variables, "body": body}, as_=persona)).json()
    assert payload["data"]["addCaseComment"]["comment"] == {"body": body}
