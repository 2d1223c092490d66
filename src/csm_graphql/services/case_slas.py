"""Keeping a case's task SLAs in step with the case (domain/case_slas.py states the rules).

- **Which SLAs run** follows the definitions that apply to the case (its priority, contract
  and entitlement): ``attach_slas`` starts the ones that apply on creation and, after a change
  of priority, contract or entitlement, cancels those that no longer apply and starts the ones
  that now do. Canceled SLAs stay, as history; a completed one is never restarted.
- **How they run** follows the case's state: ``advance_slas`` on every transition.

Times are measured per SLA in the working hours of its definition's schedule (domain/sla.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, RowMapping, and_, func, insert, or_, update

from csm_graphql import tables as t
from csm_graphql.domain.case_slas import WAITING_ON_CUSTOMER, clock_runs, owes
from csm_graphql.domain.cases import CaseState, SlaStage, SlaTarget
from csm_graphql.domain.sla import paused_for, planned_end, sla_hours
from csm_graphql.repositories import case_slas as reads
from csm_graphql.services.unit_of_work import UnitOfWork

# The case columns that decide which definitions apply (repositories.case_slas.applies_to).
APPLICABILITY = ("priority", "contract_id", "entitlement_id")
LIVE = (SlaStage.IN_PROGRESS, SlaStage.PAUSED)


def applicability_changed(before: RowMapping, after: RowMapping) -> bool:
    return any(before[name] != after[name] for name in APPLICABILITY)


async def attach_slas(work: UnitOfWork, case: RowMapping) -> None:
    """Bring the case's SLAs in line with the definitions that apply to it now, as ServiceNow
    does when a task's conditions change: a running or paused SLA whose definition no longer
    applies is canceled where it stands; a definition that applies and has no SLA on the case
    (other than canceled ones) starts now, if the case still owes its target, paused if the
    case waits on the customer."""
    applying = await reads.applicable_definitions(work, case)
    current = await reads.task_slas_of_case(work, case["id"])
    applying_ids = {definition["id"] for definition in applying}
    stale = [
        sla["id"]
        for sla in current
        if SlaStage(sla["stage"]) in LIVE and sla["sla_definition_id"] not in applying_ids
    ]
    if stale:
        await _stop(work, t.task_slas.c.id.in_(stale), SlaStage.CANCELED)
    attached = {
        sla["sla_definition_id"]
        for sla in current
        if SlaStage(sla["stage"]) is not SlaStage.CANCELED
    }
    state = CaseState(case["state"])
    starting = [
        definition
        for definition in applying
        if definition["id"] not in attached and owes(SlaTarget(definition["target"]), state)
    ]
    if not starting:
        return
    running = clock_runs(state)
    await work.execute(
        insert(t.task_slas).values(
            [
                {
                    "case_id": case["id"],
                    "account_id": case["account_id"],
                    "sla_definition_id": definition["id"],
                    "stage": (SlaStage.IN_PROGRESS if running else SlaStage.PAUSED).value,
                    "start_at": definition["now"],
                    "paused_at": None if running else definition["now"],
                    "planned_end_at": planned_end(
                        definition["now"],
                        definition["duration_minutes"],
                        sla_hours(definition["hours"], definition["time_zone"]),
                    ),
                }
                for definition in starting
            ]
        )
    )


async def advance_slas(work: UnitOfWork, case_id: int, before: CaseState, after: CaseState) -> None:
    """Keep a case's SLAs in step with a transition: the response SLA completes when the case
    is accepted; all pause while it waits on the customer and resume when it is worked again;
    closing completes the ones still counting, canceling cancels them. A stopped SLA is
    measured up to its pause, if paused (time did not run since)."""
    slas = t.task_slas
    of_case = slas.c.case_id == case_id
    running = slas.c.stage == SlaStage.IN_PROGRESS.value
    if before is CaseState.NEW and after is CaseState.OPEN:
        response = reads.measures_response(slas.c.sla_definition_id)
        await _stop(work, and_(of_case, running, response), SlaStage.COMPLETED)
    if after in WAITING_ON_CUSTOMER and before not in WAITING_ON_CUSTOMER:
        await _set(work, and_(of_case, running), stage=SlaStage.PAUSED.value, paused_at=func.now())
    if before in WAITING_ON_CUSTOMER and clock_runs(after):
        await _resume(work, case_id)
    if after.is_final:
        stage = SlaStage.CANCELED if after is CaseState.CANCELED else SlaStage.COMPLETED
        live = or_(running, slas.c.stage == SlaStage.PAUSED.value)
        await _stop(work, and_(of_case, live), stage)


async def _resume(work: UnitOfWork, case_id: int) -> None:
    """End the current pause of the case's paused SLAs: its length, in each SLA's time (the
    working hours of its schedule), joins ``paused_seconds`` and the SLA runs again."""
    for sla in await reads.task_slas_of_case(work, case_id, (SlaStage.PAUSED,)):
        pause = paused_for(sla["paused_at"], sla["now"], sla_hours(sla["hours"], sla["time_zone"]))
        await _set(
            work,
            t.task_slas.c.id == sla["id"],
            stage=SlaStage.IN_PROGRESS.value,
            paused_seconds=t.task_slas.c.paused_seconds + pause,
            paused_at=None,
        )


async def _stop(work: UnitOfWork, which: ColumnElement[bool], stage: SlaStage) -> None:
    slas = t.task_slas
    await _set(
        work,
        which,
        stage=stage.value,
        stopped_at=func.coalesce(slas.c.paused_at, func.now()),
        paused_at=None,
    )


async def _set(work: UnitOfWork, which: ColumnElement[bool], **values: Any) -> None:
    slas = t.task_slas
    await work.execute(
        update(slas)
        .where(which)
        .values(**values, version=slas.c.version + 1, updated_at=func.now())
    )
