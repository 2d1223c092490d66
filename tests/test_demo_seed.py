"""The demo data set: deterministic, scalable, and on both sides of every success access rule."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from csm_graphql.db.engine import to_async_url
from csm_graphql.db.migrate import upgrade
from csm_graphql.demo import personas
from csm_graphql.demo.seed import SeedSummary, seed
from csm_graphql.tables import metadata

ANCHOR = date(2026, 11, 23)
SUCCESS_TABLES = ("success_initiatives", "success_cases", "success_tasks", "touchpoints")
CONTACT_LISTS = {
    "success_initiatives": "success_initiative_contacts",
    "success_cases": "success_case_contacts",
    "success_tasks": "success_task_contacts",
    "touchpoints": "touchpoint_contacts",
}


@pytest.fixture(scope="module")
async def engine() -> AsyncIterator[AsyncEngine]:
    """A throwaway, migrated database on the test server."""
    server = make_url(
        to_async_url(
            os.environ.get(
                "CSM_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
            )
        )
    )
    name = f"test_demo_seed_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = create_async_engine(server.set(database=name))
    try:
        await upgrade(database)
        yield database
    finally:
        await database.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(scope="module")
async def summary(engine: AsyncEngine) -> SeedSummary:
    """The default data set (scale 1, seed 42), committed for the read-only tests."""
    async with engine.begin() as conn:
        return await seed(conn, anchor=ANCHOR)


@pytest.fixture
async def conn(engine: AsyncEngine, summary: SeedSummary) -> AsyncIterator[AsyncConnection]:
    """A connection whose transaction is rolled back, so tests may reseed freely."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


async def digests(conn: AsyncConnection) -> dict[str, str]:
    """An md5 of every application table's full contents."""
    result = {}
    for table in metadata.sorted_tables:
        query = (
            "SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
            f" FROM {table.name} t"
        )
        result[table.name] = (await conn.execute(text(query))).scalar_one()
    return result


async def scalar(conn: AsyncConnection, sql: str, **params: object) -> Any:
    return (await conn.execute(text(sql), params)).scalar_one()


async def account_id(conn: AsyncConnection, name: str) -> int:
    return await scalar(conn, "SELECT id FROM accounts WHERE name = :name", name=name)


async def contact_id(conn: AsyncConnection, persona: personas.Persona) -> int:
    return await scalar(conn, "SELECT id FROM contacts WHERE email = :email", email=persona.email)


# --- determinism and scale --------------------------------------------------------------------


async def test_same_seed_and_anchor_give_identical_tables(conn: AsyncConnection) -> None:
    committed = await digests(conn)
    await seed(conn, anchor=ANCHOR)
    assert await digests(conn) == committed


async def test_another_seed_gives_other_data(conn: AsyncConnection) -> None:
    base = await digests(conn)
    await seed(conn, seed=7, anchor=ANCHOR)
    other = await digests(conn)
    for table in ("contacts", "engagements", "success_cases", "success_tasks", "activities"):
        assert other[table] != base[table]


async def test_scale_two_doubles_the_generated_graph(
    conn: AsyncConnection, summary: SeedSummary
) -> None:
    one = summary
    two = await seed(conn, scale=2, anchor=ANCHOR)
    assert 800 <= one.counts["success_cases"] <= 1_400
    assert 1.7 <= two.counts["success_cases"] / one.counts["success_cases"] <= 2.3
    assert two.counts["accounts"] > one.counts["accounts"]


async def test_summary_counts_every_table(conn: AsyncConnection, summary: SeedSummary) -> None:
    assert set(summary.counts) == set(metadata.tables)
    for table, count in summary.counts.items():
        assert await scalar(conn, f"SELECT count(*) FROM {table}") == count
    assert summary.counts["audit_log"] == 0


async def test_ids_and_numbers_start_at_one_and_identities_continue(conn: AsyncConnection) -> None:
    for table, prefix in (("success_cases", "SCASE"), ("engagements", "ENG"), ("accounts", "ACCT")):
        mismatched = await scalar(
            conn,
            f"SELECT count(*) FROM {table} WHERE number <> :prefix || lpad(id::text, 7, '0')",
            prefix=prefix,
        )
        assert mismatched == 0
    last = await scalar(conn, "SELECT max(id) FROM products")
    new = await scalar(conn, "INSERT INTO products (name) VALUES ('New') RETURNING id")
    assert new == last + 1


async def test_times_are_relative_to_the_anchor(conn: AsyncConnection) -> None:
    for table in SUCCESS_TABLES:
        row = (
            await conn.execute(
                text(
                    "SELECT min(due_date), max(due_date),"
                    " count(*) FILTER (WHERE due_date IS NULL),"
                    f" max(updated_at)::date, bool_and(updated_at >= created_at) FROM {table}"
                )
            )
        ).one()
        assert row[0] >= date(2026, 9, 24)
        assert row[1] <= date(2027, 3, 23)
        assert row[2] > 0
        assert row[3] <= ANCHOR
        assert row[4]
    assert (await scalar(conn, "SELECT max(at)::date FROM activities")) <= ANCHOR


# --- personas and accounts --------------------------------------------------------------------


async def test_personas_exist_with_exact_emails_and_roles(conn: AsyncConnection) -> None:
    for persona in (*personas.PERSONAS, *personas.INACTIVE_PERSONAS):
        table = "users" if persona.kind == "USER" else "contacts"
        row = (
            await conn.execute(
                text(f"SELECT name, roles, active FROM {table} WHERE email = :email"),
                {"email": persona.email},
            )
        ).one()
        assert (row.name, tuple(row.roles), row.active) == (
            persona.name,
            persona.roles,
            persona.active,
        )
        if persona.account:
            account = next(a for a in personas.ACCOUNTS if a.key == persona.account)
            owner = await scalar(
                conn,
                "SELECT a.name FROM contacts c JOIN accounts a ON a.id = c.account_id"
                " WHERE c.email = :email",
                email=persona.email,
            )
            assert owner == account.name
    assert {p.email for p in personas.PERSONAS} >= {"agent@csm.example", "multi@initech.example"}


async def test_named_accounts_hierarchy_and_relationships(conn: AsyncConnection) -> None:
    acme = await account_id(conn, "Acme Corp")
    children = await conn.scalars(
        text("SELECT name FROM accounts WHERE parent_id = :acme ORDER BY name"), {"acme": acme}
    )
    assert children.all() == ["Acme Americas", "Acme Europe"]
    served = await conn.scalars(
        text(
            "SELECT c.name FROM partner_relationships r"
            " JOIN accounts p ON p.id = r.partner_account_id"
            " JOIN accounts c ON c.id = r.customer_account_id WHERE p.name = 'Globex Partners'"
            " ORDER BY c.name"
        )
    )
    assert served.all() == ["Acme Corp", "Initech"]
    multi = await contact_id(conn, personas.MULTI_ACCOUNT)
    related = await scalar(
        conn,
        "SELECT a.name FROM contact_relationships r JOIN accounts a ON a.id = r.account_id"
        " WHERE r.contact_id = :multi",
        multi=multi,
    )
    assert related == "Umbrella Health"
    assert await scalar(conn, "SELECT count(*) FROM accounts WHERE parent_id > 6") > 0


# --- both sides of the success access rules ---------------------------------------------------


async def filter_counts(
    conn: AsyncConnection, table: str, account: int, contact: int
) -> dict[str, int]:
    """How the contact appears in the contact filters of the account's records, by visibility."""
    sql = f"""
        SELECT
          count(*) FILTER (WHERE visible_to_customer) AS visible,
          count(*) FILTER (WHERE NOT visible_to_customer) AS invisible,
          count(*) FILTER (WHERE visible_to_customer AND in_filter) AS visible_named,
          count(*) FILTER (WHERE NOT visible_to_customer AND in_filter) AS invisible_named,
          count(*) FILTER (WHERE visible_to_customer AND NOT in_filter) AS visible_unnamed,
          count(*) FILTER (WHERE listed AND contact_id IS DISTINCT FROM :contact) AS only_listed,
          count(*) FILTER (WHERE contact_id = :contact AND NOT listed) AS only_contact
        FROM (
          SELECT r.visible_to_customer, r.contact_id,
                 EXISTS (SELECT 1 FROM {CONTACT_LISTS[table]} l
                         WHERE l.record_id = r.id AND l.contact_id = :contact) AS listed,
                 r.contact_id = :contact OR EXISTS (
                     SELECT 1 FROM {CONTACT_LISTS[table]} l
                     WHERE l.record_id = r.id AND l.contact_id = :contact) AS in_filter
          FROM {table} r WHERE r.account_id = :account
        ) records
    """
    row = (await conn.execute(text(sql), {"account": account, "contact": contact})).one()
    return dict(row._mapping)


@pytest.mark.parametrize("persona", [personas.SUCCESS_CUSTOMER, personas.CASE_MANAGER])
@pytest.mark.parametrize("table", SUCCESS_TABLES)
async def test_acme_records_sit_on_both_sides_for_its_success_viewers(
    conn: AsyncConnection, table: str, persona: personas.Persona
) -> None:
    counts = await filter_counts(
        conn, table, await account_id(conn, "Acme Corp"), await contact_id(conn, persona)
    )
    assert all(count > 0 for count in counts.values()), counts


async def test_acme_volume_stays_small_enough_to_page(conn: AsyncConnection) -> None:
    acme = await account_id(conn, "Acme Corp")
    cases = await scalar(conn, "SELECT count(*) FROM success_cases WHERE account_id = :a", a=acme)
    assert 40 <= cases <= 80


async def test_acme_personas_without_success_roles_are_named_in_filters(
    conn: AsyncConnection,
) -> None:
    acme = await account_id(conn, "Acme Corp")
    for persona in (personas.CUSTOMER, personas.CUSTOMER_ADMIN):
        counts = await filter_counts(conn, "success_cases", acme, await contact_id(conn, persona))
        assert counts["visible_named"] > 0
        assert counts["invisible_named"] > 0


async def test_umbrella_records_name_the_multi_account_contact(conn: AsyncConnection) -> None:
    multi = await contact_id(conn, personas.MULTI_ACCOUNT)
    for account in ("Umbrella Health", "Initech"):
        counts = await filter_counts(conn, "success_cases", await account_id(conn, account), multi)
        assert counts["visible_named"] > 0
        assert counts["invisible_named"] > 0


async def test_acme_europe_names_an_acme_corp_contact(conn: AsyncConnection) -> None:
    """A contact filter must not widen the account scope: these records prove it."""
    counts = await filter_counts(
        conn,
        "success_cases",
        await account_id(conn, "Acme Europe"),
        await contact_id(conn, personas.SUCCESS_CUSTOMER),
    )
    assert counts["visible_named"] > 0


@pytest.mark.parametrize("parent", ["initiative_id", "success_case_id"])
async def test_task_visibility_differs_from_its_parent(conn: AsyncConnection, parent: str) -> None:
    parent_table = "success_initiatives" if parent == "initiative_id" else "success_cases"
    sql = f"""
        SELECT count(*) FILTER (WHERE t.visible_to_customer AND NOT p.visible_to_customer),
               count(*) FILTER (WHERE NOT t.visible_to_customer AND p.visible_to_customer),
               count(*) FILTER (WHERE t.visible_to_customer AND p.visible_to_customer)
        FROM success_tasks t JOIN {parent_table} p ON p.id = t.{parent}
        WHERE t.account_id = :acme
    """
    row = (await conn.execute(text(sql), {"acme": await account_id(conn, "Acme Corp")})).one()
    assert all(count > 0 for count in row), row


async def test_tasks_have_exactly_one_parent_of_both_kinds(conn: AsyncConnection) -> None:
    row = (
        await conn.execute(
            text("SELECT count(initiative_id), count(success_case_id), count(*) FROM success_tasks")
        )
    ).one()
    assert row[0] > 0
    assert row[1] > 0
    assert row[0] + row[1] == row[2]
    under = await scalar(conn, "SELECT count(*) FROM success_cases WHERE initiative_id IS NOT NULL")
    assert 0 < under < await scalar(conn, "SELECT count(*) FROM success_cases")


async def test_states_priorities_and_progress_cover_their_vocabularies(
    conn: AsyncConnection,
) -> None:
    acme = await account_id(conn, "Acme Corp")
    for table in ("success_initiatives", "success_cases", "success_tasks"):
        states = await conn.scalars(
            text(f"SELECT DISTINCT state FROM {table} WHERE account_id = :a ORDER BY 1"),
            {"a": acme},
        )
        assert set(states.all()) == {
            "NEW",
            "IN_PROGRESS",
            "PAUSED",
            "BLOCKED",
            "CLOSED",
            "CANCELED",
        }
        priorities = await conn.scalars(
            text(f"SELECT DISTINCT priority FROM {table} WHERE account_id = :a"), {"a": acme}
        )
        assert set(priorities.all()) == {1, 2, 3, 4, 5}
    progress = await conn.scalars(text("SELECT DISTINCT progress FROM success_tasks"))
    assert len(progress.all()) == 6
    types = await conn.scalars(text("SELECT DISTINCT type FROM touchpoints"))
    assert len(types.all()) == 5


@pytest.mark.parametrize("persona", [personas.AGENT, personas.VIEWER, personas.ADMIN])
async def test_scope_mine_is_not_empty_for_internal_success_personas(
    conn: AsyncConnection, persona: personas.Persona
) -> None:
    """Those who may work success records have some assigned; the viewer, whom the API never
    assigns (assignSuccessRecord), has none (tests/test_demo_invariants.py)."""
    user = await scalar(conn, "SELECT id FROM users WHERE email = :e", e=persona.email)
    for table in SUCCESS_TABLES:
        assigned = await scalar(
            conn, f"SELECT count(*) FROM {table} WHERE assigned_to_id = :u", u=user
        )
        assert (assigned > 0) is (persona is not personas.VIEWER), (table, assigned)
    assert await scalar(conn, "SELECT count(*) FROM success_cases WHERE assigned_to_id IS NULL")


@pytest.mark.parametrize("word", ["onboarding", "adoption", "renewal", "integration", "training"])
async def test_search_words_appear_in_visible_and_invisible_acme_records(
    conn: AsyncConnection, word: str
) -> None:
    union = " UNION ALL ".join(
        f"SELECT visible_to_customer FROM {table} WHERE account_id = :a"
        " AND search_vector @@ plainto_tsquery('english', :word)"
        for table in SUCCESS_TABLES
    )
    visible = await conn.scalars(
        text(f"SELECT DISTINCT v FROM ({union}) hits(v)"),
        {"a": await account_id(conn, "Acme Corp"), "word": word},
    )
    assert set(visible.all()) == {True, False}


async def test_churn_is_a_word_of_invisible_records_only(conn: AsyncConnection) -> None:
    union = " UNION ALL ".join(
        f"SELECT account_id, visible_to_customer FROM {table}"
        " WHERE search_vector @@ plainto_tsquery('english', 'churn')"
        for table in SUCCESS_TABLES
    )
    hits = {tuple(row) for row in await conn.execute(text(f"SELECT DISTINCT * FROM ({union}) h"))}
    assert {visible for _, visible in hits} == {False}
    assert (await account_id(conn, "Acme Corp"), False) in hits


async def test_work_notes_and_internal_articles_reach_visible_cases(conn: AsyncConnection) -> None:
    acme = await account_id(conn, "Acme Corp")
    kinds = await conn.execute(
        text(
            "SELECT DISTINCT a.kind, s.visible_to_customer FROM activities a"
            " JOIN success_cases s ON a.record_type = 'success_case' AND s.id = a.record_id"
            " WHERE s.account_id = :a"
        ),
        {"a": acme},
    )
    pairs = {tuple(row) for row in kinds}
    for kind in ("COMMENT", "WORK_NOTE", "STATE_CHANGE"):
        assert {(kind, True), (kind, False)} <= pairs
    shared = await conn.execute(
        text(
            "SELECT DISTINCT k.audience, s.visible_to_customer FROM success_case_articles x"
            " JOIN knowledge_articles k ON k.id = x.article_id"
            " JOIN success_cases s ON s.id = x.success_case_id WHERE s.account_id = :a"
        ),
        {"a": acme},
    )
    assert ("INTERNAL", True) in {tuple(row) for row in shared}
    for record_type in ("engagement", "success_task"):
        assert await scalar(
            conn, "SELECT count(*) FROM activities WHERE record_type = :t", t=record_type
        )


async def test_engagements_vary_and_nest(conn: AsyncConnection) -> None:
    acme = await account_id(conn, "Acme Corp")
    nested = await scalar(
        conn,
        "SELECT count(*) FROM engagements WHERE account_id = :a AND parent_id IS NOT NULL",
        a=acme,
    )
    assert nested > 0
    row = (
        await conn.execute(
            text(
                "SELECT count(DISTINCT state), count(DISTINCT stage), count(DISTINCT"
                " perceived_health), count(*) FILTER (WHERE contract_value IS NULL)"
                " FROM engagements"
            )
        )
    ).one()
    assert row[:3] == (5, 5, 4)
    assert row[3] > 0
