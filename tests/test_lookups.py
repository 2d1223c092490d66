"""The case form's pickers (issue 12; ACCESS.md "Lookups and master data"), per persona.

Expectations are computed with plain SQL over the seeded rows and the rules as ACCESS.md words
them, not with the application's predicates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import decode_global_id, global_id
from tests.support import GraphQLClient

CASE_AGENT = "caseagent@csm.example"
SUCCESS_AGENT = "agent@csm.example"
PROXY = "proxy@csm.example"
CUSTOMER = "customer@acme.example"
CUSTOMER_ADMIN = "admin@acme.example"
PARTNER_ADMIN = "partneradmin@globex.example"
SUCCESS_CUSTOMER = "success@acme.example"  # a contact without any case role

INTERNAL = [CASE_AGENT, SUCCESS_AGENT, PROXY]
EXTERNAL = [CUSTOMER, CUSTOMER_ADMIN, PARTNER_ADMIN, SUCCESS_CUSTOMER]
# A missing id of each type: far beyond the seed.
MISSING = 987_654_321


async def _ids(engine: AsyncEngine, sql: str, **params: Any) -> set[int]:
    async with engine.connect() as connection:
        return {row[0] for row in await connection.execute(text(sql), params)}


async def _account(engine: AsyncEngine, name: str) -> int:
    (account_id,) = await _ids(engine, "SELECT id FROM accounts WHERE name = :n", n=name)
    return account_id


async def _walk(
    client: GraphQLClient, field: str, filter: dict[str, Any] | None, *, as_: str
) -> set[int]:
    """Every id a list shows, page by page; its totalCount must agree."""
    query = f"""
    query Pick($filter: {_INPUTS[field]}, $after: String) {{
      {field}(first: 100, after: $after, filter: $filter) {{
        totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ id }}
      }}
    }}"""
    seen: list[int] = []
    after = None
    while True:
        data = await client.query(query, {"filter": filter, "after": after}, as_=as_)
        page = data[field]
        seen += [decode_global_id(node["id"])[1] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(seen)
            assert len(seen) == len(set(seen))
            return set(seen)
        after = page["pageInfo"]["endCursor"]


_INPUTS = {
    "accounts": "LookupSearch",
    "contacts": "AccountLookup",
    "assets": "AccountLookup",
    "contracts": "AgreementLookup",
    "entitlements": "AgreementLookup",
    "products": "LookupSearch",
    "productModels": "ProductModelLookup",
    "schedules": "LookupSearch",
    "supportGroups": "LookupSearch",
    "users": "UserLookup",
}


async def test_accounts_search_by_name_or_number(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    expected = await _ids(
        engine, "SELECT id FROM accounts WHERE name ILIKE '%acme%' OR number ILIKE '%acme%'"
    )
    assert len(expected) > 1
    assert await _walk(client, "accounts", {"search": " ACME "}, as_=PROXY) == expected
    (number,) = await _ids(engine, "SELECT number FROM accounts WHERE name = 'Initech'")
    by_number = await _walk(client, "accounts", {"search": number.lower()}, as_=CASE_AGENT)
    assert by_number == {await _account(engine, "Initech")}
    # A contact searches its own accounts only: Initech is not one of Cory's.
    assert await _walk(client, "accounts", {"search": "Initech"}, as_=CUSTOMER) == set()
    acme = await _account(engine, "Acme Corp")
    assert acme in await _walk(client, "accounts", {"search": "acme c"}, as_=CUSTOMER)


async def test_search_wildcards_are_text(client: GraphQLClient, engine: AsyncEngine) -> None:
    """ "%" and "_" match themselves, not everything (the demo has no such names)."""
    everything = await _walk(client, "accounts", None, as_=CASE_AGENT)
    assert everything
    for wildcard in ("%", "_", "\\"):
        assert await _walk(client, "accounts", {"search": wildcard}, as_=CASE_AGENT) == set()


@pytest.mark.parametrize("persona", [CASE_AGENT, PROXY])
async def test_internal_pick_active_contacts_of_an_account(
    client: GraphQLClient, engine: AsyncEngine, persona: str
) -> None:
    acme = await _account(engine, "Acme Corp")
    expected = await _ids(
        engine, "SELECT id FROM contacts WHERE account_id = :a AND active", a=acme
    )
    inactive = await _ids(engine, "SELECT id FROM contacts WHERE email = 'former@acme.example'")
    assert expected
    assert inactive
    found = await _walk(client, "contacts", {"account": global_id("Account", acme)}, as_=persona)
    assert found == expected
    assert not found & inactive  # a deactivated contact is never offered
    cory = await _walk(client, "contacts", {"search": "cory cust"}, as_=persona)
    assert cory == await _ids(engine, "SELECT id FROM contacts WHERE name = 'Cory Customer'")


async def test_contacts_pick_under_their_rule(client: GraphQLClient, engine: AsyncEngine) -> None:
    acme = await _account(engine, "Acme Corp")
    acme_id = global_id("Account", acme)
    colleagues = await _ids(
        engine, "SELECT id FROM contacts WHERE account_id = :a AND active", a=acme
    )
    assert await _walk(client, "contacts", {"account": acme_id}, as_=CUSTOMER_ADMIN) == colleagues
    # A plain customer sees only itself among contacts.
    me = await _ids(engine, "SELECT id FROM contacts WHERE email = :e", e=CUSTOMER)
    assert await _walk(client, "contacts", {"account": acme_id}, as_=CUSTOMER) == me


@pytest.mark.parametrize("field", ["contacts", "assets", "contracts", "entitlements"])
async def test_hidden_account_lists_like_a_missing_one(
    client: GraphQLClient, engine: AsyncEngine, field: str
) -> None:
    """An account the viewer may not see lists exactly what a missing account lists."""
    umbrella = await _account(engine, "Umbrella Health")
    internal = await _walk(
        client, field, {"account": global_id("Account", umbrella)}, as_=CASE_AGENT
    )
    assert internal, field  # the rows exist: only the rule hides them
    hidden = await _walk(
        client, field, {"account": global_id("Account", umbrella)}, as_=CUSTOMER_ADMIN
    )
    missing = await _walk(
        client, field, {"account": global_id("Account", MISSING)}, as_=CUSTOMER_ADMIN
    )
    assert hidden == missing == set()


ACCOUNT_RECORDS = {"assets": "assets", "contracts": "contracts", "entitlements": "entitlements"}


@pytest.mark.parametrize("field", list(ACCOUNT_RECORDS))
async def test_account_records_per_persona(
    client: GraphQLClient, engine: AsyncEngine, field: str
) -> None:
    table = ACCOUNT_RECORDS[field]
    everything = await _ids(engine, f"SELECT id FROM {table}")
    for persona in INTERNAL:
        assert await _walk(client, field, None, as_=persona) == everything, persona
    acme = await _account(engine, "Acme Corp")
    acme_rows = await _ids(engine, f"SELECT id FROM {table} WHERE account_id = :a", a=acme)
    assert acme_rows
    assert acme_rows != everything
    for persona in (CUSTOMER, CUSTOMER_ADMIN):
        assert await _walk(client, field, None, as_=persona) == acme_rows, persona
    # A partner admin: its accounts' and those of the customers they are partner for.
    served = await _ids(
        engine,
        f"""WITH mine AS (
              SELECT account_id FROM contacts WHERE email = :e
              UNION SELECT r.account_id FROM contact_relationships r
                    JOIN contacts c ON c.id = r.contact_id WHERE c.email = :e)
            SELECT id FROM {table} WHERE account_id IN (SELECT account_id FROM mine)
               OR account_id IN (SELECT customer_account_id FROM partner_relationships
                                 WHERE partner_account_id IN (SELECT account_id FROM mine))""",
        e=PARTNER_ADMIN,
    )
    assert served
    assert served != everything
    assert await _walk(client, field, None, as_=PARTNER_ADMIN) == served
    # No case role, no case form: deny where ACCESS.md is silent.
    assert await _walk(client, field, None, as_=SUCCESS_CUSTOMER) == set()


@pytest.mark.parametrize("field", ["contracts", "entitlements"])
async def test_agreements_in_force_on_a_date(
    client: GraphQLClient, engine: AsyncEngine, field: str
) -> None:
    acme = await _account(engine, "Acme Corp")
    seen: list[set[int]] = []
    for day in ("2020-01-01", "2026-06-01", "2031-12-31"):
        expected = await _ids(
            engine,
            f"SELECT id FROM {field} WHERE account_id = :a AND active "
            "AND start_date <= CAST(:d AS date) AND end_date >= CAST(:d AS date)",
            a=acme,
            d=date.fromisoformat(day),
        )
        lookup = {"account": global_id("Account", acme), "inForceOn": day}
        assert await _walk(client, field, lookup, as_=CUSTOMER_ADMIN) == expected, day
        seen.append(expected)
    # The filter decides something: on some day a listed agreement is not in force.
    every = await _walk(client, field, {"account": global_id("Account", acme)}, as_=CASE_AGENT)
    assert any(in_force != every for in_force in seen)
    assert any(seen)


@pytest.mark.parametrize("persona", [*INTERNAL, *EXTERNAL])
async def test_catalogue_is_public(
    client: GraphQLClient, engine: AsyncEngine, persona: str
) -> None:
    assert await _walk(client, "products", None, as_=persona) == await _ids(
        engine, "SELECT id FROM products"
    )
    assert await _walk(client, "productModels", None, as_=persona) == await _ids(
        engine, "SELECT id FROM product_models"
    )


async def test_product_models_of_a_product(client: GraphQLClient, engine: AsyncEngine) -> None:
    product = min(await _ids(engine, "SELECT product_id FROM product_models"))
    expected = await _ids(engine, "SELECT id FROM product_models WHERE product_id = :p", p=product)
    lookup = {"product": global_id("Product", product)}
    assert await _walk(client, "productModels", lookup, as_=CUSTOMER) == expected
    (number,) = await _ids(
        engine, "SELECT number FROM product_models WHERE id = :i", i=min(expected)
    )
    assert await _walk(client, "productModels", {"search": number}, as_=CUSTOMER) == {min(expected)}


@pytest.mark.parametrize(
    ("field", "table"), [("schedules", "schedules"), ("supportGroups", "support_groups")]
)
async def test_service_desk_setup_is_internal(
    client: GraphQLClient, engine: AsyncEngine, field: str, table: str
) -> None:
    everything = await _ids(engine, f"SELECT id FROM {table}")
    assert everything
    for persona in INTERNAL:
        assert await _walk(client, field, None, as_=persona) == everything, persona
    for persona in EXTERNAL:
        assert await _walk(client, field, None, as_=persona) == set(), persona


async def test_support_group_members_and_proxies(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    group = min(await _ids(engine, "SELECT support_group_id FROM support_group_members"))
    members = await _ids(
        engine,
        "SELECT u.id FROM users u JOIN support_group_members m ON m.user_id = u.id "
        "WHERE m.support_group_id = :g AND u.active",
        g=group,
    )
    lookup = {"supportGroup": global_id("SupportGroup", group)}
    assert members
    assert await _walk(client, "users", lookup, as_=CASE_AGENT) == members
    proxies = await _ids(
        engine, "SELECT id FROM users WHERE 'proxy_contact' = ANY(roles) AND active"
    )
    assert proxies
    assert await _walk(client, "users", {"role": "proxy_contact"}, as_=CASE_AGENT) == proxies
    for persona in EXTERNAL:
        assert await _walk(client, "users", lookup, as_=persona) == set(), persona


@pytest.mark.parametrize(
    ("field", "lookup", "message"),
    [
        ("accounts", {"search": "a\x00b"}, "cannot contain a NUL character"),
        ("accounts", {"search": "x" * 101}, "filter.search takes at most 100"),
        ("users", {"role": "wizard"}, "filter.role must be one of"),
        ("assets", {"account": global_id("Contact", 1)}, "filter.account must be the id of"),
    ],
)
async def test_bad_lookups_are_the_clients_error(
    client: GraphQLClient, field: str, lookup: dict[str, Any], message: str
) -> None:
    query = f"""query Pick($filter: {_INPUTS[field]}) {{
      {field}(filter: $filter) {{ totalCount }}
    }}"""
    errors = await client.errors(query, {"filter": lookup}, as_=CASE_AGENT)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in errors[0]["message"]
