"""Root lists obey ACCESS.md "Customer success records" for every persona, page by page.

The expected sets come from ``tests.expectations`` (raw rows + the spec's rules in Python), never
from the application's own predicates.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo.personas import PERSONAS
from tests.expectations import (
    ALL,
    MINE,
    PRIORITY_NAMES,
    PRIORITY_RANKS,
    RECORD_LISTS,
    Record,
    Snapshot,
    decode_global_id,
    global_id,
    matches_filter,
    page_through,
)
from tests.support import GraphQLClient

EMAILS = [persona.email for persona in PERSONAS]
LISTS = [(name, scope) for name in RECORD_LISTS for scope in (ALL, MINE)] + [("engagements", None)]

INTERNAL_SUCCESS = ["agent@csm.example", "viewer@csm.example", "admin@csm.example"]
EXTERNAL_SUCCESS = ["success@acme.example", "manager@acme.example", "multi@initech.example"]
# ACCESS.md: customer_success_customer without customer_case_manager has All lists only.
ALL_LISTS_ONLY = ["success@acme.example", "multi@initech.example"]
# customer_success_viewer writes nothing, and assignSuccessRecord accepts only those who may
# work a record: the demo, which holds only what the API could have written, assigns it nothing
# (tests/test_demo_invariants.py), so its My lists are empty. The rule "assigned to me" is the
# agent's and the admin's, which have rows on both sides.
NEVER_ASSIGNED = ["viewer@csm.example"]
NO_SUCCESS = [
    "caseagent@csm.example",
    "proxy@csm.example",
    "customer@acme.example",
    "admin@acme.example",
    "partner@globex.example",
    "partneradmin@globex.example",
]


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> Snapshot:
    return await Snapshot.load(engine)


def _label(value: Any) -> str:
    return str(value) if value is not None else "-"


# -- the expectations are not vacuous ------------------------------------------------------------


def test_personas_are_all_covered() -> None:
    assert sorted(EMAILS) == sorted(INTERNAL_SUCCESS + EXTERNAL_SUCCESS + NO_SUCCESS)


@pytest.mark.parametrize("email", INTERNAL_SUCCESS + EXTERNAL_SUCCESS)
def test_success_personas_have_rows_on_both_sides(snapshot: Snapshot, email: str) -> None:
    who = snapshot.principal(email)
    for list_name in RECORD_LISTS:
        everything = snapshot.visible(who, list_name, ALL)
        mine = snapshot.visible(who, list_name, MINE)
        if email in NEVER_ASSIGNED:
            assert everything, (email, list_name)
            assert not mine, (email, list_name)
            continue
        if email in ALL_LISTS_ONLY:
            # ACCESS.md: no My lists for a success customer, though it would be in some
            # contact filters (so the empty MINE is the rule, not the data).
            assert everything, (email, list_name)
            assert not mine, (email, list_name)
            if list_name != "successTasks":
                table = snapshot.records[list_name]
                assert any(
                    table[i].in_contact_filter(who.id)
                    for i in snapshot.visible_ids(who, list_name, ALL)
                ), (email, list_name)
            continue
        assert mine, (email, list_name, "MINE is empty")
        assert mine < everything, (email, list_name, "MINE must be a strict subset of ALL")
        if not who.internal:
            # ALL hides something of my own accounts (visibleToCustomer = false, or for tasks
            # an invisible parent), and something of other accounts.
            table = snapshot.records[list_name]
            own = {r.number for r in table.values() if r.account_id in who.accounts}
            assert everything < own, (email, list_name)
            assert len(everything) < len(table)
    assert snapshot.visible(who, "engagements")


def test_task_parent_rule_bites(snapshot: Snapshot) -> None:
    """Visible tasks of my accounts under an invisible parent exist and are excluded."""
    for email in EXTERNAL_SUCCESS:
        who = snapshot.principal(email)
        tasks = snapshot.records["successTasks"].values()
        candidates = {
            t.number for t in tasks if t.visible_to_customer and t.account_id in who.accounts
        }
        assert snapshot.visible(who, "successTasks", ALL) < candidates, email
        if email in ALL_LISTS_ONLY:
            continue
        # Under MINE a task's own contact filter does not matter; its parent's MINE set does.
        mine = snapshot.visible(who, "successTasks", MINE)
        by_number = snapshot.by_number("successTasks")
        assert any(not by_number[n].in_contact_filter(who.id) for n in mine), email


def test_multi_account_contact_sees_its_related_account(snapshot: Snapshot) -> None:
    who = snapshot.principal("multi@initech.example")
    umbrella = snapshot.account_named("Umbrella Health")
    assert umbrella in who.accounts
    for list_name in RECORD_LISTS:
        seen = snapshot.visible_ids(who, list_name, ALL)
        table = snapshot.records[list_name]
        assert any(table[i].account_id == umbrella for i in seen), list_name


@pytest.mark.parametrize("email", NO_SUCCESS)
def test_other_roles_expect_nothing(snapshot: Snapshot, email: str) -> None:
    who = snapshot.principal(email)
    for list_name, scope in LISTS:
        assert snapshot.visible(who, list_name, scope or ALL) == set()


# -- every persona, every root list ---------------------------------------------------------------


@pytest.mark.parametrize(("list_name", "scope"), LISTS, ids=[f"{n}-{_label(s)}" for n, s in LISTS])
@pytest.mark.parametrize("email", EMAILS)
async def test_root_list_is_exactly_the_visible_set(
    client: GraphQLClient, snapshot: Snapshot, email: str, list_name: str, scope: str | None
) -> None:
    expected = snapshot.visible(snapshot.principal(email), list_name, scope or ALL)
    walk = await page_through(client, list_name, email, scope=scope, first=100)
    assert set(walk.numbers) == expected
    assert walk.totals == [len(expected)] * len(walk.totals)


SMALL = 5
SMALL_PAGES = [
    (email, list_name, scope)
    for email in ("success@acme.example", "multi@initech.example")
    for list_name, scope in LISTS
]


@pytest.mark.parametrize(
    ("email", "list_name", "scope"),
    SMALL_PAGES,
    ids=[f"{e.split('@')[0]}-{n}-{_label(s)}" for e, n, s in SMALL_PAGES],
)
async def test_small_pages_are_full_without_gaps(
    client: GraphQLClient, snapshot: Snapshot, email: str, list_name: str, scope: str | None
) -> None:
    expected = snapshot.visible(snapshot.principal(email), list_name, scope or ALL)
    small = await page_through(client, list_name, email, scope=scope, first=SMALL)
    # ceil(n / SMALL) pages, and no empty page after an exactly full one.
    assert len(small.page_sizes) == max(1, -(-len(expected) // SMALL))
    assert set(small.numbers) == expected
    assert small.totals == [len(expected)] * len(small.totals)
    # Same order as with big pages: cursors continue exactly where the page ended.
    big = await page_through(client, list_name, email, scope=scope, first=100)
    assert small.numbers == big.numbers


# -- orderings ------------------------------------------------------------------------------------

FAR_FUTURE = date.max

SORT_KEYS: dict[str, Callable[[Record], Any]] = {
    "DUE_DATE": lambda r: r.due_date,
    "PRIORITY": lambda r: r.priority,
    "NUMBER": lambda r: r.number,
    "UPDATED_AT": lambda r: r.updated_at,
}
ORDERED_LISTS = [
    ("success@acme.example", "successCases", ALL),
    ("multi@initech.example", "successCases", ALL),
    ("admin@csm.example", "successTasks", MINE),
    ("agent@csm.example", "touchpoints", MINE),
]
ORDERINGS = [(f, d) for f in SORT_KEYS for d in ("ASC", "DESC")]


def _ids(walk_nodes: list[dict[str, Any]]) -> list[int]:
    return [decode_global_id(node["id"])[1] for node in walk_nodes]


@pytest.mark.parametrize(("field", "direction"), ORDERINGS, ids=[f"{f}-{d}" for f, d in ORDERINGS])
@pytest.mark.parametrize(
    ("email", "list_name", "scope"),
    ORDERED_LISTS,
    ids=[f"{e.split('@')[0]}-{n}-{s}" for e, n, s in ORDERED_LISTS],
)
async def test_orderings_sort_the_same_set(
    client: GraphQLClient,
    snapshot: Snapshot,
    email: str,
    list_name: str,
    scope: str,
    field: str,
    direction: str,
) -> None:
    expected = snapshot.visible(snapshot.principal(email), list_name, scope)
    walk = await page_through(
        client,
        list_name,
        email,
        scope=scope,
        first=10 if len(expected) < 50 else 25,
        order_by={"field": field, "direction": direction},
        node_fields="id number priority dueDate",
    )
    assert set(walk.numbers) == expected
    assert walk.totals == [len(expected)] * len(walk.totals)
    by_number = snapshot.by_number(list_name)
    records = [by_number[number] for number in walk.numbers]
    assert _ids(walk.nodes) == [r.id for r in records], "ids and numbers disagree"
    # What the API shows agrees with the rows the order is checked against.
    assert [PRIORITY_RANKS[n["priority"]] for n in walk.nodes] == [r.priority for r in records]
    assert [n["dueDate"] for n in walk.nodes] == [
        r.due_date.isoformat() if r.due_date else None for r in records
    ]
    key = SORT_KEYS[field]
    if direction == "ASC":
        # "then by id"; due dates: empty last.
        def ascending(r: Record) -> tuple[Any, ...]:
            value = key(r)
            if field == "DUE_DATE":
                return (value is None, value or FAR_FUTURE, r.id)
            return (value, r.id)

        assert walk.numbers == [r.number for r in sorted(records, key=ascending)]
        if field == "DUE_DATE":
            assert records[-1].due_date is None, "the data must hold records without a due date"
        return
    # DESC: keys never increase; records without a due date come last here too ("empty
    # last" in both directions); ties are broken by id in one consistent direction.
    dated = records
    if field == "DUE_DATE":
        empty = [i for i, r in enumerate(records) if r.due_date is None]
        assert empty, "the data must hold records without a due date"
        assert empty == list(range(len(records) - len(empty), len(records))), "empty not last"
        dated = [r for r in records if r.due_date is not None]
    keys = [key(r) for r in dated]
    assert all(a >= b for a, b in itertools.pairwise(keys)), f"{field} DESC not sorted"
    tie_steps = {a.id < b.id for a, b in itertools.pairwise(dated) if key(a) == key(b)}
    if field == "PRIORITY":
        assert tie_steps, "priority ties must exist to check the tiebreak"
    assert len(tie_steps) <= 1, "ties are not broken by id consistently"


# -- filters ---------------------------------------------------------------------------------------

FILTERED_LISTS = [
    ("viewer@csm.example", "successCases", ALL),
    ("agent@csm.example", "successTasks", MINE),
    ("success@acme.example", "successCases", ALL),
    ("multi@initech.example", "successTasks", ALL),
]
FILTER_CASES = [
    "state",
    "priority",
    "engagement",
    "foreign-engagement",
    "dueFrom",
    "dueTo",
    "due-range",
    "combined",
]


WORK_STATES = ["NEW", "IN_PROGRESS", "PAUSED", "BLOCKED", "CLOSED", "CANCELED"]


def _common_and_other(values: list[str], vocabulary: list[str]) -> list[str]:
    """The most common value, plus one that no row has (or else the rarest): a filter list that
    keeps some rows and drops others whenever the rows hold two values or more."""
    counts = {v: values.count(v) for v in vocabulary}
    common = max(vocabulary, key=lambda v: counts[v])
    absent = [v for v in vocabulary if counts[v] == 0]
    rarest = min((v for v in vocabulary if counts[v] and v != common), key=lambda v: counts[v])
    return [common, absent[0] if absent else rarest]


def _filters(
    snapshot: Snapshot, email: str, records: list[Record]
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Filter case -> (GraphQL filter, matches_filter keywords), chosen from the visible rows."""
    who = snapshot.principal(email)
    engagements = Counter(r.engagement_id for r in records if r.engagement_id is not None)
    busiest = max(engagements, key=lambda e: (engagements[e], -e))
    foreign = min(
        e.id
        for e in snapshot.engagements.values()
        if e.account_id not in who.accounts and e.id != busiest
    )
    dates = sorted(r.due_date for r in records if r.due_date is not None)
    low, high = dates[len(dates) // 3], dates[2 * len(dates) // 3]
    states = _common_and_other([str(r.state) for r in records], WORK_STATES)
    priorities = _common_and_other(
        [PRIORITY_NAMES[r.priority] for r in records if r.priority], list(PRIORITY_RANKS)
    )
    return {
        "state": ({"state": states}, {"states": states}),
        "priority": ({"priority": priorities}, {"priorities": priorities}),
        "engagement": (
            {"engagement": global_id("Engagement", busiest)},
            {"engagement_id": busiest},
        ),
        "foreign-engagement": (
            {"engagement": global_id("Engagement", foreign)},
            {"engagement_id": foreign},
        ),
        "dueFrom": ({"dueFrom": high.isoformat()}, {"due_from": high}),
        "dueTo": ({"dueTo": low.isoformat()}, {"due_to": low}),
        "due-range": (
            {"dueFrom": low.isoformat(), "dueTo": high.isoformat()},
            {"due_from": low, "due_to": high},
        ),
        "combined": (
            {
                "state": ["NEW", "IN_PROGRESS", "PAUSED"],
                "priority": ["HIGH", "MODERATE", "LOW"],
                "dueTo": high.isoformat(),
            },
            {
                "states": ["NEW", "IN_PROGRESS", "PAUSED"],
                "priorities": ["HIGH", "MODERATE", "LOW"],
                "due_to": high,
            },
        ),
    }


@pytest.mark.parametrize("case", FILTER_CASES)
@pytest.mark.parametrize(
    ("email", "list_name", "scope"),
    FILTERED_LISTS,
    ids=[f"{e.split('@')[0]}-{n}-{s}" for e, n, s in FILTERED_LISTS],
)
async def test_filters_return_the_expected_subset(
    client: GraphQLClient,
    snapshot: Snapshot,
    email: str,
    list_name: str,
    scope: str,
    case: str,
) -> None:
    who = snapshot.principal(email)
    records = snapshot.visible_records(who, list_name, scope)
    graphql_filter, keywords = _filters(snapshot, email, records)[case]
    expected = {r.number for r in records if matches_filter(r, **keywords)}
    if case == "foreign-engagement":
        if not who.internal:
            assert expected == set(), "another account's engagement shows nothing"
    else:
        assert expected, f"{case}: the filter must keep something"
        assert len(expected) < len(records), f"{case}: the filter must drop something"
    walk = await page_through(
        client, list_name, email, scope=scope, first=100, filter=graphql_filter
    )
    assert set(walk.numbers) == expected
    assert walk.totals == [len(expected)] * len(walk.totals)


# -- users and accounts ----------------------------------------------------------------------------

USERS = "{ users(first: 100) { totalCount nodes { id email } } }"
ACCOUNTS = "{ accounts(first: 100) { totalCount nodes { id name } } }"


@pytest.mark.parametrize("email", INTERNAL_SUCCESS)
async def test_internal_viewers_list_users(client: GraphQLClient, email: str) -> None:
    users = (await client.query(USERS, as_=email))["users"]
    assert users["totalCount"] > 0
    assert email in {u["email"] for u in users["nodes"]}


@pytest.mark.parametrize("email", EXTERNAL_SUCCESS + NO_SUCCESS[2:])
async def test_contacts_list_no_users(client: GraphQLClient, email: str) -> None:
    users = (await client.query(USERS, as_=email))["users"]
    assert users == {"totalCount": 0, "nodes": []}


@pytest.mark.parametrize("email", EXTERNAL_SUCCESS + NO_SUCCESS[2:])
async def test_contacts_list_their_accounts(
    client: GraphQLClient, snapshot: Snapshot, email: str
) -> None:
    who = snapshot.principal(email)
    accounts = (await client.query(ACCOUNTS, as_=email))["accounts"]
    expected = {global_id("Account", a) for a in who.accounts}
    assert {a["id"] for a in accounts["nodes"]} == expected
    assert {a["name"] for a in accounts["nodes"]} == {
        snapshot.accounts[a]["name"] for a in who.accounts
    }
    assert accounts["totalCount"] == len(expected)
