"""What every case write shares: loading a case for change, validating what it points at,
keeping its SLAs in step with its state, and notifying the people who follow it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    RowMapping,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from csm_graphql import tables as t
from csm_graphql.access import principals, rows
from csm_graphql.domain.cases import CaseState, SlaStage, SlaTarget
from csm_graphql.domain.enums import RecordType
from csm_graphql.domain.sla import paused_for, planned_end, sla_hours
from csm_graphql.services.errors import UserError, invalid_state
from csm_graphql.services.records import load_for_update
from csm_graphql.services.unit_of_work import UnitOfWork


async def load_case(work: UnitOfWork, case_id: int | None, field: str = "id") -> RowMapping:
    """The case, locked, if the viewer sees it; NOT_FOUND otherwise (missing or hidden)."""
    visible = rows.cases(work.viewer)
    return await load_for_update(work, t.cases, case_id, visible, what="case", field=(field,))


def require_open(case: RowMapping) -> None:
    """DOMAIN.md: a closed or canceled case cannot be updated."""
    if CaseState(case["state"]).is_final:
        raise invalid_state(
            f"Case {case['number']} is {case['state'].lower()}; it accepts no update."
        )


async def contact_of_account(
    work: UnitOfWork, contact_id: int, account_id: int
) -> RowMapping | None:
    """The active contact, visible to the viewer, if it belongs to the account (its own
    account, or one granted by a contact relationship)."""
    contact = t.contacts
    related = exists().where(
        t.contact_relationships.c.contact_id == contact.c.id,
        t.contact_relationships.c.account_id == account_id,
    )
    return await work.first(
        select(contact).where(
            contact.c.id == contact_id,
            contact.c.active,
            rows.contacts(work.viewer),
            or_(contact.c.account_id == account_id, related),
        )
    )


async def product_of_asset(work: UnitOfWork, asset_id: int, account_id: int) -> int | None:
    """The product of an asset installed at the account; None when it is not one."""
    product: int | None = await work.scalar(
        select(t.product_models.c.product_id)
        .join(t.assets, t.assets.c.product_model_id == t.product_models.c.id)
        .where(t.assets.c.id == asset_id, t.assets.c.account_id == account_id)
    )
    return product


async def account_has_product(work: UnitOfWork, product_id: int, account_id: int) -> bool:
    """A product "of the account": installed there (an asset of one of its models) or covered
    by one of its entitlements."""
    installed = exists().where(
        t.assets.c.account_id == account_id,
        t.assets.c.product_model_id == t.product_models.c.id,
        t.product_models.c.product_id == product_id,
    )
    entitled = exists().where(
        t.entitlements.c.account_id == account_id, t.entitlements.c.product_id == product_id
    )
    return bool(await work.scalar(select(or_(installed, entitled))))


def _schedule_of(definition_id: Any) -> tuple[Any, Any]:
    """The (hours, time_zone) of an SLA definition's schedule, as scalar subqueries (null
    without a schedule: the SLA runs on the wall clock)."""
    definitions, schedules = t.sla_definitions.alias("sla_definition"), t.schedules
    return tuple(  # type: ignore[return-value]
        select(column)
        .select_from(schedules.join(definitions, schedules.c.id == definitions.c.schedule_id))
        .where(definitions.c.id == definition_id)
        .scalar_subquery()
        for column in (schedules.c.hours, schedules.c.time_zone)
    )


async def start_slas(work: UnitOfWork, case: RowMapping) -> None:
    """The definitions of the case's priority start running when the case is created. The
    planned end is the definition's duration after now, in the working hours of its schedule
    (wall-clock without one): domain/sla.py."""
    definitions = t.sla_definitions
    hours, time_zone = _schedule_of(definitions.c.id)
    chosen = await work.rows(
        select(
            definitions.c.id,
            definitions.c.duration_minutes,
            hours.label("hours"),
            time_zone.label("time_zone"),
            func.now().label("now"),
        )
        .where(definitions.c.priority == case["priority"])
        .order_by(definitions.c.id)
    )
    if not chosen:
        return
    await work.execute(
        insert(t.task_slas).values(
            [
                {
                    "case_id": case["id"],
                    "account_id": case["account_id"],
                    "sla_definition_id": row["id"],
                    "start_at": row["now"],
                    "planned_end_at": planned_end(
                        row["now"],
                        row["duration_minutes"],
                        sla_hours(row["hours"], row["time_zone"]),
                    ),
                }
                for row in chosen
            ]
        )
    )


async def _end_pauses(work: UnitOfWork, case_id: int, resumed: bool) -> None:
    """Close the current pause of the case's paused SLAs: its length, in the SLA's time (the
    working hours of its schedule), joins ``paused_seconds``; the SLA runs again if
    ``resumed``, else a new pause starts now (it is about to stop)."""
    slas = t.task_slas
    hours, time_zone = _schedule_of(slas.c.sla_definition_id)
    paused = await work.rows(
        select(
            slas.c.id,
            slas.c.paused_at,
            hours.label("hours"),
            time_zone.label("time_zone"),
            func.now().label("now"),
        )
        .where(slas.c.case_id == case_id, slas.c.stage == SlaStage.PAUSED.value)
        .order_by(slas.c.id)
    )
    for row in paused:
        pause = paused_for(row["paused_at"], row["now"], sla_hours(row["hours"], row["time_zone"]))
        await work.execute(
            update(slas)
            .where(slas.c.id == row["id"])
            .values(
                stage=SlaStage.IN_PROGRESS.value if resumed else SlaStage.PAUSED.value,
                paused_seconds=slas.c.paused_seconds + pause,
                paused_at=None if resumed else func.now(),
                version=slas.c.version + 1,
                updated_at=func.now(),
            )
        )


async def advance_slas(work: UnitOfWork, case_id: int, before: CaseState, after: CaseState) -> None:
    """Keep a case's SLAs in step: the response SLA completes when the case is accepted; all
    pause while awaiting info and resume after; all stop when it is resolved, closed or
    canceled (ours)."""
    slas = t.task_slas
    running = slas.c.stage == SlaStage.IN_PROGRESS.value
    paused = slas.c.stage == SlaStage.PAUSED.value
    changes: list[tuple[Any, dict[str, Any]]] = []
    if before is CaseState.NEW and after is CaseState.OPEN:
        response = select(t.sla_definitions.c.id).where(
            t.sla_definitions.c.target == SlaTarget.RESPONSE.value
        )
        changes.append(
            (
                and_(running, slas.c.sla_definition_id.in_(response)),
                {"stage": SlaStage.COMPLETED.value, "stopped_at": func.now()},
            )
        )
    if after is CaseState.AWAITING_INFO:
        changes.append((running, {"stage": SlaStage.PAUSED.value, "paused_at": func.now()}))
    if before is CaseState.AWAITING_INFO:
        # Measured per SLA in Python (its schedule's working hours), before any stop below.
        await _end_pauses(work, case_id, resumed=after is CaseState.OPEN)
    if after in {CaseState.RESOLVED, CaseState.CLOSED, CaseState.CANCELED}:
        stage = SlaStage.CANCELED if after is CaseState.CANCELED else SlaStage.COMPLETED
        changes.append(
            (
                or_(running, paused),
                {"stage": stage.value, "stopped_at": func.coalesce(slas.c.paused_at, func.now())},
            )
        )
    for condition, values in changes:
        await work.execute(
            update(slas)
            .where(slas.c.case_id == case_id, condition)
            .values(**values, version=slas.c.version + 1, updated_at=func.now())
        )


async def followers(
    work: UnitOfWork, case: RowMapping, *, internal_only: bool = False
) -> tuple[list[int], list[int]]:
    """(user ids, contact ids) to notify about a case: its contact, its internal contact and
    its informed users (DOMAIN.md). An informed employee is told only if it reads every case
    (ACCESS.md: a proxy contact sees just the cases it is the internal contact of, so listing
    it elsewhere must not send it their summaries and comments). ``internal_only`` (work
    notes): employees who read work notes, which leaves out contacts and proxy contacts."""
    informed_users = t.case_informed_users
    informed = [
        row["user_id"]
        for row in await work.rows(
            select(informed_users.c.user_id)
            .join(t.users, t.users.c.id == informed_users.c.user_id)
            .where(informed_users.c.case_id == case["id"], principals.users_reading_all_cases())
        )
    ]
    if not internal_only:
        users = [case["internal_contact_id"], *informed]
        return [u for u in users if u is not None], await _contact_follower(work, case)
    candidates = [u for u in (*informed, case["assigned_to_id"]) if u is not None]
    if not candidates:
        return [], []
    readers = await work.rows(
        select(t.users.c.id).where(
            t.users.c.id.in_(candidates), principals.users_reading_work_notes()
        )
    )
    return [row["id"] for row in readers], []


async def _contact_follower(work: UnitOfWork, case: RowMapping) -> list[int]:
    """The case's contact, if it sees the case: a contact with a case role sees the cases it
    is the contact of; one without (a success-only contact an agent named) sees none, so it is
    not sent them either."""
    if case["contact_id"] is None:
        return []
    contacts = t.contacts
    found = await work.scalar(
        select(contacts.c.id).where(
            contacts.c.id == case["contact_id"], principals.contacts_with_case_roles()
        )
    )
    return [found] if found is not None else []


async def notify_followers(
    work: UnitOfWork,
    event: str,
    case: RowMapping,
    payload: Mapping[str, Any],
    *,
    internal_only: bool = False,
) -> int:
    users, contacts = await followers(work, case, internal_only=internal_only)
    return await work.notify(
        event, RecordType.CASE, case["id"], user_ids=users, contact_ids=contacts, payload=payload
    )


def summary(case: RowMapping) -> dict[str, Any]:
    """What any follower of a case may read about it (no internal field)."""
    return {
        "number": case["number"],
        "shortDescription": case["short_description"],
        "state": case["state"],
    }


def collect(problems: Iterable[UserError | None]) -> list[UserError]:
    return [problem for problem in problems if problem is not None]
