"""README example 9, run as written: a proxy contact picks an account, a contact and an asset,
raises a case and a request for the contact and comments on the case; its portal lists and the
contact's follow, a partner of another account sees neither (ACCESS.md "Cases", and "A
request raised on behalf of a customer follows the Cases rules")."""

from __future__ import annotations

from typing import Any

from tests.support import GraphQLClient
from tests.test_readme_success_walk import OPERATIONS

PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
PARTNER = "partner@globex.example"


async def _run(client: GraphQLClient, name: str, as_: str, **variables: Any) -> dict[str, Any]:
    return await client.query(OPERATIONS[name], variables, as_=as_)


async def _portal(client: GraphQLClient, email: str) -> dict[str, Any]:
    """The portal lists, without their limit of 3, so that the whole lists are compared."""
    document = OPERATIONS["ProxyPortal"].replace("first: 3", "first: 100")
    return await client.query(document, as_=email)


def _numbers(data: dict[str, Any], list_name: str) -> set[str]:
    return {node["number"] for node in data[list_name]["nodes"]}


async def test_a_proxy_raises_a_case_and_a_request_for_a_customer(
    write_client: GraphQLClient,
) -> None:
    client = write_client
    [account] = (await _run(client, "ProxyPickAccount", PROXY))["accounts"]["nodes"]
    assert account["name"] == "Acme Corp"
    contacts = await _run(client, "ProxyPickContact", PROXY, account=account["id"])
    [contact] = contacts["contacts"]["nodes"]
    assert contact["email"] == CUSTOMER
    assets = await _run(client, "ProxyPickAsset", PROXY, account=account["id"])
    [asset] = assets["assets"]["nodes"]
    before = {email: await _portal(client, email) for email in (PROXY, CUSTOMER, PARTNER)}
    picked = {"account": account["id"], "contact": contact["id"], "asset": asset["id"]}

    case = (await _run(client, "ProxyRaiseCase", PROXY, **picked))["createCase"]
    assert case["userErrors"] == []
    assert case["case"]["state"] == "NEW"
    assert case["case"]["contact"] == {"name": contact["name"]}
    assert case["case"]["internalContact"] == {"email": PROXY}
    assert case["case"]["product"] is not None  # the asset's product

    request = (await _run(client, "ProxyRaiseRequest", PROXY, **picked))["createRequest"]
    assert request["userErrors"] == []
    raised = request["request"]
    assert raised["number"].startswith("CSR")
    assert raised["state"] == "SUBMITTED"
    assert raised["contact"] == {"name": contact["name"]}
    assert raised["internalContact"] == {"email": PROXY}
    assert raised["product"] == case["case"]["product"]

    commented = await _run(client, "ProxyComment", PROXY, case=case["case"]["id"])
    comment = commented["addCaseComment"]
    assert comment["userErrors"] == []
    assert comment["comment"]["kind"] == "COMMENT"
    assert comment["comment"]["actorName"] == "Parker Proxy"

    # The proxy's and the contact's portals gain exactly the new case and request; the
    # partner's does not change.
    new = {"cases": {case["case"]["number"]}, "requests": {raised["number"]}}
    for email in (PROXY, CUSTOMER, PARTNER):
        after = await _portal(client, email)
        for list_name, numbers in new.items():
            gained = _numbers(after, list_name) - _numbers(before[email], list_name)
            assert gained == (numbers if email != PARTNER else set()), (email, list_name)
            count = after[list_name]["totalCount"] - before[email][list_name]["totalCount"]
            assert count == len(gained), (email, list_name)
    # The newest first: the proxy's portal opens on what it just raised.
    portal = await _run(client, "ProxyPortal", PROXY)
    assert portal["requests"]["nodes"][0]["number"] == raised["number"]
    assert portal["cases"]["nodes"][0]["number"] == case["case"]["number"]
    customer_view = await client.query(
        "query Seen($id: ID!) { node(id: $id) { ... on Request { internalContact { email } } } }",
        {"id": raised["id"]},
        as_=CUSTOMER,
    )
    assert customer_view == {"node": {"internalContact": None}}
