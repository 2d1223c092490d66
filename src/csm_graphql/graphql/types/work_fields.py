"""Fields that every kind of customer-success work declares alike (success records and the
workspace's plays, tasks and risks): each call makes a fresh field, so that a field rule
attaches to one type's field alone."""

from __future__ import annotations

from typing import Any

from csm_graphql.domain.dates import days_remaining
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import computed, connection, to_one
from csm_graphql.graphql.inputs import Filter, OrderBy, record_filter
from csm_graphql.repositories import entities
from csm_graphql.repositories.entities import Entity


def _days_remaining(root: Any, info: Info) -> int | None:
    # One "today" per request, so that every record of a response agrees.
    return days_remaining(root.due_date, info.context.today)


def days_remaining_field() -> Any:
    return computed(
        _days_remaining, "Days until the due date; negative when overdue.", reads=["due_date"]
    )


def engagement_field() -> Any:
    return to_one(entities.ENGAGEMENT, "engagement_id", "The engagement it belongs to.")


def account_field() -> Any:
    return to_one(entities.ACCOUNT, "account_id", "The customer account (the engagement's).")


def assigned_to_field() -> Any:
    return to_one(entities.USER, "assigned_to_id", "The employee it is assigned to.")


def success_list(entity: Entity, parent_column: str, description: str) -> Any:
    """A nested customer-success list (e.g. an engagement's initiatives): the same filter and
    order arguments everywhere, batched per level by the loader."""
    return connection(
        entity,
        parent_column,
        description,
        filter_arg=Filter,
        to_filter=record_filter,
        order_arg=OrderBy,
    )
