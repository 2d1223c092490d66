"""Keyset pagination: stable cursors, checked arguments and the connection shape.

The stability tests insert rows, so this module works on a database of its own (migrated and
seeded like the shared one, dropped afterwards); the shared session database stays untouched.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.app import create_app
from csm_graphql.db import create_engine
from csm_graphql.db.migrate import upgrade
from csm_graphql.demo.seed import seed
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.settings import Settings
from tests.conftest import ANCHOR, SEED, create_database, drop_database
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
SUCCESS = "success@acme.example"

CONNECTION = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { number } } "
CONNECTION += "nodes { number }"

SUCCESS_CASES = (
    "query($first: Int, $after: String, $order: SuccessRecordOrder) "
    f"{{ successCases(first: $first, after: $after, orderBy: $order) {{ {CONNECTION} }} }}"
)

# The sort key of each ordering, in SQL, for expectations computed independently.
SQL_ORDER = {
    ("DUE_DATE", "ASC"): "coalesce(r.due_date, 'infinity'::date) ASC, r.id ASC",
    ("DUE_DATE", "DESC"): "r.due_date DESC NULLS LAST, r.id DESC",  # empty last both ways
    ("NUMBER", "ASC"): "r.number ASC, r.id ASC",
    ("NUMBER", "DESC"): "r.number DESC, r.id DESC",
    ("PRIORITY", "ASC"): "r.priority ASC, r.id ASC",
}


@dataclass
class Own:
    client: GraphQLClient
    engine: AsyncEngine


@pytest.fixture(scope="module")
async def own(server_url: str) -> AsyncIterator[Own]:
    url = await create_database(server_url, prefix="csm_paging")
    settings = Settings(environment="test", database_url=url)
    engine = create_engine(url, settings)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await seed(connection, scale=1, seed=SEED, anchor=ANCHOR)
        principals: dict[str, tuple[PrincipalKind, int]] = {}
        async with engine.connect() as connection:
            for kind, table in (
                (PrincipalKind.USER, tables.users),
                (PrincipalKind.CONTACT, tables.contacts),
            ):
                for row in await connection.execute(select(table.c.email, table.c.id)):
                    principals[row.email] = (kind, row.id)
        transport = httpx.ASGITransport(app=create_app(settings, engine=engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield Own(GraphQLClient(http, settings, principals), engine)
    finally:
        await engine.dispose()
        await drop_database(server_url, url)


def check_connection(connection: dict[str, Any]) -> None:
    """Every connection: nodes are the edges' nodes; the last edge's cursor is endCursor."""
    edges = connection["edges"]
    assert connection["nodes"] == [edge["node"] for edge in edges]
    assert connection["pageInfo"]["endCursor"] == (edges[-1]["cursor"] if edges else None)
    assert len({edge["cursor"] for edge in edges}) == len(edges)


def numbers(connection: dict[str, Any]) -> list[str]:
    return [node["number"] for node in connection["nodes"]]


async def success_cases(
    client: GraphQLClient,
    *,
    first: int | None = None,
    after: str | None = None,
    order: dict[str, str] | None = None,
    as_: str = AGENT,
) -> dict[str, Any]:
    variables = {"first": first, "after": after, "order": order}
    connection = (await client.query(SUCCESS_CASES, variables, as_=as_))["successCases"]
    check_connection(connection)
    return connection


def _assert_bad_input(body: dict[str, Any]) -> None:
    assert body.get("errors"), body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"], body
    assert body.get("data") is None, body


def _cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(parts))).decode().rstrip("=")


def _raw_cursor(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


# -- cursor stability ---------------------------------------------------------------------------


async def _any_engagement(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        row = (
            await connection.execute(text("SELECT id, account_id FROM engagements LIMIT 1"))
        ).one()
    return row.id, row.account_id


async def _insert_success_cases(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    engagement_id, account_id = await _any_engagement(engine)
    async with engine.begin() as connection:
        for row in rows:
            await connection.execute(
                tables.success_cases.insert().values(
                    engagement_id=engagement_id,
                    account_id=account_id,
                    short_description="Inserted before the cursor",
                    **row,
                )
            )


async def test_cursor_is_stable_when_rows_are_inserted_before_it_by_number(own: Own) -> None:
    order = {"field": "NUMBER", "direction": "ASC"}
    page1 = await success_cases(own.client, first=5, order=order)
    cursor = page1["pageInfo"]["endCursor"]
    page2 = await success_cases(own.client, first=5, after=cursor, order=order)
    first_numbers = numbers(page1)
    # Before everything (prefixes sort first in every collation), and between page-1 rows.
    inserted = ["SCASE", "SCASE0", f"{first_numbers[1]}1", f"{first_numbers[3]}1"]
    async with own.engine.connect() as connection:
        before_cursor = await connection.scalar(
            text("SELECT bool_and(n < :last) FROM unnest(CAST(:ns AS text[])) n"),
            {"last": first_numbers[-1], "ns": inserted},
        )
    assert before_cursor, "the inserted numbers must sort before the cursor"
    await _insert_success_cases(own.engine, [{"number": n, "due_date": None} for n in inserted])

    again = await success_cases(own.client, first=5, after=cursor, order=order)
    assert numbers(again) == numbers(page2)
    assert again["pageInfo"] == page2["pageInfo"]
    assert again["edges"] == page2["edges"]
    assert again["totalCount"] == page2["totalCount"] + len(inserted)
    # The rows really are in front: page 1 fetched anew starts with them.
    fresh = await success_cases(own.client, first=5, order=order)
    assert numbers(fresh)[:2] == ["SCASE", "SCASE0"]
    assert set(inserted) <= set(numbers(await success_cases(own.client, first=9, order=order)))


async def test_cursor_is_stable_when_rows_are_inserted_before_it_by_due_date(own: Own) -> None:
    order = {"field": "DUE_DATE", "direction": "ASC"}
    page1 = await success_cases(own.client, first=5, order=order)
    cursor = page1["pageInfo"]["endCursor"]
    page2 = await success_cases(own.client, first=5, after=cursor, order=order)
    async with own.engine.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT number, due_date FROM success_cases WHERE number = ANY(:ns)"),
                {"ns": numbers(page1)},
            )
        ).all()
    due = {row.number: row.due_date for row in rows}
    last_due = due[numbers(page1)[-1]]
    first_due = due[numbers(page1)[0]]
    assert last_due is not None
    await _insert_success_cases(
        own.engine,
        [
            # Earlier than everything; the day before the cursor's due date; and on the
            # cursor's own due date with a smaller id (0), before the cursor's row by the
            # tiebreak. (A same-day row with a larger id would rightly come after it.)
            {"number": "SCASE9990001", "due_date": first_due - timedelta(days=2000)},
            {"number": "SCASE9990002", "due_date": last_due - timedelta(days=1)},
            {"number": "SCASE9990003", "due_date": last_due, "id": 0},
        ],
    )
    again = await success_cases(own.client, first=5, after=cursor, order=order)
    assert numbers(again) == numbers(page2)
    assert again["edges"] == page2["edges"]
    assert again["pageInfo"] == page2["pageInfo"]
    assert again["totalCount"] == page2["totalCount"] + 3
    fresh = await success_cases(own.client, first=8, order=order)
    assert numbers(fresh)[0] == "SCASE9990001"
    assert {"SCASE9990001", "SCASE9990002", "SCASE9990003"} <= set(numbers(fresh))


async def test_cursor_of_a_visible_list_is_stable_for_a_customer(own: Own) -> None:
    order = {"field": "NUMBER", "direction": "DESC"}
    page1 = await success_cases(own.client, first=3, order=order, as_=SUCCESS)
    cursor = page1["pageInfo"]["endCursor"]
    page2 = await success_cases(own.client, first=3, after=cursor, order=order, as_=SUCCESS)
    engagement_id, account_id = await _any_acme_engagement(own.engine)
    async with own.engine.begin() as connection:
        await connection.execute(
            tables.success_cases.insert().values(
                number="SCASE9999999",  # sorts first when descending
                engagement_id=engagement_id,
                account_id=account_id,
                short_description="Visible and inserted before the cursor",
                visible_to_customer=True,
            )
        )
    fresh = await success_cases(own.client, first=3, order=order, as_=SUCCESS)
    assert numbers(fresh)[0] == "SCASE9999999"
    again = await success_cases(own.client, first=3, after=cursor, order=order, as_=SUCCESS)
    assert numbers(again) == numbers(page2)
    assert again["totalCount"] == page2["totalCount"] + 1


async def _any_acme_engagement(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT e.id, e.account_id FROM engagements e "
                    "JOIN contacts c ON c.account_id = e.account_id "
                    "WHERE c.email = :email ORDER BY e.id LIMIT 1"
                ),
                {"email": SUCCESS},
            )
        ).one()
    return row.id, row.account_id


# -- walking whole lists ------------------------------------------------------------------------


async def _expected_success_cases(engine: AsyncEngine, email: str, order_sql: str) -> list[str]:
    """ACCESS.md in SQL: internal success readers see all; a success customer sees the
    visible_to_customer records of its accounts (own plus contact relationships)."""
    if email == AGENT:
        visible = "true"
    else:
        visible = (
            "r.visible_to_customer AND r.account_id IN ("
            "SELECT c.account_id FROM contacts c WHERE c.email = :email UNION "
            "SELECT cr.account_id FROM contact_relationships cr "
            "JOIN contacts c ON c.id = cr.contact_id WHERE c.email = :email)"
        )
    async with engine.connect() as connection:
        result = await connection.scalars(
            text(f"SELECT r.number FROM success_cases r WHERE {visible} ORDER BY {order_sql}"),
            {"email": email},
        )
        return list(result)


@pytest.mark.parametrize(
    ("email", "field", "direction", "first"),
    [
        (SUCCESS, "DUE_DATE", "ASC", 7),
        (SUCCESS, "NUMBER", "DESC", 4),
        ("multi@initech.example", "PRIORITY", "ASC", 6),
        (AGENT, "DUE_DATE", "DESC", 100),
    ],
)
async def test_walking_a_list_page_by_page_returns_every_row_once_in_order(
    own: Own, email: str, field: str, direction: str, first: int
) -> None:
    order = {"field": field, "direction": direction}
    walked: list[str] = []
    after = None
    totals = set()
    for _ in range(200):
        page = await success_cases(own.client, first=first, after=after, order=order, as_=email)
        totals.add(page["totalCount"])
        walked.extend(numbers(page))
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["nodes"]) == first
        after = page["pageInfo"]["endCursor"]
    else:
        pytest.fail("paging did not end")
    expected = await _expected_success_cases(own.engine, email, SQL_ORDER[(field, direction)])
    assert walked == expected
    assert totals == {len(expected)}


async def test_default_page_size_is_20(own: Own) -> None:
    page = await success_cases(own.client)
    assert len(page["nodes"]) == 20
    assert page["pageInfo"]["hasNextPage"]


async def test_first_zero_gives_an_empty_page_with_the_total(own: Own) -> None:
    for email in (AGENT, SUCCESS, "partner@globex.example"):
        page = await success_cases(own.client, first=0, as_=email)
        expected = await _expected_success_cases(own.engine, email, "r.id")
        if email == "partner@globex.example":
            expected = []
        assert page["nodes"] == []
        assert page["edges"] == []
        assert page["pageInfo"]["endCursor"] is None
        assert page["totalCount"] == len(expected), email


# -- bad arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("first", [101, -1, 1_000_000])
async def test_first_out_of_range_is_bad_user_input(own: Own, first: int) -> None:
    inline = await own.client.post(
        f"{{ successCases(first: {first}) {{ totalCount nodes {{ number }} }} }}", as_=AGENT
    )
    _assert_bad_input(inline.json())
    variable = await own.client.post(SUCCESS_CASES, {"first": first}, as_=AGENT)
    _assert_bad_input(variable.json())
    nested = await own.client.post(
        f"{{ engagements(first: 1) {{ nodes {{ initiatives(first: {first}) "
        "{ totalCount } } } }",
        as_=AGENT,
    )
    body = nested.json()
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert not (body.get("data") or {}).get("engagements"), body


async def test_first_100_is_allowed(own: Own) -> None:
    page = await success_cases(own.client, first=100)
    assert len(page["nodes"]) == 100


async def test_cursor_from_another_ordering_is_bad_user_input(own: Own) -> None:
    by_number = await success_cases(own.client, first=2, order={"field": "NUMBER"})
    by_due = await success_cases(own.client, first=2)
    number_cursor = by_number["pageInfo"]["endCursor"]
    due_cursor = by_due["pageInfo"]["endCursor"]
    for cursor, order in (
        (number_cursor, None),  # default ordering is DUE_DATE ASC
        (number_cursor, {"field": "NUMBER", "direction": "DESC"}),
        (number_cursor, {"field": "PRIORITY", "direction": "ASC"}),
        (due_cursor, {"field": "NUMBER", "direction": "ASC"}),
        (due_cursor, {"field": "DUE_DATE", "direction": "DESC"}),
    ):
        response = await own.client.post(
            SUCCESS_CASES, {"first": 2, "after": cursor, "order": order}, as_=AGENT
        )
        _assert_bad_input(response.json())


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!!",
        "=",
        "eyJub3QiOiAiYSBjdXJzb3IifQ",  # {"not": "a cursor"}
        _cursor("DUE_DATE_ASC"),
        _cursor("DUE_DATE_ASC", "2026-01-01"),
        _cursor("DUE_DATE_ASC", "2026-01-01", 1, 2),
        _cursor("DUE_DATE_ASC", 20260101, 1),
        _cursor("DUE_DATE_ASC", "2026-01-01", "1"),
        _cursor("DUE_DATE_ASC", None, 1),
        "x" * 5000,
    ],
)
async def test_garbage_cursor_is_bad_user_input(own: Own, cursor: str) -> None:
    response = await own.client.post(SUCCESS_CASES, {"first": 2, "after": cursor}, as_=AGENT)
    _assert_bad_input(response.json())


@pytest.mark.parametrize(
    ("cursor", "order"),
    [
        # Well-formed cursors of the right ordering whose sort key is not a value of that
        # ordering's type: the client's mistake (or a forgery), not a server error.
        (_cursor("DUE_DATE_ASC", "not-a-date", 5), None),
        (_cursor("PRIORITY_ASC", "high", 5), {"field": "PRIORITY", "direction": "ASC"}),
        (_cursor("UPDATED_AT_ASC", "yesterday-ish", 5), {"field": "UPDATED_AT"}),
        # A priority past smallint, and an id past bigint.
        (_cursor("PRIORITY_ASC", "99999", 5), {"field": "PRIORITY", "direction": "ASC"}),
        (_raw_cursor(b'["DUE_DATE_ASC","2026-01-01",9223372036854775808]'), None),
    ],
    ids=["date", "priority", "timestamp", "priority-past-smallint", "id-past-bigint"],
)
async def test_forged_cursor_with_a_bad_sort_key_is_bad_user_input(
    own: Own, cursor: str, order: dict[str, str] | None
) -> None:
    response = await own.client.post(
        SUCCESS_CASES, {"first": 2, "after": cursor, "order": order}, as_=AGENT
    )
    _assert_bad_input(response.json())


@pytest.mark.parametrize(
    ("cursor", "order"),
    [
        # Spellings Python reads but PostgreSQL might not: the key is passed on canonically.
        (_cursor("DUE_DATE_ASC", "2026-W23-1", 5), None),
        (_cursor("UPDATED_AT_ASC", "20260601T120000Z", 5), {"field": "UPDATED_AT"}),
        (_cursor("PRIORITY_ASC", "+3", 5), {"field": "PRIORITY", "direction": "ASC"}),
    ],
    ids=["week-date", "basic-timestamp", "signed-priority"],
)
async def test_odd_but_valid_sort_keys_page_normally(
    own: Own, cursor: str, order: dict[str, str] | None
) -> None:
    response = await own.client.post(
        SUCCESS_CASES, {"first": 2, "after": cursor, "order": order}, as_=AGENT
    )
    body = response.json()
    assert "errors" not in body, body
    assert len(body["data"]["successCases"]["nodes"]) == 2


async def test_a_forged_search_cursor_with_a_bad_rank_is_bad_user_input(own: Own) -> None:
    response = await own.client.post(
        'query($a: String) { search(text: "onboarding") { successCases(after: $a) '
        "{ totalCount } } }",
        {"a": _cursor("SuccessCase_RANK", "not-a-number", 5)},
        as_=AGENT,
    )
    _assert_bad_input(response.json())


# -- nested connections -------------------------------------------------------------------------

NESTED = (
    "query($id: ID!, $first: Int, $after: String, $order: SuccessRecordOrder) "
    "{ node(id: $id) { ... on Engagement { number initiatives(first: $first, after: $after, "
    f"orderBy: $order) {{ {CONNECTION} }} }} }} }}"
)


async def _engagement_with_initiatives(engine: AsyncEngine, email: str) -> int:
    """An engagement of the viewer's accounts with at least five initiatives it may see."""
    visible = "true" if email == AGENT else "i.visible_to_customer"
    async with engine.connect() as connection:
        engagement_id = await connection.scalar(
            text(
                "SELECT i.engagement_id FROM success_initiatives i "
                "JOIN engagements e ON e.id = i.engagement_id "
                "WHERE (:email = :agent OR e.account_id IN "
                "(SELECT account_id FROM contacts WHERE email = :email)) "
                f"AND {visible} GROUP BY i.engagement_id HAVING count(*) >= 5 "
                "ORDER BY count(*) DESC, i.engagement_id LIMIT 1"
            ),
            {"email": email, "agent": AGENT},
        )
    assert engagement_id is not None, email
    return engagement_id


@pytest.mark.parametrize(
    ("email", "order", "order_sql"),
    [
        (AGENT, None, SQL_ORDER[("DUE_DATE", "ASC")]),
        (AGENT, {"field": "NUMBER", "direction": "DESC"}, SQL_ORDER[("NUMBER", "DESC")]),
        (SUCCESS, None, SQL_ORDER[("DUE_DATE", "ASC")]),
    ],
)
async def test_nested_connections_paginate(
    own: Own, email: str, order: dict[str, str] | None, order_sql: str
) -> None:
    engagement_id = await _engagement_with_initiatives(own.engine, email)
    visible = "true" if email == AGENT else "r.visible_to_customer"
    async with own.engine.connect() as connection:
        expected = list(
            await connection.scalars(
                text(
                    f"SELECT r.number FROM success_initiatives r "
                    f"WHERE r.engagement_id = :e AND {visible} ORDER BY {order_sql}"
                ),
                {"e": engagement_id},
            )
        )
    variables: dict[str, Any] = {
        "id": to_global_id("Engagement", engagement_id),
        "first": 2,
        "after": None,
        "order": order,
    }
    walked: list[str] = []
    for _ in range(100):
        data = await own.client.query(NESTED, variables, as_=email)
        connection = data["node"]["initiatives"]
        check_connection(connection)
        assert connection["totalCount"] == len(expected)
        walked.extend(numbers(connection))
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert len(connection["nodes"]) == 2
        variables["after"] = connection["pageInfo"]["endCursor"]
    else:
        pytest.fail("nested paging did not end")
    assert walked == expected


async def test_nested_connection_rejects_a_garbage_cursor(own: Own) -> None:
    engagement_id = await _engagement_with_initiatives(own.engine, AGENT)
    errors = await own.client.errors(
        NESTED,
        {"id": to_global_id("Engagement", engagement_id), "first": 2, "after": "garbage"},
        as_=AGENT,
    )
    assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"]


async def test_page_info_has_relays_four_fields(own: Own) -> None:
    query = (
        "query($after: String) { successCases(first: 3, after: $after) { edges { cursor } "
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
    )
    first = (await own.client.query(query, {"after": None}, as_=AGENT))["successCases"]
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["startCursor"] == first["edges"][0]["cursor"]
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    after = first["pageInfo"]["endCursor"]
    second = (await own.client.query(query, {"after": after}, as_=AGENT))["successCases"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["pageInfo"]["startCursor"] == second["edges"][0]["cursor"] != after
