"""createRequest (issue 12: proxy contacts raise requests on behalf of customers), with the
case form's account, contact and internal-contact rules, for the right and the wrong roles:
refusals write nothing (no request, no audit row), and a reference the actor may not see is
NOT_FOUND exactly like a missing one.

Each test has a database of its own (the ``isolated`` fixture) holding only the rows its
``World`` creates, so it asserts exact counts: nothing else writes there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated, Row

MISSING = 987_654_321

CREATE = """mutation($input: CreateRequestInput!) { createRequest(input: $input) {
  request { id number state shortDescription description account { name }
    contact { email } internalContact { email } asset { id } product { id } }
  userErrors { code field message } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Request { number } } }"


@dataclass
class World:
    """Two customers (Acme, Umbrella), a partner serving neither, their people, and the
    employees: a proxy, a case agent and a success agent."""

    own: Isolated
    acme: Row
    umbrella: Row
    customer: Row
    colleague: Row
    acme_admin: Row
    success_customer: Row
    umbrella_contact: Row
    partner: Row
    proxy: Row
    agent: Row
    success_agent: Row
    acme_asset: Row
    acme_product: Row
    umbrella_asset: Row

    async def create(self, who: Row, **fields: Any) -> dict[str, Any]:
        data = await self.own.client.query(CREATE, {"input": fields}, as_=who["email"])
        result: dict[str, Any] = data["createRequest"]
        return result

    async def written(self) -> tuple[int, int]:
        return (
            await self.own.count("requests"),
            await self.own.count("audit_log", "record_type = 'request'"),
        )

    async def refused(self, who: Row, **fields: Any) -> list[dict[str, Any]]:
        result = await self.create(who, **fields)
        assert result["request"] is None
        assert result["userErrors"]
        assert await self.written() == (0, 0)  # nothing half-written
        errors: list[dict[str, Any]] = result["userErrors"]
        return errors

    async def sees(self, who: Row, request_id: str) -> bool:
        data = await self.own.client.query(NODE, {"id": request_id}, as_=who["email"])
        return data["node"] is not None


@pytest.fixture
async def world(isolated: Isolated) -> World:
    make = isolated.make
    acme, umbrella = await make.account("Acme"), await make.account("Umbrella")
    globex = await make.account("Globex", kind="PARTNER")
    acme_product = await make.product("Badge readers")
    return World(
        own=isolated,
        acme=acme,
        umbrella=umbrella,
        customer=await make.contact(acme, "customer"),
        colleague=await make.contact(acme, "customer"),
        acme_admin=await make.contact(acme, "customer_admin"),
        success_customer=await make.contact(acme, "customer_success_customer"),
        umbrella_contact=await make.contact(umbrella, "customer"),
        partner=await make.contact(globex, "partner"),
        proxy=await make.user("proxy_contact"),
        agent=await make.user("case_agent"),
        success_agent=await make.user("customer_success_agent"),
        acme_asset=await make.asset(acme, acme_product),
        acme_product=acme_product,
        umbrella_asset=await make.asset(umbrella),
    )


def _codes(errors: list[dict[str, Any]]) -> list[tuple[str, list[str] | None]]:
    return [(error["code"], error["field"]) for error in errors]


def _id(type_name: str, row: Row | int) -> str:
    return global_id(type_name, row if isinstance(row, int) else row["id"])


async def test_a_proxy_raises_a_request_for_a_contact_of_the_account(world: World) -> None:
    result = await world.create(
        world.proxy,
        accountId=_id("Account", world.acme),
        contactId=_id("Contact", world.customer),
        assetId=_id("Asset", world.acme_asset),
        shortDescription="  Two more licences for the Finance team ",
        description="For the starters in July.",
    )
    assert result["userErrors"] == []
    request = result["request"]
    assert request["number"] == "CSR0000001"  # the first request of this database
    assert request["state"] == "SUBMITTED"
    assert request["shortDescription"] == "Two more licences for the Finance team"
    assert request["account"] == {"name": "Acme"}
    assert request["contact"] == {"email": world.customer["email"]}
    assert request["internalContact"] == {"email": world.proxy["email"]}  # the proxy
    assert request["product"] == {"id": _id("Product", world.acme_product)}  # the asset's
    assert await world.written() == (1, 1)

    audit = await world.own.make.rows(
        "SELECT action, actor_user_id, actor_contact_id, on_behalf_of_contact_id, record_id, "
        "changes FROM audit_log WHERE record_type = 'request'"
    )
    assert len(audit) == 1
    [entry] = audit
    assert entry["record_id"] == decode_global_id(request["id"])[1]
    assert entry["action"] == "request.create"
    assert (entry["actor_user_id"], entry["actor_contact_id"]) == (world.proxy["id"], None)
    assert entry["on_behalf_of_contact_id"] == world.customer["id"]
    assert entry["changes"]["internal_contact_id"] == world.proxy["id"]

    # Seen by the proxy, the contact it is for and the account's admin; not by a colleague
    # (a plain customer), a partner that does not serve Acme, or another proxy.
    other_proxy = await world.own.make.user("proxy_contact")
    for who, seen in (
        (world.proxy, True),
        (world.customer, True),
        (world.acme_admin, True),
        (world.agent, True),
        (world.colleague, False),
        (world.partner, False),
        (other_proxy, False),
    ):
        assert await world.sees(who, request["id"]) is seen, who["email"]


async def test_a_customer_raises_its_own_request(world: World) -> None:
    result = await world.create(
        world.customer,
        accountId=_id("Account", world.acme),
        shortDescription="Training on the reporting module",
    )
    assert result["userErrors"] == []
    assert result["request"]["contact"] == {"email": world.customer["email"]}
    assert result["request"]["internalContact"] is None
    assert await world.written() == (1, 1)
    # Not the proxy's: it is not its internal contact.
    assert not await world.sees(world.proxy, result["request"]["id"])
    assert await world.sees(world.acme_admin, result["request"]["id"])


async def test_an_agent_names_the_proxy_it_raises_a_request_for(world: World) -> None:
    fields = {
        "accountId": _id("Account", world.acme),
        "contactId": _id("Contact", world.acme_admin),
        "shortDescription": "Replacement badge reader",
    }
    not_a_proxy = await world.refused(
        world.agent, **fields, internalContactId=_id("User", world.agent)
    )
    assert _codes(not_a_proxy) == [("BAD_USER_INPUT", ["internalContactId"])]
    result = await world.create(world.agent, **fields, internalContactId=_id("User", world.proxy))
    assert result["userErrors"] == []
    assert result["request"]["internalContact"] == {"email": world.proxy["email"]}
    assert await world.sees(world.proxy, result["request"]["id"])


async def test_a_proxy_must_pick_a_contact_of_the_chosen_account(world: World) -> None:
    acme = _id("Account", world.acme)
    no_contact = await world.refused(world.proxy, accountId=acme, shortDescription="A laptop")
    assert _codes(no_contact) == [("BAD_USER_INPUT", ["contactId"])]
    other_account = await world.refused(
        world.proxy,
        accountId=acme,
        contactId=_id("Contact", world.umbrella_contact),
        assetId=_id("Asset", world.umbrella_asset),
        shortDescription="A laptop",
    )
    # Every problem at once: the contact and the asset are both Umbrella's.
    assert _codes(other_account) == [
        ("BAD_USER_INPUT", ["contactId"]),
        ("BAD_USER_INPUT", ["assetId"]),
    ]
    inactive = await world.own.make.contact(world.acme, "customer", active=False)
    deactivated = await world.refused(
        world.proxy,
        accountId=acme,
        contactId=_id("Contact", inactive),
        shortDescription="A laptop",
    )
    assert _codes(deactivated) == [("BAD_USER_INPUT", ["contactId"])]


async def test_a_product_must_be_the_accounts_or_the_assets(world: World) -> None:
    elsewhere = await world.own.make.product("Sold elsewhere")
    fields = {
        "accountId": _id("Account", world.acme),
        "contactId": _id("Contact", world.customer),
        "shortDescription": "A laptop",
    }
    not_the_accounts = await world.refused(
        world.proxy, **fields, productId=_id("Product", elsewhere)
    )
    assert _codes(not_the_accounts) == [("BAD_USER_INPUT", ["productId"])]
    not_the_assets = await world.refused(
        world.proxy,
        **fields,
        assetId=_id("Asset", world.acme_asset),
        productId=_id("Product", elsewhere),
    )
    assert _codes(not_the_assets) == [("BAD_USER_INPUT", ["productId"])]
    missing = await world.refused(world.proxy, **fields, productId=_id("Product", MISSING))
    assert _codes(missing) == [("NOT_FOUND", ["productId"])]
    installed = await world.create(
        world.proxy, **fields, productId=_id("Product", world.acme_product)
    )
    assert installed["userErrors"] == []
    assert installed["request"]["product"] == {"id": _id("Product", world.acme_product)}


@pytest.mark.parametrize("who", ["success_agent", "success_customer"])
async def test_roles_without_case_writes_may_not_raise_requests(world: World, who: str) -> None:
    errors = await world.refused(
        getattr(world, who),
        accountId=_id("Account", world.acme),
        contactId=_id("Contact", world.customer),
        shortDescription="A laptop",
    )
    assert _codes(errors) == [("FORBIDDEN", None)]


async def test_a_customer_raises_only_its_own_and_sets_no_internal_contact(
    world: World,
) -> None:
    acme = _id("Account", world.acme)
    for_another = await world.refused(
        world.customer,
        accountId=acme,
        contactId=_id("Contact", world.colleague),
        shortDescription="A laptop",
    )
    assert _codes(for_another) == [("FORBIDDEN", ["contactId"])]
    with_proxy = await world.refused(
        world.customer,
        accountId=acme,
        internalContactId=_id("User", world.proxy),
        shortDescription="A laptop",
    )
    assert _codes(with_proxy) == [("FORBIDDEN", ["internalContactId"])]
    proxy_naming_itself = await world.refused(
        world.proxy,
        accountId=acme,
        contactId=_id("Contact", world.customer),
        internalContactId=_id("User", world.proxy),
        shortDescription="A laptop",
    )
    assert _codes(proxy_naming_itself) == [("FORBIDDEN", ["internalContactId"])]


async def test_hidden_references_are_refused_exactly_like_missing_ones(world: World) -> None:
    """The customer does not see Umbrella, nor Umbrella's asset; Acme's admin does not see
    Umbrella's contact: each answer is the one a missing id gets."""
    text_fields = {"shortDescription": "A laptop"}
    hidden_account = await world.refused(
        world.customer, accountId=_id("Account", world.umbrella), **text_fields
    )
    missing_account = await world.refused(
        world.customer, accountId=_id("Account", MISSING), **text_fields
    )
    assert hidden_account == missing_account
    assert _codes(hidden_account) == [("NOT_FOUND", ["accountId"])]

    acme = _id("Account", world.acme)
    hidden_contact = await world.refused(
        world.acme_admin,
        accountId=acme,
        contactId=_id("Contact", world.umbrella_contact),
        **text_fields,
    )
    missing_contact = await world.refused(
        world.acme_admin, accountId=acme, contactId=_id("Contact", MISSING), **text_fields
    )
    assert hidden_contact == missing_contact
    assert _codes(hidden_contact) == [("NOT_FOUND", ["contactId"])]

    hidden_asset = await world.refused(
        world.customer,
        accountId=acme,
        assetId=_id("Asset", world.umbrella_asset),
        **text_fields,
    )
    missing_asset = await world.refused(
        world.customer, accountId=acme, assetId=_id("Asset", MISSING), **text_fields
    )
    assert hidden_asset == missing_asset
    assert _codes(hidden_asset) == [("NOT_FOUND", ["assetId"])]
    # A malformed id, or one of another type, names nothing either.
    wrong_type = await world.refused(
        world.customer, accountId=_id("Contact", world.customer), **text_fields
    )
    assert wrong_type == missing_account


async def test_an_admin_raises_for_a_colleague_but_text_is_checked(world: World) -> None:
    acme = _id("Account", world.acme)
    customer = _id("Contact", world.customer)
    blank = await world.refused(
        world.acme_admin, accountId=acme, contactId=customer, shortDescription="   "
    )
    assert _codes(blank) == [("BAD_USER_INPUT", ["shortDescription"])]
    result = await world.create(
        world.acme_admin, accountId=acme, contactId=customer, shortDescription="A laptop for you"
    )
    assert result["userErrors"] == []
    assert result["request"]["contact"] == {"email": world.customer["email"]}
    # The customer sees what its admin raised for it (it is the contact), the colleague not.
    assert await world.sees(world.customer, result["request"]["id"])
    assert not await world.sees(world.colleague, result["request"]["id"])


async def test_a_partner_admin_raises_for_a_customer_it_serves(world: World) -> None:
    """ACCESS.md: partner_admin sees the cases of the customers its account is partner for;
    creating is for "one of my accounts", so it raises requests for its own account only."""
    make = world.own.make
    globex = await make.account("Globex Partner", kind="PARTNER")
    await make.partner(globex, world.acme)
    partner_admin = await make.contact(globex, "partner_admin")
    own = await world.create(
        partner_admin, accountId=_id("Account", globex), shortDescription="Portal access"
    )
    assert own["userErrors"] == []
    # It sees the Acme request the proxy raises (Globex serves Acme), though it may not raise
    # one there itself (Acme is not one of its accounts: hidden, NOT_FOUND).
    raised = await world.create(
        world.proxy,
        accountId=_id("Account", world.acme),
        contactId=_id("Contact", world.customer),
        shortDescription="A laptop",
    )
    assert await world.sees(partner_admin, raised["request"]["id"])
    served = await world.create(
        partner_admin, accountId=_id("Account", world.acme), shortDescription="A laptop"
    )
    assert _codes(served["userErrors"]) == [("NOT_FOUND", ["accountId"])]
    assert await world.written() == (2, 2)
