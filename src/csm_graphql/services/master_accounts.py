"""Accounts, contracts and entitlements written by the internal admin (ACCESS.md "Lookups
and master data": everyone else FORBIDDEN). Validated (every problem at once), audited in
the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping, Table, insert

from csm_graphql import tables as t
from csm_graphql.access import master_writes
from csm_graphql.domain.enums import AccountKind, RecordType
from csm_graphql.domain.timeline import created_kind
from csm_graphql.repositories import master_data
from csm_graphql.services.errors import UserError, UserErrors, bad_input, forbidden, not_found
from csm_graphql.services.records import update_versioned
from csm_graphql.services.text import SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork


def _require_admin(work: UnitOfWork, what: str) -> None:
    if not master_writes.may_write_accounts_and_agreements(work.viewer):
        raise forbidden(f"Only admins may change {what}.")


def _name(value: str | None, problems: list[UserError]) -> str | None:
    try:
        return clean_text(value, "name", required=True, limit=SHORT_TEXT)
    except UserError as problem:
        problems.append(problem)
        return None


async def _insert(work: UnitOfWork, table: Table, values: Mapping[str, Any]) -> RowMapping:
    row = await work.first(insert(table).values(**values).returning(*table.c))
    assert row is not None
    return row


async def create_account(
    work: UnitOfWork, name: str, kind: AccountKind, parent_id: int | None
) -> RowMapping:
    _require_admin(work, "accounts")
    problems: list[UserError] = []
    cleaned = _name(name, problems)
    if (
        parent_id is not None
        and await master_data.visible_account(work, work.viewer, parent_id) is None
    ):
        problems.append(not_found("parent account", ("parentId",)))
    if problems:
        raise UserErrors(problems)
    values = {"name": cleaned, "kind": kind.value, "parent_id": parent_id}
    account = await _insert(work, t.accounts, values)
    await work.audit("account.create", "account", account["id"], values)
    return account


async def update_account(
    work: UnitOfWork, account_id: int | None, expected_version: int, values: Mapping[str, Any]
) -> RowMapping:
    """``values`` holds the given fields only (name, parent_id; a null parent clears it). A
    hierarchy must not loop: the new parent may not be the account or one below it."""
    account = None
    if account_id is not None:
        account = await master_data.account_for_update(work, work.viewer, account_id)
    if account is None:
        raise not_found("account")
    _require_admin(work, "accounts")
    problems: list[UserError] = []
    changes = dict(values)
    if "name" in changes:
        changes["name"] = _name(changes["name"], problems)
    parent_id = changes.get("parent_id")
    if parent_id is not None:
        if await master_data.visible_account(work, work.viewer, parent_id) is None:
            problems.append(not_found("parent account", ("parentId",)))
        elif account["id"] in await master_data.account_ancestors(work, parent_id):
            problems.append(
                bad_input("An account cannot be its own parent or ancestor.", ("parentId",))
            )
    if problems:
        raise UserErrors(problems)
    updated = await update_versioned(work, t.accounts, account, expected_version, changes)
    if updated["version"] != account["version"]:
        changed = {name: {"from": account[name], "to": updated[name]} for name in changes}
        await work.audit("account.update", "account", account["id"], changed)
    return updated


@dataclass(frozen=True, slots=True)
class AgreementDraft:
    """A contract or an entitlement: of an account, for a term."""

    account_id: int | None
    name: str
    start_date: date
    end_date: date
    value: Decimal | None = None  # contracts
    contract_id: int | None = None  # entitlements
    product_id: int | None = None  # entitlements
    schedule_id: int | None = None  # entitlements
    engagement_id: int | None = None  # contracts: the engagement whose contract value it adds to


async def _agreement(work: UnitOfWork, draft: AgreementDraft, what: str) -> dict[str, Any]:
    """The common columns, checked; the account must exist (the admin sees every one)."""
    _require_admin(work, what)
    problems: list[UserError] = []
    account = None
    if draft.account_id is not None:
        account = await master_data.visible_account(work, work.viewer, draft.account_id)
    if account is None:
        problems.append(not_found("account", ("accountId",)))
    name = _name(draft.name, problems)
    if draft.end_date < draft.start_date:
        problems.append(bad_input("endDate cannot be before startDate.", ("endDate",)))
    if problems:
        raise UserErrors(problems)
    assert account is not None
    return {
        "account_id": account["id"],
        "name": name,
        "start_date": draft.start_date,
        "end_date": draft.end_date,
    }


async def create_contract(work: UnitOfWork, draft: AgreementDraft) -> RowMapping:
    values = await _agreement(work, draft, "contracts")
    problems: list[UserError] = []
    if draft.value is None or draft.value < 0:
        problems.append(bad_input("A contract has a value of 0 or more.", ("value",)))
    if draft.engagement_id is not None:
        await _check_engagement(work, draft.engagement_id, values["account_id"], problems)
    if problems:
        raise UserErrors(problems)
    values["value"] = draft.value
    values["engagement_id"] = draft.engagement_id
    contract = await _insert(work, t.contracts, values)
    # Journaled for the customer timeline of the engagement the contract serves, if any.
    await work.record_activity(
        RecordType.CONTRACT,
        contract["id"],
        contract["account_id"],
        created_kind(RecordType.CONTRACT),
        changes={"name": contract["name"], "value": contract["value"]},
    )
    await work.audit("contract.create", "contract", contract["id"], values)
    return contract


async def _check_engagement(
    work: UnitOfWork, engagement_id: int, account_id: int, problems: list[UserError]
) -> None:
    """The engagement a contract serves (its active contracts make the engagement's
    contractValue): one the actor sees (else NOT_FOUND, like a missing one), of the
    contract's account."""
    engagement = await master_data.visible_engagement(work, work.viewer, engagement_id)
    if engagement is None:
        problems.append(not_found("engagement", ("engagementId",)))
    elif engagement["account_id"] != account_id:
        problems.append(
            bad_input("The engagement is not of the contract's account.", ("engagementId",))
        )


async def create_entitlement(work: UnitOfWork, draft: AgreementDraft) -> RowMapping:
    values = await _agreement(work, draft, "entitlements")
    problems: list[UserError] = []
    if draft.engagement_id is not None:
        problems.append(bad_input("Only contracts serve an engagement.", ("engagementId",)))
    if draft.contract_id is not None and not await master_data.contract_of_account(
        work, draft.contract_id, values["account_id"]
    ):
        problems.append(bad_input("The contract is not of the account.", ("contractId",)))
    for column, table, field, what in (
        ("product_id", t.products, "productId", "product"),
        ("schedule_id", t.schedules, "scheduleId", "schedule"),
    ):
        record_id = getattr(draft, column)
        if record_id is not None and not await master_data.exists(work, table, record_id):
            problems.append(not_found(what, (field,)))
    if problems:
        raise UserErrors(problems)
    values.update(
        contract_id=draft.contract_id, product_id=draft.product_id, schedule_id=draft.schedule_id
    )
    entitlement = await _insert(work, t.entitlements, values)
    await work.audit("entitlement.create", "entitlement", entitlement["id"], values)
    return entitlement


__all__ = [
    "AgreementDraft",
    "create_account",
    "create_contract",
    "create_entitlement",
    "update_account",
]
