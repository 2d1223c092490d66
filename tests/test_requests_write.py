"""createRequest (issue 12: proxy contacts raise requests on behalf of customers), with the
case form's account, contact and internal-contact rules, for the right and the wrong roles:
refusals write nothing (no request, no audit row), and a reference the actor may not see is
NOT_FOUND exactly like a missing one. Against the writable database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient

PROXY = "proxy@csm.example"
AGENT = "caseagent@csm.example"
SUCCESS_AGENT = "agent@csm.example"
CUSTOMER = "customer@acme.example"
CUSTOMER_ADMIN = "admin@acme.example"
SUCCESS_CUSTOMER = "success@acme.example"
PARTNER = "partner@globex.example"
MISSING = 987_654_321

CREATE = """mutation($input: CreateRequestInput!) { createRequest(input: $input) {
  request { id number state shortDescription description account { name }
    contact { email } internalContact { email } asset { id } product { id } }
  userErrors { code field message } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Request { number } } }"


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


@pytest.fixture(scope="module")
async def ids(write_engine: AsyncEngine) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, name in (("acme", "Acme Corp"), ("umbrella", "Umbrella Health")):
        found[key] = await _scalar(write_engine, "SELECT id FROM accounts WHERE name = :n", n=name)
    for email in (CUSTOMER, CUSTOMER_ADMIN, "multi@initech.example"):
        found[email] = await _scalar(
            write_engine, "SELECT id FROM contacts WHERE email = :e", e=email
        )
    for email in (PROXY, AGENT):
        found[email] = await _scalar(write_engine, "SELECT id FROM users WHERE email = :e", e=email)
    for key in ("acme", "umbrella"):
        found[f"{key}_asset"] = await _scalar(
            write_engine, "SELECT min(id) FROM assets WHERE account_id = :a", a=found[key]
        )
        found[f"{key}_contact"] = await _scalar(
            write_engine,
            "SELECT min(id) FROM contacts WHERE account_id = :a AND active",
            a=found[key],
        )
    found["acme_asset_product"] = await _scalar(
        write_engine,
        "SELECT m.product_id FROM assets a JOIN product_models m ON m.id = a.product_model_id "
        "WHERE a.id = :a",
        a=found["acme_asset"],
    )
    assert all(value is not None for value in found.values()), found
    return found


async def _written(engine: AsyncEngine) -> tuple[int, int]:
    """Requests, and audit rows about requests: what a refusal must leave unchanged."""
    requests = await _scalar(engine, "SELECT count(*) FROM requests")
    audits = await _scalar(engine, "SELECT count(*) FROM audit_log WHERE record_type = 'request'")
    return requests, audits


async def _create(client: GraphQLClient, email: str, **fields: Any) -> dict[str, Any]:
    data = await client.query(CREATE, {"input": fields}, as_=email)
    result: dict[str, Any] = data["createRequest"]
    return result


async def _refused(
    client: GraphQLClient, engine: AsyncEngine, email: str, **fields: Any
) -> list[dict[str, Any]]:
    before = await _written(engine)
    result = await _create(client, email, **fields)
    assert result["request"] is None
    assert result["userErrors"]
    assert await _written(engine) == before  # nothing half-written
    errors: list[dict[str, Any]] = result["userErrors"]
    return errors


def _codes(errors: list[dict[str, Any]]) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in errors]


async def test_a_proxy_raises_a_request_for_a_contact_of_the_account(
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int]
) -> None:
    before = await _written(write_engine)
    result = await _create(
        write_client,
        PROXY,
        accountId=global_id("Account", ids["acme"]),
        contactId=global_id("Contact", ids[CUSTOMER]),
        assetId=global_id("Asset", ids["acme_asset"]),
        shortDescription="  Two more licences for the Finance team ",
        description="For the starters in July.",
    )
    assert result["userErrors"] == []
    request = result["request"]
    assert request["number"].startswith("CSR")
    assert request["state"] == "SUBMITTED"
    assert request["shortDescription"] == "Two more licences for the Finance team"
    assert request["account"] == {"name": "Acme Corp"}
    assert request["contact"] == {"email": CUSTOMER}
    assert request["internalContact"] == {"email": PROXY}  # the proxy is the internal contact
    assert request["product"] == {"id": global_id("Product", ids["acme_asset_product"])}
    assert await _written(write_engine) == (before[0] + 1, before[1] + 1)

    request_id = decode_global_id(request["id"])[1]
    async with write_engine.connect() as connection:
        audit = (
            (
                await connection.execute(
                    text(
                        "SELECT action, actor_user_id, actor_contact_id, on_behalf_of_contact_id, "
                        "changes FROM audit_log WHERE record_type = 'request' AND record_id = :r"
                    ),
                    {"r": request_id},
                )
            )
            .mappings()
            .one()
        )
    assert audit["action"] == "request.create"
    assert (audit["actor_user_id"], audit["actor_contact_id"]) == (ids[PROXY], None)
    assert audit["on_behalf_of_contact_id"] == ids[CUSTOMER]
    assert audit["changes"]["internal_contact_id"] == ids[PROXY]

    # Seen by the proxy, the contact it is for and the account's admin; not by a partner.
    for email, seen in ((PROXY, True), (CUSTOMER, True), (CUSTOMER_ADMIN, True), (PARTNER, False)):
        data = await write_client.query(NODE, {"id": request["id"]}, as_=email)
        assert (data["node"] == {"number": request["number"]}) is seen, email


async def test_a_customer_raises_its_own_request(
    write_client: GraphQLClient, ids: dict[str, int]
) -> None:
    result = await _create(
        write_client,
        CUSTOMER,
        accountId=global_id("Account", ids["acme"]),
        shortDescription="Training on the reporting module",
    )
    assert result["userErrors"] == []
    assert result["request"]["contact"] == {"email": CUSTOMER}
    assert result["request"]["internalContact"] is None
    # Not the proxy's: it is not its internal contact.
    data = await write_client.query(NODE, {"id": result["request"]["id"]}, as_=PROXY)
    assert data == {"node": None}


async def test_an_agent_names_the_proxy_it_raises_a_request_for(
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int]
) -> None:
    fields = {
        "accountId": global_id("Account", ids["acme"]),
        "contactId": global_id("Contact", ids[CUSTOMER_ADMIN]),
        "shortDescription": "Replacement badge reader",
    }
    not_a_proxy = await _refused(
        write_client,
        write_engine,
        AGENT,
        **fields,
        internalContactId=global_id("User", ids[AGENT]),
    )
    assert _codes(not_a_proxy) == [("BAD_USER_INPUT", ["internalContactId"])]
    result = await _create(
        write_client, AGENT, **fields, internalContactId=global_id("User", ids[PROXY])
    )
    assert result["userErrors"] == []
    assert result["request"]["internalContact"] == {"email": PROXY}
    data = await write_client.query(NODE, {"id": result["request"]["id"]}, as_=PROXY)
    assert data["node"] is not None


async def test_a_proxy_must_pick_a_contact_of_the_chosen_account(
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int]
) -> None:
    acme = global_id("Account", ids["acme"])
    no_contact = await _refused(
        write_client, write_engine, PROXY, accountId=acme, shortDescription="A laptop"
    )
    assert _codes(no_contact) == [("BAD_USER_INPUT", ["contactId"])]
    other_account = await _refused(
        write_client,
        write_engine,
        PROXY,
        accountId=acme,
        contactId=global_id("Contact", ids["umbrella_contact"]),
        assetId=global_id("Asset", ids["umbrella_asset"]),
        shortDescription="A laptop",
    )
    # Every problem at once: the contact and the asset are both Umbrella's.
    assert _codes(other_account) == [
        ("BAD_USER_INPUT", ["contactId"]),
        ("BAD_USER_INPUT", ["assetId"]),
    ]


@pytest.mark.parametrize("email", [SUCCESS_AGENT, SUCCESS_CUSTOMER])
async def test_roles_without_case_writes_may_not_raise_requests(
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int], email: str
) -> None:
    errors = await _refused(
        write_client,
        write_engine,
        email,
        accountId=global_id("Account", ids["acme"]),
        contactId=global_id("Contact", ids[CUSTOMER]),
        shortDescription="A laptop",
    )
    assert _codes(errors) == [("FORBIDDEN", None)]


async def test_a_customer_raises_only_its_own_and_sets_no_internal_contact(
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int]
) -> None:
    acme = global_id("Account", ids["acme"])
    for_another = await _refused(
        write_client,
        write_engine,
        CUSTOMER,
        accountId=acme,
        contactId=global_id("Contact", ids[CUSTOMER_ADMIN]),
        shortDescription="A laptop",
    )
    assert _codes(for_another) == [("FORBIDDEN", ["contactId"])]
    with_proxy = await _refused(
        write_client,
        write_engine,
        CUSTOMER,
        accountId=acme,
        internalContactId=global_id("User", ids[PROXY]),
        shortDescription="A laptop",
    )
    assert _codes(with_proxy) == [("FORBIDDEN", ["internalContactId"])]


async def test_hidden_references_are_refused_exactly_like_missing_ones(
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int]
) -> None:
    """A customer does not see Umbrella; Acme's admin does not see Initech's contacts, nor a
    customer Umbrella's assets: each answer is the one a missing id gets."""
    text_fields = {"shortDescription": "A laptop"}
    hidden_account = await _refused(
        write_client,
        write_engine,
        CUSTOMER,
        accountId=global_id("Account", ids["umbrella"]),
        **text_fields,
    )
    missing_account = await _refused(
        write_client,
        write_engine,
        CUSTOMER,
        accountId=global_id("Account", MISSING),
        **text_fields,
    )
    assert hidden_account == missing_account
    assert _codes(hidden_account) == [("NOT_FOUND", ["accountId"])]

    acme = global_id("Account", ids["acme"])
    hidden_contact = await _refused(
        write_client,
        write_engine,
        CUSTOMER_ADMIN,
        accountId=acme,
        contactId=global_id("Contact", ids["multi@initech.example"]),
        **text_fields,
    )
    missing_contact = await _refused(
        write_client,
        write_engine,
        CUSTOMER_ADMIN,
        accountId=acme,
        contactId=global_id("Contact", MISSING),
        **text_fields,
    )
    assert hidden_contact == missing_contact
    assert _codes(hidden_contact) == [("NOT_FOUND", ["contactId"])]

    hidden_asset = await _refused(
        write_client,
        write_engine,
        CUSTOMER,
        accountId=acme,
        assetId=global_id("Asset", ids["umbrella_asset"]),
        **text_fields,
    )
    missing_asset = await _refused(
        write_client,
        write_engine,
        CUSTOMER,
        accountId=acme,
        assetId=global_id("Asset", MISSING),
        **text_fields,
    )
    assert hidden_asset == missing_asset
    assert _codes(hidden_asset) == [("NOT_FOUND", ["assetId"])]


async def test_an_admin_raises_for_a_colleague_but_text_is_checked(
    write_client: GraphQLClient, write_engine: AsyncEngine, ids: dict[str, int]
) -> None:
    acme = global_id("Account", ids["acme"])
    customer = global_id("Contact", ids[CUSTOMER])
    blank = await _refused(
        write_client,
        write_engine,
        CUSTOMER_ADMIN,
        accountId=acme,
        contactId=customer,
        shortDescription="   ",
    )
    assert _codes(blank) == [("BAD_USER_INPUT", ["shortDescription"])]
    result = await _create(
        write_client,
        CUSTOMER_ADMIN,
        accountId=acme,
        contactId=customer,
        shortDescription="A laptop for Cory",
    )
    assert result["userErrors"] == []
    assert result["request"]["contact"] == {"email": CUSTOMER}
    # Cory sees what its admin raised for it.
    data = await write_client.query(NODE, {"id": result["request"]["id"]}, as_=CUSTOMER)
    assert data["node"] == {"number": result["request"]["number"]}
