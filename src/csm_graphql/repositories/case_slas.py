"""Reads that keep a case's task SLAs in step with the case: the SLA definitions that apply to
it, and its task SLAs, each with the working hours its time runs in.

Service-side reads (a write's UnitOfWork runs them on its own transaction). SLA definitions
and schedules are configuration every case write may consult, so no row rule narrows them;
the case itself was loaded through the viewer's rule by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Label, RowMapping, and_, func, or_, select

from csm_graphql import tables as t
from csm_graphql.domain.cases import SlaStage, SlaTarget
from csm_graphql.repositories.checks import RowReader


def _schedule_of(definition_id: ColumnElement[Any]) -> tuple[Label[Any], ...]:
    """The (hours, time_zone) of an SLA definition's schedule, as scalar subqueries (null
    without a schedule: the SLA runs on the wall clock)."""
    definitions, schedules = t.sla_definitions.alias("sla_definition"), t.schedules
    return tuple(
        select(column)
        .select_from(schedules.join(definitions, schedules.c.id == definitions.c.schedule_id))
        .where(definitions.c.id == definition_id)
        .scalar_subquery()
        .label(column.name)
        for column in (schedules.c.hours, schedules.c.time_zone)
    )


def applies_to(case: RowMapping) -> ColumnElement[bool]:
    """A definition applies to the cases of its priority and, when it names a contract or an
    entitlement, only to those of that contract or entitlement (README "Which SLAs a case
    runs")."""
    definitions = t.sla_definitions
    conditions = [definitions.c.priority == case["priority"]]
    for condition in (definitions.c.contract_id, definitions.c.entitlement_id):
        required = case[condition.name]
        matches = condition.is_(None)
        conditions.append(matches if required is None else or_(matches, condition == required))
    return and_(*conditions)


def measures_response(definition_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether the SLA definition ``definition_id`` times the response (a subquery, for the
    write that completes a case's response SLAs when it is accepted)."""
    definitions = t.sla_definitions
    return definition_id.in_(
        select(definitions.c.id).where(definitions.c.target == SlaTarget.RESPONSE.value)
    )


async def applicable_definitions(reader: RowReader, case: RowMapping) -> Sequence[RowMapping]:
    """The definitions that apply to the case as it stands: id, target, duration, the hours
    and time zone of their schedule, and the transaction's now (when they would start)."""
    definitions = t.sla_definitions
    return await reader.rows(
        select(
            definitions.c.id,
            definitions.c.target,
            definitions.c.duration_minutes,
            *_schedule_of(definitions.c.id),
            func.now().label("now"),
        )
        .where(applies_to(case))
        .order_by(definitions.c.id)
    )


async def task_slas_of_case(
    reader: RowReader, case_id: int, stages: Iterable[SlaStage] = tuple(SlaStage)
) -> Sequence[RowMapping]:
    """The case's task SLAs in the given stages: id, definition, stage, current pause, the
    hours and time zone of their schedule, and the transaction's now."""
    slas = t.task_slas
    return await reader.rows(
        select(
            slas.c.id,
            slas.c.sla_definition_id,
            slas.c.stage,
            slas.c.paused_at,
            *_schedule_of(slas.c.sla_definition_id),
            func.now().label("now"),
        )
        .where(slas.c.case_id == case_id, slas.c.stage.in_([stage.value for stage in stages]))
        .order_by(slas.c.id)
    )
