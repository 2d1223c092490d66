"""README example 10, run as written: a case agent works the request a proxy raised for a
customer (example 9) from SUBMITTED to FULFILLED, with a work note and a comment; the
request's stream shows the note to employees who may read work notes only (ACCESS.md "Cases":
no external viewer and no proxy contact ever receives a work note)."""

from __future__ import annotations

from typing import Any

from tests.support import GraphQLClient
from tests.test_readme_success_walk import OPERATIONS

CASE_AGENT = "caseagent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
PARTNER = "partner@globex.example"
NOTE = "Licences ordered from the reseller, PO 4471."
ANSWER = "Your two licences are active from Monday."


async def _run(client: GraphQLClient, name: str, as_: str, **variables: Any) -> dict[str, Any]:
    return await client.query(OPERATIONS[name], variables, as_=as_)


async def _raise_request(client: GraphQLClient) -> dict[str, Any]:
    """Example 9's request, raised by the proxy for Cory Customer."""
    [account] = (await _run(client, "ProxyPickAccount", PROXY))["accounts"]["nodes"]
    [contact] = (await _run(client, "ProxyPickContact", PROXY, account=account["id"]))["contacts"][
        "nodes"
    ]
    [asset] = (await _run(client, "ProxyPickAsset", PROXY, account=account["id"]))["assets"][
        "nodes"
    ]
    raised = await _run(
        client,
        "ProxyRaiseRequest",
        PROXY,
        account=account["id"],
        contact=contact["id"],
        asset=asset["id"],
    )
    assert raised["createRequest"]["userErrors"] == []
    request: dict[str, Any] = raised["createRequest"]["request"]
    return request


async def test_a_case_agent_works_a_request_to_fulfilled(write_client: GraphQLClient) -> None:
    client = write_client
    request = await _raise_request(client)
    rid = request["id"]

    started = (await _run(client, "AgentStartRequest", CASE_AGENT, request=rid, version=1))[
        "transitionRequest"
    ]
    assert started["userErrors"] == []
    assert started["request"] == {"number": request["number"], "state": "IN_PROGRESS", "version": 2}

    noted = (await _run(client, "AgentNoteRequest", CASE_AGENT, request=rid))["addRequestWorkNote"]
    assert noted["userErrors"] == []
    assert noted["workNote"] == {"kind": "WORK_NOTE", "body": NOTE, "actorName": "Casey Caseagent"}

    answered = (await _run(client, "AgentAnswerRequest", CASE_AGENT, request=rid))[
        "addRequestComment"
    ]
    assert answered["userErrors"] == []
    assert answered["comment"] == {
        "kind": "COMMENT",
        "body": ANSWER,
        "actorName": "Casey Caseagent",
    }

    # A second agent working from the version it read before the start is refused.
    stale = (await _run(client, "AgentFulfilRequest", CASE_AGENT, request=rid, version=1))[
        "transitionRequest"
    ]
    assert stale["request"] is None
    assert [error["code"] for error in stale["userErrors"]] == ["STALE_VERSION"]

    fulfilled = (await _run(client, "AgentFulfilRequest", CASE_AGENT, request=rid, version=2))[
        "transitionRequest"
    ]
    assert fulfilled["userErrors"] == []
    assert fulfilled["request"]["state"] == "FULFILLED"

    # Fulfilled twice is not a transition the lifecycle allows; nothing changes.
    again = (await _run(client, "AgentFulfilRequest", CASE_AGENT, request=rid, version=3))[
        "transitionRequest"
    ]
    assert [error["code"] for error in again["userErrors"]] == ["INVALID_STATE"]

    employee_stream = [
        ("STATE_CHANGE", None, "Casey Caseagent"),
        ("COMMENT", ANSWER, "Casey Caseagent"),
        ("WORK_NOTE", NOTE, "Casey Caseagent"),
        ("STATE_CHANGE", None, "Casey Caseagent"),
        ("OPENED", None, "Parker Proxy"),
    ]
    without_note = [entry for entry in employee_stream if entry[0] != "WORK_NOTE"]
    expected = {CASE_AGENT: employee_stream, CUSTOMER: without_note, PROXY: without_note}
    for email, entries in expected.items():
        node = (await _run(client, "RequestStream", email, request=rid))["node"]
        assert node["number"] == request["number"]
        assert node["state"] == "FULFILLED"
        stream = [(a["kind"], a["body"], a["actorName"]) for a in node["activities"]["nodes"]]
        assert stream == entries, email
    # A partner of another account does not see the request at all.
    assert (await _run(client, "RequestStream", PARTNER, request=rid))["node"] is None
