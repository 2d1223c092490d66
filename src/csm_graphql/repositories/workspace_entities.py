"""The workspace's entities (tables/workspace.py) and the orderings their lists offer.

Kept apart from entities.py, which registers the foundation's entities; both use the same
``Entity`` and keyset ``Ordering`` machinery, and every visibility comes from ``access.rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cache

from sqlalchemy import ColumnElement, Date, FromClause, Table, cast, func, literal, literal_column

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.descriptions import describe_values
from csm_graphql.repositories.entities import Entity, OrderField, ordering
from csm_graphql.repositories.paging import Ordering


@describe_values(
    DUE_DATE="The due date; records without one come last in either direction.",
    PRIORITY="The priority rank: ascending puts CRITICAL first.",
    PROBABILITY="The probability rank: ascending puts VERY_HIGH first.",
    NUMBER="The record's number (creation order).",
    CUSTOMER_PRIORITY="The customer's priority for the product: ascending puts CRITICAL first.",
    ADOPTION_SCORE="The latest weekly adoption score; products without a score come last.",
    BUSINESS_CRITICALITY="The product's business criticality: ascending puts CRITICAL first.",
    ACTIVATION_STATUS="The usage plan: ascending puts ACTIVATED first.",
    PLANNED_START="The planned start date.",
    END_DATE="The end date.",
    NAME="The name, alphabetically.",
    CREATED_AT="When the record was created.",
    AT="When it happened.",
)
class WorkspaceOrder(StrEnum):
    """Sort keys of the workspace lists (then by id)."""

    DUE_DATE = "DUE_DATE"
    PRIORITY = "PRIORITY"
    PROBABILITY = "PROBABILITY"
    NUMBER = "NUMBER"
    CUSTOMER_PRIORITY = "CUSTOMER_PRIORITY"
    ADOPTION_SCORE = "ADOPTION_SCORE"
    BUSINESS_CRITICALITY = "BUSINESS_CRITICALITY"
    ACTIVATION_STATUS = "ACTIVATION_STATUS"
    PLANNED_START = "PLANNED_START"
    END_DATE = "END_DATE"
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"
    AT = "AT"


def _column(name: str) -> Callable[[FromClause], ColumnElement[object]]:
    return lambda table: table.c[name]


def _date_empty_last(name: str, descending: bool) -> Callable[[FromClause], ColumnElement[object]]:
    empty = cast(literal_column("'-infinity'" if descending else "'infinity'"), Date)
    return lambda table: func.coalesce(table.c[name], empty)


def _score_empty_last(name: str, descending: bool) -> Callable[[FromClause], ColumnElement[object]]:
    """Scores are 0..100: a product without one sorts after every scored one either way."""
    empty = literal(-1.0 if descending else 101.0)
    return lambda table: func.coalesce(table.c[name], empty)


_KEYS: dict[WorkspaceOrder, str] = {
    WorkspaceOrder.PRIORITY: "priority",
    WorkspaceOrder.PROBABILITY: "probability",
    WorkspaceOrder.NUMBER: "number",
    WorkspaceOrder.CUSTOMER_PRIORITY: "customer_priority",
    WorkspaceOrder.BUSINESS_CRITICALITY: "business_criticality",
    WorkspaceOrder.ACTIVATION_STATUS: "usage_plan",
    WorkspaceOrder.NAME: "name",
    WorkspaceOrder.CREATED_AT: "created_at",
    WorkspaceOrder.AT: "at",
}
_DATES = {
    WorkspaceOrder.DUE_DATE: "due_date",
    WorkspaceOrder.PLANNED_START: "planned_start",
    WorkspaceOrder.END_DATE: "end_date",
}


# Cached: an Ordering's key is a closure, compared by identity, and loaders batch the parents
# whose ChildQuery (ordering included) is equal; a fresh Ordering per parent would cost one
# statement per parent.
@cache
def workspace_ordering(key: WorkspaceOrder, *, descending: bool = False) -> Ordering:
    direction = "DESC" if descending else "ASC"
    if key in _DATES:
        build = _date_empty_last(_DATES[key], descending)
    elif key is WorkspaceOrder.ADOPTION_SCORE:
        build = _score_empty_last("adoption_score", descending)
    else:
        build = _column(_KEYS[key])
    return Ordering(f"{key}_{direction}", build, descending)


def _entity(
    name: str,
    table: Table,
    rule: Callable[[Viewer, Table], ColumnElement[bool]],
    default: Ordering,
) -> Entity:
    """An unscoped entity: workspace lists have no "My ..." variant. Their sort arguments are
    WorkspaceOrder values, validated by the list itself, so ``orderings`` stays empty."""
    return Entity(name, table, lambda viewer, _scope, table: rule(viewer, table), default)


DUE = workspace_ordering(WorkspaceOrder.DUE_DATE)

SUCCESS_OBJECTIVE = _entity("SuccessObjective", t.success_objectives, rows.success_objectives, DUE)
INTERNAL_PLAY = _entity("InternalPlay", t.internal_plays, rows.internal_plays, DUE)
INTERNAL_PLAY_TASK = _entity(
    "InternalPlayTask", t.internal_play_tasks, rows.internal_play_tasks, DUE
)
RISK_SIGNAL = _entity("RiskSignal", t.risk_signals, rows.risk_signals, DUE)
SUCCESS_PLAY = _entity(
    "SuccessPlay",
    t.success_plays,
    rows.success_plays,
    workspace_ordering(WorkspaceOrder.CREATED_AT, descending=True),
)
SOLD_PRODUCT = _entity(
    "SoldProduct",
    t.sold_products,
    rows.sold_products,
    workspace_ordering(WorkspaceOrder.CUSTOMER_PRIORITY),
)
PRODUCT_ADOPTION_ROADMAP = _entity(
    "ProductAdoptionRoadmap",
    t.product_adoption_roadmaps,
    rows.sold_products,
    workspace_ordering(WorkspaceOrder.PLANNED_START),
)
# The engagement's view of contracts (success roles only) is another entity than the cases
# area's "Contract" (account rule): a distinct name keeps their per-request loaders apart.
CONTRACT = _entity(
    "EngagementContract",
    t.contracts,
    rows.engagement_contracts,
    workspace_ordering(WorkspaceOrder.END_DATE),
)
EMAIL_TEMPLATE = _entity(
    "EmailTemplate", t.email_templates, rows.templates, ordering(OrderField.NAME)
)
FORM_TEMPLATE = _entity("FormTemplate", t.form_templates, rows.templates, ordering(OrderField.NAME))
DISCUSSION = _entity(
    "Discussion",
    t.discussions,
    rows.discussions,
    workspace_ordering(WorkspaceOrder.CREATED_AT, descending=True),
)
DISCUSSION_MESSAGE = _entity(
    "DiscussionMessage",
    t.discussion_messages,
    rows.discussion_messages,
    workspace_ordering(WorkspaceOrder.AT),
)
