"""Master data writes (ACCESS.md "Lookups and master data"): contacts added to an account and
deactivated, assets installed at an account.

Each runs in the caller's unit of work: the record is read through the actor's row rule
(hidden fails like missing), the policy (``access.master_writes``) decides, the input is
validated (every problem at once), and the write is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import RowMapping, insert

from csm_graphql import tables as t
from csm_graphql.access import master_writes
from csm_graphql.access.roles import ExternalRole
from csm_graphql.repositories import master_data
from csm_graphql.services.errors import UserError, UserErrors, bad_input, forbidden, not_found
from csm_graphql.services.records import update_versioned
from csm_graphql.services.text import SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork

# Audit record types of master data (they have no activity stream of their own).
CONTACT = "contact"
ASSET = "asset"


def checked_email(value: str, problems: list[UserError]) -> str | None:
    """A plausible single address, lower-cased (addresses are matched ignoring case)."""
    try:
        email = clean_text(value, "email", required=True, limit=SHORT_TEXT)
    except UserError as problem:
        problems.append(problem)
        return None
    assert email is not None
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        problems.append(bad_input("email must be one address, e.g. name@example.com.", ("email",)))
        return None
    return email.lower()


@dataclass(frozen=True, slots=True)
class ContactDraft:
    account_id: int | None
    name: str
    email: str
    roles: tuple[ExternalRole, ...]


async def create_contact(work: UnitOfWork, draft: ContactDraft) -> RowMapping:
    viewer = work.viewer
    account = None
    if draft.account_id is not None:
        account = await master_data.visible_account(work, viewer, draft.account_id)
    if account is None:
        raise not_found("account", ("accountId",))
    if not master_writes.may_create_contact(viewer, account["id"]):
        raise forbidden("You may not add contacts to this account.", ("accountId",))
    roles = tuple(dict.fromkeys(draft.roles))
    if not master_writes.may_grant(viewer, roles):
        raise forbidden("You may grant only the roles you hold, or the plain role.", ("roles",))
    problems: list[UserError] = []
    name = None
    try:
        name = clean_text(draft.name, "name", required=True, limit=SHORT_TEXT)
    except UserError as problem:
        problems.append(problem)
    email = checked_email(draft.email, problems)
    if not roles:
        problems.append(bad_input("A contact needs at least one role.", ("roles",)))
    if email is not None and await master_data.email_taken(work, email):
        problems.append(bad_input("Someone already has this email address.", ("email",)))
    if problems:
        raise UserErrors(problems)
    values = {
        "account_id": account["id"],
        "name": name,
        "email": email,
        "roles": [role.value for role in roles],
    }
    contact = await work.first(insert(t.contacts).values(**values).returning(*t.contacts.c))
    assert contact is not None
    await work.audit("contact.create", CONTACT, contact["id"], values)
    return contact


async def deactivate_contact(
    work: UnitOfWork, contact_id: int | None, expected_version: int
) -> RowMapping:
    """A deactivated contact is refused at once, everywhere: its principal no longer loads
    (UNAUTHENTICATED), the case form no longer offers or accepts it."""
    viewer = work.viewer
    contact = None
    if contact_id is not None:
        contact = await master_data.visible_contact_for_update(work, viewer, contact_id)
    if contact is None:
        raise not_found("contact")
    if not master_writes.may_deactivate_contact(viewer, contact["account_id"]):
        raise forbidden("You may not deactivate this contact.")
    if viewer.contact_id == contact["id"]:
        raise bad_input("You cannot deactivate yourself.")
    updated = await update_versioned(work, t.contacts, contact, expected_version, {"active": False})
    if updated["version"] != contact["version"]:
        await work.audit(
            "contact.deactivate", CONTACT, contact["id"], {"active": {"from": True, "to": False}}
        )
    return updated


@dataclass(frozen=True, slots=True)
class AssetDraft:
    account_id: int | None
    product_model_id: int | None
    name: str
    serial_number: str | None = None
    installed_on: date | None = None


async def create_asset(work: UnitOfWork, draft: AssetDraft) -> RowMapping:
    viewer = work.viewer
    account = None
    if draft.account_id is not None:
        account = await master_data.visible_account(work, viewer, draft.account_id)
    if account is None:
        raise not_found("account", ("accountId",))
    if not master_writes.may_create_asset(viewer):
        raise forbidden("Only admins and case agents may add assets.")
    problems: list[UserError] = []
    model = None
    if draft.product_model_id is not None:
        model = await master_data.visible_product_model(work, viewer, draft.product_model_id)
    if model is None:
        problems.append(not_found("product model", ("productModelId",)))
    name = serial = None
    try:
        name = clean_text(draft.name, "name", required=True, limit=SHORT_TEXT)
        serial = clean_text(draft.serial_number, "serialNumber", required=False, limit=100)
    except UserError as problem:
        problems.append(problem)
    if draft.installed_on is not None and draft.installed_on > work.today:
        problems.append(bad_input("installedOn cannot be in the future.", ("installedOn",)))
    if problems:
        raise UserErrors(problems)
    assert model is not None
    values = {
        "account_id": account["id"],
        "product_model_id": model["id"],
        "name": name,
        "serial_number": serial,
        "installed_on": draft.installed_on,
    }
    asset = await work.first(insert(t.assets).values(**values).returning(*t.assets.c))
    assert asset is not None
    await work.audit("asset.create", ASSET, asset["id"], values)
    return asset


__all__ = ["AssetDraft", "ContactDraft", "create_asset", "create_contact", "deactivate_contact"]
