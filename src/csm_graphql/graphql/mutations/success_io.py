"""Inputs and payloads of the customer-success record mutations (issue 11)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from csm_graphql.domain.enums import Priority, Progress, TouchpointType
from csm_graphql.domain.success_lifecycle import SuccessAction
from csm_graphql.graphql.mutations.common import UserError
from csm_graphql.graphql.types.records import Activity
from csm_graphql.graphql.types.success import (
    SuccessCase,
    SuccessInitiative,
    SuccessTask,
    Touchpoint,
)

# The service vocabulary is the GraphQL enum (registering returns the same class).
strawberry.enum(
    SuccessAction,
    description="A move of a success record's state machine (README: success record lifecycle).",
)

SuccessRecord = Annotated[
    SuccessInitiative | SuccessCase | SuccessTask | Touchpoint,
    strawberry.union(
        "SuccessRecord",
        description="A success initiative, success case, success task or touchpoint.",
    ),
]


# -- inputs ---------------------------------------------------------------------------------------


def _assignee_field() -> Any:
    return strawberry.field(
        default=strawberry.UNSET,
        description="A success agent or admin (User id); omitted: the creator; null: nobody.",
    )


@strawberry.input(description="A new success initiative.")
class CreateSuccessInitiativeInput:
    parent_id: strawberry.ID = strawberry.field(
        description="An Engagement, or a SuccessObjective it serves (on that objective's "
        "engagement; the objective must be open)."
    )
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(default=None, description="Details.")
    priority: Priority = strawberry.field(default=Priority.MODERATE, description="Priority.")
    due_date: date | None = strawberry.field(default=None, description="Due date.")
    visible_to_customer: bool = strawberry.field(default=False, description="In the portal.")
    assigned_to: strawberry.ID | None = _assignee_field()


@strawberry.input(description="A new success task.")
class CreateSuccessTaskInput:
    parent_id: strawberry.ID = strawberry.field(
        description="A SuccessInitiative (a planned task) or a SuccessCase (an unplanned one); "
        "it must be open."
    )
    short_description: str = strawberry.field(description="One-line summary.")
    description: str | None = strawberry.field(default=None, description="Details (internal).")
    priority: Priority = strawberry.field(default=Priority.MODERATE, description="Priority.")
    due_date: date | None = strawberry.field(default=None, description="Due date.")
    visible_to_customer: bool = strawberry.field(
        default=False, description="In the portal (when its parent is too)."
    )
    assigned_to: strawberry.ID | None = _assignee_field()


@strawberry.input(
    description="Changes to a success record; omitted fields stay as they are. A field the "
    "record's kind does not have is BAD_USER_INPUT."
)
class UpdateSuccessRecordInput:
    short_description: str | None = strawberry.field(
        default=strawberry.UNSET, description="One-line summary."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Details; null clears them."
    )
    priority: Priority | None = strawberry.field(default=strawberry.UNSET, description="Priority.")
    due_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="Due date; null clears it."
    )
    progress: Progress | None = strawberry.field(
        default=strawberry.UNSET,
        description="Initiatives and tasks: NOT_STARTED, ON_TRACK or AT_RISK (the others follow "
        "from the state).",
    )
    type: TouchpointType | None = strawberry.field(
        default=strawberry.UNSET, description="Touchpoints: kind of contact moment."
    )
    scheduled_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="Touchpoints: when (its due date follows)."
    )

    def values(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in (
                ("short_description", self.short_description),
                ("description", self.description),
                ("priority", self.priority),
                ("due_date", self.due_date),
                ("progress", self.progress),
                ("type", self.type),
                ("scheduled_at", self.scheduled_at),
            )
            if value is not strawberry.UNSET
        }


# -- payloads -------------------------------------------------------------------------------------


def _errors() -> Any:
    return strawberry.field(description="Why it was refused, if it was; nothing changed then.")


@strawberry.type(description="The result of creating a success initiative.")
class CreateSuccessInitiativePayload:
    initiative: SuccessInitiative | None = strawberry.field(description="The new initiative.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of creating a success task.")
class CreateSuccessTaskPayload:
    task: SuccessTask | None = strawberry.field(description="The new task.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of changing a success record.")
class SuccessRecordPayload:
    record: SuccessRecord | None = strawberry.field(
        description="The record as the viewer now sees it."
    )
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of commenting on a success record.")
class AddSuccessRecordCommentPayload:
    record: SuccessRecord | None = strawberry.field(description="The record commented on.")
    comment: Activity | None = strawberry.field(description="The new comment.")
    user_errors: list[UserError] = _errors()


@strawberry.type(description="The result of adding a work note to a success record.")
class AddSuccessRecordWorkNotePayload:
    record: SuccessRecord | None = strawberry.field(description="The record.")
    work_note: Activity | None = strawberry.field(description="The new work note.")
    user_errors: list[UserError] = _errors()
