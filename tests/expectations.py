"""An independent model of ACCESS.md "Customer success records", for the access tests.

Written from the spec text, not from ``csm_graphql.access``: the raw seeded rows are read with
plain SQL and the visible record numbers are computed here in Python, so a bug in the
application's predicates cannot hide behind an identical bug in the expectation.

The rules modelled (ACCESS.md, "Customer success records"):

- internal ``customer_success_agent`` / ``customer_success_viewer`` / ``admin``: ALL = every
  record, MINE = records assigned to me; any other internal role: nothing;
- a contact with ``customer_success_customer`` or ``customer_case_manager``: ALL = records with
  ``visibleToCustomer`` of my accounts (own account plus contact relationships);
- MINE for a contact with ``customer_case_manager``: those of ALL where I am in the contact
  filter (the record's contact plus its explicit contact list); a contact with
  ``customer_success_customer`` but not ``customer_case_manager`` has no My lists: MINE is empty;
- a success task externally: visible, of my accounts, and its parent (initiative or success case)
  is visible to me under the same scope (MINE: the parent is in my MINE set);
- any other contact role: nothing;
- engagements: the internal success roles see all; the two external success roles see the
  engagements of their accounts; everyone else nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

INTERNAL_SUCCESS_ROLES = frozenset({"customer_success_agent", "customer_success_viewer", "admin"})
EXTERNAL_SUCCESS_ROLES = frozenset({"customer_success_customer", "customer_case_manager"})

# GraphQL list name -> table, explicit contact-list table.
RECORD_LISTS: dict[str, tuple[str, str]] = {
    "successInitiatives": ("success_initiatives", "success_initiative_contacts"),
    "successCases": ("success_cases", "success_case_contacts"),
    "successTasks": ("success_tasks", "success_task_contacts"),
    "touchpoints": ("touchpoints", "touchpoint_contacts"),
}
# GraphQL type of each list's items.
TYPENAMES = {
    "successInitiatives": "SuccessInitiative",
    "successCases": "SuccessCase",
    "successTasks": "SuccessTask",
    "touchpoints": "Touchpoint",
    "engagements": "Engagement",
}
ALL = "ALL"
MINE = "MINE"
SCOPES = (ALL, MINE)

# Stored as a rank (1 = CRITICAL); the API speaks names.
PRIORITY_NAMES = {1: "CRITICAL", 2: "HIGH", 3: "MODERATE", 4: "LOW", 5: "VERY_LOW"}
PRIORITY_RANKS = {name: rank for rank, name in PRIORITY_NAMES.items()}

_RECORD_COLUMNS = (
    "id, number, engagement_id, account_id, state, priority, due_date, assigned_to_id, "
    "visible_to_customer, contact_id, updated_at"
)


def global_id(type_name: str, database_id: int | str) -> str:
    """base64url("Type:id") without padding: the API's opaque id format."""
    raw = f"{type_name}:{database_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_global_id(value: str) -> tuple[str, int]:
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    type_name, _, digits = raw.partition(":")
    return type_name, int(digits)


@dataclass(frozen=True)
class Principal:
    email: str
    kind: str  # "USER" | "CONTACT"
    id: int
    roles: frozenset[str]
    accounts: frozenset[int]  # contacts: own account plus contact relationships

    @property
    def internal(self) -> bool:
        return self.kind == "USER"

    @property
    def reads_success(self) -> bool:
        allowed = INTERNAL_SUCCESS_ROLES if self.internal else EXTERNAL_SUCCESS_ROLES
        return bool(self.roles & allowed)

    @property
    def has_my_lists(self) -> bool:
        """ACCESS.md: My lists for the internal success roles and for case managers only."""
        if self.internal:
            return self.reads_success
        return "customer_case_manager" in self.roles


@dataclass
class Record:
    """One success record (initiative, success case, task or touchpoint) or engagement."""

    id: int
    number: str
    account_id: int
    engagement_id: int | None = None
    state: str | None = None
    priority: int | None = None
    due_date: date | None = None
    assigned_to_id: int | None = None
    visible_to_customer: bool = False
    contact_id: int | None = None
    updated_at: datetime | None = None
    initiative_id: int | None = None
    success_case_id: int | None = None
    contact_list: frozenset[int] = frozenset()

    def in_contact_filter(self, contact_id: int) -> bool:
        return self.contact_id == contact_id or contact_id in self.contact_list


@dataclass
class Snapshot:
    """The seeded rows the access rules read, and the expected visible sets derived from them."""

    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    related_accounts: dict[int, set[int]] = field(default_factory=dict)  # contact -> accounts
    engagements: dict[int, Record] = field(default_factory=dict)
    records: dict[str, dict[int, Record]] = field(default_factory=dict)  # list name -> id -> rec

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    async def load(cls, engine: AsyncEngine) -> Snapshot:
        snapshot = cls()
        async with engine.connect() as connection:

            async def fetch(sql: str) -> list[dict[str, Any]]:
                result = await connection.execute(text(sql))
                return [dict(row) for row in result.mappings()]

            for row in await fetch("SELECT id, name, email, roles, active FROM users"):
                snapshot.users[row["id"]] = row
            for row in await fetch(
                "SELECT id, name, email, roles, active, account_id FROM contacts"
            ):
                snapshot.contacts[row["id"]] = row
            for row in await fetch("SELECT id, number, name, parent_id FROM accounts"):
                snapshot.accounts[row["id"]] = row
            for row in await fetch("SELECT contact_id, account_id FROM contact_relationships"):
                snapshot.related_accounts.setdefault(row["contact_id"], set()).add(
                    row["account_id"]
                )
            for row in await fetch("SELECT id, number, account_id FROM engagements"):
                snapshot.engagements[row["id"]] = Record(**row)
            for list_name, (table, contact_table) in RECORD_LISTS.items():
                extra = {
                    "success_tasks": ", initiative_id, success_case_id",
                    "success_cases": ", initiative_id",
                }.get(table, "")
                listed: dict[int, set[int]] = {}
                for row in await fetch(f"SELECT record_id, contact_id FROM {contact_table}"):
                    listed.setdefault(row["record_id"], set()).add(row["contact_id"])
                snapshot.records[list_name] = {
                    row["id"]: Record(**row, contact_list=frozenset(listed.get(row["id"], ())))
                    for row in await fetch(f"SELECT {_RECORD_COLUMNS}{extra} FROM {table}")
                }
        return snapshot

    # -- principals -------------------------------------------------------------------------

    def principal(self, email: str) -> Principal:
        for user in self.users.values():
            if user["email"].lower() == email.lower():
                return Principal(email, "USER", user["id"], frozenset(user["roles"]), frozenset())
        for contact in self.contacts.values():
            if contact["email"].lower() == email.lower():
                accounts = {contact["account_id"], *self.related_accounts.get(contact["id"], ())}
                return Principal(
                    email,
                    "CONTACT",
                    contact["id"],
                    frozenset(contact["roles"]),
                    frozenset(accounts),
                )
        raise KeyError(email)

    # -- the rules --------------------------------------------------------------------------

    def visible_ids(self, who: Principal, list_name: str, scope: str = ALL) -> set[int]:
        """Database ids of the records of ``list_name`` that ``who`` sees under ``scope``."""
        if list_name == "engagements":
            return self._visible_engagements(who)
        if not who.reads_success or (scope == MINE and not who.has_my_lists):
            return set()
        records = self.records[list_name]
        if who.internal:
            if scope == ALL:
                return set(records)
            return {r.id for r in records.values() if r.assigned_to_id == who.id}
        # External success viewer.
        shown = {
            r.id for r in records.values() if r.visible_to_customer and r.account_id in who.accounts
        }
        if list_name == "successTasks":
            initiatives = self.visible_ids(who, "successInitiatives", scope)
            cases = self.visible_ids(who, "successCases", scope)
            return {
                task_id
                for task_id in shown
                if (records[task_id].initiative_id in initiatives)
                or (records[task_id].success_case_id in cases)
            }
        if scope == ALL:
            return shown
        return {record_id for record_id in shown if records[record_id].in_contact_filter(who.id)}

    def _visible_engagements(self, who: Principal) -> set[int]:
        if not who.reads_success:
            return set()
        if who.internal:
            return set(self.engagements)
        return {e.id for e in self.engagements.values() if e.account_id in who.accounts}

    def visible(self, who: Principal, list_name: str, scope: str = ALL) -> set[str]:
        """The record numbers of ``list_name`` that ``who`` sees under ``scope``."""
        table = self.engagements if list_name == "engagements" else self.records[list_name]
        return {table[record_id].number for record_id in self.visible_ids(who, list_name, scope)}

    def visible_records(self, who: Principal, list_name: str, scope: str = ALL) -> list[Record]:
        table = self.records[list_name]
        return [table[record_id] for record_id in self.visible_ids(who, list_name, scope)]

    # -- helpers ----------------------------------------------------------------------------

    def by_number(self, list_name: str) -> dict[str, Record]:
        table = self.engagements if list_name == "engagements" else self.records[list_name]
        return {record.number: record for record in table.values()}

    def account_named(self, name: str) -> int:
        return next(a["id"] for a in self.accounts.values() if a["name"] == name)

    def pick(
        self, list_name: str, predicate: Callable[[Record], bool], *, exclude: Iterable[int] = ()
    ) -> Record:
        """The lowest-id record of ``list_name`` matching ``predicate`` (deterministic)."""
        excluded = set(exclude)
        for record_id in sorted(self.records[list_name]):
            record = self.records[list_name][record_id]
            if record_id not in excluded and predicate(record):
                return record
        raise LookupError(f"no {list_name} record matches")


def matches_filter(
    record: Record,
    *,
    states: Iterable[str] | None = None,
    priorities: Iterable[str] | None = None,
    engagement_id: int | None = None,
    account_id: int | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> bool:
    """SuccessRecordFilter semantics: every given filter applies; no due date never matches a
    due-date bound."""
    if states is not None and record.state not in set(states):
        return False
    if priorities is not None and record.priority not in {PRIORITY_RANKS[p] for p in priorities}:
        return False
    if engagement_id is not None and record.engagement_id != engagement_id:
        return False
    if account_id is not None and record.account_id != account_id:
        return False
    if due_from is not None and (record.due_date is None or record.due_date < due_from):
        return False
    return not (due_to is not None and (record.due_date is None or record.due_date > due_to))


# -- paging through the API ------------------------------------------------------------------


def list_query(list_name: str, node_fields: str = "id number") -> str:
    """One page of a root list; every page is one query."""
    if list_name == "engagements":
        return (
            "query Page($first: Int, $after: String, $filter: EngagementFilter, "
            "$orderBy: EngagementOrder) { list: engagements(first: $first, after: $after, "
            "filter: $filter, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor }"
            f" nodes {{ {node_fields} }} }} }}"
        )
    return (
        "query Page($scope: ListScope!, $first: Int, $after: String, "
        "$filter: SuccessRecordFilter, $orderBy: SuccessRecordOrder) { "
        f"list: {list_name}(scope: $scope, first: $first, after: $after, filter: $filter, "
        "orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor }"
        f" nodes {{ {node_fields} }} }} }}"
    )


@dataclass
class Walk:
    """Every node of a list, in order, and what each page said."""

    nodes: list[dict[str, Any]]
    page_sizes: list[int]
    totals: list[int]

    @property
    def numbers(self) -> list[str]:
        return [node["number"] for node in self.nodes]


async def page_through(
    client: Any,
    list_name: str,
    as_: str,
    *,
    scope: str | None = None,
    first: int = 100,
    filter: dict[str, Any] | None = None,
    order_by: dict[str, Any] | None = None,
    node_fields: str = "id number",
    max_pages: int = 200,
) -> Walk:
    """Follow ``endCursor`` while ``hasNextPage``; checks that pages are full and overlap-free."""
    query = list_query(list_name, node_fields)
    variables: dict[str, Any] = {"first": first, "filter": filter, "orderBy": order_by}
    if list_name != "engagements":
        variables["scope"] = scope or ALL
    walk = Walk([], [], [])
    after: str | None = None
    for _ in range(max_pages):
        data = await client.query(query, {**variables, "after": after}, as_=as_)
        connection = data["list"]
        walk.nodes.extend(connection["nodes"])
        walk.page_sizes.append(len(connection["nodes"]))
        walk.totals.append(connection["totalCount"])
        info = connection["pageInfo"]
        if not info["hasNextPage"]:
            break
        assert info["endCursor"], "hasNextPage without an endCursor"
        after = info["endCursor"]
    else:
        raise AssertionError(f"{list_name} did not end within {max_pages} pages")
    # Every page but the last is full; the last is not over-full.
    assert all(size == first for size in walk.page_sizes[:-1]), walk.page_sizes
    assert walk.page_sizes[-1] <= first, walk.page_sizes
    # No duplicates across pages.
    numbers = walk.numbers
    assert len(numbers) == len(set(numbers)), "a record came back twice"
    return walk


# -- the engagement workspace (issue 4) -----------------------------------------------------------
# ACCESS.md: health, series, indicators, contract value, renewal data, risk signals, internal plays
# and their tasks, squad, account team, roll-ups and work items are internal only; internal plays,
# their tasks and risk signals never reach an external viewer by any path. Every workspace record
# (tables/workspace.py, and contracts) is read by the internal success roles alone; a discussion
# also by its participants.


def reads_workspace(who: Principal) -> bool:
    return who.internal and bool(who.roles & INTERNAL_SUCCESS_ROLES)


def reads_discussion(who: Principal, participants: Iterable[int]) -> bool:
    return reads_workspace(who) or (who.internal and who.id in set(participants))


# -- customer service cases (ACCESS.md "Cases") ------------------------------------------------
#
# Modelled from the spec text, like the rest of this module:
# - internal case_agent / admin / customer_success_agent / customer_success_viewer: ALL = every
#   case, MINE = assigned to me; proxy_contact: cases whose internal contact is me (both scopes);
#   any other internal role: nothing;
# - customer / partner: cases I am the contact of or opened;
# - customer_admin: every case of my accounts; customer_case_manager: of my accounts and all
#   their descendants; partner_admin: of my accounts and the customer accounts they serve;
# - MINE for contacts: those I am the contact of;
# - work notes reach internal principals other than proxy contacts, nobody else;
# - resolution notes reach contacts only when the case shares them.

CASE_READERS = frozenset(
    {"case_agent", "admin", "customer_success_agent", "customer_success_viewer"}
)


@dataclass
class CaseRow:
    id: int
    number: str
    account_id: int
    contact_id: int | None
    internal_contact_id: int | None
    opened_by_contact_id: int | None
    assigned_to_id: int | None
    parent_id: int | None
    share_resolution_notes: bool
    resolution_notes: str | None
    impact: int
    urgency: int
    priority: int
    project_id: int | None = None  # the customer project it was raised for


@dataclass
class CaseSnapshot:
    base: Snapshot
    cases: dict[int, CaseRow] = field(default_factory=dict)
    served: dict[int, set[int]] = field(default_factory=dict)  # partner account -> customers
    # case id -> [(kind, body)] of its activities
    activities: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)
    related_kinds: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    async def load(cls, engine: AsyncEngine) -> CaseSnapshot:
        snapshot = cls(await Snapshot.load(engine))
        async with engine.connect() as connection:

            async def fetch(sql: str) -> list[dict[str, Any]]:
                result = await connection.execute(text(sql))
                return [dict(row) for row in result.mappings()]

            columns = ", ".join(CaseRow.__dataclass_fields__)
            for row in await fetch(f"SELECT {columns} FROM cases"):
                snapshot.cases[row["id"]] = CaseRow(**row)
            for row in await fetch(
                "SELECT partner_account_id, customer_account_id FROM partner_relationships"
            ):
                snapshot.served.setdefault(row["partner_account_id"], set()).add(
                    row["customer_account_id"]
                )
            for row in await fetch(
                "SELECT record_id, kind, body FROM activities WHERE record_type = 'case'"
            ):
                snapshot.activities.setdefault(row["record_id"], []).append(
                    (row["kind"], row["body"])
                )
            for row in await fetch("SELECT case_id, kind FROM case_related_records"):
                snapshot.related_kinds.setdefault(row["case_id"], []).append(row["kind"])
        return snapshot

    def descendants(self, account_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        frontier = set(account_ids)
        while frontier:
            children = {
                a["id"] for a in self.base.accounts.values() if a["parent_id"] in frontier
            } - found
            found |= children
            frontier = children
        return found

    def visible_case_ids(self, who: Principal, scope: str = ALL) -> set[int]:
        cases = self.cases.values()
        if who.internal:
            if who.roles & CASE_READERS:
                if scope == ALL:
                    return {c.id for c in cases}
                return {c.id for c in cases if c.assigned_to_id == who.id}
            if "proxy_contact" in who.roles:
                return {c.id for c in cases if c.internal_contact_id == who.id}
            return set()
        accounts: set[int] = set()
        if who.roles & {"customer_admin", "customer_case_manager", "partner_admin"}:
            accounts |= who.accounts
        if "customer_case_manager" in who.roles:
            accounts |= self.descendants(who.accounts)
        if "partner_admin" in who.roles:
            for account in who.accounts:
                accounts |= self.served.get(account, set())
        own = bool(who.roles & {"customer", "partner"})
        visible = {
            c.id
            for c in cases
            if c.account_id in accounts
            or (own and who.id in {c.contact_id, c.opened_by_contact_id})
        }
        if scope == MINE:
            return {case_id for case_id in visible if self.cases[case_id].contact_id == who.id}
        return visible

    def visible_project_cases(self, who: Principal, project_id: int) -> set[int]:
        """ACCESS.md "Customer projects": the cases raised for a project that a viewer lists
        are the cases it sees by the Cases rules (admins and case managers: all of their
        accounts'), whether or not it is a contact of the project."""
        return {
            case_id
            for case_id in self.visible_case_ids(who)
            if self.cases[case_id].project_id == project_id
        }

    def visible_cases(self, who: Principal, scope: str = ALL) -> set[str]:
        return {self.cases[case_id].number for case_id in self.visible_case_ids(who, scope)}

    @staticmethod
    def reads_work_notes(who: Principal) -> bool:
        return who.internal and "proxy_contact" not in who.roles

    def visible_activities(self, who: Principal, case_id: int) -> list[tuple[str, str | None]]:
        entries = self.activities.get(case_id, [])
        if self.reads_work_notes(who):
            return entries
        return [entry for entry in entries if entry[0] != "WORK_NOTE"]

    def resolution_notes(self, who: Principal, case_id: int) -> str | None:
        case = self.cases[case_id]
        if who.internal or case.share_resolution_notes:
            return case.resolution_notes
        return None
