"""What the read side knows about each entity: its table, columns, visibility and orderings.

Repositories read every entity the same way (pages, child pages, by id); this registry is the
only per-entity knowledge they need. Visibility always comes from ``access.rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache

from sqlalchemy import ColumnElement, Date, FromClause, Table, cast, func, literal_column, select

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.descriptions import describe_values
from csm_graphql.repositories.paging import Ordering

Visibility = Callable[[Viewer, ListScope, Table], ColumnElement[bool]]
SortKey = Callable[[FromClause], ColumnElement[object]]


@describe_values(
    DUE_DATE="The due date; records without one come last in either direction.",
    PRIORITY="The priority rank: ascending puts CRITICAL first.",
    NUMBER="The record's number (creation order).",
    UPDATED_AT="When the record last changed.",
    NAME="The name, alphabetically.",
    GO_LIVE_DATE="The go-live date; engagements without one come last in either direction.",
    CREATED_AT="When the record was created.",
    AT="When it happened.",
    PLANNED_START="The planned start date; records without one come last in either direction.",
    PLANNED_END="The planned end date; records without one come last in either direction.",
)
class OrderField(StrEnum):
    DUE_DATE = "DUE_DATE"
    PRIORITY = "PRIORITY"
    NUMBER = "NUMBER"
    UPDATED_AT = "UPDATED_AT"
    NAME = "NAME"
    GO_LIVE_DATE = "GO_LIVE_DATE"
    CREATED_AT = "CREATED_AT"
    AT = "AT"
    PLANNED_START = "PLANNED_START"
    PLANNED_END = "PLANNED_END"


def _dates_empty_last(column: str, *, descending: bool) -> SortKey:
    """A date key that is never null: records without the date sort last in both directions
    ('infinity' ascending, '-infinity' descending), and keyset comparisons stay simple."""
    empty = cast(literal_column("'-infinity'" if descending else "'infinity'"), Date)
    return lambda table: func.coalesce(table.c[column], empty)


SORT_KEYS: dict[OrderField, SortKey] = {
    OrderField.PRIORITY: lambda table: table.c.priority,
    OrderField.NUMBER: lambda table: table.c.number,
    OrderField.UPDATED_AT: lambda table: table.c.updated_at,
    OrderField.CREATED_AT: lambda table: table.c.created_at,
    OrderField.NAME: lambda table: table.c.name,
    OrderField.AT: lambda table: table.c.at,
}
DATE_KEYS = {
    OrderField.DUE_DATE: "due_date",
    OrderField.GO_LIVE_DATE: "go_live_date",
    OrderField.PLANNED_START: "planned_start",
    OrderField.PLANNED_END: "planned_end",
}


# Cached: loaders batch the parents whose ChildQuery is equal, and an Ordering's key closure
# compares by identity, so a fresh Ordering per parent would cost one statement per parent.
@cache
def ordering(order_field: OrderField, *, descending: bool = False) -> Ordering:
    direction = "DESC" if descending else "ASC"
    if order_field in DATE_KEYS:
        key = _dates_empty_last(DATE_KEYS[order_field], descending=descending)
    else:
        key = SORT_KEYS[order_field]
    return Ordering(f"{order_field}_{direction}", key, descending)


def data_columns(table: Table) -> list[ColumnElement[object]]:
    """Every column a type may show; search documents stay in the database."""
    return [column for column in table.c if not column.name.endswith("search_vector")]


@dataclass(frozen=True)
class Entity:
    name: str
    table: Table
    visible: Visibility
    default_ordering: Ordering
    orderings: frozenset[OrderField] = field(default_factory=frozenset)
    # Values computed alongside the row (e.g. a display name from another table).
    extra_columns: tuple[ColumnElement[object], ...] = ()
    # The rule a row is read by alone (``node(id:)``) when ``visible`` holds only behind a
    # parent the viewer already reached (activities, attachments); None: ``visible``.
    alone: Visibility | None = None

    @property
    def columns(self) -> list[ColumnElement[object]]:
        return [*data_columns(self.table), *self.extra_columns]

    def read_alone(self) -> Entity:
        """This entity as ``node(id:)`` reads it: under ``alone`` where it has one."""
        return self if self.alone is None else replace(self, visible=self.alone, alone=None)


def _unscoped(rule: Callable[[Viewer, Table], ColumnElement[bool]]) -> Visibility:
    return lambda viewer, _scope, table: rule(viewer, table)


SUCCESS_ORDERS = frozenset(
    {OrderField.DUE_DATE, OrderField.PRIORITY, OrderField.NUMBER, OrderField.UPDATED_AT}
)

ACCOUNT = Entity(
    "Account",
    t.accounts,
    _unscoped(rows.accounts),
    ordering(OrderField.NAME),
    frozenset({OrderField.NAME, OrderField.NUMBER, OrderField.UPDATED_AT}),
)
CONTACT = Entity("Contact", t.contacts, _unscoped(rows.contacts), ordering(OrderField.NAME))
USER = Entity("User", t.users, _unscoped(rows.users), ordering(OrderField.NAME))
ENGAGEMENT = Entity(
    "Engagement",
    t.engagements,
    _unscoped(rows.engagements),
    ordering(OrderField.NUMBER),
    frozenset({OrderField.NUMBER, OrderField.NAME, OrderField.GO_LIVE_DATE, OrderField.UPDATED_AT}),
)
SUCCESS_INITIATIVE = Entity(
    "SuccessInitiative",
    t.success_initiatives,
    lambda viewer, scope, table: rows.success_initiatives(viewer, scope, table),
    ordering(OrderField.DUE_DATE),
    SUCCESS_ORDERS,
)
SUCCESS_CASE = Entity(
    "SuccessCase",
    t.success_cases,
    lambda viewer, scope, table: rows.success_cases(viewer, scope, table),
    ordering(OrderField.DUE_DATE),
    SUCCESS_ORDERS,
)
SUCCESS_TASK = Entity(
    "SuccessTask",
    t.success_tasks,
    lambda viewer, scope, table: rows.success_tasks(viewer, scope, table),
    ordering(OrderField.DUE_DATE),
    SUCCESS_ORDERS,
)
TOUCHPOINT = Entity(
    "Touchpoint",
    t.touchpoints,
    lambda viewer, scope, table: rows.touchpoints(viewer, scope, table),
    ordering(OrderField.DUE_DATE),
    SUCCESS_ORDERS,
)
PRODUCT = Entity("Product", t.products, _unscoped(rows.products), ordering(OrderField.NAME))
# The author's name is shown to everyone who sees the entry, even where the author's record
# (an employee) is not visible to the viewer; so it is read here, not through a User loader.
_ACTOR_NAME = func.coalesce(
    select(t.users.c.name).where(t.users.c.id == t.activities.c.actor_user_id).scalar_subquery(),
    select(t.contacts.c.name)
    .where(t.contacts.c.id == t.activities.c.actor_contact_id)
    .scalar_subquery(),
).label("actor_name")

# Activity streams read newest first.
# Alone (``node(id:)``), an entry is read under the rule of the streams that show it: the rules
# of the lists hold only behind a record the viewer already reached.
ACTIVITY = Entity(
    "Activity",
    t.activities,
    _unscoped(rows.activities),
    ordering(OrderField.AT, descending=True),
    extra_columns=(_ACTOR_NAME,),
    alone=_unscoped(rows.activity_alone),
)
ATTACHMENT = Entity(
    "Attachment",
    t.attachments,
    _unscoped(rows.attachments),
    ordering(OrderField.CREATED_AT, descending=True),
    alone=_unscoped(rows.attachment_alone),
)
KNOWLEDGE_ARTICLE = Entity(
    "KnowledgeArticle",
    t.knowledge_articles,
    _unscoped(rows.knowledge_articles),
    ordering(OrderField.NUMBER),
)

# -- customer projects ---------------------------------------------------------------------------

PROJECT = Entity(
    "Project",
    t.projects,
    _unscoped(rows.projects),
    ordering(OrderField.NUMBER),
    frozenset(
        {OrderField.NUMBER, OrderField.NAME, OrderField.PLANNED_START, OrderField.PLANNED_END}
        | {OrderField.UPDATED_AT}
    ),
)
PROJECT_TASK = Entity(
    "ProjectTask",
    t.project_tasks,
    lambda viewer, scope, table: rows.project_tasks(viewer, scope, table),
    ordering(OrderField.PLANNED_END),
    frozenset(
        {OrderField.PLANNED_END, OrderField.PLANNED_START, OrderField.NUMBER, OrderField.UPDATED_AT}
    ),
)
PROJECT_CHANGE_REQUEST = Entity(
    "ProjectChangeRequest",
    t.project_change_requests,
    _unscoped(rows.project_case_records),
    ordering(OrderField.NUMBER),
)
PROJECT_ISSUE = Entity(
    "ProjectIssue",
    t.project_issues,
    _unscoped(rows.project_case_records),
    ordering(OrderField.NUMBER),
)
