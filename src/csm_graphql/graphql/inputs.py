"""List arguments: filters and orderings, turned into repository values here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry

from csm_graphql.access.fields import may_sort_by
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import EngagementStage as EngagementStageValue
from csm_graphql.errors import BadUserInput, Forbidden
from csm_graphql.graphql.ids import database_id
from csm_graphql.graphql.types.common import EngagementStage, Priority, WorkState
from csm_graphql.repositories.entities import Entity, OrderField, ordering
from csm_graphql.repositories.filters import Equals
from csm_graphql.repositories.paging import Ordering
from csm_graphql.repositories.reads import RecordFilter


@strawberry.enum(description="Sort direction.")
@describe_values(
    ASC="Smallest first: earliest date, lowest rank or number, A to Z.",
    DESC="Largest first: latest date, highest rank or number, Z to A.",
)
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


class SortOrder:
    """A list's sort order: a key of the list's own enum (values of ``OrderField``, the one
    ordering system) and a direction. Declared per list with ``order_input``."""

    if TYPE_CHECKING:
        field: Enum
        direction: OrderDirection

    @property
    def descending(self) -> bool:
        return self.direction is OrderDirection.DESC

    def ordering(self) -> Ordering:
        return ordering(OrderField(self.field.value), descending=self.descending)


S = TypeVar("S", bound=type[SortOrder])


def order_input(
    fields: type[Enum],
    *,
    default: Enum,
    description: str,
    direction: OrderDirection = OrderDirection.ASC,
) -> Callable[[S], S]:
    """Declare a list's order input ``{field: <fields> = default, direction}``: every list's
    order input has these two fields, with the same descriptions."""

    def declare(cls: S) -> S:
        cls.__annotations__ = {"field": fields, "direction": OrderDirection}
        cls.field = strawberry.field(default=default, description="Sort key.")
        cls.direction = strawberry.field(default=direction, description="Sort direction.")
        return strawberry.input(cls, description=description)

    return declare


@strawberry.enum(description="What customer-success lists sort by (then by id).")
class SuccessRecordOrderField(Enum):
    DUE_DATE = OrderField.DUE_DATE
    PRIORITY = OrderField.PRIORITY
    NUMBER = OrderField.NUMBER
    UPDATED_AT = OrderField.UPDATED_AT


@strawberry.enum(description="What engagement lists sort by (then by id).")
class EngagementOrderField(Enum):
    NUMBER = OrderField.NUMBER
    NAME = OrderField.NAME
    GO_LIVE_DATE = OrderField.GO_LIVE_DATE
    UPDATED_AT = OrderField.UPDATED_AT


@strawberry.enum(description="What account lists sort by (then by id).")
class AccountOrderField(Enum):
    NAME = OrderField.NAME
    NUMBER = OrderField.NUMBER
    UPDATED_AT = OrderField.UPDATED_AT


@order_input(
    SuccessRecordOrderField,
    default=SuccessRecordOrderField.DUE_DATE,
    description="Sort order of a customer-success list. Due dates: empty last.",
)
class SuccessRecordOrder(SortOrder):
    pass


@order_input(
    EngagementOrderField,
    default=EngagementOrderField.NUMBER,
    description="Sort order of an engagement list.",
)
class EngagementOrder(SortOrder):
    pass


@order_input(
    AccountOrderField, default=AccountOrderField.NAME, description="Sort order of an account list."
)
class AccountOrder(SortOrder):
    pass


@strawberry.input(description="Filters of customer-success lists; all given filters apply.")
class SuccessRecordFilter:
    state: list[WorkState] | None = strawberry.field(
        default=None, description="Any of these states."
    )
    priority: list[Priority] | None = strawberry.field(
        default=None, description="Any of these priorities."
    )
    engagement: strawberry.ID | None = strawberry.field(
        default=None, description="Only records of this engagement."
    )
    account: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only records of this account (the portal's \"related to the selected "
        "account\"; a success case's or touchpoint's account is its engagement's).",
    )
    due_from: date | None = strawberry.field(default=None, description="Due on or after this date.")
    due_to: date | None = strawberry.field(default=None, description="Due on or before this date.")

    def to_record_filter(self) -> RecordFilter:
        if self.due_from and self.due_to and self.due_from > self.due_to:
            raise BadUserInput("dueFrom must not be after dueTo.", field="filter.dueFrom")
        return RecordFilter(
            states=tuple(self.state or ()),
            priorities=tuple(self.priority or ()),
            engagement_id=database_id(self.engagement, "Engagement", field="filter.engagement"),
            account_id=database_id(self.account, "Account", field="filter.account"),
            due_from=self.due_from,
            due_to=self.due_to,
        )


@strawberry.input(description="Filters of engagement lists.")
class EngagementFilter:
    stage: list[EngagementStage] | None = strawberry.field(
        default=None, description="Any of these stages."
    )
    account: strawberry.ID | None = strawberry.field(
        default=None, description="Only engagements of this account."
    )

    def to_value(self) -> Equals:
        return Equals.of(
            stage=tuple(EngagementStageValue(stage).value for stage in self.stage or ()),
            account_id=database_id(self.account, "Account", field="filter.account"),
        )


# The arguments of every customer-success list.
Filter = Annotated[
    SuccessRecordFilter | None, strawberry.argument(description="Only matching records.")
]
OrderBy = Annotated[
    SuccessRecordOrder | None, strawberry.argument(description="Sort order; due date first.")
]


def record_filter(value: SuccessRecordFilter | None) -> RecordFilter | None:
    return value.to_record_filter() if value else None


# The field each sort key shows, for the field rules.
SORTED_FIELDS = {
    OrderField.DUE_DATE: "dueDate",
    OrderField.PRIORITY: "priority",
    OrderField.NUMBER: "number",
    OrderField.UPDATED_AT: "updatedAt",
    OrderField.NAME: "name",
    OrderField.GO_LIVE_DATE: "goLiveDate",
    OrderField.PLANNED_START: "plannedStart",
    OrderField.PLANNED_END: "plannedEnd",
    OrderField.CREATED_AT: "createdAt",
}


def to_ordering(entity: Entity, order: Any, viewer: Viewer) -> Ordering:
    """The list's ordering: its default, or the one asked for if the viewer may read the
    field it sorts by (cursors carry the values). ``order`` is a ``SortOrder`` or anything
    with its ``field`` and ``direction`` (the compiled reads pass the coerced argument)."""
    if order is None:
        return entity.default_ordering
    order_field = OrderField(order.field.value)
    sorted_field = SORTED_FIELDS[order_field]
    if not may_sort_by(entity.name, sorted_field, viewer):
        raise Forbidden(
            f"Sorting by {sorted_field} is not available to this viewer.", field="orderBy"
        )
    return ordering(order_field, descending=order.direction is OrderDirection.DESC)
