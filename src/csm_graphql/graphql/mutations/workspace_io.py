"""Inputs and payloads of the workspace mutations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from csm_graphql.domain import health
from csm_graphql.domain.enums import (
    EngagementStage,
    EngagementState,
    PerceivedHealth,
    Priority,
    TouchpointType,
)
from csm_graphql.domain.workspace import Probability, RiskScope
from csm_graphql.graphql.mutations.common import UserError
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.types.success import (
    Engagement,
    SuccessCase,
    SuccessInitiative,
    Touchpoint,
)
from csm_graphql.graphql.types.workspace import (
    Discussion,
    InternalPlay,
    ProductAdoptionRoadmap,
    RiskSignal,
    SuccessObjective,
    SuccessPlay,
)
from csm_graphql.graphql.types.workspace_values import HealthPoint


def optional_id(global_id: strawberry.ID | None, type_name: str) -> int | None:
    """None when omitted; an id that is not a ``type_name``'s names nobody (0), so it is
    refused as invalid rather than taken as "none"."""
    return None if global_id is None else id_of(global_id, type_name) or 0


# -- inputs ---------------------------------------------------------------------------------------


@strawberry.input(description="A new touchpoint on an engagement.")
class CreateTouchpointInput:
    engagement_id: strawberry.ID = strawberry.field(description="The engagement.")
    short_description: str = strawberry.field(description="One-line summary.")
    type: TouchpointType = strawberry.field(
        default=TouchpointType.MEETING, description="Kind of contact moment."
    )
    scheduled_at: datetime | None = strawberry.field(default=None, description="When.")
    description: str | None = strawberry.field(default=None, description="Agenda.")
    visible_to_customer: bool = strawberry.field(default=False, description="In the portal.")
    assigned_to: strawberry.ID | None = strawberry.field(default=None, description="Employee.")


@strawberry.input(description="A new risk signal on an engagement.")
class CreateRiskSignalInput:
    engagement_id: strawberry.ID = strawberry.field(description="The engagement.")
    short_description: str = strawberry.field(description="One-line summary.")
    probability: Probability = strawberry.field(description="How likely it is (required).")
    priority: Priority = strawberry.field(default=Priority.MODERATE, description="Priority.")
    scope: RiskScope = strawberry.field(
        default=RiskScope.ADOPTION, description="What it threatens."
    )
    due_date: date | None = strawberry.field(default=None, description="Deal with it by.")
    description: str | None = strawberry.field(default=None, description="Details.")


@strawberry.input(description="A new success case (customer play) on an engagement.")
class CreateSuccessCaseInput:
    engagement_id: strawberry.ID = strawberry.field(description="The engagement.")
    subject: str = strawberry.field(description="The subject.")
    description: str | None = strawberry.field(default=None, description="Instructions.")
    initiative_id: strawberry.ID | None = strawberry.field(
        default=None, description="An initiative of the same engagement."
    )
    product_id: strawberry.ID | None = strawberry.field(default=None, description="Product.")
    priority: Priority = strawberry.field(default=Priority.MODERATE, description="Priority.")
    due_date: date | None = strawberry.field(default=None, description="Due date.")
    visible_to_customer: bool = strawberry.field(default=False, description="In the portal.")


@strawberry.input(description="A new internal play on an engagement (it has no parent play).")
class CreateInternalPlayInput:
    engagement_id: strawberry.ID = strawberry.field(description="The engagement.")
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(default=None, description="Details.")
    priority: Priority = strawberry.field(default=Priority.MODERATE, description="Priority.")
    due_date: date | None = strawberry.field(default=None, description="Due date.")
    assigned_to: strawberry.ID | None = strawberry.field(default=None, description="Employee.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Always refused: an internal play has no parent."
    )


@strawberry.input(description="A new product adoption roadmap on an engagement.")
class CreateProductAdoptionRoadmapInput:
    engagement_id: strawberry.ID = strawberry.field(description="The engagement.")
    name: str = strawberry.field(description="Name.")
    sold_product_id: strawberry.ID | None = strawberry.field(
        default=None, description="A sold product of the same engagement."
    )
    milestone: str | None = strawberry.field(default=None, description="The milestone.")
    planned_start: date = strawberry.field(description="Planned start.")
    planned_end: date = strawberry.field(description="Planned end, not before the start.")
    target_score: float | None = strawberry.field(default=None, description="Score aimed at.")


@strawberry.input(description="Engagement changes; omitted fields stay as they are.")
class UpdateEngagementInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Name.")
    state: EngagementState | None = strawberry.field(
        default=strawberry.UNSET, description="Lifecycle state."
    )
    stage: EngagementStage | None = strawberry.field(
        default=strawberry.UNSET, description="Journey stage."
    )
    contract_value: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Refused with BAD_USER_INPUT: the contract value is derived from the "
        "engagement's active contracts.",
        deprecation_reason="Engagement.contractValue is the sum of the engagement's active "
        "contracts, derived, so it cannot be set.",
    )
    go_live_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="Go-live; null clears it."
    )
    renewal_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="Renewal; null clears it."
    )
    perceived_health: PerceivedHealth | None = strawberry.field(
        default=strawberry.UNSET, description="Perceived health."
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Parent engagement; null makes it a root."
    )
    account_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Its account; fixed once objectives, plays or risks exist.",
    )

    def values(self) -> dict[str, Any]:
        given: dict[str, Any] = {
            name: value
            for name, value in (
                ("name", self.name),
                ("state", self.state),
                ("stage", self.stage),
                ("contract_value", self.contract_value),
                ("go_live_date", self.go_live_date),
                ("renewal_date", self.renewal_date),
                ("perceived_health", self.perceived_health),
            )
            if value is not strawberry.UNSET
        }
        if self.parent_id is not strawberry.UNSET:
            given["parent_id"] = optional_id(self.parent_id, "Engagement")
        if self.account_id is not strawberry.UNSET:
            given["account_id"] = optional_id(self.account_id, "Account")
        return given


# -- payloads -------------------------------------------------------------------------------------


def _errors() -> Any:
    return strawberry.field(description="Why it was refused, if it was; nothing changed then.")


@strawberry.type(description="The result of refreshing an engagement's health.")
class RefreshHealthPayload:
    engagement: Engagement | None = strawberry.field(description="The engagement.")
    snapshot: HealthPoint | None = strawberry.field(description="This week's snapshot.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of creating a touchpoint.")
class CreateTouchpointPayload:
    touchpoint: Touchpoint | None = strawberry.field(description="The new touchpoint.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of creating a risk signal.")
class CreateRiskSignalPayload:
    risk_signal: RiskSignal | None = strawberry.field(description="The new risk signal.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of creating a success case.")
class CreateSuccessCasePayload:
    success_case: SuccessCase | None = strawberry.field(description="The new success case.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of creating an internal play.")
class CreateInternalPlayPayload:
    internal_play: InternalPlay | None = strawberry.field(description="The new internal play.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of launching a success play.")
class LaunchSuccessPlayPayload:
    success_play: SuccessPlay | None = strawberry.field(description="The launched play.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of creating a product adoption roadmap.")
class CreateProductAdoptionRoadmapPayload:
    roadmap: ProductAdoptionRoadmap | None = strawberry.field(description="The new roadmap.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of changing an engagement.")
class UpdateEngagementPayload:
    engagement: Engagement | None = strawberry.field(description="The engagement as it is now.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of moving a success objective.")
class UpdateSuccessObjectivePayload:
    objective: SuccessObjective | None = strawberry.field(description="The objective.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of moving an internal play.")
class UpdateInternalPlayPayload:
    internal_play: InternalPlay | None = strawberry.field(description="The internal play.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of moving a success initiative.")
class UpdateSuccessInitiativePayload:
    initiative: SuccessInitiative | None = strawberry.field(description="The initiative.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of starting or posting to a discussion.")
class DiscussionPayload:
    discussion: Discussion | None = strawberry.field(description="The discussion.")
    user_errors: list[UserError] = _errors()


@strawberry.input(description="One indicator of a health definition.")
class HealthIndicatorInput:
    metric: str = strawberry.field(description="What is measured (distinct per definition).")
    target: float = strawberry.field(description="The value aimed at (not negative).")
    weight: int = strawberry.field(description="Its weight; a definition's weights sum to 100.")
    direction: health.Direction = strawberry.field(
        default=health.Direction.MAXIMIZE, description="Better high or low."
    )


@strawberry.input(description="An engagement's own health definition (overrides the global one).")
class HealthDefinitionInput:
    name: str = strawberry.field(description="Name.")
    green_from: float = strawberry.field(default=70, description="GREEN from this score.")
    yellow_from: float = strawberry.field(default=40, description="YELLOW from this score.")
    indicators: list[HealthIndicatorInput] = strawberry.field(
        description="Its indicators; their weights must sum to 100."
    )


@strawberry.type(description="The result of changing how an engagement's health is measured.")
class EngagementHealthPayload:
    engagement: Engagement | None = strawberry.field(description="The engagement.")
    user_errors: list[UserError] = _errors()
