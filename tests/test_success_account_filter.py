"""``filter: {account}`` on the success lists: the portal's "related to the selected account".

The filter is SQL in the statement (before LIMIT), so pages are full and totalCount counts only
the matching visible records; the expected sets come from ``tests.expectations``.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import (
    ALL,
    MINE,
    RECORD_LISTS,
    Snapshot,
    global_id,
    matches_filter,
    page_through,
)
from tests.support import GraphQLClient

VIEWS = [
    ("agent@csm.example", ALL),
    ("admin@csm.example", MINE),
    ("multi@initech.example", ALL),
    ("manager@acme.example", MINE),
]


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> Snapshot:
    return await Snapshot.load(engine)


@pytest.mark.parametrize("list_name", list(RECORD_LISTS))
@pytest.mark.parametrize(
    ("email", "scope"), VIEWS, ids=[f"{e.split('@')[0]}-{s}" for e, s in VIEWS]
)
async def test_account_filter_keeps_that_accounts_visible_records(
    client: GraphQLClient, snapshot: Snapshot, email: str, scope: str, list_name: str
) -> None:
    who = snapshot.principal(email)
    records = snapshot.visible_records(who, list_name, scope)
    per_account = Counter(r.account_id for r in records)
    assert per_account, (email, list_name, "nothing visible to filter")
    # The smallest account: small pages (first=3) cross a page boundary on every busy list.
    account = min(per_account, key=lambda a: (per_account[a], a))
    expected = {r.number for r in records if matches_filter(r, account_id=account)}
    assert expected, "the chosen account must keep something"
    if len(per_account) > 1:
        assert len(expected) < len(records), "another account's records must drop out"
    walk = await page_through(
        client,
        list_name,
        email,
        scope=scope,
        first=3,
        filter={"account": global_id("Account", account)},
    )
    assert set(walk.numbers) == expected
    assert walk.totals == [len(expected)] * len(walk.totals)


@pytest.mark.parametrize("list_name", list(RECORD_LISTS))
async def test_another_accounts_filter_shows_a_contact_nothing(
    client: GraphQLClient, snapshot: Snapshot, list_name: str
) -> None:
    """Filtering by an account that is not mine returns nothing, not that account's records."""
    who = snapshot.principal("multi@initech.example")
    table = snapshot.records[list_name]
    foreign = min(r.account_id for r in table.values() if r.account_id not in who.accounts)
    assert any(r.visible_to_customer and r.account_id == foreign for r in table.values())
    walk = await page_through(
        client,
        list_name,
        "multi@initech.example",
        scope=ALL,
        filter={"account": global_id("Account", foreign)},
    )
    assert walk.numbers == []
    assert walk.totals == [0]


async def test_account_filter_combines_with_the_others(
    client: GraphQLClient, snapshot: Snapshot
) -> None:
    who = snapshot.principal("agent@csm.example")
    records = snapshot.visible_records(who, "successCases", ALL)
    account = Counter(r.account_id for r in records).most_common(1)[0][0]
    keywords = {"account_id": account, "states": ["NEW", "IN_PROGRESS"]}
    expected = {r.number for r in records if matches_filter(r, **keywords)}
    assert expected
    assert expected < {r.number for r in records if r.account_id == account}
    walk = await page_through(
        client,
        "successCases",
        "agent@csm.example",
        scope=ALL,
        filter={"account": global_id("Account", account), "state": ["NEW", "IN_PROGRESS"]},
    )
    assert set(walk.numbers) == expected


async def test_a_malformed_account_id_is_bad_user_input(client: GraphQLClient) -> None:
    """An engagement's id where an account's is expected: refused, not silently empty."""
    query = "query($a: ID!) { successCases(filter: {account: $a}) { totalCount } }"
    errors = await client.errors(query, {"a": global_id("Engagement", 1)}, as_="agent@csm.example")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
