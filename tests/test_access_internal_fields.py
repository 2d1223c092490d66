"""Internal-only fields and work notes never reach a customer-side viewer, by any path.

ACCESS.md: internal fields resolve to null (or an empty list) for external viewers, silently (no
error); work notes are internal and no external viewer ever receives one; internal-audience
knowledge never reaches a contact. Every query below is run by the customer-side personas (the
fields must come back empty) and by an internal agent (the same fields must come back filled, so
that these tests can fail).

A walker visits every object of every response: each carries ``__typename``, and each internal
field found under its own name or a known alias is checked.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import ALL, MINE, Snapshot, decode_global_id, global_id
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
CONTACTS = ["success@acme.example", "manager@acme.example", "multi@initech.example"]
EVERYONE = [*CONTACTS, AGENT]
# ACCESS.md: My lists are for agents and case managers; a success customer's MINE is empty
# (tests/test_access_lists.py proves it), so there is nothing of it whose fields could leak.
WITH_MY_LISTS = ["manager@acme.example", AGENT]
VIEWS = [(email, ALL) for email in EVERYONE] + [(email, MINE) for email in WITH_MY_LISTS]

_RECORD_INTERNALS = frozenset({"visibleToCustomer", "assignedTo", "contactFilter"})
# The agent's engagement workspace (issue 4): every one of these Engagement fields is internal.
WORKSPACE_FIELDS = frozenset(
    {
        "healthScore", "healthColour", "healthIndicators", "healthSeries", "riskSignals",
        "workItems", "internalPlays", "successPlays", "objectives", "successRate",
        "soldProducts", "adoptionSeries", "adoptionToday", "adoptionRoadmaps", "contracts",
        "customerTeam", "squad", "accountTeam", "lastActiveTouchpoint", "upcomingTouchpoints",
        "timeline", "relatedLists", "attachments", "recommendedArticles", "discussions",
        "initiativeRoadmap",
    }
)  # fmt: skip
INTERNAL_FIELDS: dict[str, frozenset[str]] = {
    "SuccessInitiative": _RECORD_INTERNALS | {"objective"},
    "SuccessCase": _RECORD_INTERNALS | {"recommendedArticles"},
    "Touchpoint": _RECORD_INTERNALS,
    "SuccessTask": _RECORD_INTERNALS
    | {"description", "engagement", "parent", "createdAt", "updatedAt"},
    "Engagement": frozenset(
        {
            "state",
            "contractValue",
            "renewalDate",
            "perceivedHealth",
            "parent",
            "createdAt",
            "updatedAt",
            *WORKSPACE_FIELDS,
        }
    ),
    "Account": frozenset({"engagementRollup"}),
    "Activity": frozenset({"changes"}),
    "KnowledgeArticle": frozenset({"audience"}),
}
RECORD_TYPES = ("SuccessInitiative", "SuccessCase", "SuccessTask", "Touchpoint", "Engagement")
# Aliases used in the queries below, and the field each one names.
ALIASES = {
    "a": "visibleToCustomer",
    "b": "assignedTo",
    "c": "contactFilter",
    "d": "description",
    "e": "engagement",
    "p": "parent",
    "acts": "activities",
    "born": "createdAt",
    "touched": "updatedAt",
    "health": "perceivedHealth",
    "money": "contractValue",
    "lifecycle": "state",
    "renews": "renewalDate",
    "delta": "changes",
    "who": "audience",
    "rec": "recommendedArticles",
    "o": "objective",
}

FRAGMENT_TEXT = """
fragment InitiativeInternals on SuccessInitiative {
  __typename id number visibleToCustomer
  assignedTo { __typename id name email } contactFilter { __typename id email }
  objective { __typename id number }
}
fragment CaseInternals on SuccessCase {
  __typename id number visibleToCustomer
  assignedTo { __typename id name } contactFilter { __typename id }
  recommendedArticles(first: 3) { totalCount nodes { __typename id number audience } }
}
fragment TouchpointInternals on Touchpoint {
  __typename id number visibleToCustomer
  assignedTo { __typename id } contactFilter { __typename id }
}
fragment TaskInternals on SuccessTask {
  __typename id number visibleToCustomer
  assignedTo { __typename id } contactFilter { __typename id }
  description engagement { __typename id number } parent { __typename id }
  activities(first: 2) { totalCount nodes { __typename id kind body changes } }
  createdAt updatedAt
}
fragment EngagementInternals on Engagement {
  __typename id number state contractValue renewalDate perceivedHealth
  parent { __typename id } createdAt updatedAt
  healthScore healthColour successRate relatedLists { name count }
  healthIndicators(first: 2) { totalCount nodes { metric score } }
  healthSeries(weeks: 2) { weekStart score } adoptionSeries(weeks: 2) { counts { total } }
  adoptionToday { total } initiativeRoadmap { healthScore stage }
  riskSignals(first: 2) { totalCount nodes { __typename id number } }
  workItems(first: 2) { totalCount nodes { __typename } }
  internalPlays(first: 2) { totalCount nodes { __typename id number } }
  objectives(first: 2) { totalCount nodes { __typename id number } }
  successPlays(first: 2) { totalCount } soldProducts(first: 2) { totalCount }
  adoptionRoadmaps(first: 2) { totalCount } contracts(first: 2) { totalCount }
  customerTeam(first: 2) { totalCount } squad(first: 2) { totalCount }
  accountTeam(first: 2) { totalCount } lastActiveTouchpoint { number }
  upcomingTouchpoints(first: 2) { totalCount } timeline(first: 2) { totalCount }
  attachments(first: 2) { totalCount }
  recommendedArticles(first: 2) { totalCount nodes { number } }
  discussions(first: 2) { totalCount }
}
"""
FRAGMENTS = {
    match.group(1): "fragment " + match.group(1) + match.group(2)
    for match in re.finditer(r"fragment (\w+)(.*?\n})", FRAGMENT_TEXT, re.S)
}


def with_fragments(query: str) -> str:
    """The query plus the fragment definitions it spreads (unused ones fail validation)."""
    used = [name for name in FRAGMENTS if f"...{name}" in query]
    return query + "".join(f"\n{FRAGMENTS[name]}" for name in used)


ROOT_LISTS = with_fragments(
    """
query RootLists($scope: ListScope!, $n: Int!) {
  successInitiatives(scope: $scope, first: $n) { totalCount nodes { ...InitiativeInternals } }
  successCases(scope: $scope, first: $n) {
    totalCount
    nodes {
      ...CaseInternals
      activities(first: 100) { totalCount nodes { __typename id kind body changes } }
      sharedArticles(first: 50) { totalCount nodes { __typename id number audience } }
    }
  }
  successTasks(scope: $scope, first: $n) {
    totalCount
    nodes { ...TaskInternals comments(first: 50) { nodes { __typename id kind changes } } }
  }
  touchpoints(scope: $scope, first: $n) { totalCount nodes { ...TouchpointInternals } }
  engagements(first: $n) { totalCount nodes { ...EngagementInternals } }
}
"""
)

NESTED = with_fragments(
    """
query Nested {
  engagements(first: 5) {
    nodes {
      ...EngagementInternals
      initiatives(first: 10) {
        totalCount
        nodes {
          ...InitiativeInternals
          successCases(first: 10) {
            totalCount
            nodes {
              ...CaseInternals tasks(first: 10) { totalCount nodes { ...TaskInternals } }
            }
          }
          tasks(first: 20) { totalCount nodes { ...TaskInternals } }
        }
      }
      successCases(first: 30) {
        totalCount
        nodes {
          ...CaseInternals
          initiative { ...InitiativeInternals }
          sharedArticles(first: 20) { nodes { __typename id number audience } }
          activities(first: 20) { nodes { __typename id kind changes } }
        }
      }
      touchpoints(first: 20) { totalCount nodes { ...TouchpointInternals } }
    }
  }
}
"""
)

NODES = with_fragments(
    """
query Nodes($ids: [ID!]!, $one: ID!) {
  nodes(ids: $ids) {
    __typename id
    ...InitiativeInternals ...CaseInternals ...TaskInternals ...TouchpointInternals
    ...EngagementInternals
    ... on KnowledgeArticle { number audience }
  }
  node(id: $one) {
    __typename id
    ... on SuccessCase {
      number a: visibleToCustomer
      activities(first: 100) { nodes { __typename id kind delta: changes } }
    }
  }
}
"""
)

SEARCH = with_fragments(
    """
query Search($text: String!) {
  search(text: $text, first: 100) {
    successCases { totalCount nodes { ...CaseInternals } }
    successTasks { totalCount nodes { ...TaskInternals } }
    successInitiatives { totalCount nodes { ...InitiativeInternals } }
    touchpoints { totalCount nodes { ...TouchpointInternals } }
  }
}
"""
)

# Aliases, a fragment on the Node interface, inline fragments, and a fragment used twice.
SNEAKY = """
fragment Sneaky on Node {
  __typename
  ... on SuccessInitiative {
    a: visibleToCustomer assignedTo { __typename id } contactFilter { __typename id }
    o: objective { __typename id }
  }
  ... on SuccessCase { assignedTo { __typename email } contactFilter { __typename email } }
  ... on SuccessTask {
    visibleToCustomer c: contactFilter { __typename id } assignedTo { __typename name }
  }
  ... on Touchpoint { visibleToCustomer assignedTo { __typename id } contactFilter { id } }
  ... on Engagement { p: parent { __typename id } createdAt updatedAt }
}
"""
ALIASED = (
    """
query Aliased($scope: ListScope!, $n: Int!) {
  cases: successCases(scope: $scope, first: $n) {
    nodes {
      __typename number
      a: visibleToCustomer b: assignedTo { __typename id } c: contactFilter { __typename id }
      rec: recommendedArticles(first: 2) { nodes { __typename number } }
      ...Sneaky
      acts: activities(first: 100) { nodes { __typename id kind delta: changes } }
      sharedArticles(first: 50) {
        nodes { ... on KnowledgeArticle { __typename number who: audience } }
      }
    }
  }
  tasks: successTasks(scope: $scope, first: $n) {
    nodes {
      ...Sneaky
      ... on SuccessTask {
        d: description e: engagement { __typename id } p: parent { __typename id }
        acts: activities(first: 5) { totalCount }
        born: createdAt touched: updatedAt
      }
    }
  }
}
"""
    + SNEAKY
)
# Each workspace field under an alias (x<field>), with the smallest selection it takes.
WORKSPACE_SELECTIONS = {
    "healthScore": "", "healthColour": "", "successRate": "",
    "healthIndicators": "(first: 1) { nodes { metric } }",
    "healthSeries": "(weeks: 1) { score }", "adoptionSeries": "(weeks: 1) { weekStart }",
    "adoptionToday": "{ total }", "initiativeRoadmap": "{ stage }",
    "relatedLists": "{ count }", "recommendedArticles": "(first: 1) { totalCount }",
    "lastActiveTouchpoint": "{ number }",
    **dict.fromkeys(
        ("riskSignals", "workItems", "internalPlays", "objectives", "successPlays",
         "soldProducts", "adoptionRoadmaps", "contracts", "customerTeam", "squad",
         "accountTeam", "upcomingTouchpoints", "timeline", "attachments", "discussions"),
        "(first: 1) { totalCount }",
    ),
}  # fmt: skip
assert set(WORKSPACE_SELECTIONS) == WORKSPACE_FIELDS
ALIASES.update({f"x{name}": name for name in WORKSPACE_FIELDS})
WORKSPACE_ALIASED = " ".join(
    f"x{name}: {name}{selection}" for name, selection in sorted(WORKSPACE_SELECTIONS.items())
)
ALIASED_MORE = (
    """
query AliasedMore($scope: ListScope!, $n: Int!) {
  engs: engagements(first: $n) {
    nodes {
      __typename number
      ... on Engagement {
        health: perceivedHealth money: contractValue lifecycle: state renews: renewalDate
      }
      ... Sneaky
    }
  }
  touchpoints(scope: $scope, first: $n) { nodes { ... on Node { __typename ...Sneaky } } }
  initiatives: successInitiatives(scope: $scope, first: $n) { nodes { ...Sneaky } }
}
"""
    + SNEAKY
)
# The alias limit (30) keeps them apart from the queries above.
ALIASED_WORKSPACE = f"""
query AliasedWorkspace($n: Int!) {{
  engs: engagements(first: $n) {{
    nodes {{ __typename ... on Engagement {{ {WORKSPACE_ALIASED} }} }}
  }}
}}
"""


# -- the database ---------------------------------------------------------------------------------


@dataclass
class Journal:
    """Activities, shared articles and search words, read with plain SQL."""

    activity_kind: dict[int, str] = field(default_factory=dict)
    activity_kinds: dict[tuple[str, int], Counter[str]] = field(default_factory=dict)
    audience: dict[int, str] = field(default_factory=dict)  # article id -> audience
    article_number: dict[int, str] = field(default_factory=dict)
    shared: dict[int, list[int]] = field(default_factory=dict)  # success case -> articles
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)  # list -> number -> text

    @property
    def internal_articles(self) -> set[str]:
        return {self.article_number[a] for a, who in self.audience.items() if who == "INTERNAL"}


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> Snapshot:
    return await Snapshot.load(engine)


@pytest.fixture(scope="module")
async def journal(engine: AsyncEngine) -> Journal:
    found = Journal()
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, record_type, record_id, kind FROM activities")
        )
        for row in rows:
            found.activity_kind[row.id] = row.kind
            key = (row.record_type, row.record_id)
            found.activity_kinds.setdefault(key, Counter())[row.kind] += 1
        for row in await connection.execute(
            text("SELECT id, number, audience FROM knowledge_articles")
        ):
            found.audience[row.id] = row.audience
            found.article_number[row.id] = row.number
        for row in await connection.execute(
            text("SELECT success_case_id, article_id FROM success_case_articles")
        ):
            found.shared.setdefault(row.success_case_id, []).append(row.article_id)
        for list_name, table in (
            ("successCases", "success_cases"),
            ("successTasks", "success_tasks"),
            ("successInitiatives", "success_initiatives"),
            ("touchpoints", "touchpoints"),
        ):
            rows = await connection.execute(text(f"SELECT number, short_description FROM {table}"))
            found.descriptions[list_name] = {r.number: r.short_description for r in rows}
    return found


# -- the walker -----------------------------------------------------------------------------------


@dataclass
class Seen:
    """What a response held: internal field values by (type, field), activities, articles."""

    internal: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    activity_ids: list[int] = field(default_factory=list)
    activity_kinds: list[str] = field(default_factory=list)
    article_numbers: list[str] = field(default_factory=list)
    typenames: Counter[str] = field(default_factory=Counter)

    def visit(self, value: Any) -> Seen:
        if isinstance(value, list):
            for item in value:
                self.visit(item)
        elif isinstance(value, dict):
            typename = value.get("__typename")
            if typename:
                self.typenames[typename] += 1
            internal = INTERNAL_FIELDS.get(typename or "", frozenset())
            for key, item in value.items():
                name = ALIASES.get(key, key)
                if name in internal:
                    self.internal.setdefault((typename, name), []).append(item)  # type: ignore[arg-type]
            if typename == "Activity":
                self.activity_ids.append(decode_global_id(value["id"])[1])
                self.activity_kinds.append(value["kind"])
            if typename == "KnowledgeArticle" and "number" in value:
                self.article_numbers.append(value["number"])
            for item in value.values():
                self.visit(item)
        return self

    def assert_hidden(self, journal: Journal, covering: tuple[str, ...]) -> None:
        """External viewer: every internal value is null / [], no work note, no internal
        article; and the query did reach every internal field of ``covering``."""
        leaked = {
            key: values
            for key, values in self.internal.items()
            if any(v not in (None, []) for v in values)
        }
        assert not leaked, f"internal fields leaked: {leaked}"
        missing = {(t, f) for t in covering for f in INTERNAL_FIELDS[t]} - set(self.internal)
        assert not missing, f"the query never reached {sorted(missing)}"
        assert "WORK_NOTE" not in self.activity_kinds
        assert all(journal.activity_kind[i] != "WORK_NOTE" for i in self.activity_ids)
        assert not set(self.article_numbers) & journal.internal_articles

    def assert_shown(self, covering: tuple[str, ...]) -> None:
        """Internal viewer: every internal field of ``covering`` came back filled somewhere."""
        empty = {
            (t, f)
            for t in covering
            for f in INTERNAL_FIELDS[t]
            if all(v in (None, []) for v in self.internal.get((t, f), [None]))
        }
        assert not empty, f"internal fields empty for the agent: {sorted(empty)}"


def check(seen: Seen, email: str, journal: Journal, covering: tuple[str, ...]) -> None:
    if email == AGENT:
        seen.assert_shown(covering)
    else:
        seen.assert_hidden(journal, covering)


# -- the paths ------------------------------------------------------------------------------------


def _page(email: str) -> int:
    """Contacts get their whole (small) lists in one page; the agent a first page suffices."""
    return 25 if email == AGENT else 100


@pytest.mark.parametrize(("email", "scope"), VIEWS)
async def test_root_lists(
    client: GraphQLClient, snapshot: Snapshot, journal: Journal, email: str, scope: str
) -> None:
    data = await client.query(ROOT_LISTS, {"scope": scope, "n": _page(email)}, as_=email)
    seen = Seen().visit(data)
    check(seen, email, journal, (*RECORD_TYPES, "Activity", "KnowledgeArticle"))
    who = snapshot.principal(email)
    # The rows that came back are exactly the visible ones (lists are small for contacts).
    if email != AGENT:
        for list_name in ("successInitiatives", "successCases", "successTasks", "touchpoints"):
            numbers = {n["number"] for n in data[list_name]["nodes"]}
            assert numbers == snapshot.visible(who, list_name, scope), list_name
        assert seen.activity_ids, "the visible success cases must have activities"


@pytest.mark.parametrize("email", EVERYONE)
async def test_nested_lists(
    client: GraphQLClient, snapshot: Snapshot, journal: Journal, email: str
) -> None:
    data = await client.query(NESTED, as_=email)
    seen = Seen().visit(data)
    check(seen, email, journal, (*RECORD_TYPES, "Activity", "KnowledgeArticle"))
    if email != AGENT:
        who = snapshot.principal(email)
        for typename, list_name in (
            ("SuccessInitiative", "successInitiatives"),
            ("SuccessCase", "successCases"),
            ("SuccessTask", "successTasks"),
            ("Touchpoint", "touchpoints"),
        ):
            assert seen.typenames[typename], f"nothing nested of {typename}"
            shown = {ids[1] for ids in (decode_global_id(i) for i in _ids_of(data, typename))}
            assert shown <= snapshot.visible_ids(who, list_name, ALL), typename
    _check_children(snapshot, email, data["engagements"]["nodes"])


def _check_page(connection: dict[str, Any], expected: set[int], first: int, where: str) -> None:
    """A nested page holds exactly the visible children: all of them when they fit."""
    got = {decode_global_id(node["id"])[1] for node in connection["nodes"]}
    assert connection["totalCount"] == len(expected), where
    assert got <= expected, where
    assert len(got) == min(first, len(expected)), where


def _check_children(snapshot: Snapshot, email: str, engagements: list[dict[str, Any]]) -> None:
    """Each nested list holds the children its parent has that the viewer sees (ACCESS.md: the
    same rules on every read path)."""
    who = snapshot.principal(email)
    visible = {
        name: snapshot.visible_ids(who, name, ALL)
        for name in ("successInitiatives", "successCases", "successTasks", "touchpoints")
    }
    records = snapshot.records

    def children(name: str, column: str, parent_id: int) -> set[int]:
        return {i for i in visible[name] if getattr(records[name][i], column) == parent_id}

    assert engagements
    checked = 0
    for engagement in engagements:
        eid = decode_global_id(engagement["id"])[1]
        where = engagement["number"]
        _check_page(
            engagement["initiatives"],
            children("successInitiatives", "engagement_id", eid),
            10,
            where,
        )
        _check_page(
            engagement["successCases"], children("successCases", "engagement_id", eid), 30, where
        )
        _check_page(
            engagement["touchpoints"], children("touchpoints", "engagement_id", eid), 20, where
        )
        for initiative in engagement["initiatives"]["nodes"]:
            iid = decode_global_id(initiative["id"])[1]
            where = initiative["number"]
            _check_page(
                initiative["successCases"],
                children("successCases", "initiative_id", iid),
                10,
                where,
            )
            _check_page(
                initiative["tasks"], children("successTasks", "initiative_id", iid), 20, where
            )
            for case in initiative["successCases"]["nodes"]:
                cid = decode_global_id(case["id"])[1]
                _check_page(
                    case["tasks"],
                    children("successTasks", "success_case_id", cid),
                    10,
                    case["number"],
                )
                checked += 1
    assert checked, "no nested success case was reached"


def _ids_of(value: Any, typename: str) -> list[str]:
    found: list[str] = []
    if isinstance(value, list):
        for item in value:
            found.extend(_ids_of(item, typename))
    elif isinstance(value, dict):
        if value.get("__typename") == typename and "id" in value:
            found.append(value["id"])
        for item in value.values():
            found.extend(_ids_of(item, typename))
    return found


@pytest.mark.parametrize("email", EVERYONE)
async def test_node_and_nodes(
    client: GraphQLClient, snapshot: Snapshot, journal: Journal, email: str
) -> None:
    viewer_email = CONTACTS[0] if email == AGENT else email
    who = snapshot.principal(viewer_email)
    ids: list[str] = []
    for typename, list_name in (
        ("SuccessInitiative", "successInitiatives"),
        ("SuccessCase", "successCases"),
        ("SuccessTask", "successTasks"),
        ("Touchpoint", "touchpoints"),
        ("Engagement", "engagements"),
    ):
        visible = sorted(snapshot.visible_ids(who, list_name, ALL))
        ids.extend(global_id(typename, record_id) for record_id in visible[:8])
    cases = sorted(snapshot.visible_ids(who, "successCases", ALL))
    # A success case whose stream holds work notes and change entries (which carry `changes`).
    streams = {c: journal.activity_kinds.get(("success_case", c), Counter()) for c in cases}
    one = global_id(
        "SuccessCase",
        next(c for c in cases if streams[c]["WORK_NOTE"] and streams[c]["STATE_CHANGE"]),
    )
    data = await client.query(NODES, {"ids": ids, "one": one}, as_=email)
    assert all(node is not None for node in data["nodes"])
    assert data["node"] is not None
    seen = Seen().visit(data)
    check(seen, email, journal, (*RECORD_TYPES, "Activity"))


@pytest.mark.parametrize("email", CONTACTS)
async def test_internal_articles_by_id_look_missing(
    client: GraphQLClient, journal: Journal, email: str
) -> None:
    query = "query($id: ID!) { node(id: $id) { __typename id } }"
    internal = [a for a, who in journal.audience.items() if who == "INTERNAL"]
    assert internal
    missing = await client.post(query, {"id": global_id("KnowledgeArticle", 999999999)}, as_=email)
    for article_id in internal:
        found = await client.post(
            query, {"id": global_id("KnowledgeArticle", article_id)}, as_=email
        )
        # The whole bodies, cost report included: a hidden article looks like a missing one.
        assert found.json() == missing.json()
        assert found.json()["data"] == {"node": None}
    # The agent does get them: the ids are real.
    agent = await client.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on KnowledgeArticle { number audience } } }",
        {"ids": [global_id("KnowledgeArticle", a) for a in internal]},
        as_=AGENT,
    )
    assert [n["audience"] for n in agent["nodes"]] == ["INTERNAL"] * len(internal)


def _search_word(snapshot: Snapshot, journal: Journal, email: str) -> str:
    """A word of the short descriptions of both visible and invisible success cases."""
    who = snapshot.principal(email)
    visible = snapshot.visible(who, "successCases", ALL)
    words: Counter[str] = Counter()
    hidden_words: set[str] = set()
    for number, description in journal.descriptions["successCases"].items():
        tokens = set(re.findall(r"[a-z]{6,}", description.lower()))
        if number in visible:
            words.update(tokens)
        else:
            hidden_words |= tokens
    return max((w for w in words if w in hidden_words), key=lambda w: (words[w], w))


SEARCH_TABLES = (
    ("successCases", "success_cases"),
    ("successTasks", "success_tasks"),
    ("successInitiatives", "success_initiatives"),
    ("touchpoints", "touchpoints"),
)
FULL_DOCUMENT = "number || ' ' || short_description || ' ' || coalesce(description, '')"
# A success task's description is internal (ACCESS.md): a contact's hit may not come from it.
CUSTOMER_TASK_DOCUMENT = "number || ' ' || short_description"


async def _matching(engine: AsyncEngine, table: str, document: str, word: str) -> set[str]:
    """Numbers of the rows whose text (``document``) holds ``word``, by PostgreSQL's English
    full-text rules (for one plain word every tsquery parser agrees)."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                f"SELECT number FROM {table} "
                f"WHERE to_tsvector('english', {document}) @@ plainto_tsquery('english', :word)"
            ),
            {"word": word},
        )
        return {row.number for row in rows}


@pytest.mark.parametrize("email", EVERYONE)
async def test_search(
    client: GraphQLClient, engine: AsyncEngine, snapshot: Snapshot, journal: Journal, email: str
) -> None:
    word = _search_word(snapshot, journal, CONTACTS[0] if email == AGENT else email)
    data = await client.query(SEARCH, {"text": word}, as_=email)
    seen = Seen().visit(data)
    check(seen, email, journal, ("SuccessCase", "SuccessTask", "SuccessInitiative", "Touchpoint"))
    who = snapshot.principal(email)
    for list_name, table in SEARCH_TABLES:
        document = FULL_DOCUMENT
        if list_name == "successTasks" and not who.internal:
            document = CUSTOMER_TASK_DOCUMENT
        matching = await _matching(engine, table, document, word)
        expected = matching & snapshot.visible(who, list_name, ALL)
        hits = data["search"][list_name]
        assert hits["totalCount"] == len(expected), list_name
        assert {n["number"] for n in hits["nodes"]} <= expected, list_name
        assert len(hits["nodes"]) == min(100, len(expected)), list_name
        if list_name == "successCases":
            assert expected, "the word must hit visible success cases"
            if email != AGENT:
                assert matching - expected, "the word must hit hidden success cases too"


@pytest.mark.parametrize("email", CONTACTS)
async def test_search_ignores_internal_task_descriptions(
    client: GraphQLClient, engine: AsyncEngine, snapshot: Snapshot, email: str
) -> None:
    """A word found only in the (internal) descriptions of my visible tasks finds no task for
    me: neither a hit nor a count may come from text I may not read. The agent finds them."""
    who = snapshot.principal(email)
    visible = snapshot.visible(who, "successTasks", ALL)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT number, description FROM success_tasks WHERE description IS NOT NULL")
        )
        described = {row.number: row.description for row in rows if row.number in visible}
    words = Counter(
        word
        for description in described.values()
        for word in set(re.findall(r"[a-z]{7,}", description.lower()))
    )
    candidates = [w for w, _ in sorted(words.items(), key=lambda item: (-item[1], item[0]))][:15]
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT w.word,"
                f" bool_or(to_tsvector('english', {FULL_DOCUMENT}) @@ plainto_tsquery("
                "'english', w.word)) AS in_text,"
                f" bool_or(to_tsvector('english', {CUSTOMER_TASK_DOCUMENT}) @@ plainto_tsquery("
                "'english', w.word)) AS in_title"
                " FROM unnest(CAST(:words AS text[])) AS w(word)"
                " CROSS JOIN success_tasks WHERE number = ANY(CAST(:numbers AS text[]))"
                " GROUP BY w.word"
            ),
            {"words": candidates, "numbers": sorted(visible)},
        )
        usable = {row.word for row in rows if row.in_text and not row.in_title}
    chosen = next((w for w in candidates if w in usable), None)
    assert chosen, "no description-only word among the visible tasks"
    query = (
        "query($t: String!) { search(text: $t, first: 100)"
        " { successTasks { totalCount nodes { number } } } }"
    )
    mine = (await client.query(query, {"t": chosen}, as_=email))["search"]["successTasks"]
    assert mine == {"totalCount": 0, "nodes": []}, chosen
    agent = (await client.query(query, {"t": chosen}, as_=AGENT))["search"]["successTasks"]
    everywhere = await _matching(engine, "success_tasks", FULL_DOCUMENT, chosen)
    assert agent["totalCount"] == len(everywhere) > 0


@pytest.mark.parametrize(("email", "scope"), VIEWS)
async def test_aliases_and_fragments(
    client: GraphQLClient, journal: Journal, email: str, scope: str
) -> None:
    seen = Seen()
    for query in (ALIASED, ALIASED_MORE):
        seen.visit(await client.query(query, {"scope": scope, "n": _page(email)}, as_=email))
    seen.visit(await client.query(ALIASED_WORKSPACE, {"n": _page(email)}, as_=email))
    for typename in RECORD_TYPES:
        assert seen.typenames[typename], typename
    check(seen, email, journal, (*RECORD_TYPES, "Activity", "KnowledgeArticle"))


# -- work notes, comments, shared articles --------------------------------------------------------

CASE_DETAIL = """
query Detail($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on SuccessCase {
      number
      activities(first: 100) { totalCount nodes { __typename id kind body } }
      sharedArticles(first: 100) { totalCount nodes { __typename id number title audience } }
    }
  }
}
"""
TASK_COMMENTS = """
query Comments($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on SuccessTask {
      number
      comments(first: 100) { totalCount nodes { __typename id kind body } }
    }
  }
}
"""


@pytest.mark.parametrize("viewer", CONTACTS)
@pytest.mark.parametrize("as_agent", [False, True], ids=["contact", "agent"])
async def test_success_case_activities_hide_work_notes(
    client: GraphQLClient,
    snapshot: Snapshot,
    journal: Journal,
    viewer: str,
    as_agent: bool,
) -> None:
    """The contact's visible success cases: no work note, and totalCount leaves them out; the
    agent gets the whole stream of the same cases."""
    cases = sorted(snapshot.visible_ids(snapshot.principal(viewer), "successCases", ALL))
    kinds = {c: journal.activity_kinds.get(("success_case", c), Counter()) for c in cases}
    assert any(k["WORK_NOTE"] for k in kinds.values()), "no work notes to hide"
    ids = [global_id("SuccessCase", c) for c in cases]
    data = await client.query(CASE_DETAIL, {"ids": ids}, as_=AGENT if as_agent else viewer)
    for case_id, node in zip(cases, data["nodes"], strict=True):
        activities = node["activities"]
        expected = kinds[case_id]
        total = sum(expected.values()) - (0 if as_agent else expected["WORK_NOTE"])
        assert activities["totalCount"] == total, node["number"]
        assert len(activities["nodes"]) == total
        got = Counter(a["kind"] for a in activities["nodes"])
        if as_agent:
            assert got == expected
        else:
            assert got["WORK_NOTE"] == 0
            assert got == Counter({k: n for k, n in expected.items() if k != "WORK_NOTE"})
            assert all(
                journal.activity_kind[decode_global_id(a["id"])[1]] != "WORK_NOTE"
                for a in activities["nodes"]
            )


@pytest.mark.parametrize("viewer", CONTACTS)
@pytest.mark.parametrize("as_agent", [False, True], ids=["contact", "agent"])
async def test_task_comments_are_comments_only(
    client: GraphQLClient,
    snapshot: Snapshot,
    journal: Journal,
    viewer: str,
    as_agent: bool,
) -> None:
    tasks = sorted(snapshot.visible_ids(snapshot.principal(viewer), "successTasks", ALL))
    kinds = {t: journal.activity_kinds.get(("success_task", t), Counter()) for t in tasks}
    assert any(k["WORK_NOTE"] for k in kinds.values()), "no task work notes to hide"
    assert any(k["COMMENT"] for k in kinds.values()), "no task comments to show"
    ids = [global_id("SuccessTask", t) for t in tasks]
    data = await client.query(TASK_COMMENTS, {"ids": ids}, as_=AGENT if as_agent else viewer)
    for task_id, node in zip(tasks, data["nodes"], strict=True):
        comments = node["comments"]
        assert comments["totalCount"] == kinds[task_id]["COMMENT"], node["number"]
        assert [c["kind"] for c in comments["nodes"]] == ["COMMENT"] * kinds[task_id]["COMMENT"]
        assert all(
            journal.activity_kind[decode_global_id(c["id"])[1]] == "COMMENT"
            for c in comments["nodes"]
        )


@pytest.mark.parametrize("viewer", CONTACTS)
async def test_shared_articles_leave_out_internal_ones(
    client: GraphQLClient, snapshot: Snapshot, journal: Journal, viewer: str
) -> None:
    cases = sorted(snapshot.visible_ids(snapshot.principal(viewer), "successCases", ALL))
    with_internal = [
        c
        for c in cases
        if any(journal.audience[a] == "INTERNAL" for a in journal.shared.get(c, []))
    ]
    assert with_internal, "no visible success case has an internal article shared"
    ids = [global_id("SuccessCase", c) for c in cases]
    contact = await client.query(CASE_DETAIL, {"ids": ids}, as_=viewer)
    agent = await client.query(CASE_DETAIL, {"ids": ids}, as_=AGENT)
    for case_id, mine, theirs in zip(cases, contact["nodes"], agent["nodes"], strict=True):
        shared = journal.shared.get(case_id, [])
        everything = {journal.article_number[a] for a in shared}
        public = {journal.article_number[a] for a in shared if journal.audience[a] != "INTERNAL"}
        got = [a["number"] for a in mine["sharedArticles"]["nodes"]]
        assert set(got) == public, mine["number"]
        assert mine["sharedArticles"]["totalCount"] == len(public)
        assert all(a["audience"] is None for a in mine["sharedArticles"]["nodes"])
        assert {a["number"] for a in theirs["sharedArticles"]["nodes"]} == everything
        assert theirs["sharedArticles"]["totalCount"] == len(everything)
        if case_id in with_internal:
            assert "INTERNAL" in {a["audience"] for a in theirs["sharedArticles"]["nodes"]}


SEARCH_HITS = "totalCount nodes { number }"


def _search_by_numbers(sources: list[str]) -> str:
    """One query, one aliased search per number, each asking its record's source."""
    variables = ", ".join(f"$t{i}: String!" for i in range(len(sources)))
    searches = " ".join(
        f"s{i}: search(text: $t{i}, first: 10) {{ {source} {{ {SEARCH_HITS} }} }}"
        for i, source in enumerate(sources)
    )
    return f"query ByNumber({variables}) {{ {searches} }}"


@pytest.mark.parametrize("email", CONTACTS)
async def test_search_by_number_finds_only_visible_records(
    client: GraphQLClient, snapshot: Snapshot, email: str
) -> None:
    """A record's number is an exact search hit, but only for viewers who see the record."""
    who = snapshot.principal(email)
    tasks = snapshot.records["successTasks"]
    probes: list[tuple[str, str, bool]] = []  # (list, number, visible to the contact)
    for list_name in ("successCases", "successTasks", "successInitiatives", "touchpoints"):
        visible = snapshot.visible_ids(who, list_name, ALL)
        table = snapshot.records[list_name]
        probes.append((list_name, table[min(visible)].number, True))
        hidden = snapshot.pick(
            list_name, lambda r: r.account_id in who.accounts and not r.visible_to_customer
        )
        probes.append((list_name, hidden.number, False))
        foreign = snapshot.pick(
            list_name, lambda r: r.account_id not in who.accounts and r.visible_to_customer
        )
        probes.append((list_name, foreign.number, False))
    orphan = next(
        tasks[i]
        for i in sorted(tasks)
        if tasks[i].account_id in who.accounts
        and tasks[i].visible_to_customer
        and i not in snapshot.visible_ids(who, "successTasks", ALL)
    )
    probes.append(("successTasks", orphan.number, False))
    query = _search_by_numbers([list_name for list_name, _, _ in probes])
    variables = {f"t{i}": number for i, (_, number, _) in enumerate(probes)}
    for viewer in (email, AGENT):
        data = await client.query(query, variables, as_=viewer)
        for i, (list_name, number, shown) in enumerate(probes):
            hits = data[f"s{i}"][list_name]
            numbers = [n["number"] for n in hits["nodes"]]
            if shown or viewer == AGENT:
                assert numbers[:1] == [number], (viewer, number)
                assert hits["totalCount"] >= 1
            else:
                assert number not in numbers, (viewer, number)
                assert hits["totalCount"] == len(numbers), (viewer, number)
            if viewer != AGENT:
                # Whatever else matched, the contact only gets records it may see.
                assert set(numbers) <= snapshot.visible(who, list_name, ALL)


# -- cursors --------------------------------------------------------------------------------------

INTERNAL_SORTS = """
query Sorts($direction: OrderDirection!) {
  tasks: successTasks(first: 5, orderBy: {field: UPDATED_AT, direction: $direction}) {
    nodes { number }
  }
}
"""

ENGAGEMENT_INTERNAL_SORT = """
query Sorts($direction: OrderDirection!) {
  engagements(first: 5, orderBy: {field: UPDATED_AT, direction: $direction}) {
    nodes { number }
  }
}
"""

CURSOR_PAGE = """
query Cursors($after: String, $order: SuccessRecordOrder!) {
  tasks: successTasks(first: 7, after: $after, orderBy: $order) {
    edges { cursor node { number dueDate priority } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PRIORITY_RANKS = {"CRITICAL": 1, "HIGH": 2, "MODERATE": 3, "LOW": 4, "VERY_LOW": 5}


def _cursor_payload(cursor: str) -> list[Any]:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("query", [INTERNAL_SORTS, ENGAGEMENT_INTERNAL_SORT])
async def test_sorting_by_an_internal_field_is_refused_to_contacts(
    client: GraphQLClient, query: str, direction: str
) -> None:
    """`updatedAt` is internal on success tasks and engagements. Sorting by it would reveal
    its order, and cursors carry the sort key: contacts get FORBIDDEN, employees a page."""
    for email in CONTACTS:
        response = (await client.post(query, {"direction": direction}, as_=email)).json()
        assert response["data"] is None
        assert [e["extensions"]["code"] for e in response["errors"]] == ["FORBIDDEN"]
        assert response["errors"][0]["message"] == (
            "Sorting by updatedAt is not available to this viewer."
        )
    agent = await client.query(query, {"direction": direction}, as_=AGENT)
    assert next(iter(agent.values()))["nodes"]


@pytest.mark.parametrize("field", ["DUE_DATE", "PRIORITY", "NUMBER"])
@pytest.mark.parametrize("email", CONTACTS)
async def test_cursors_carry_only_values_the_contact_reads(
    client: GraphQLClient, email: str, field: str
) -> None:
    """A cursor is [ordering, sort key, id]: for a contact, the sort key must be the value of
    a field it reads on that very node (and the id, its own global id's)."""
    readable = {
        "DUE_DATE": lambda node: node["dueDate"] or "infinity",
        "PRIORITY": lambda node: str(PRIORITY_RANKS[node["priority"]]),
        "NUMBER": lambda node: node["number"],
    }[field]
    after, seen = None, 0
    while True:
        variables = {"after": after, "order": {"field": field, "direction": "ASC"}}
        page = (await client.query(CURSOR_PAGE, variables, as_=email))["tasks"]
        for edge in page["edges"]:
            name, key, _row_id = _cursor_payload(edge["cursor"])
            assert name == f"{field}_ASC"
            assert key == readable(edge["node"])
            seen += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen > 7
