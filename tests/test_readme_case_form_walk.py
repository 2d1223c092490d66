"""README example 8, run as written: the agent's case form end to end. The pickers offer the
account's records, createCase takes what was picked (the form's fields), updateCase changes
the contact, the internal contact and the urgency; the SLAs follow the priority."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.support import GraphQLClient
from tests.test_readme_success_walk import OPERATIONS

AGENT = "caseagent@csm.example"
PROXY = "proxy@csm.example"


async def _run(client: GraphQLClient, name: str, as_: str, **variables: Any) -> dict[str, Any]:
    return await client.query(OPERATIONS[name], variables, as_=as_)


def _by_email(nodes: list[dict[str, Any]], email: str) -> dict[str, Any]:
    (found,) = [node for node in nodes if node["email"] == email]
    return found


async def test_an_agent_fills_the_case_form_end_to_end(write_client: GraphQLClient) -> None:
    client = write_client
    accounts = (await _run(client, "CaseFormAccount", AGENT, search="acme"))["accounts"]
    (acme,) = [a for a in accounts["nodes"] if a["name"] == "Acme Corp"]

    pickers = await _run(
        client, "CaseFormPickers", AGENT, account=acme["id"], today=date.today().isoformat()
    )
    customer = _by_email(pickers["contacts"]["nodes"], "customer@acme.example")
    colleague = _by_email(pickers["contacts"]["nodes"], "admin@acme.example")
    asset = pickers["assets"]["nodes"][0]
    entitlement = pickers["entitlements"]["nodes"][0]
    proxy = _by_email(pickers["proxies"]["nodes"], PROXY)
    agent = _by_email(pickers["agents"]["nodes"], AGENT)
    group = pickers["supportGroups"]["nodes"][0]

    created = (
        await _run(
            client,
            "CaseFormCreate",
            AGENT,
            input={
                "accountId": acme["id"],
                "shortDescription": "VPN drops every hour",
                "contactId": customer["id"],
                "assetId": asset["id"],
                "entitlementId": entitlement["id"],
                "supportGroup": group["id"],
                "assignedTo": agent["id"],
                "channel": "PHONE",
                "category": "Network",
                "impact": "MEDIUM",
                "urgency": "HIGH",
            },
        )
    )["createCase"]
    assert created["userErrors"] == []
    case = created["case"]
    assert case["priority"] == "HIGH"
    assert (case["channel"], case["category"]) == ("PHONE", "Network")
    assert case["account"] == {"name": "Acme Corp"}
    assert case["contact"] == {"email": "customer@acme.example"}
    assert case["internalContact"] is None
    assert case["asset"] == {"number": asset["number"]}
    assert case["product"] == {"name": asset["productModel"]["product"]["name"]}
    assert case["entitlement"] == {"number": entitlement["number"]}
    if entitlement["contract"] is not None:
        assert case["contract"] == {"number": entitlement["contract"]["number"]}
    assert case["supportGroup"] == {"name": group["name"]}
    assert case["assignedTo"] == {"email": AGENT}
    running = {s["name"] for s in case["slas"]["nodes"] if s["stage"] == "IN_PROGRESS"}
    assert running, "a HIGH case runs SLAs"

    node = "query CaseFormSeen($id: ID!) { node(id: $id) { ... on Case { number } } }"
    assert (await client.query(node, {"id": case["id"]}, as_=PROXY))["node"] is None

    updated = (
        await _run(
            client,
            "CaseFormUpdate",
            AGENT,
            id=case["id"],
            version=case["version"],
            contactId=colleague["id"],
            internalContactId=proxy["id"],
            category="Network / VPN",
            urgency="MEDIUM",
        )
    )["updateCase"]
    assert updated["userErrors"] == []
    changed = updated["case"]
    assert changed["version"] == case["version"] + 1
    assert (changed["priority"], changed["category"]) == ("MODERATE", "Network / VPN")
    assert changed["contact"] == {"email": "admin@acme.example"}
    assert changed["internalContact"] == {"email": PROXY}
    stages = {s["name"]: s["stage"] for s in changed["slas"]["nodes"]}
    assert {stages[name] for name in running} == {"CANCELED"}  # kept, as history
    assert any(stage == "IN_PROGRESS" and name not in running for name, stage in stages.items())
    # The proxy contact it was raised for now sees it.
    seen = await client.query(node, {"id": case["id"]}, as_=PROXY)
    assert seen["node"] == {"number": case["number"]}

    # A wrong pick is refused and changes nothing: an agent is no proxy contact.
    refused = (
        await _run(
            client,
            "CaseFormUpdate",
            AGENT,
            id=case["id"],
            version=changed["version"],
            internalContactId=agent["id"],
        )
    )["updateCase"]
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("BAD_USER_INPUT", ["internalContactId"])
    ]
