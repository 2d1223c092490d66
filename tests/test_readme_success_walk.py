"""README example 7, run as written: an agent maintains a success case end to end, and the
customers' All and My lists follow each step (ACCESS.md: My lists for case managers only)."""

from __future__ import annotations

from typing import Any

from graphql import OperationDefinitionNode, parse, print_ast

from tests.support import GraphQLClient
from tests.test_readme import EXAMPLES

AGENT = "agent@csm.example"
CASE_MANAGER = "manager@acme.example"
SUCCESS_CUSTOMER = "success@acme.example"


def _operations() -> dict[str, str]:
    """Every named operation of the README's examples, by name, as its own document."""
    found: dict[str, str] = {}
    for example in EXAMPLES:
        for definition in parse(example).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                found[definition.name.value] = print_ast(definition)
    return found


OPERATIONS = _operations()


async def _run(client: GraphQLClient, name: str, as_: str, **variables: Any) -> dict[str, Any]:
    return await client.query(OPERATIONS[name], variables, as_=as_)


async def _plays(client: GraphQLClient, email: str, scope: str) -> set[str]:
    data = await _run(client, "PortalPlays", email, scope=scope)
    return {node["number"] for node in data["successCases"]["nodes"]}


async def test_an_agent_maintains_a_success_case_end_to_end(write_client: GraphQLClient) -> None:
    client = write_client
    # One of Acme Corp's engagements (the success customer sees exactly those) and the case
    # manager's own id.
    engagements = await client.query(
        "query Acme { engagements(first: 1) { nodes { id account { name } } } }",
        as_=SUCCESS_CUSTOMER,
    )
    [engagement] = engagements["engagements"]["nodes"]
    assert engagement["account"]["name"] == "Acme Corp"
    manager = (await client.query("query Me { viewer { id } }", as_=CASE_MANAGER))["viewer"]["id"]

    created = (await _run(client, "OpenPlay", AGENT, engagementId=engagement["id"]))[
        "createSuccessCase"
    ]
    assert created["userErrors"] == []
    play = created["successCase"]
    assert (play["state"], play["visibleToCustomer"]) == ("NEW", False)
    for email in (CASE_MANAGER, SUCCESS_CUSTOMER):
        assert play["number"] not in await _plays(client, email, "ALL")

    shown = (await _run(client, "ShowToCustomer", AGENT, id=play["id"], version=play["version"]))[
        "setSuccessRecordVisibility"
    ]
    assert shown["userErrors"] == []
    assert shown["record"]["visibleToCustomer"] is True
    for email in (CASE_MANAGER, SUCCESS_CUSTOMER):
        assert play["number"] in await _plays(client, email, "ALL")
    assert play["number"] not in await _plays(client, CASE_MANAGER, "MINE")

    added = (
        await _run(
            client,
            "AddToContactFilter",
            AGENT,
            id=play["id"],
            version=shown["record"]["version"],
            contactId=manager,
        )
    )["addSuccessRecordContact"]
    assert added["userErrors"] == []
    assert play["number"] in await _plays(client, CASE_MANAGER, "MINE")
    assert await _plays(client, SUCCESS_CUSTOMER, "MINE") == set()

    version = added["record"]["version"]
    for action, state in (("START", "IN_PROGRESS"), ("CLOSE", "CLOSED")):
        # A stale version changes nothing ...
        stale = (
            await _run(client, "MovePlay", AGENT, id=play["id"], version=version - 1, action=action)
        )["transitionSuccessRecord"]
        assert [error["code"] for error in stale["userErrors"]] == ["STALE_VERSION"]
        # ... the current one moves the play.
        moved = (
            await _run(client, "MovePlay", AGENT, id=play["id"], version=version, action=action)
        )["transitionSuccessRecord"]
        assert moved["userErrors"] == []
        assert moved["record"]["state"] == state
        version = moved["record"]["version"]

    # Closed is final; the customers still see the play, as CLOSED.
    final = (
        await _run(client, "MovePlay", AGENT, id=play["id"], version=version, action="CANCEL")
    )["transitionSuccessRecord"]
    assert [error["code"] for error in final["userErrors"]] == ["INVALID_STATE"]
    data = await _run(client, "PortalPlays", CASE_MANAGER, scope="MINE")
    states = {node["number"]: node["state"] for node in data["successCases"]["nodes"]}
    assert states[play["number"]] == "CLOSED"
