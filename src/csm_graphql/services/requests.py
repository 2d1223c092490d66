"""Requests raised on behalf of a customer (DOMAIN.md "Request"): the write side.

ACCESS.md: "A request raised on behalf of a customer follows the Cases rules for who creates
and sees it." So the policy is the case form's (``access.case_writes``): agents for any
account, a proxy contact for any account and then a contact of that account (it becomes the
request's internal contact), contacts with a case role for one of their accounts, for
themselves or (external admins and case managers) for another contact of their accounts.
References are read through their row rules: one the actor may not see fails exactly like a
missing one (NOT_FOUND). Every problem with the draft is reported at once; nothing is written
unless all of it is right, and the insert is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping, insert

from csm_graphql import tables as t
from csm_graphql.access import case_writes, rows
from csm_graphql.domain.enums import RecordType
from csm_graphql.domain.timeline import created_kind
from csm_graphql.repositories import case_references as refs
from csm_graphql.services.case_references import Problems, check_employees
from csm_graphql.services.errors import UserError, UserErrors, bad_input, forbidden, not_found
from csm_graphql.services.text import LONG_TEXT, SHORT_TEXT, clean_text
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.tables.cases import requests as request_table

# The audit trail's name for a request (the record type its activities and attachments carry).
AUDIT_RECORD_TYPE = RecordType.REQUEST.value
ACCOUNT = refs.Reference("account", "accountId", t.accounts, rows.accounts)


@dataclass(frozen=True, slots=True)
class RequestDraft:
    """A new request as its creator describes it; ids are database ids (None when omitted,
    0 when the client named something that cannot exist)."""

    account_id: int | None
    short_description: str
    contact_id: int | None = None
    description: str | None = None
    asset_id: int | None = None
    product_id: int | None = None
    # Agents only: the proxy-contact employee the request is raised for.
    internal_contact_id: int | None = None


async def create_request(work: UnitOfWork, draft: RequestDraft) -> RowMapping:
    """Insert the request (state SUBMITTED, number from its sequence), journal it as opened
    on its activity stream and audit it."""
    values = await _validated(work, draft)
    request = await work.first(insert(request_table).values(**values).returning(*request_table.c))
    assert request is not None
    viewer = work.viewer
    on_behalf = request["contact_id"] if request["contact_id"] != viewer.contact_id else None
    await work.audit(
        "request.create",
        AUDIT_RECORD_TYPE,
        request["id"],
        {name: value for name, value in values.items() if value is not None},
        on_behalf_of_contact_id=on_behalf,
    )
    await work.record_activity(
        RecordType.REQUEST,
        request["id"],
        request["account_id"],
        created_kind(RecordType.REQUEST),
        None,
        {"number": request["number"]},
    )
    return request


async def _validated(work: UnitOfWork, draft: RequestDraft) -> dict[str, Any]:
    viewer = work.viewer
    if not case_writes.creates_cases(viewer):
        raise forbidden("This viewer may not raise requests.")
    account = None
    if draft.account_id is not None:
        account = await refs.visible(work, viewer, ACCOUNT, draft.account_id)
    if account is None:
        raise not_found("account", ("accountId",))
    account_id: int = account["id"]
    if not case_writes.may_create_for_account(viewer, account_id):
        raise forbidden("Requests can be raised only for one of your accounts.", ("accountId",))
    if draft.internal_contact_id is not None and not case_writes.sets_internal_fields(viewer):
        raise forbidden("Only case agents may set internalContactId.", ("internalContactId",))

    problems = Problems()
    short_description = description = None
    try:
        short_description = clean_text(
            draft.short_description, "shortDescription", required=True, limit=SHORT_TEXT
        )
        description = clean_text(draft.description, "description", required=False, limit=LONG_TEXT)
    except UserError as problem:
        problems.append(problem)

    contact_id = draft.contact_id
    if viewer.is_external and contact_id is None:
        contact_id = viewer.id  # a contact raises its own request unless it names another
    if contact_id is None:
        # Every request is some customer's: employees (proxies, agents) pick the contact.
        problems.append(bad_input("Pick a contact of the account.", ("contactId",)))
    else:
        if contact_id != viewer.contact_id and not case_writes.creates_for_other_contacts(viewer):
            raise forbidden("You may raise requests only for yourself.", ("contactId",))
        await _check_contact(work, contact_id, account_id, problems)

    product_id = await _asset_and_product(work, draft, account_id, problems)
    if draft.internal_contact_id is not None:
        await check_employees(
            work, {"internal_contact_id": draft.internal_contact_id}, None, problems
        )
    if problems:
        raise UserErrors(problems)
    return {
        "account_id": account_id,
        "contact_id": contact_id,
        # ACCESS.md: the proxy raising it becomes its internal contact; an agent may name one.
        "internal_contact_id": viewer.id if viewer.is_proxy_contact else draft.internal_contact_id,
        "opened_by_user_id": viewer.user_id,
        "opened_by_contact_id": viewer.contact_id,
        "asset_id": draft.asset_id,
        "product_id": product_id,
        "short_description": short_description,
        "description": description,
    }


async def _check_contact(
    work: UnitOfWork, contact_id: int, account_id: int, problems: Problems
) -> None:
    """Visible (else NOT_FOUND, like a missing one), active, and of the request's account
    (its own account or one of its contact relationships)."""
    contact = await refs.visible(work, work.viewer, refs.CONTACT, contact_id)
    if contact is None:
        problems.append(not_found("contact", ("contactId",)))
    elif not contact["active"]:
        problems.append(bad_input("The contact is deactivated.", ("contactId",)))
    elif account_id not in await refs.contact_account_ids(work, contact):
        problems.append(bad_input("The contact is not of the request's account.", ("contactId",)))


async def _asset_and_product(
    work: UnitOfWork, draft: RequestDraft, account_id: int, problems: Problems
) -> int | None:
    """The seed's "asset or product of that account": an asset installed at the account (its
    product follows from it), or a product the account has; named both, they must agree."""
    asset_product = None
    if draft.asset_id is not None:
        asset = await refs.visible(work, work.viewer, refs.ASSET, draft.asset_id)
        if asset is None:
            problems.append(not_found("asset", ("assetId",)))
            return None
        if asset["account_id"] != account_id:
            problems.append(bad_input("The asset is not of the request's account.", ("assetId",)))
            return None
        asset_product = await refs.product_of_model(work, asset["product_model_id"])
    if draft.product_id is None:
        return asset_product
    if await refs.visible(work, work.viewer, refs.PRODUCT, draft.product_id) is None:
        problems.append(not_found("product", ("productId",)))
    elif asset_product is not None and draft.product_id != asset_product:
        problems.append(bad_input("The product is not the asset's product.", ("productId",)))
    elif asset_product is None and not await refs.account_has_product(
        work, draft.product_id, account_id
    ):
        problems.append(bad_input("The account has no such product.", ("productId",)))
    return draft.product_id


__all__ = ["AUDIT_RECORD_TYPE", "RequestDraft", "create_request"]
