"""Differential tests of the pickers' lists and requests on the compiled reads (issue 10):
``contacts`` (active ones only, even without a filter), ``assets``, ``contracts``,
``entitlements``, ``products``, ``productModels``, ``schedules``, ``supportGroups``,
``workOrders``, ``requests`` and ``slaDefinitions``, with their filters, pages and cursors,
and the roles of contacts and employees (an array column); also ``Case.knowledge``, a link
table's list (newest link first), with its pages. Each runs through the resolvers (the
reference) and the compiled path for every demo persona: the same JSON value, and two
statements on the compiled path (the viewer's, then one).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.expectations import global_id
from tests.support import GraphQLClient, StatementLog
from tests.test_compiled_reads import (
    AGENT,
    EVERY_PERSONA,
    _both,
    _compiled,
    client,
    compiled,
)

__all__ = ["client", "compiled"]

PICKERS = """
query Pickers($account: ID, $search: String, $day: Date) {
  contacts(first: 5, filter: {account: $account, search: $search}) { totalCount
    pageInfo { hasNextPage endCursor } nodes { id name email active roles account { name } } }
  assets(first: 4, filter: {account: $account}) { totalCount
    nodes { id number name serialNumber installedOn account { name } productModel { name } } }
  contracts(first: 4, filter: {account: $account, inForceOn: $day}) { totalCount
    nodes { number name value startDate endDate active account { name } } }
  entitlements(first: 4, filter: {search: $search, inForceOn: $day}) { totalCount
    nodes { number name active product { name } contract { number } schedule { name } } }
  products(first: 3, filter: {search: $search}) { totalCount nodes { __typename id name } }
  productModels(first: 3) { totalCount edges { cursor node { number name product { name } } } }
  schedules(first: 3) { totalCount nodes { name } }
  supportGroups(first: 3) { totalCount nodes { id name } }
  workOrders(first: 4, filter: {search: $search}) { totalCount
    nodes { number shortDescription state createdAt case { number } } }
  requests(first: 4, filter: {account: $account, search: $search}) { totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id number state shortDescription createdAt account { name } contact { name } } }
  users(first: 3) { nodes { name roles } }
}"""

PAGED = """
query Paged($after: String) {
  contacts(first: 3, after: $after) { pageInfo { hasNextPage endCursor } nodes { name } }
}"""

REQUESTS_PAGED = """
query Paged($after: String) {
  requests(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { number } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize(
    "variables",
    [
        {"account": None, "search": None, "day": None},
        {"account": global_id("Account", 1), "search": "a", "day": "2026-06-01"},
        {"account": global_id("Account", 4), "search": "zzz-no-such", "day": None},
    ],
    ids=["all", "filtered", "none"],
)
async def test_pickers_and_requests_are_equal(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    variables: dict[str, Any],
) -> None:
    answer, statements = await _both(client, compiled, statement_log, PICKERS, variables, email)
    _compiled(statements)
    if email == AGENT and variables["account"] is None:
        data = answer["data"]
        assert data["contacts"]["nodes"]
        assert all(contact["active"] for contact in data["contacts"]["nodes"])
        assert any(user["roles"] for user in data["users"]["nodes"])


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize("query", [PAGED, REQUESTS_PAGED], ids=["contacts", "requests"])
async def test_picker_pages_follow_alike(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    query: str,
) -> None:
    answer, statements = await _both(client, compiled, statement_log, query, {}, email)
    _compiled(statements)
    page_info = next(iter(answer["data"].values()))["pageInfo"]
    if page_info["hasNextPage"]:
        after = {"after": page_info["endCursor"]}
        _, statements = await _both(client, compiled, statement_log, query, after, email)
        _compiled(statements)


async def test_a_picker_filter_the_resolvers_refuse_falls_back_to_their_error(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog
) -> None:
    query = '{ assets(filter: {account: "not-an-id"}) { nodes { number } } }'
    reference = (await client.post(query, as_=AGENT)).json()
    with statement_log.record() as statements:
        answer = (await compiled.post(query, as_=AGENT)).json()
    answer.get("extensions", {}).pop("compiledReads", None)
    assert answer == reference
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not any("json_build_object" in statement for statement in statements)


KNOWLEDGE = """
query Knowledge($first: Int, $after: String) {
  cases(first: 30, orderBy: {field: NUMBER}) { nodes { number
    knowledge(first: $first, after: $after) { totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id number title audience } } } } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
async def test_case_knowledge_is_equal_page_after_page(
    client: GraphQLClient, compiled: GraphQLClient, statement_log: StatementLog, email: str
) -> None:
    variables: dict[str, Any] = {"first": 1, "after": None}
    answer, statements = await _both(client, compiled, statement_log, KNOWLEDGE, variables, email)
    _compiled(statements)
    pages = [case["knowledge"] for case in answer["data"]["cases"]["nodes"]]
    if email == AGENT:
        assert any(page["pageInfo"]["hasNextPage"] for page in pages)
    for page in pages:
        if page["pageInfo"]["hasNextPage"]:
            after = {"first": 2, "after": page["pageInfo"]["endCursor"]}
            _, statements = await _both(client, compiled, statement_log, KNOWLEDGE, after, email)
            _compiled(statements)
            break


SLA_DEFINITIONS = """
query Definitions($filter: SlaDefinitionFilter, $after: String) {
  slaDefinitions(first: 4, filter: $filter, after: $after) { totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name target priority durationMinutes schedule { name } contract { number }
      entitlement { number } version } }
}"""


@pytest.mark.parametrize("email", EVERY_PERSONA)
@pytest.mark.parametrize(
    "filter",
    [
        None,
        {"search": "p", "priority": ["HIGH", "CRITICAL"], "target": ["RESPONSE"]},
        {"contract": global_id("Contract", 1), "entitlement": global_id("Entitlement", 1)},
    ],
    ids=["all", "some", "applying"],
)
async def test_sla_definitions_are_equal(
    client: GraphQLClient,
    compiled: GraphQLClient,
    statement_log: StatementLog,
    email: str,
    filter: dict[str, Any] | None,
) -> None:
    variables: dict[str, Any] = {"filter": filter, "after": None}
    answer, statements = await _both(
        client, compiled, statement_log, SLA_DEFINITIONS, variables, email
    )
    _compiled(statements)
    definitions = answer["data"]["slaDefinitions"]
    if email == AGENT and filter is None:
        assert definitions["pageInfo"]["hasNextPage"]
    if definitions["pageInfo"]["hasNextPage"]:
        after = {**variables, "after": definitions["pageInfo"]["endCursor"]}
        _, statements = await _both(client, compiled, statement_log, SLA_DEFINITIONS, after, email)
        _compiled(statements)
