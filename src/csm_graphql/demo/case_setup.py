"""The service desk's set-up the demo cases point at: schedules, SLA definitions, support
groups and product models."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from csm_graphql.demo import personas
from csm_graphql.demo.directory import Directory
from csm_graphql.demo.sampling import Clock
from csm_graphql.demo.writer import RowSink
from csm_graphql.domain.cases import SlaTarget
from csm_graphql.domain.schedule import WorkingHours, working_hours
from csm_graphql.tables import (
    product_models,
    schedules,
    sla_definitions,
    support_group_members,
    support_groups,
)

SLA_MINUTES = {  # priority -> (response, resolution)
    1: (30, 240),
    2: (60, 480),
    3: (240, 1_440),
    4: (480, 4_320),
    5: (1_440, 10_080),
}

# (name, time zone, hours): the hours follow the grammar of domain/schedule.py.
SCHEDULES = (
    ("Business hours (Europe)", "Europe/Amsterdam", "Mon-Fri 08:00-18:00"),
    ("Business hours (Americas)", "America/New_York", "Mon-Fri 08:00-18:00"),
    ("Around the clock", "UTC", "Mon-Sun 00:00-24:00"),
)


# A premium entitlement's own SLA (the named account's): a MODERATE case under it is to be
# resolved in 12 hours around the clock, besides the desk's P3 resolution.
PREMIUM_SLA = ("P3 resolution, premium support", SlaTarget.RESOLUTION, 3, 720)


@dataclass(frozen=True, slots=True)
class SlaDefinition:
    """A written SLA definition: when it applies, and how long its SLAs run in which hours."""

    id: int
    target: SlaTarget
    priority: int
    minutes: int
    hours: WorkingHours  # its schedule's working hours
    entitlement_id: int | None = None

    def applies(self, priority: int, entitlement_id: int | None) -> bool:
        """As the service decides (repositories/case_slas.applies_to)."""
        entitled = self.entitlement_id is None or self.entitlement_id == entitlement_id
        return self.priority == priority and entitled


@dataclass
class Setup:
    schedules: list[int] = field(default_factory=list)
    schedule_hours: list[WorkingHours] = field(default_factory=list)
    sla_definitions: list[SlaDefinition] = field(default_factory=list)
    support_groups: list[int] = field(default_factory=list)
    product_models: list[tuple[int, int]] = field(default_factory=list)  # (model id, product id)
    agents: list[int] = field(default_factory=list)  # who acts on cases (journal, related)
    # Who cases are assigned to: only those updateCase accepts (active case agents and admins,
    # access/principals.users_working_cases). As many as ``agents``, so drawing from either
    # takes the same random numbers.
    assignees: list[int] = field(default_factory=list)


def build_setup(sink: RowSink, clock: Clock, rng: random.Random, directory: Directory) -> Setup:
    setup = Setup()
    created = clock.days_ago(rng, 800, 900)
    record = {"created_at": created, "updated_at": created}
    for name, zone, hours in SCHEDULES:
        row = {"name": name, "time_zone": zone, "hours": hours, **record}
        setup.schedules.append(sink.add(schedules, row))
    setup.schedule_hours = [working_hours(hours, zone) for _name, zone, hours in SCHEDULES]
    for priority, (response, resolution) in SLA_MINUTES.items():
        schedule = 2 if priority == 1 else 0  # critical cases run around the clock
        for target, minutes in ((SlaTarget.RESPONSE, response), (SlaTarget.RESOLUTION, resolution)):
            row = {
                "name": f"P{priority} {target.value.lower()}",
                "target": target.value,
                "priority": priority,
                "duration_minutes": minutes,
                "schedule_id": setup.schedules[schedule],
                "contract_id": None,  # the desk's definitions apply whatever the terms
                "entitlement_id": None,
                **record,
            }
            setup.sla_definitions.append(
                SlaDefinition(
                    sink.add(sla_definitions, row),
                    target,
                    priority,
                    minutes,
                    setup.schedule_hours[schedule],
                )
            )
    case_agent = directory.user_ids[personas.CASE_AGENT.key]
    admin = directory.user_ids[personas.ADMIN.key]
    setup.agents = [case_agent, case_agent, admin, *directory.agents[:3]]
    setup.assignees = [case_agent, case_agent, admin, case_agent, admin, case_agent]
    for name, text in (
        ("Service Desk", "First-line support for every customer."),
        ("Platform Support", "Second-line support for the platform products."),
        ("Field Services", "On-site work: installs and repairs."),
    ):
        group = sink.add(support_groups, {"name": name, "description": text, **record})
        setup.support_groups.append(group)
        for user_id in sorted({case_agent, *rng.sample(directory.agents, 2)}):
            sink.add(support_group_members, {"support_group_id": group, "user_id": user_id})
    for product_id, product_name in directory.products:
        for suffix in ("Standard", "Enterprise"):
            row = {
                "name": f"{product_name} {suffix}",
                "product_id": product_id,
                "manufacturer": "CSM Example Inc.",
                **record,
            }
            setup.product_models.append((sink.add(product_models, row), product_id))
    return setup


def add_premium_sla(sink: RowSink, setup: Setup, entitlement_id: int, created: datetime) -> None:
    """The premium entitlement's own SLA definition: it applies to that entitlement's cases."""
    name, target, priority, minutes = PREMIUM_SLA
    schedule = 2  # around the clock
    row = {
        "name": name,
        "target": target.value,
        "priority": priority,
        "duration_minutes": minutes,
        "schedule_id": setup.schedules[schedule],
        "contract_id": None,
        "entitlement_id": entitlement_id,
        "created_at": created,
        "updated_at": created,
    }
    definition = SlaDefinition(
        sink.add(sla_definitions, row),
        target,
        priority,
        minutes,
        setup.schedule_hours[schedule],
        entitlement_id,
    )
    setup.sla_definitions.append(definition)
