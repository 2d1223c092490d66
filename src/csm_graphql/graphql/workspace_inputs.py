"""Arguments of the workspace lists: filters (hashable, so they key loaders) and orders, and
the ``narrow`` functions (``declared.connection``) that turn an engagement list's own
arguments into its ``Narrowing``."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import WorkState as WorkStateValue
from csm_graphql.domain.workspace import RiskState, UsagePlan, WorkItemKind
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import Narrowing
from csm_graphql.graphql.inputs import OrderDirection, SortOrder, order_input
from csm_graphql.graphql.types.common import ObjectiveState, WorkState
from csm_graphql.repositories import workspace as reads
from csm_graphql.repositories import workspace_entities as ws
from csm_graphql.repositories.entities import OrderField
from csm_graphql.repositories.filters import ActiveContracts, Equals, RiskConditions

if TYPE_CHECKING:
    from csm_graphql.graphql.types.workspace_values import HealthIndicator

# -- risk signals ---------------------------------------------------------------------------------


@strawberry.input(
    description="Risk-signal views of the overview; all given flags apply together. NEW: state "
    "NEW. OVERDUE: open and due before today. HIGH_PRIORITY: open and CRITICAL or HIGH (a "
    "closed or canceled risk needs no attention). UNADDRESSED: open "
    "and no success play launched from it."
)
class RiskSignalFilter:
    new: bool = strawberry.field(default=False, description="Only risks in state NEW.")
    overdue: bool = strawberry.field(default=False, description="Only open, overdue risks.")
    high_priority: bool = strawberry.field(
        default=False, description="Only open risks of priority CRITICAL or HIGH."
    )
    unaddressed: bool = strawberry.field(
        default=False, description="Only open risks no success play was launched from."
    )
    state: list[RiskState] | None = strawberry.field(default=None, description="Any of these.")


@strawberry.enum(description="What risk-signal lists sort by (then by id).")
class RiskSignalOrderField(Enum):
    DUE_DATE = OrderField.DUE_DATE
    PRIORITY = OrderField.PRIORITY
    PROBABILITY = OrderField.PROBABILITY
    NUMBER = OrderField.NUMBER


@order_input(
    RiskSignalOrderField,
    default=RiskSignalOrderField.DUE_DATE,
    description="Sort order of a risk-signal list. Due dates: empty last.",
)
class RiskSignalOrder(SortOrder):
    pass


def narrow_risk_signals(
    info: Info,
    filter: Annotated[
        RiskSignalFilter | None, strawberry.argument(description="Only matching risks.")
    ] = None,
    order_by: Annotated[
        RiskSignalOrder | None, strawberry.argument(description="Sort order.")
    ] = None,
) -> Narrowing:
    """The risk views asked for (the request's date decides what is overdue)."""
    if filter is None:
        views = RiskConditions()
    else:
        states = tuple(state.value for state in filter.state or ())
        views = RiskConditions(
            filter.new, filter.overdue, filter.high_priority, filter.unaddressed, states,
            info.context.today if filter.overdue else None,
        )  # fmt: skip
    return Narrowing(order_by.ordering() if order_by else None, views)


# -- work items -----------------------------------------------------------------------------------


@strawberry.input(description="Work-item filters; all given filters apply.")
class WorkItemFilter:
    kind: list[WorkItemKind] | None = strawberry.field(default=None, description="Any of these.")
    state: list[WorkState] | None = strawberry.field(
        default=None, description="Any of these states (e.g. NEW, BLOCKED)."
    )

    def kinds(self) -> tuple[WorkItemKind, ...]:
        return tuple(self.kind or ())

    def states(self) -> tuple[str, ...]:
        return tuple(WorkStateValue(state).value for state in self.state or ())


@strawberry.enum(description="What work-item lists sort by (then by kind and id).")
class WorkItemOrderField(Enum):
    PRIORITY = OrderField.PRIORITY
    DUE_DATE = OrderField.DUE_DATE


@order_input(
    WorkItemOrderField,
    default=WorkItemOrderField.DUE_DATE,
    description="Sort order of a work-item list. Due dates: empty last.",
)
class WorkItemOrder(SortOrder):
    pass


# -- objectives -----------------------------------------------------------------------------------


def narrow_objectives(
    info: Info,
    state: Annotated[
        list[ObjectiveState] | None,
        strawberry.argument(description="Any of these states; omit for all."),
    ] = None,
    direction: Annotated[
        OrderDirection, strawberry.argument(description="Due date order; empty last.")
    ] = OrderDirection.ASC,
) -> Narrowing:
    descending = direction is OrderDirection.DESC
    return Narrowing(
        ws.workspace_ordering(ws.WorkspaceOrder.DUE_DATE, descending=descending),
        Equals.of(state=tuple(ObjectiveState(s).value for s in state or ())),
    )


# -- sold products --------------------------------------------------------------------------------


@strawberry.enum(description="What sold-product lists sort by (then by id).")
class SoldProductOrderField(Enum):
    CUSTOMER_PRIORITY = OrderField.CUSTOMER_PRIORITY
    ADOPTION_SCORE = OrderField.ADOPTION_SCORE
    BUSINESS_CRITICALITY = OrderField.BUSINESS_CRITICALITY
    ACTIVATION_STATUS = OrderField.ACTIVATION_STATUS


@order_input(
    SoldProductOrderField,
    default=SoldProductOrderField.CUSTOMER_PRIORITY,
    description="Sort order of a sold-product list; products without a score last.",
)
class SoldProductOrder(SortOrder):
    pass


def narrow_sold_products(
    info: Info,
    usage_plan: Annotated[
        list[UsagePlan] | None,
        strawberry.argument(description="Any of these (omit for all)."),
    ] = None,
    order_by: Annotated[
        SoldProductOrder | None, strawberry.argument(description="Sort order.")
    ] = None,
) -> Narrowing:
    plans = Equals.of(usage_plan=tuple(int(plan) for plan in usage_plan or ()))
    return Narrowing(order_by.ordering() if order_by else None, plans)


# -- contracts, touchpoints -----------------------------------------------------------------------


def narrow_contracts(
    info: Info,
    active_only: Annotated[
        bool, strawberry.argument(description="Only contracts in force.")
    ] = True,
) -> Narrowing:
    return Narrowing(record_filter=ActiveContracts() if active_only else None)


def upcoming_touchpoints(info: Info) -> Narrowing:
    """Scheduled ahead of the request's instant and still open, soonest first."""
    return Narrowing(reads.UPCOMING, reads.Upcoming(info.context.now))


# -- health indicators ----------------------------------------------------------------------------


@strawberry.enum(description="What health-indicator lists sort by (then by indicator).")
@describe_values(
    SCORE="The indicator's attainment (0 to 1): how close actual is to target.",
    WEIGHT="The indicator's weight in the health definition (weights sum to 100).",
    GAP=(
        "gapPercent: how far actual falls short of target; an unmeasured indicator counts as "
        "the largest gap."
    ),
)
class HealthIndicatorOrderField(Enum):
    SCORE = "SCORE"
    WEIGHT = "WEIGHT"
    GAP = "GAP"


# How each field sorts an engagement's computed indicators.
INDICATOR_KEYS: dict[HealthIndicatorOrderField, Callable[[HealthIndicator], float]] = {
    HealthIndicatorOrderField.SCORE: lambda indicator: indicator.score,
    HealthIndicatorOrderField.WEIGHT: lambda indicator: float(indicator.weight),
    # An unmeasured indicator has no gap; it sorts as the largest one (it is the least known).
    HealthIndicatorOrderField.GAP: lambda indicator: (
        101.0 if indicator.gap_percent is None else indicator.gap_percent
    ),
}


@order_input(
    HealthIndicatorOrderField,
    default=HealthIndicatorOrderField.WEIGHT,
    direction=OrderDirection.DESC,
    description="Sort order of an engagement's health indicators.",
)
class HealthIndicatorOrder(SortOrder):
    if TYPE_CHECKING:
        field: HealthIndicatorOrderField  # sorted in Python: not an OrderField
