"""Full-text search: ranked hits grouped by source, under the same visibility as the lists.

Expectations come from SQL written here from ACCESS.md (not from the code under test): the
search document is ``number || short_description || description`` (for contacts, a success
task's is ``number || short_description``: its description is internal), the query is
PostgreSQL's ``websearch_to_tsquery('english', text)`` and the ranking is ``ts_rank``. The
shared session database is only read.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import GraphQLClient

AGENT = "agent@csm.example"
SUCCESS = "success@acme.example"
PARTNER = "partner@globex.example"

# GraphQL field of SearchResults -> table.
SOURCES = {
    "successCases": "success_cases",
    "successTasks": "success_tasks",
    "successInitiatives": "success_initiatives",
    "touchpoints": "touchpoints",
}

# ACCESS.md, "Customer success records".
INTERNAL_READERS = {"customer_success_agent", "customer_success_viewer", "admin"}
EXTERNAL_READERS = {"customer_success_customer", "customer_case_manager"}

INTERNAL_PERSONAS = [AGENT, "viewer@csm.example", "admin@csm.example", "caseagent@csm.example"]
EXTERNAL_PERSONAS = [
    SUCCESS,
    "manager@acme.example",
    "customer@acme.example",
    PARTNER,
    "multi@initech.example",
]
WORDS = ["onboarding", "renewal", "runbook", '"business review"', "training -integration"]

# The search document, as the issue defines it: number, short description and description. A
# success task's description is internal (ACCESS.md), so for contacts a task's document is its
# number and short description only: no hit, and no rank, from text they may not read. The
# indexed columns must equal these documents (checked below), so the expectations may use them
# and stay fast.
DOCUMENT = (
    "to_tsvector('english', r.number || ' ' || r.short_description || ' ' "
    "|| coalesce(r.description, ''))"
)
INDEXED = "r.search_vector"
CUSTOMER_TASK_DOCUMENT = "to_tsvector('english', r.number || ' ' || r.short_description)"
CUSTOMER_TASK_INDEXED = "r.customer_search_vector"


def _document(audience: str, table: str) -> str:
    """The indexed document a viewer of this audience searches in ``table``."""
    if table == "success_tasks" and audience != "all":
        return CUSTOMER_TASK_INDEXED
    return INDEXED


MY_ACCOUNTS = """
    SELECT c.account_id FROM contacts c WHERE lower(c.email) = lower(:email)
    UNION
    SELECT cr.account_id FROM contact_relationships cr
    JOIN contacts c ON c.id = cr.contact_id WHERE lower(c.email) = lower(:email)
"""

CONNECTION = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { number } } "
CONNECTION += "nodes { number }"


def _search_document() -> str:
    """One query for all four sources; a source whose hits are exhausted is skipped."""
    variables = ", ".join(f"${s}After: String, ${s}More: Boolean!" for s in SOURCES)
    fields = "\n".join(
        f"{s}(after: ${s}After) @include(if: ${s}More) {{ {CONNECTION} }}" for s in SOURCES
    )
    return (
        f"query Search($text: String!, $first: Int!, {variables}) "
        f"{{ search(text: $text, first: $first) {{ {fields} }} }}"
    )


SEARCH = _search_document()


# -- the independent expectation -----------------------------------------------------------------


async def _audience(engine: AsyncEngine, email: str) -> str:
    """'all', 'visible' or 'none': which row of the ACCESS.md table this principal falls in."""
    async with engine.connect() as connection:
        user_roles = await connection.scalar(
            text("SELECT roles FROM users WHERE lower(email) = lower(:e)"), {"e": email}
        )
        if user_roles is not None:
            return "all" if set(user_roles) & INTERNAL_READERS else "none"
        contact_roles = await connection.scalar(
            text("SELECT roles FROM contacts WHERE lower(email) = lower(:e)"), {"e": email}
        )
    assert contact_roles is not None, email
    return "visible" if set(contact_roles) & EXTERNAL_READERS else "none"


def _visible(audience: str, table: str) -> str:
    if audience == "all":
        return "true"
    if audience == "none":
        return "false"
    own = f"r.visible_to_customer AND r.account_id IN ({MY_ACCOUNTS})"
    if table != "success_tasks":
        return own

    def parent(parent_table: str, column: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {parent_table} p WHERE p.id = r.{column} "
            f"AND p.visible_to_customer AND p.account_id IN ({MY_ACCOUNTS}))"
        )

    return (
        f"{own} AND ({parent('success_initiatives', 'initiative_id')} "
        f"OR {parent('success_cases', 'success_case_id')})"
    )


async def expected_hits(engine: AsyncEngine, email: str, words: str) -> dict[str, dict[str, float]]:
    """Per source: number -> ts_rank of every record matching ``words`` that ``email`` sees."""
    audience = await _audience(engine, email)
    hits: dict[str, dict[str, float]] = {}
    async with engine.connect() as connection:
        for source, table in SOURCES.items():
            document = _document(audience, table)
            rows = await connection.execute(
                text(
                    f"SELECT r.number, ts_rank({document}, q) AS rank "
                    f"FROM {table} r, websearch_to_tsquery('english', :words) q "
                    f"WHERE {document} @@ q AND {_visible(audience, table)}"
                ),
                {"words": words, "email": email},
            )
            hits[source] = {row.number: row.rank for row in rows}
    return hits


# -- the API side ----------------------------------------------------------------------------------


def _check_connection(connection: dict[str, Any]) -> None:
    """Connection invariants: nodes are the edges' nodes; the last edge's cursor is endCursor."""
    edges = connection["edges"]
    assert connection["nodes"] == [edge["node"] for edge in edges]
    expected_end = edges[-1]["cursor"] if edges else None
    assert connection["pageInfo"]["endCursor"] == expected_end


async def search_all(
    client: GraphQLClient, email: str, words: str, first: int = 100
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Every hit of every source, in the API's order, by following endCursor page by page."""
    totals: dict[str, int] = {}
    hits: dict[str, list[str]] = {source: [] for source in SOURCES}
    after: dict[str, str | None] = dict.fromkeys(SOURCES)
    more = dict.fromkeys(SOURCES, True)
    for _ in range(100):
        if not any(more.values()):
            break
        variables: dict[str, Any] = {"text": words, "first": first}
        for source in SOURCES:
            variables[f"{source}After"] = after[source]
            variables[f"{source}More"] = more[source]
        data = await client.query(SEARCH, variables, as_=email)
        for source in SOURCES:
            if not more[source]:
                continue
            connection = data["search"][source]
            _check_connection(connection)
            assert totals.setdefault(source, connection["totalCount"]) == connection["totalCount"]
            hits[source].extend(node["number"] for node in connection["nodes"])
            more[source] = connection["pageInfo"]["hasNextPage"]
            after[source] = connection["pageInfo"]["endCursor"]
            if more[source]:
                assert len(connection["nodes"]) == first
    else:
        pytest.fail("search paging did not end")
    return totals, hits


async def search_totals(client: GraphQLClient, email: str, words: str) -> dict[str, int]:
    fields = " ".join(f"{source} {{ totalCount }}" for source in SOURCES)
    data = await client.query(
        f"query($t: String!) {{ search(text: $t, first: 0) {{ {fields} }} }}",
        {"t": words},
        as_=email,
    )
    return {source: data["search"][source]["totalCount"] for source in SOURCES}


def _assert_ranked(ranks: dict[str, float], numbers: list[str], context: str) -> None:
    sequence = [ranks[number] for number in numbers]
    for position, (higher, lower) in enumerate(itertools.pairwise(sequence)):
        assert higher >= lower, f"{context}: hit {position + 1} ranks below hit {position + 2}"


# -- tests -----------------------------------------------------------------------------------------


async def test_the_search_document_is_number_short_description_and_description(
    engine: AsyncEngine,
) -> None:
    """The expectations use the indexed documents: they must be exactly the documents."""
    async with engine.connect() as connection:
        for table in SOURCES.values():
            differing = await connection.scalar(
                text(f"SELECT count(*) FROM {table} r WHERE {INDEXED} <> {DOCUMENT}")
            )
            assert differing == 0, table
        differing = await connection.scalar(
            text(
                f"SELECT count(*) FROM success_tasks r "
                f"WHERE {CUSTOMER_TASK_INDEXED} <> {CUSTOMER_TASK_DOCUMENT}"
            )
        )
        assert differing == 0, "customer task document"


@pytest.mark.parametrize("email", EXTERNAL_PERSONAS)
async def test_every_hit_and_total_follows_the_visibility_rules(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    """All hits of every source, paged through, equal the SQL expectation, best first."""
    for words in WORDS:
        expected = await expected_hits(engine, email, words)
        totals, hits = await search_all(client, email, words)
        for source in SOURCES:
            context = f"{email} searching {words!r} in {source}"
            assert totals[source] == len(expected[source]), context
            assert len(hits[source]) == len(set(hits[source])), f"{context}: duplicate hits"
            assert set(hits[source]) == set(expected[source]), context
            _assert_ranked(expected[source], hits[source], context)


async def test_every_hit_for_the_agent_follows_the_ranking(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    words = '"business review" -renewal'
    expected = await expected_hits(engine, AGENT, words)
    totals, hits = await search_all(client, AGENT, words)
    for source in SOURCES:
        assert totals[source] == len(expected[source]) > 0, source
        assert len(hits[source]) == len(set(hits[source])), source
        assert set(hits[source]) == set(expected[source]), source
        _assert_ranked(expected[source], hits[source], source)


@pytest.mark.parametrize("email", INTERNAL_PERSONAS)
async def test_totals_for_internal_roles(
    client: GraphQLClient, engine: AsyncEngine, email: str
) -> None:
    for words in WORDS:
        expected = await expected_hits(engine, email, words)
        totals = await search_totals(client, email, words)
        assert totals == {source: len(hits) for source, hits in expected.items()}, words


async def test_internal_roles_see_every_hit_and_others_none(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as connection:
        everything = {
            source: await connection.scalar(
                text(
                    f"SELECT count(*) FROM {table} r "
                    f"WHERE {INDEXED} @@ websearch_to_tsquery('english', 'onboarding')"
                )
            )
            for source, table in SOURCES.items()
        }
    assert all(everything.values()), "the demo data has onboarding records of every source"
    for email in (AGENT, "viewer@csm.example", "admin@csm.example"):
        assert await search_totals(client, email, "onboarding") == everything, email
    for email in (PARTNER, "customer@acme.example", "caseagent@csm.example"):
        assert await search_totals(client, email, "onboarding") == dict.fromkeys(SOURCES, 0)


async def test_partner_gets_nothing_for_words_present_in_the_data(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    for words in WORDS:
        present = await expected_hits(engine, AGENT, words)
        assert any(present.values()), words
        totals, hits = await search_all(client, PARTNER, words)
        assert totals == dict.fromkeys(SOURCES, 0), words
        assert hits == {source: [] for source in SOURCES}


async def test_results_are_ranked_best_first(client: GraphQLClient, engine: AsyncEngine) -> None:
    """'onboarding' in both the short description and the description beats one mention."""
    words = "onboarding"
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    f"SELECT r.number, ts_rank({DOCUMENT}, q) AS rank, "
                    "to_tsvector('english', r.short_description) @@ q AS in_short, "
                    "to_tsvector('english', coalesce(r.description, '')) @@ q AS in_description "
                    f"FROM success_cases r, websearch_to_tsquery('english', :w) q "
                    f"WHERE {DOCUMENT} @@ q"
                ),
                {"w": words},
            )
        ).all()
    best = max(row.rank for row in rows)
    # Ranks differ, and every best-ranked record matches in both fields.
    assert len({row.rank for row in rows}) > 1
    assert all(row.in_short and row.in_description for row in rows if row.rank == best)
    ranks = {row.number: row.rank for row in rows}
    best_count = sum(1 for row in rows if row.rank == best)

    data = await client.query(
        "query($t: String!) { search(text: $t, first: 100) { successCases "
        "{ totalCount nodes { number shortDescription } } } }",
        {"t": words},
        as_=AGENT,
    )
    nodes = data["search"]["successCases"]["nodes"]
    assert data["search"]["successCases"]["totalCount"] == len(rows)
    numbers = [node["number"] for node in nodes]
    _assert_ranked(ranks, numbers, "onboarding as agent")
    assert {ranks[number] for number in numbers[:best_count]} == {best}
    assert all("onboarding" in node["shortDescription"].lower() for node in nodes[:best_count])
    # Nothing left off the first page ranks above what is on it.
    unseen = [rank for number, rank in ranks.items() if number not in set(numbers)]
    assert not unseen or max(unseen) <= min(ranks[number] for number in numbers)


async def test_exact_number_finds_that_record_first(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as connection:
        case_number = await connection.scalar(
            text(
                f"SELECT r.number FROM success_cases r WHERE {_visible('visible', 'success_cases')}"
                " ORDER BY r.id LIMIT 1"
            ),
            {"email": SUCCESS},
        )
        task_number = await connection.scalar(
            text("SELECT number FROM success_tasks ORDER BY id DESC LIMIT 1")
        )
    assert case_number
    assert task_number
    for words in (case_number, case_number.lower(), f"  {case_number} "):
        data = await client.query(
            "query($t: String!) { search(text: $t) { successCases { totalCount nodes { number } } "
            "successTasks { totalCount } } }",
            {"t": words},
            as_=SUCCESS,
        )
        assert data["search"]["successCases"]["nodes"][0]["number"] == case_number, words
        assert data["search"]["successCases"]["totalCount"] >= 1
    data = await client.query(
        "query($t: String!) { search(text: $t) { successTasks { nodes { number } } } }",
        {"t": task_number},
        as_=AGENT,
    )
    assert data["search"]["successTasks"]["nodes"][0]["number"] == task_number


async def test_the_number_of_an_invisible_record_finds_nothing(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as connection:
        hidden = await connection.scalar(
            text(
                "SELECT number FROM success_cases WHERE NOT visible_to_customer "
                f"AND account_id IN ({MY_ACCOUNTS}) ORDER BY id LIMIT 1"
            ),
            {"email": SUCCESS},
        )
    assert hidden
    assert await search_totals(client, SUCCESS, hidden) == dict.fromkeys(SOURCES, 0)
    totals = await search_totals(client, AGENT, hidden)
    assert totals["successCases"] == 1


def _internal_only_words() -> str:
    """Plain words (lexemes that search for themselves) found in Acme records, none of which
    success@acme.example may see, most frequent first. Any field counts, descriptions of
    tasks included: the word must appear in no record the customer sees, however searched."""
    records = " UNION ALL ".join(
        f"SELECT r.account_id, {INDEXED} AS document, {_visible('visible', table)} AS visible "
        f"FROM {table} r"
        for table in SOURCES.values()
    )
    return f"""
        WITH records AS ({records}),
        words AS (
            SELECT u.lexeme AS word, count(*) AS uses FROM records, unnest(records.document) u
            GROUP BY u.lexeme
            HAVING bool_or(records.account_id IN ({MY_ACCOUNTS})) AND NOT bool_or(records.visible)
        )
        SELECT word FROM words
        WHERE word ~ '^[a-z]{{4,}}$'
          AND websearch_to_tsquery('english', word)::text = quote_literal(word)
        ORDER BY uses DESC, word LIMIT 3
    """


async def test_a_word_only_in_invisible_acme_records_counts_zero_for_the_customer(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    async with engine.connect() as connection:
        words = list(await connection.scalars(text(_internal_only_words()), {"email": SUCCESS}))
    assert words, "the demo data should have words used only in records hidden from Acme"

    for word in words:
        # Verified independently: Acme has records with the word, the customer sees none.
        assert not any((await expected_hits(engine, SUCCESS, word)).values()), word
        expected = await expected_hits(engine, AGENT, word)
        assert sum(map(len, expected.values())) > 0, word

        assert await search_totals(client, SUCCESS, word) == dict.fromkeys(SOURCES, 0), word
        _, customer_hits = await search_all(client, SUCCESS, word)
        assert customer_hits == {source: [] for source in SOURCES}
        agent_totals = await search_totals(client, AGENT, word)
        assert sum(agent_totals.values()) > 0, word
        assert agent_totals == {source: len(found) for source, found in expected.items()}


@pytest.mark.parametrize(
    "words",
    [
        '"business review"',
        '"business review" -renewal',
        "onboarding or training",
        "-onboarding",
        '"unterminated phrase',
        "onboarding & | ! ( ) : * '",
        "o'brien's <-> (kickoff",
        "the",
        "-",
        '""',
        "\\",
        "SCASE%",
    ],
)
async def test_websearch_syntax_never_errors(
    client: GraphQLClient, engine: AsyncEngine, words: str
) -> None:
    totals = await search_totals(client, AGENT, words)
    expected = await expected_hits(engine, AGENT, words)
    assert totals == {source: len(hits) for source, hits in expected.items()}


async def test_websearch_exclusion_and_phrase(client: GraphQLClient, engine: AsyncEngine) -> None:
    with_review = await expected_hits(engine, AGENT, '"business review"')
    without_renewal = await expected_hits(engine, AGENT, '"business review" -renewal')
    totals = await search_totals(client, AGENT, '"business review" -renewal')
    assert 0 < totals["successCases"] < len(with_review["successCases"])
    assert totals["successCases"] == len(without_renewal["successCases"])
    data = await client.query(
        'query { search(text: "\\"business review\\" -renewal", first: 100) '
        "{ successCases { nodes { shortDescription description } } } }",
        as_=AGENT,
    )
    for node in data["search"]["successCases"]["nodes"]:
        document = f"{node['shortDescription']} {node['description'] or ''}".lower()
        assert "business review" in document
        assert "renewal" not in document


def _assert_bad_input(body: dict[str, Any]) -> None:
    assert body.get("errors"), body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert body.get("data") is None, body


@pytest.mark.parametrize("words", ["", " ", "   \t\n  "])
async def test_blank_text_is_bad_user_input(client: GraphQLClient, words: str) -> None:
    response = await client.post(
        "query($t: String!) { search(text: $t) { successCases { totalCount } } }",
        {"t": words},
        as_=AGENT,
    )
    _assert_bad_input(response.json())


@pytest.mark.parametrize("words", ["\x00", "onboarding\x00", "a\x00b"])
async def test_text_with_a_nul_character_is_bad_user_input(
    client: GraphQLClient, words: str
) -> None:
    """PostgreSQL text cannot hold NUL: the client's mistake, not an internal error."""
    response = await client.post(
        "query($t: String!) { search(text: $t) { successCases { totalCount } } }",
        {"t": words},
        as_=AGENT,
    )
    _assert_bad_input(response.json())


@pytest.mark.parametrize("first", [-1, 101, 1000])
async def test_first_out_of_range_is_bad_user_input(client: GraphQLClient, first: int) -> None:
    inline = await client.post(
        f'{{ search(text: "onboarding", first: {first}) {{ successCases {{ totalCount }} }} }}',
        as_=AGENT,
    )
    _assert_bad_input(inline.json())
    variable = await client.post(
        'query($f: Int!) { search(text: "onboarding", first: $f) { successCases { totalCount } } }',
        {"f": first},
        as_=AGENT,
    )
    _assert_bad_input(variable.json())


async def test_first_zero_and_the_default_page_size(client: GraphQLClient) -> None:
    data = await client.query(
        '{ zero: search(text: "onboarding", first: 0) { successCases { totalCount '
        "pageInfo { endCursor } nodes { number } } } "
        'default: search(text: "onboarding") { successCases { totalCount nodes { number } } } }',
        as_=AGENT,
    )
    zero, default = data["zero"]["successCases"], data["default"]["successCases"]
    assert zero["nodes"] == []
    assert zero["pageInfo"]["endCursor"] is None
    assert zero["totalCount"] == default["totalCount"] > 10
    assert len(default["nodes"]) == 10


@pytest.mark.parametrize(
    ("email", "source"),
    [(AGENT, "successTasks"), (SUCCESS, "successTasks"), (SUCCESS, "successCases")],
)
async def test_paging_through_hits_with_after(
    client: GraphQLClient, email: str, source: str
) -> None:
    """Three pages of three, each continuing from the last endCursor, are the first nine."""
    words = "onboarding or training or renewal or adoption"
    query = (
        "query($t: String!, $first: Int!, $after: String) { search(text: $t, first: $first) "
        f"{{ {source}(after: $after) {{ {CONNECTION} }} }} }}"
    )
    whole = (await client.query(query, {"t": words, "first": 9}, as_=email))["search"][source]
    whole_numbers = [node["number"] for node in whole["nodes"]]
    assert len(whole_numbers) == 9
    assert whole["totalCount"] > 9
    pages: list[str] = []
    after = None
    for _ in range(3):
        data = await client.query(query, {"t": words, "first": 3, "after": after}, as_=email)
        connection = data["search"][source]
        _check_connection(connection)
        assert connection["totalCount"] == whole["totalCount"]
        assert connection["pageInfo"]["hasNextPage"]
        pages.extend(node["number"] for node in connection["nodes"])
        after = connection["pageInfo"]["endCursor"]
    assert pages == whole_numbers


async def test_search_cursors_are_checked(client: GraphQLClient) -> None:
    data = await client.query(
        '{ search(text: "onboarding", first: 2) { successCases { pageInfo { endCursor } } } '
        "successCases(first: 2) { pageInfo { endCursor } } }",
        as_=AGENT,
    )
    search_cursor = data["search"]["successCases"]["pageInfo"]["endCursor"]
    list_cursor = data["successCases"]["pageInfo"]["endCursor"]
    for query, cursor in (
        # A search cursor is no list cursor, and the other way round.
        ("query($a: String) { successCases(after: $a) { totalCount } }", search_cursor),
        (
            'query($a: String) { search(text: "onboarding") '
            "{ successCases(after: $a) { totalCount } } }",
            list_cursor,
        ),
        (
            'query($a: String) { search(text: "onboarding") '
            "{ successCases(after: $a) { totalCount } } }",
            "not a cursor",
        ),
    ):
        errors = await client.errors(query, {"a": cursor}, as_=AGENT)
        assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"]
