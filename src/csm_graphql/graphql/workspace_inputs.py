"""Arguments of the workspace lists: filters (hashable, so they key loaders) and orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

import strawberry
from sqlalchemy import ColumnElement, and_, exists, not_

from csm_graphql import tables as t
from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import EngagementState as EngagementStateValue
from csm_graphql.domain.enums import Priority
from csm_graphql.domain.enums import WorkState as WorkStateValue
from csm_graphql.domain.workspace import PlaySource, RiskState, UsagePlan, WorkItemKind
from csm_graphql.graphql.inputs import OrderDirection, SortOrder, order_input
from csm_graphql.graphql.types.common import EngagementState, WorkState
from csm_graphql.repositories.entities import Entity, OrderField

HIGH_PRIORITIES = (Priority.CRITICAL, Priority.HIGH)
OPEN_RISK_STATES = tuple(state.value for state in RiskState if state.is_open)


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


@dataclass(frozen=True, slots=True)
class RiskConditions:
    new: bool = False
    overdue: bool = False
    high_priority: bool = False
    unaddressed: bool = False
    states: tuple[str, ...] = ()
    today: date | None = None

    @classmethod
    def of(cls, value: RiskSignalFilter | None, today: date) -> RiskConditions:
        if value is None:
            return cls()
        return cls(
            value.new,
            value.overdue,
            value.high_priority,
            value.unaddressed,
            tuple(state.value for state in value.state or ()),
            today if value.overdue else None,
        )

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        risk = entity.table
        found: list[ColumnElement[bool]] = []
        if self.new:
            found.append(risk.c.state == RiskState.NEW.value)
        if self.overdue:
            found.append(and_(risk.c.state.in_(OPEN_RISK_STATES), risk.c.due_date < self.today))
        if self.high_priority:
            high = risk.c.priority.in_([int(p) for p in HIGH_PRIORITIES])
            found.append(and_(risk.c.state.in_(OPEN_RISK_STATES), high))
        if self.unaddressed:
            play = t.success_plays
            launched = exists().where(
                play.c.source_type == PlaySource.RISK_SIGNAL.value, play.c.source_id == risk.c.id
            )
            found.append(and_(risk.c.state.in_(OPEN_RISK_STATES), not_(launched)))
        if self.states:
            found.append(risk.c.state.in_(self.states))
        return found


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


@dataclass(frozen=True, slots=True)
class StateConditions:
    """``state IN (...)`` on any record with a state column."""

    states: tuple[str, ...] = ()

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        return [entity.table.c.state.in_(self.states)] if self.states else []


def objective_states(states: list[EngagementState] | None) -> StateConditions:
    return StateConditions(tuple(EngagementStateValue(s).value for s in states or ()))


# -- sold products --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UsagePlanConditions:
    plans: tuple[int, ...] = ()

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        return [entity.table.c.usage_plan.in_(self.plans)] if self.plans else []


def usage_plans(plans: list[UsagePlan] | None) -> UsagePlanConditions:
    return UsagePlanConditions(tuple(int(plan) for plan in plans or ()))


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


@dataclass(frozen=True, slots=True)
class ActiveContracts:
    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        return [entity.table.c.active]


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


@order_input(
    HealthIndicatorOrderField,
    default=HealthIndicatorOrderField.WEIGHT,
    direction=OrderDirection.DESC,
    description="Sort order of an engagement's health indicators.",
)
class HealthIndicatorOrder(SortOrder):
    if TYPE_CHECKING:
        field: HealthIndicatorOrderField  # sorted in Python: not an OrderField
