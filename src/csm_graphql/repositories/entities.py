"""What the read side knows about each entity: its table, columns, visibility and orderings.

Repositories read every entity the same way (pages, child pages, by id); this registry is the
only per-entity knowledge they need, for every area (success, projects, cases, the engagement
workspace). Visibility always comes from ``access.rows``; every list sorts by ``OrderField``
keys through ``ordering``. ``case_entities`` and ``workspace_entities`` re-export their area's
entries under the names callers already use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    Table,
    cast,
    func,
    literal,
    literal_column,
    select,
)

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
    PROBABILITY="The probability rank: ascending puts VERY_HIGH first.",
    CUSTOMER_PRIORITY="The customer's priority for the product: ascending puts CRITICAL first.",
    ADOPTION_SCORE="The latest weekly adoption score; products without a score come last.",
    BUSINESS_CRITICALITY="The product's business criticality: ascending puts CRITICAL first.",
    ACTIVATION_STATUS="The usage plan: ascending puts ACTIVATED first.",
    END_DATE="The end date; records without one come last in either direction.",
)
class OrderField(StrEnum):
    """Every sort key of every list (then by id); a list offers some of them."""

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
    PROBABILITY = "PROBABILITY"
    CUSTOMER_PRIORITY = "CUSTOMER_PRIORITY"
    ADOPTION_SCORE = "ADOPTION_SCORE"
    BUSINESS_CRITICALITY = "BUSINESS_CRITICALITY"
    ACTIVATION_STATUS = "ACTIVATION_STATUS"
    END_DATE = "END_DATE"


def _dates_empty_last(column: str, *, descending: bool) -> SortKey:
    """A date key that is never null: records without the date sort last in both directions
    ('infinity' ascending, '-infinity' descending), and keyset comparisons stay simple."""
    empty = cast(literal_column("'-infinity'" if descending else "'infinity'"), Date)
    return lambda table: func.coalesce(table.c[column], empty)


def _scores_empty_last(column: str, *, descending: bool) -> SortKey:
    """Scores are 0..100: a record without one sorts after every scored one either way."""
    empty = literal(-1.0 if descending else 101.0)
    return lambda table: func.coalesce(table.c[column], empty)


def _column(name: str) -> SortKey:
    return lambda table: table.c[name]


# The column each plain key sorts by.
SORT_KEYS: dict[OrderField, SortKey] = {
    OrderField.PRIORITY: _column("priority"),
    OrderField.NUMBER: _column("number"),
    OrderField.UPDATED_AT: _column("updated_at"),
    OrderField.CREATED_AT: _column("created_at"),
    OrderField.NAME: _column("name"),
    OrderField.AT: _column("at"),
    OrderField.PROBABILITY: _column("probability"),
    OrderField.CUSTOMER_PRIORITY: _column("customer_priority"),
    OrderField.BUSINESS_CRITICALITY: _column("business_criticality"),
    OrderField.ACTIVATION_STATUS: _column("usage_plan"),
}
# Keys whose column may be empty, sorted last in either direction.
DATE_KEYS = {
    OrderField.DUE_DATE: "due_date",
    OrderField.GO_LIVE_DATE: "go_live_date",
    OrderField.PLANNED_START: "planned_start",
    OrderField.PLANNED_END: "planned_end",
    OrderField.END_DATE: "end_date",
}
SCORE_KEYS = {OrderField.ADOPTION_SCORE: "adoption_score"}


# Cached: loaders batch the parents whose ChildQuery is equal, and an Ordering's key closure
# compares by identity, so a fresh Ordering per parent would cost one statement per parent.
@cache
def ordering(order_field: OrderField, *, descending: bool = False) -> Ordering:
    direction = "DESC" if descending else "ASC"
    if order_field in DATE_KEYS:
        key = _dates_empty_last(DATE_KEYS[order_field], descending=descending)
    elif order_field in SCORE_KEYS:
        key = _scores_empty_last(SCORE_KEYS[order_field], descending=descending)
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


def active_contract_value(engagement: FromClause = t.engagements) -> ColumnElement[object]:
    """An engagement's contract value: the sum of its active contracts' values (null without
    one). Derived, never stored, so it cannot disagree with the contracts; the column
    ``engagements.contract_value`` is no longer read (CHANGELOG, issue 11)."""
    contract = t.contracts
    return (
        select(func.sum(contract.c.value))
        .where(contract.c.engagement_id == engagement.c.id, contract.c.active)
        .scalar_subquery()
    )


ENGAGEMENT = Entity(
    "Engagement",
    t.engagements,
    _unscoped(rows.engagements),
    ordering(OrderField.NUMBER),
    frozenset({OrderField.NUMBER, OrderField.NAME, OrderField.GO_LIVE_DATE, OrderField.UPDATED_AT}),
    extra_columns=(active_contract_value().label("active_contract_value"),),
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
# A project as a case refers to it (its id, number and name), under the rule of references.
PROJECT_REFERENCE = replace(
    PROJECT,
    name="ProjectReference",
    visible=_unscoped(rows.project_references),
    orderings=frozenset(),
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


# -- customer service cases ----------------------------------------------------------------------

CASE_ORDERS = frozenset(
    {OrderField.NUMBER, OrderField.PRIORITY, OrderField.UPDATED_AT, OrderField.CREATED_AT}
)


def _user_name(column: ColumnElement[int], label: str) -> ColumnElement[object]:
    return select(t.users.c.name).where(t.users.c.id == column).scalar_subquery().label(label)


# Who works the case and who opened it are shown by name to whoever sees the case, even where
# the person's record (an employee) is not visible to the viewer, as for activity authors.
_OPENED_BY_NAME = func.coalesce(
    select(t.users.c.name).where(t.users.c.id == t.cases.c.opened_by_user_id).scalar_subquery(),
    select(t.contacts.c.name)
    .where(t.contacts.c.id == t.cases.c.opened_by_contact_id)
    .scalar_subquery(),
).label("opened_by_name")

CASE = Entity(
    "Case",
    t.cases,
    lambda viewer, scope, table: rows.cases(viewer, scope, table),
    ordering(OrderField.NUMBER, descending=True),
    CASE_ORDERS,
    extra_columns=(_user_name(t.cases.c.assigned_to_id, "assigned_to_name"), _OPENED_BY_NAME),
)

ASSET = Entity("Asset", t.assets, _unscoped(rows.assets), ordering(OrderField.NUMBER))
ENTITLEMENT = Entity(
    "Entitlement", t.entitlements, _unscoped(rows.entitlements), ordering(OrderField.NUMBER)
)
CONTRACT = Entity("Contract", t.contracts, _unscoped(rows.contracts), ordering(OrderField.NUMBER))
PRODUCT_MODEL = Entity(
    "ProductModel", t.product_models, _unscoped(rows.product_models), ordering(OrderField.NUMBER)
)
WORK_ORDER = Entity(
    "WorkOrder", t.work_orders, _unscoped(rows.work_orders), ordering(OrderField.NUMBER)
)
INTERACTION = Entity(
    "Interaction",
    t.interactions,
    _unscoped(rows.interactions),
    ordering(OrderField.NUMBER, descending=True),
)
SCHEDULE = Entity("Schedule", t.schedules, _unscoped(rows.internal_only), ordering(OrderField.NAME))
SUPPORT_GROUP = Entity(
    "SupportGroup", t.support_groups, _unscoped(rows.internal_only), ordering(OrderField.NAME)
)
SLA_DEFINITION = Entity(
    "SlaDefinition", t.sla_definitions, _unscoped(rows.internal_only), ordering(OrderField.NAME)
)
RELATED_RECORD = Entity(
    "RelatedRecord",
    t.case_related_records,
    _unscoped(rows.case_related_records),
    ordering(OrderField.CREATED_AT, descending=True),
)

_definition = t.sla_definitions
TASK_SLA = Entity(
    "TaskSla",
    t.task_slas,
    _unscoped(rows.task_slas),
    ordering(OrderField.CREATED_AT),
    extra_columns=(
        select(_definition.c.name)
        .where(_definition.c.id == t.task_slas.c.sla_definition_id)
        .scalar_subquery()
        .label("name"),
        select(_definition.c.target)
        .where(_definition.c.id == t.task_slas.c.sla_definition_id)
        .scalar_subquery()
        .label("target"),
        # The working hours its time runs in (null: wall-clock), in the same statement.
        *(
            select(column)
            .select_from(
                _definition.join(t.schedules, t.schedules.c.id == _definition.c.schedule_id)
            )
            .where(_definition.c.id == t.task_slas.c.sla_definition_id)
            .scalar_subquery()
            .label(f"schedule_{column.name}")
            for column in (t.schedules.c.hours, t.schedules.c.time_zone)
        ),
    ),
)

# -- the engagement workspace --------------------------------------------------------------------
# Workspace lists have no "My ..." variant; their sort arguments are validated by the list
# itself (graphql/workspace_inputs.py), so ``orderings`` stays empty.

_DUE = ordering(OrderField.DUE_DATE)
_NEWEST = ordering(OrderField.CREATED_AT, descending=True)

SUCCESS_OBJECTIVE = Entity(
    "SuccessObjective", t.success_objectives, _unscoped(rows.success_objectives), _DUE
)
INTERNAL_PLAY = Entity("InternalPlay", t.internal_plays, _unscoped(rows.internal_plays), _DUE)
INTERNAL_PLAY_TASK = Entity(
    "InternalPlayTask", t.internal_play_tasks, _unscoped(rows.internal_play_tasks), _DUE
)
RISK_SIGNAL = Entity("RiskSignal", t.risk_signals, _unscoped(rows.risk_signals), _DUE)
SUCCESS_PLAY = Entity("SuccessPlay", t.success_plays, _unscoped(rows.success_plays), _NEWEST)
SOLD_PRODUCT = Entity(
    "SoldProduct",
    t.sold_products,
    _unscoped(rows.sold_products),
    ordering(OrderField.CUSTOMER_PRIORITY),
)
PRODUCT_ADOPTION_ROADMAP = Entity(
    "ProductAdoptionRoadmap",
    t.product_adoption_roadmaps,
    _unscoped(rows.sold_products),
    ordering(OrderField.PLANNED_START),
)
# The engagement's view of contracts (success roles only) is another entity than the cases
# area's "Contract" (account rule): a distinct name keeps their per-request loaders apart.
ENGAGEMENT_CONTRACT = Entity(
    "EngagementContract",
    t.contracts,
    _unscoped(rows.engagement_contracts),
    ordering(OrderField.END_DATE),
)
EMAIL_TEMPLATE = Entity(
    "EmailTemplate", t.email_templates, _unscoped(rows.templates), ordering(OrderField.NAME)
)
FORM_TEMPLATE = Entity(
    "FormTemplate", t.form_templates, _unscoped(rows.templates), ordering(OrderField.NAME)
)
DISCUSSION = Entity("Discussion", t.discussions, _unscoped(rows.discussions), _NEWEST)
DISCUSSION_MESSAGE = Entity(
    "DiscussionMessage",
    t.discussion_messages,
    _unscoped(rows.discussion_messages),
    ordering(OrderField.AT),
)
