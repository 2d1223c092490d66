"""Arguments of the workspace lists: filters (hashable, so they key loaders) and orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import WorkState as WorkStateValue
from csm_graphql.domain.workspace import RiskState, UsagePlan, WorkItemKind
from csm_graphql.graphql.inputs import OrderDirection, SortOrder, order_input
from csm_graphql.graphql.types.common import ObjectiveState, WorkState
from csm_graphql.repositories.entities import OrderField
from csm_graphql.repositories.filters import Equals, RiskConditions

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


def risk_conditions(value: RiskSignalFilter | None, today: date) -> RiskConditions:
    """The risk views asked for (``today`` decides what is overdue)."""
    if value is None:
        return RiskConditions()
    return RiskConditions(
        value.new,
        value.overdue,
        value.high_priority,
        value.unaddressed,
        tuple(state.value for state in value.state or ()),
        today if value.overdue else None,
    )


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


def objective_states(states: list[ObjectiveState] | None) -> Equals:
    return Equals.of(state=tuple(ObjectiveState(s).value for s in states or ()))


# -- sold products --------------------------------------------------------------------------------


def usage_plans(plans: list[UsagePlan] | None) -> Equals:
    return Equals.of(usage_plan=tuple(int(plan) for plan in plans or ()))


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


# -- contracts, touchpoints -----------------------------------------------------------------------


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
