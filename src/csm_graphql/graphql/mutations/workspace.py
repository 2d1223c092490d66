"""The engagement workspace's mutations (issue 4): thin resolvers over services/workspace.py.

Every payload's record is read back after the commit through the viewer's row rules, so a
payload shows only what a query would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from csm_graphql.domain.blueprint import ClosureCode
from csm_graphql.domain.enums import (
    ObjectiveState,
    PerceivedHealth,
    RecordType,
    WorkState,
)
from csm_graphql.domain.workspace import PlaySource
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.ids import from_global_id
from csm_graphql.graphql.mutations.common import UserError, perform, reload
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.mutations.workspace_io import (
    CreateInternalPlayInput,
    CreateInternalPlayPayload,
    CreateProductAdoptionRoadmapInput,
    CreateProductAdoptionRoadmapPayload,
    CreateRiskSignalInput,
    CreateRiskSignalPayload,
    CreateSuccessCaseInput,
    CreateSuccessCasePayload,
    CreateTouchpointInput,
    CreateTouchpointPayload,
    DiscussionPayload,
    EngagementHealthPayload,
    HealthDefinitionInput,
    LaunchSuccessPlayPayload,
    RefreshHealthPayload,
    UpdateEngagementInput,
    UpdateEngagementPayload,
    UpdateInternalPlayPayload,
    UpdateSuccessInitiativePayload,
    UpdateSuccessObjectivePayload,
    optional_id,
)
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
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace_entities as ws
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity
from csm_graphql.services import discussions, workspace, workspace_health, workspace_updates
from csm_graphql.services.unit_of_work import UnitOfWork

EngagementId = Annotated[strawberry.ID, strawberry.argument(description="The engagement.")]
ExpectedVersion = Annotated[
    int, strawberry.argument(description="The version as last read (optimistic lock).")
]
WriteAction = Callable[[UnitOfWork], Awaitable[Row]]

# Global id type -> what a success play is launched from, and what a discussion is about.
PLAY_SOURCES = {
    "Engagement": PlaySource.ENGAGEMENT,
    "SuccessObjective": PlaySource.OBJECTIVE,
    "SuccessInitiative": PlaySource.INITIATIVE,
    "Touchpoint": PlaySource.TOUCHPOINT,
    "InternalPlay": PlaySource.INTERNAL_PLAY,
    "RiskSignal": PlaySource.RISK_SIGNAL,
}
DISCUSSED = {
    "Engagement": RecordType.ENGAGEMENT,
    "SuccessInitiative": RecordType.SUCCESS_INITIATIVE,
    "SuccessCase": RecordType.SUCCESS_CASE,
    "Touchpoint": RecordType.TOUCHPOINT,
    "SuccessObjective": RecordType.SUCCESS_OBJECTIVE,
    "InternalPlay": RecordType.INTERNAL_PLAY,
    "RiskSignal": RecordType.RISK_SIGNAL,
}


def _typed_id(global_id: strawberry.ID | None) -> tuple[str | None, int | None]:
    decoded = from_global_id(global_id) if global_id else None
    return decoded if decoded else (None, None)


def _user_id(global_id: strawberry.ID | None) -> int | None:
    return optional_id(global_id, "User")


async def _run(
    info: Info, action: WriteAction, entity: Entity, build: Callable[[Row], Any]
) -> tuple[Any, list[UserError]]:
    outcome = await perform(info, action)
    if not outcome.ok or outcome.value is None:
        return None, outcome.user_errors
    row = await reload(info, entity, outcome.value["id"])
    return (build(row) if row else None), []


# -- mutations ------------------------------------------------------------------------------------


@strawberry.type(description="Engagement workspace changes.")
class WorkspaceMutations:
    @strawberry.mutation(
        description="Recompute the health score from the indicators and upsert this week's "
        "snapshot (success agents and admins)."
    )
    async def refresh_health(self, info: Info, engagement_id: EngagementId) -> RefreshHealthPayload:
        engagement = id_of(engagement_id, "Engagement")
        outcome = await perform(info, lambda work: workspace.refresh_health(work, engagement))
        if not outcome.ok or outcome.value is None:
            return RefreshHealthPayload(
                engagement=None, snapshot=None, user_errors=outcome.user_errors
            )
        row = await reload(info, entities.ENGAGEMENT, engagement)
        snapshot = outcome.value
        point = HealthPoint(
            week_start=snapshot["week_start"],
            has_snapshot=True,
            score=snapshot["score"],
            colour=PerceivedHealth(snapshot["colour"]),
        )
        return RefreshHealthPayload(
            engagement=Engagement.from_row(row) if row else None, snapshot=point, user_errors=[]
        )

    @strawberry.mutation(
        description="Give an engagement its own health definition, overriding the global one "
        "(weights must sum to 100; colour bands are the definition's)."
    )
    async def set_health_definition(
        self, info: Info, engagement_id: EngagementId, input: HealthDefinitionInput
    ) -> EngagementHealthPayload:
        engagement = id_of(engagement_id, "Engagement")
        specs = [
            workspace_health.IndicatorSpec(i.metric, i.target, i.weight, i.direction)
            for i in input.indicators
        ]
        record, errors = await _run(
            info,
            lambda work: workspace_health.set_health_definition(
                work, engagement, input.name, input.green_from, input.yellow_from, specs
            ),
            entities.ENGAGEMENT,
            Engagement.from_row,
        )
        return EngagementHealthPayload(engagement=record, user_errors=errors)

    @strawberry.mutation(
        description="Record the measured value of one indicator of the engagement's health "
        "definition (null: not measured)."
    )
    async def record_health_actual(
        self,
        info: Info,
        engagement_id: EngagementId,
        metric: Annotated[str, strawberry.argument(description="The indicator's metric.")],
        actual: Annotated[
            float | None, strawberry.argument(description="The value; null: not measured.")
        ] = None,
    ) -> EngagementHealthPayload:
        engagement = id_of(engagement_id, "Engagement")
        record, errors = await _run(
            info,
            lambda work: workspace_health.record_health_actual(work, engagement, metric, actual),
            entities.ENGAGEMENT,
            Engagement.from_row,
        )
        return EngagementHealthPayload(engagement=record, user_errors=errors)

    @strawberry.mutation(description="Schedule a touchpoint on an engagement.")
    async def create_touchpoint(
        self, info: Info, input: CreateTouchpointInput
    ) -> CreateTouchpointPayload:
        engagement = id_of(input.engagement_id, "Engagement")
        assignee = _user_id(input.assigned_to)
        record, errors = await _run(
            info,
            lambda work: workspace.create_touchpoint(
                work,
                engagement,
                input.short_description,
                input.type,
                input.scheduled_at,
                input.description,
                input.visible_to_customer,
                assignee,
            ),
            entities.TOUCHPOINT,
            Touchpoint.from_row,
        )
        return CreateTouchpointPayload(touchpoint=record, user_errors=errors)

    @strawberry.mutation(description="Raise a risk signal on an engagement.")
    async def create_risk_signal(
        self, info: Info, input: CreateRiskSignalInput
    ) -> CreateRiskSignalPayload:
        engagement = id_of(input.engagement_id, "Engagement")
        record, errors = await _run(
            info,
            lambda work: workspace.create_risk_signal(
                work,
                engagement,
                input.short_description,
                input.probability,
                input.priority,
                input.scope,
                input.due_date,
                input.description,
            ),
            ws.RISK_SIGNAL,
            RiskSignal.from_row,
        )
        return CreateRiskSignalPayload(risk_signal=record, user_errors=errors)

    @strawberry.mutation(description="Create a success case (customer play) on an engagement.")
    async def create_success_case(
        self, info: Info, input: CreateSuccessCaseInput
    ) -> CreateSuccessCasePayload:
        engagement = id_of(input.engagement_id, "Engagement")
        initiative = (
            None
            if input.initiative_id is None
            else id_of(input.initiative_id, "SuccessInitiative") or 0
        )
        product = None if input.product_id is None else id_of(input.product_id, "Product") or 0
        record, errors = await _run(
            info,
            lambda work: workspace.create_success_case(
                work,
                engagement,
                input.subject,
                input.description,
                initiative,
                product,
                input.priority,
                input.due_date,
                input.visible_to_customer,
            ),
            entities.SUCCESS_CASE,
            SuccessCase.from_row,
        )
        return CreateSuccessCasePayload(success_case=record, user_errors=errors)

    @strawberry.mutation(description="Create an internal play on an engagement.")
    async def create_internal_play(
        self, info: Info, input: CreateInternalPlayInput
    ) -> CreateInternalPlayPayload:
        engagement = id_of(input.engagement_id, "Engagement")
        assignee = _user_id(input.assigned_to)
        record, errors = await _run(
            info,
            lambda work: workspace.create_internal_play(
                work,
                engagement,
                input.short_description,
                input.description,
                input.priority,
                input.due_date,
                assignee,
                input.parent_id is not None,
            ),
            ws.INTERNAL_PLAY,
            InternalPlay.from_row,
        )
        return CreateInternalPlayPayload(internal_play=record, user_errors=errors)

    @strawberry.mutation(
        description="Launch a success play from an engagement, objective, initiative, "
        "touchpoint, internal play or risk signal."
    )
    async def launch_success_play(
        self,
        info: Info,
        source_id: Annotated[strawberry.ID, strawberry.argument(description="Launched from.")],
        category: Annotated[str, strawberry.argument(description="Playbook category.")],
        subcategory: Annotated[str, strawberry.argument(description="Playbook subcategory.")],
        activity: Annotated[str, strawberry.argument(description="The activity.")],
    ) -> LaunchSuccessPlayPayload:
        type_name, record_id = _typed_id(source_id)
        source = PLAY_SOURCES.get(type_name or "")
        record, errors = await _run(
            info,
            lambda work: workspace.launch_success_play(
                work, source, record_id, category, subcategory, activity
            ),
            ws.SUCCESS_PLAY,
            SuccessPlay.from_row,
        )
        return LaunchSuccessPlayPayload(success_play=record, user_errors=errors)

    @strawberry.mutation(description="Plan a product adoption roadmap on an engagement.")
    async def create_product_adoption_roadmap(
        self, info: Info, input: CreateProductAdoptionRoadmapInput
    ) -> CreateProductAdoptionRoadmapPayload:
        engagement = id_of(input.engagement_id, "Engagement")
        sold = (
            None
            if input.sold_product_id is None
            else id_of(input.sold_product_id, "SoldProduct") or 0
        )
        record, errors = await _run(
            info,
            lambda work: workspace.create_adoption_roadmap(
                work,
                engagement,
                input.name,
                sold,
                input.milestone,
                input.planned_start,
                input.planned_end,
                input.target_score,
            ),
            ws.PRODUCT_ADOPTION_ROADMAP,
            ProductAdoptionRoadmap.from_row,
        )
        return CreateProductAdoptionRoadmapPayload(roadmap=record, user_errors=errors)

    @strawberry.mutation(
        description="Change an engagement's details (expectedVersion: a stale version is a "
        "STALE_VERSION user error and nothing changes)."
    )
    async def update_engagement(
        self,
        info: Info,
        id: EngagementId,
        expected_version: ExpectedVersion,
        input: Annotated[UpdateEngagementInput, strawberry.argument(description="Changes.")],
    ) -> UpdateEngagementPayload:
        engagement, values = id_of(id, "Engagement"), input.values()
        record, errors = await _run(
            info,
            lambda work: workspace_updates.update_engagement(
                work, engagement, expected_version, values
            ),
            entities.ENGAGEMENT,
            Engagement.from_row,
        )
        return UpdateEngagementPayload(engagement=record, user_errors=errors)

    @strawberry.mutation(
        description="Move a success objective; CLOSED and CANCELED need a closure code and "
        "notes, any other state clears them."
    )
    async def update_success_objective(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The objective.")],
        expected_version: ExpectedVersion,
        state: Annotated[
            ObjectiveState,
            strawberry.argument(
                description="The new state: NEW -> IN_PROGRESS <-> PAUSED; an open state -> "
                "CLOSED or CANCELED; CLOSED or CANCELED -> IN_PROGRESS (reopen)."
            ),
        ],
        closure_code: Annotated[
            ClosureCode | None, strawberry.argument(description="How it ended (closing).")
        ] = None,
        closure_notes: Annotated[
            str | None, strawberry.argument(description="Why (closing).")
        ] = None,
    ) -> UpdateSuccessObjectivePayload:
        objective = id_of(id, "SuccessObjective")
        record, errors = await _run(
            info,
            lambda work: workspace_updates.update_objective(
                work, objective, expected_version, state, closure_code, closure_notes
            ),
            ws.SUCCESS_OBJECTIVE,
            SuccessObjective.from_row,
        )
        return UpdateSuccessObjectivePayload(objective=record, user_errors=errors)

    @strawberry.mutation(
        description="Move an internal play; CLOSED and CANCELED need a closure code and notes, "
        "any other state clears them."
    )
    async def update_internal_play(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The internal play.")],
        expected_version: ExpectedVersion,
        state: Annotated[WorkState, strawberry.argument(description="The new state.")],
        closure_code: Annotated[
            ClosureCode | None, strawberry.argument(description="How it ended (closing).")
        ] = None,
        closure_notes: Annotated[
            str | None, strawberry.argument(description="Why (closing).")
        ] = None,
    ) -> UpdateInternalPlayPayload:
        play = id_of(id, "InternalPlay")
        record, errors = await _run(
            info,
            lambda work: workspace_updates.update_internal_play(
                work, play, expected_version, state, closure_code, closure_notes
            ),
            ws.INTERNAL_PLAY,
            InternalPlay.from_row,
        )
        return UpdateInternalPlayPayload(internal_play=record, user_errors=errors)

    @strawberry.mutation(
        description="Move a success initiative; closing it cancels its open plays (its open "
        "success cases and the success plays launched from it)."
    )
    async def update_success_initiative(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The initiative.")],
        expected_version: ExpectedVersion,
        state: Annotated[WorkState, strawberry.argument(description="The new state.")],
        objective_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The success objective it serves, of its own engagement; null "
                "clears it, omitted keeps it."
            ),
        ] = strawberry.UNSET,
    ) -> UpdateSuccessInitiativePayload:
        initiative = id_of(id, "SuccessInitiative")
        objective = (
            workspace_updates.KEEP_OBJECTIVE
            if objective_id is strawberry.UNSET
            else optional_id(objective_id, "SuccessObjective")
        )
        record, errors = await _run(
            info,
            lambda work: workspace_updates.update_initiative_state(
                work, initiative, expected_version, state, objective
            ),
            entities.SUCCESS_INITIATIVE,
            SuccessInitiative.from_row,
        )
        return UpdateSuccessInitiativePayload(initiative=record, user_errors=errors)

    @strawberry.mutation(
        description="Open an internal discussion about an engagement or a record under it with "
        "chosen employees; it shows in the record's activity stream."
    )
    async def start_discussion(
        self,
        info: Info,
        record_id: Annotated[strawberry.ID, strawberry.argument(description="The record.")],
        participants: Annotated[
            list[strawberry.ID], strawberry.argument(description="Employees (User ids).")
        ],
        subject: Annotated[str, strawberry.argument(description="What it is about.")],
        message: Annotated[str, strawberry.argument(description="The first message.")],
    ) -> DiscussionPayload:
        type_name, record = _typed_id(record_id)
        record_type = DISCUSSED.get(type_name or "")
        people = [id_of(p, "User") for p in participants]
        found, errors = await _run(
            info,
            lambda work: discussions.start_discussion(
                work, record_type, record, people, subject, message
            ),
            ws.DISCUSSION,
            Discussion.from_row,
        )
        return DiscussionPayload(discussion=found, user_errors=errors)

    @strawberry.mutation(description="Post a message to a discussion (its participants).")
    async def post_to_discussion(
        self,
        info: Info,
        discussion_id: Annotated[strawberry.ID, strawberry.argument(description="The discussion.")],
        message: Annotated[str, strawberry.argument(description="The message.")],
    ) -> DiscussionPayload:
        discussion = id_of(discussion_id, "Discussion")
        found, errors = await _run(
            info,
            lambda work: discussions.post_to_discussion(work, discussion, message),
            ws.DISCUSSION,
            Discussion.from_row,
        )
        return DiscussionPayload(discussion=found, user_errors=errors)
