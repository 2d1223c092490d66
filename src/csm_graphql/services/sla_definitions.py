"""SLA definitions written by the internal admin (ACCESS.md: "admin: everything"; SLA
definitions are internal only and no other role is given their writes, so: FORBIDDEN).

A definition applies to the cases of its priority and, when it names them, of its contract
and entitlement too (services/case_slas.py). What applies is decided when a case is created
and when its priority, contract or entitlement changes, so a new or changed definition
applies to new cases at once; cases that already run SLAs are not changed retroactively: a
running SLA keeps its planned end, and its case picks up the new applicability at its next
change of priority, contract or entitlement. The target and schedule of a definition decide
how its running SLAs are measured, so they are fixed once created (create another
definition instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping, insert

from csm_graphql import tables as t
from csm_graphql.access import master_writes, rows
from csm_graphql.domain.cases import SlaTarget
from csm_graphql.domain.enums import Priority
from csm_graphql.repositories import master_data
from csm_graphql.repositories import sla_definitions as reads
from csm_graphql.services.errors import UserError, UserErrors, bad_input, forbidden, not_found
from csm_graphql.services.records import diff, load_for_update, update_versioned
from csm_graphql.services.text import SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork

RECORD_TYPE = "sla_definition"
# A year of minutes: longer targets are typing mistakes, not service levels.
MAX_DURATION_MINUTES = 365 * 24 * 60


@dataclass(frozen=True, slots=True)
class SlaDefinitionDraft:
    name: str
    target: SlaTarget
    priority: Priority
    duration_minutes: int
    schedule_id: int | None = None
    contract_id: int | None = None
    entitlement_id: int | None = None


def _require_admin(work: UnitOfWork) -> None:
    if not master_writes.may_manage_sla_definitions(work.viewer):
        raise forbidden("Only admins may change SLA definitions.")


async def _checked(
    work: UnitOfWork, values: dict[str, Any], *, excluding_id: int | None = None
) -> None:
    """Every problem with the given columns at once; a reference the admin cannot see is
    NOT_FOUND, like a missing one. Contract and entitlement must agree: the entitlement's
    account is the contract's, and an entitlement that comes with a contract comes with
    that one."""
    problems: list[UserError] = []
    if "name" in values:
        try:
            values["name"] = clean_text(values["name"], "name", required=True, limit=SHORT_TEXT)
        except UserError as problem:
            problems.append(problem)
        else:
            if await reads.name_taken(work, values["name"], excluding_id=excluding_id):
                problems.append(bad_input("An SLA definition has this name already.", ("name",)))
    duration = values.get("duration_minutes")
    if "duration_minutes" in values and (
        duration is None or not 0 < duration <= MAX_DURATION_MINUTES
    ):
        problems.append(
            bad_input(f"durationMinutes must be 1 to {MAX_DURATION_MINUTES}.", ("durationMinutes",))
        )
    if "priority" in values and values["priority"] is None:
        problems.append(bad_input("priority cannot be null.", ("priority",)))
    schedule_id = values.get("schedule_id")
    if schedule_id is not None and not await master_data.exists(work, t.schedules, schedule_id):
        problems.append(not_found("schedule", ("scheduleId",)))
    contract_account = None
    contract_id = values.get("contract_id")
    if contract_id is not None:
        contract_account = await master_data.visible_contract_account(
            work, work.viewer, contract_id
        )
        if contract_account is None:
            problems.append(not_found("contract", ("contractId",)))
    entitlement_id = values.get("entitlement_id")
    if entitlement_id is not None:
        entitlement = await reads.visible_entitlement(work, work.viewer, entitlement_id)
        if entitlement is None:
            problems.append(not_found("entitlement", ("entitlementId",)))
        elif contract_account is not None and (
            entitlement["account_id"] != contract_account
            or entitlement["contract_id"] not in (None, contract_id)
        ):
            problems.append(
                bad_input("The entitlement does not come with that contract.", ("entitlementId",))
            )
    if problems:
        raise UserErrors(problems)


async def create_sla_definition(work: UnitOfWork, draft: SlaDefinitionDraft) -> RowMapping:
    _require_admin(work)
    values: dict[str, Any] = {
        "name": draft.name,
        "duration_minutes": draft.duration_minutes,
        "schedule_id": draft.schedule_id,
        "contract_id": draft.contract_id,
        "entitlement_id": draft.entitlement_id,
    }
    await _checked(work, values)
    values.update(target=draft.target.value, priority=int(draft.priority))
    row = await work.first(
        insert(t.sla_definitions).values(**values).returning(*t.sla_definitions.c)
    )
    assert row is not None
    await work.audit("sla_definition.create", RECORD_TYPE, row["id"], values)
    return row


# What an update may change: its name, how long, and which cases it applies to.
UPDATABLE = frozenset({"name", "duration_minutes", "priority", "contract_id", "entitlement_id"})


async def update_sla_definition(
    work: UnitOfWork,
    definition_id: int | None,
    expected_version: int,
    values: Mapping[str, Any],
) -> RowMapping:
    """``values`` holds the given columns only (null clears the contract or entitlement)."""
    definition = await load_for_update(
        work,
        t.sla_definitions,
        definition_id,
        rows.internal_only(work.viewer, t.sla_definitions),
        what="SLA definition",
    )
    _require_admin(work)
    changes = {name: value for name, value in values.items() if name in UPDATABLE}
    given = dict(changes)
    if given.keys() & {"contract_id", "entitlement_id"}:
        # The pair is checked as it will be: the kept half is compared with the new one.
        given = {
            "contract_id": definition["contract_id"],
            "entitlement_id": definition["entitlement_id"],
            **given,
        }
    await _checked(work, given, excluding_id=definition["id"])
    changes = {name: given[name] for name in changes}
    if changes.get("priority") is not None:
        changes["priority"] = int(changes["priority"])
    changed = diff(definition, changes)
    updated = await update_versioned(work, t.sla_definitions, definition, expected_version, changes)
    if changed:
        await work.audit("sla_definition.update", RECORD_TYPE, definition["id"], changed)
    return updated


__all__ = [
    "MAX_DURATION_MINUTES",
    "SlaDefinitionDraft",
    "create_sla_definition",
    "update_sla_definition",
]
