"""The service desk's set-up the demo cases point at: schedules, SLA definitions, support
groups and product models."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

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


@dataclass
class Setup:
    schedules: list[int] = field(default_factory=list)
    sla_definitions: dict[tuple[int, SlaTarget], int] = field(default_factory=dict)
    # The duration of each definition and the working hours its SLAs run in (its schedule's).
    sla_minutes: dict[tuple[int, SlaTarget], int] = field(default_factory=dict)
    sla_hours: dict[tuple[int, SlaTarget], WorkingHours] = field(default_factory=dict)
    support_groups: list[int] = field(default_factory=list)
    product_models: list[tuple[int, int]] = field(default_factory=list)  # (model id, product id)
    agents: list[int] = field(default_factory=list)  # who cases are assigned to


def build_setup(sink: RowSink, clock: Clock, rng: random.Random, directory: Directory) -> Setup:
    setup = Setup()
    created = clock.days_ago(rng, 800, 900)
    record = {"created_at": created, "updated_at": created}
    for name, zone, hours in SCHEDULES:
        row = {"name": name, "time_zone": zone, "hours": hours, **record}
        setup.schedules.append(sink.add(schedules, row))
    parsed = [working_hours(hours, zone) for _name, zone, hours in SCHEDULES]
    for priority, (response, resolution) in SLA_MINUTES.items():
        schedule = 2 if priority == 1 else 0  # critical cases run around the clock
        for target, minutes in ((SlaTarget.RESPONSE, response), (SlaTarget.RESOLUTION, resolution)):
            row = {
                "name": f"P{priority} {target.value.lower()}",
                "target": target.value,
                "priority": priority,
                "duration_minutes": minutes,
                "schedule_id": setup.schedules[schedule],
                **record,
            }
            setup.sla_definitions[(priority, target)] = sink.add(sla_definitions, row)
            setup.sla_minutes[(priority, target)] = minutes
            setup.sla_hours[(priority, target)] = parsed[schedule]
    case_agent = directory.user_ids[personas.CASE_AGENT.key]
    admin = directory.user_ids[personas.ADMIN.key]
    setup.agents = [case_agent, case_agent, admin, *directory.agents[:3]]
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
