"""Master data updates (ACCESS.md "Lookups and master data": the internal admin updates
contacts, assets, contracts and entitlements; everyone else FORBIDDEN, including the external
admins, who may add and deactivate contacts but not change them).

Each runs in the caller's unit of work: the record is read and locked through the actor's row
rule (hidden fails exactly like missing: NOT_FOUND), the policy decides (FORBIDDEN), the given
fields are validated together (every problem at once, BAD_USER_INPUT or NOT_FOUND per field),
then written under ``expectedVersion`` and audited with what changed from what.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Table

from csm_graphql import tables as t
from csm_graphql.access import master_writes, rows
from csm_graphql.access.roles import ExternalRole
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories import master_data
from csm_graphql.services.errors import UserError, UserErrors, bad_input, forbidden, not_found
from csm_graphql.services.master_data import ASSET, CONTACT, checked_email
from csm_graphql.services.records import diff, load_for_update, update_versioned
from csm_graphql.services.text import SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork

CONTRACT = "contract"
ENTITLEMENT = "entitlement"


def _text(
    values: dict[str, Any], column: str, field: str, problems: list[UserError], *, required: bool
) -> None:
    if column not in values or (required and values[column] is None):
        return  # not given, or a null _required reported already
    try:
        values[column] = clean_text(values[column], field, required=required, limit=SHORT_TEXT)
    except UserError as problem:
        problems.append(problem)


def _required(
    values: Mapping[str, Any], fields: Mapping[str, str], problems: list[UserError]
) -> None:
    """Columns that cannot be null: a null given for one is refused (omit it to keep it)."""
    for column, field in fields.items():
        if column in values and values[column] is None:
            problems.append(bad_input(f"{field} cannot be null.", (field,)))


def _term(row: RowMapping, values: Mapping[str, Any], problems: list[UserError]) -> None:
    """The term after the change, given and kept dates together, must not end before it
    starts."""
    start = values.get("start_date", row["start_date"])
    end = values.get("end_date", row["end_date"])
    if start is not None and end is not None and end < start:
        field = "endDate" if "end_date" in values else "startDate"
        problems.append(bad_input("endDate cannot be before startDate.", (field,)))


async def _load(
    work: UnitOfWork,
    table: Table,
    rule: Callable[[Viewer], ColumnElement[bool]],
    record_id: int | None,
    what: str,
) -> RowMapping:
    row = await load_for_update(work, table, record_id, rule(work.viewer), what=what)
    if not master_writes.may_update_master_data(work.viewer):
        raise forbidden(f"Only admins may change {what}s.")
    return row


async def _write(
    work: UnitOfWork,
    table: Table,
    row: RowMapping,
    expected_version: int,
    changes: Mapping[str, Any],
    record_type: str,
) -> RowMapping:
    changed = diff(row, changes)
    updated = await update_versioned(work, table, row, expected_version, changes)
    if changed:
        await work.audit(f"{record_type}.update", record_type, row["id"], changed)
    return updated


async def update_contact(
    work: UnitOfWork,
    contact_id: int | None,
    expected_version: int,
    values: Mapping[str, Any],
) -> RowMapping:
    """Name, email (one principal per address) and roles (at least one external role)."""
    contact = await _load(work, t.contacts, rows.contacts, contact_id, "contact")
    problems: list[UserError] = []
    changes = dict(values)
    _required(changes, {"name": "name", "email": "email", "roles": "roles"}, problems)
    _text(changes, "name", "name", problems, required=True)
    if changes.get("email") is not None:
        email = checked_email(changes["email"], problems)
        if email is not None and await master_data.email_taken(
            work, email, excluding_contact_id=contact["id"]
        ):
            problems.append(bad_input("Someone already has this email address.", ("email",)))
        changes["email"] = email
    if changes.get("roles") is not None:
        roles: tuple[ExternalRole, ...] = tuple(dict.fromkeys(changes["roles"]))
        if not roles:
            problems.append(bad_input("A contact needs at least one role.", ("roles",)))
        changes["roles"] = [role.value for role in roles]
    if problems:
        raise UserErrors(problems)
    return await _write(work, t.contacts, contact, expected_version, changes, CONTACT)


async def update_asset(
    work: UnitOfWork, asset_id: int | None, expected_version: int, values: Mapping[str, Any]
) -> RowMapping:
    """Name, serial number, installation date (not in the future) and product model. The
    account stays: cases of the account point at the asset."""
    asset = await _load(work, t.assets, rows.assets, asset_id, "asset")
    problems: list[UserError] = []
    changes = dict(values)
    _required(changes, {"name": "name", "product_model_id": "productModelId"}, problems)
    _text(changes, "name", "name", problems, required=True)
    _text(changes, "serial_number", "serialNumber", problems, required=False)
    installed_on: date | None = changes.get("installed_on")
    if installed_on is not None and installed_on > work.today:
        problems.append(bad_input("installedOn cannot be in the future.", ("installedOn",)))
    model_id = changes.get("product_model_id")
    if (
        model_id is not None
        and await master_data.visible_product_model(work, work.viewer, model_id) is None
    ):
        problems.append(not_found("product model", ("productModelId",)))
    if problems:
        raise UserErrors(problems)
    return await _write(work, t.assets, asset, expected_version, changes, ASSET)


async def update_contract(
    work: UnitOfWork, contract_id: int | None, expected_version: int, values: Mapping[str, Any]
) -> RowMapping:
    """Name, value (0 or more), term (consistent with the kept dates) and whether it is in
    force."""
    contract = await _load(work, t.contracts, rows.contracts, contract_id, "contract")
    problems: list[UserError] = []
    changes = dict(values)
    _required(
        changes,
        {
            "name": "name",
            "value": "value",
            "start_date": "startDate",
            "end_date": "endDate",
            "active": "active",
        },
        problems,
    )
    _text(changes, "name", "name", problems, required=True)
    value: Decimal | None = changes.get("value")
    if value is not None and value < 0:
        problems.append(bad_input("A contract has a value of 0 or more.", ("value",)))
    _term(contract, changes, problems)
    if problems:
        raise UserErrors(problems)
    return await _write(work, t.contracts, contract, expected_version, changes, CONTRACT)


async def update_entitlement(
    work: UnitOfWork,
    entitlement_id: int | None,
    expected_version: int,
    values: Mapping[str, Any],
) -> RowMapping:
    """Name, term, whether it is in force, and what it points at: a contract of the same
    account (null: none), a product (null: every product), a schedule (null: wall-clock).
    Cases already served under it keep their SLAs (no retroactive change)."""
    entitlement = await _load(
        work, t.entitlements, rows.entitlements, entitlement_id, "entitlement"
    )
    problems: list[UserError] = []
    changes = dict(values)
    _required(
        changes,
        {"name": "name", "start_date": "startDate", "end_date": "endDate", "active": "active"},
        problems,
    )
    _text(changes, "name", "name", problems, required=True)
    _term(entitlement, changes, problems)
    contract_id = changes.get("contract_id")
    if contract_id is not None:
        account_id = await master_data.visible_contract_account(work, work.viewer, contract_id)
        if account_id is None:
            problems.append(not_found("contract", ("contractId",)))
        elif account_id != entitlement["account_id"]:
            problems.append(
                bad_input("The contract is not of the entitlement's account.", ("contractId",))
            )
    for column, table, field, what in (
        ("product_id", t.products, "productId", "product"),
        ("schedule_id", t.schedules, "scheduleId", "schedule"),
    ):
        record_id = changes.get(column)
        if record_id is not None and not await master_data.exists(work, table, record_id):
            problems.append(not_found(what, (field,)))
    if problems:
        raise UserErrors(problems)
    return await _write(work, t.entitlements, entitlement, expected_version, changes, ENTITLEMENT)


__all__ = ["update_asset", "update_contact", "update_contract", "update_entitlement"]
