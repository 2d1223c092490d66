"""Records shown under a case that need nothing of the case type: its Customer 360 view,
its task SLAs and the records raised from it."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry

from csm_graphql.domain.cases import RelatedRecordKind, SlaStage, SlaTarget
from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.schedule import WorkingHours
from csm_graphql.domain.sla import sla_hours, sla_progress
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import Declared, column, register_node, row_type
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Contact, User
from csm_graphql.graphql.types.service import SlaDefinition
from csm_graphql.repositories import case_entities
from csm_graphql.repositories.database import Row


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
    contact: Contact | None = strawberry.field(description="The contact, when it is one.")
    user: User | None = strawberry.field(description="The internal contact, when it is one.")


@field_rules
@strawberry.type(
    description="What a record shows of the customer project it refers to, to every viewer of "
    "the record, including those who may not see the project itself (node(id:) on its id "
    "follows the project's own rule)."
)
class ProjectReference:
    id: strawberry.ID = strawberry.field(
        description="The project's global id, e.g. for cases(filter: {project})."
    )
    number: str = strawberry.field(description="Project number, e.g. PRJ0000012.")
    name: str = strawberry.field(description="Project name.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Project", row["id"])),
            number=row["number"],
            name=row["name"],
        )


@field_rules
@strawberry.type(description="An SLA running on a case (a task SLA).")
class TaskSla(Node):
    sla_definition_id: strawberry.Private[int]
    start_at_value: strawberry.Private[datetime]
    planned_end_at: strawberry.Private[datetime]
    paused_seconds_value: strawberry.Private[int]
    paused_at: strawberry.Private[datetime | None]
    stopped_at: strawberry.Private[datetime | None]
    hours: strawberry.Private[WorkingHours | None]
    name: str = strawberry.field(description="The SLA definition's name.")
    target: SlaTarget = strawberry.field(description="Response or resolution.")
    stage: SlaStage = strawberry.field(description="In progress, paused, completed, canceled.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("TaskSla", row["id"])),
            sla_definition_id=row["sla_definition_id"],
            start_at_value=row["start_at"],
            planned_end_at=row["planned_end_at"],
            paused_seconds_value=row["paused_seconds"],
            paused_at=row["paused_at"],
            stopped_at=row["stopped_at"],
            hours=sla_hours(row["schedule_hours"], row["schedule_time_zone"]),
            name=row["name"],
            target=SlaTarget(row["target"]),
            stage=SlaStage(row["stage"]),
        )

    def _progress(self, info: Info) -> Any:
        return sla_progress(
            self.start_at_value,
            self.planned_end_at,
            self.paused_seconds_value,
            self.paused_at,
            self.stopped_at,
            info.context.now,
            self.hours,
        )

    @strawberry.field(
        description="When it breaches if time keeps running: the planned end moved by the "
        "time spent paused. Time runs in the working hours of the definition's schedule, if "
        "it has one, else on the wall clock."
    )
    def planned_end(self, info: Info) -> datetime:
        planned: datetime = self._progress(info).planned_end
        return planned

    @strawberry.field(description="Whether the target has been missed (request's clock).")
    def breached(self, info: Info) -> bool | None:
        return bool(self._progress(info).breached)

    @strawberry.field(
        description="Share of the target duration used so far, in percent (may exceed 100), "
        "in the working time of the definition's schedule if it has one."
    )
    def percent_elapsed(self, info: Info) -> float | None:
        return float(self._progress(info).percent_elapsed)

    @strawberry.field(description="When the SLA started.")
    def start_at(self) -> datetime | None:
        return self.start_at_value

    @strawberry.field(
        description="Seconds spent in finished pauses (working seconds of the definition's "
        "schedule if it has one)."
    )
    def paused_seconds(self) -> int | None:
        return self.paused_seconds_value

    @strawberry.field(description="The SLA definition.")
    async def definition(self, info: Info) -> SlaDefinition | None:
        loader = info.context.loaders.by_id(case_entities.SLA_DEFINITION)
        row = await loader.load(self.sla_definition_id)
        return SlaDefinition.from_row(row) if row else None


# Written by hand: its values come from the SLA clock.
register_node(TaskSla, case_entities.TASK_SLA, TaskSla.from_row)


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
