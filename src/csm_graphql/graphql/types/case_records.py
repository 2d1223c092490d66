"""Records shown under a case that need nothing of the case type: its Customer 360 view,
its task SLAs and the records raised from it."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from csm_graphql.domain.cases import RelatedRecordKind, SlaStage, SlaTarget
from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.sla import sla_hours, sla_progress
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import Declared, column, computed, row_type, to_one
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Contact, User
from csm_graphql.graphql.types.service import SlaDefinition
from csm_graphql.repositories import case_entities, entities


@strawberry.enum(description="Who a case's Customer 360 view is about.")
@describe_values(
    CONTACT="The case's contact.",
    CONSUMER="The case's consumer (an individual customer), when it has no contact.",
    INTERNAL_CONTACT=(
        "The case's internal contact (a proxy-contact employee), when it has neither."
    ),
)
class Customer360Kind(Enum):
    CONTACT = "CONTACT"
    CONSUMER = "CONSUMER"
    INTERNAL_CONTACT = "INTERNAL_CONTACT"


@field_rules
@strawberry.type(
    description="The principal of a case's Customer 360 view: its contact if set, else its "
    "consumer, else its internal contact (DOMAIN.md)."
)
class Customer360:
    kind: Customer360Kind = strawberry.field(description="Which of the three it is.")
    name: str | None = strawberry.field(
        description="Their name; null when the viewer may not see that person."
    )
    email: str | None = strawberry.field(
        description="Their email; null when the viewer may not see that person."
    )
    contact: Contact | None = strawberry.field(
        default=None, description="The contact, when it is one."
    )
    user: User | None = strawberry.field(
        default=None, description="The internal contact, when it is one."
    )

    @classmethod
    def of(cls, kind: Customer360Kind, *, contact: Contact | None = None,
           user: User | None = None) -> Customer360:  # fmt: skip
        """A person's view: name and email are theirs, null when the viewer may not see them."""
        person = contact or user
        name, email = (person.name, person.email) if person else (None, None)
        return cls(kind=kind, name=name, email=email, contact=contact, user=user)


@row_type(
    entities.PROJECT_REFERENCE,
    reference=entities.PROJECT,
    description="What a record shows of the customer project it refers to, to every viewer of "
    "the record, including those who may not see the project itself (node(id:) on its id "
    "follows the project's own rule).",
)
class ProjectReference(Declared):
    id: strawberry.ID = strawberry.field(
        description="The project's global id, e.g. for cases(filter: {project})."
    )
    number: str = column("Project number, e.g. PRJ0000012.")
    name: str = column("Project name.")


# The SLA clock's columns: its start, planned end, pauses, stop and the schedule's hours.
_CLOCK = ("start_at", "planned_end_at", "paused_seconds", "paused_at", "stopped_at",
          "schedule_hours", "schedule_time_zone")  # fmt: skip


def _progress(root: Any, info: Info) -> Any:
    hours = sla_hours(root.schedule_hours, root.schedule_time_zone)
    return sla_progress(root.start_at, root.planned_end_at, root.paused_seconds, root.paused_at,
                        root.stopped_at, info.context.now, hours)  # fmt: skip


def _planned_end(root: Any, info: Info) -> datetime:
    planned: datetime = _progress(root, info).planned_end
    return planned


def _breached(root: Any, info: Info) -> bool | None:
    return bool(_progress(root, info).breached)


def _percent_elapsed(root: Any, info: Info) -> float | None:
    return float(_progress(root, info).percent_elapsed)


@row_type(case_entities.TASK_SLA, description="An SLA running on a case (a task SLA).")
class TaskSla(Node, Declared):
    name: str = column("The SLA definition's name.")
    target: SlaTarget = column("Response or resolution.")
    stage: SlaStage = column("In progress, paused, completed, canceled.")
    planned_end: datetime = computed(
        _planned_end,
        "When it breaches if time keeps running: the planned end moved by the time spent "
        "paused. Time runs in the working hours of the definition's schedule, if it has one, "
        "else on the wall clock.",
        reads=_CLOCK,
    )
    breached: bool | None = computed(
        _breached, "Whether the target has been missed (request's clock).", reads=_CLOCK
    )
    percent_elapsed: float | None = computed(
        _percent_elapsed,
        "Share of the target duration used so far, in percent (may exceed 100), in the "
        "working time of the definition's schedule if it has one.",
        reads=_CLOCK,
    )
    start_at: datetime | None = column("When the SLA started.")
    paused_seconds: int | None = column(
        "Seconds spent in finished pauses (working seconds of the definition's schedule if it "
        "has one)."
    )
    definition: SlaDefinition | None = to_one(
        case_entities.SLA_DEFINITION, "sla_definition_id", "The SLA definition."
    )


@row_type(
    case_entities.RELATED_RECORD,
    description="An incident, problem, change or request raised from a case.",
)
class RelatedRecord(Node, Declared):
    number: str = column("Number with its kind's prefix, e.g. INC0000012.")
    kind: RelatedRecordKind = column("Incident, problem, change, request.")
    short_description: str = column("One-line summary.")
    state: str = column("State in the owning application.")
    created_at: datetime = column("When it was raised.")
