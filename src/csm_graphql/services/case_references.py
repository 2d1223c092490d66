"""What a case form points at, validated the same way by createCase and updateCase.

Each referenced record must be visible to the actor and belong to the case's account. A
reference the actor may not see fails exactly like a missing one (NOT_FOUND); one it sees but
of another account, or otherwise unfit, is BAD_USER_INPUT. Every problem is reported at once.
The employees a form names (internal contact, assignee, informed users) and the support group
are the agents' to set (``access.case_writes.sets_internal_fields``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import RowMapping

from csm_graphql.repositories import case_references as refs
from csm_graphql.repositories.case_references import Reference
from csm_graphql.services.errors import UserError, bad_input, not_found
from csm_graphql.services.unit_of_work import UnitOfWork

# Case columns a form sets by reference, in the order problems are reported.
REFERENCE_COLUMNS = (
    "contact_id",
    "asset_id",
    "product_id",
    "entitlement_id",
    "contract_id",
    "parent_id",
)
MAX_INFORMED_USERS = 50


class Problems(list[UserError]):
    """The draft's problems so far; validation goes on after one, to report them all."""


async def _owned(
    work: UnitOfWork,
    reference: Reference,
    record_id: int,
    account_id: int,
    problems: Problems,
) -> RowMapping | None:
    """The record if the actor sees it and it is the account's; None (and a problem) if not."""
    row = await refs.visible(work, work.viewer, reference, record_id)
    if row is None:
        problems.append(not_found(reference.what, (reference.field,)))
        return None
    if reference is refs.CONTACT:
        if not row["active"]:
            problems.append(bad_input("The contact is deactivated.", (reference.field,)))
            return None
        belongs = account_id in await refs.contact_account_ids(work, row)
    else:
        belongs = row["account_id"] == account_id
    if not belongs:
        problems.append(
            bad_input(f"The {reference.what} is not of the case's account.", (reference.field,))
        )
        return None
    return row


async def resolve_references(
    work: UnitOfWork,
    account_id: int,
    given: Mapping[str, int | None],
    *,
    case: RowMapping | None = None,
    today: date,
    problems: Problems,
) -> dict[str, Any]:
    """The reference columns to write: the given ones, checked, and those they imply (an
    asset's product; an entitlement's contract when the case has none). ``case`` is the case
    being changed (None on create); ``given`` holds only the references the form set, None
    to clear one."""
    values: dict[str, Any] = dict(given)
    rows: dict[str, RowMapping | None] = {}
    checked = (
        ("contact_id", refs.CONTACT),
        ("asset_id", refs.ASSET),
        ("entitlement_id", refs.ENTITLEMENT),
        ("contract_id", refs.CONTRACT),
        ("parent_id", refs.PARENT),
    )
    for column, reference in checked:
        record_id = given.get(column)
        if record_id is not None:
            rows[column] = await _owned(work, reference, record_id, account_id, problems)

    entitlement = rows.get("entitlement_id")
    if entitlement is not None:
        in_force = entitlement["active"] and (
            entitlement["start_date"] <= today <= entitlement["end_date"]
        )
        if not in_force:
            problems.append(bad_input("The entitlement is not in force.", ("entitlementId",)))
        elif "contract_id" not in given and (case is None or case["contract_id"] is None):
            values["contract_id"] = entitlement["contract_id"]

    # A case cannot be its own ancestor: the chain above the new parent must not hold it.
    parent = rows.get("parent_id")
    if (
        parent is not None
        and case is not None
        and case["id"] in await refs.ancestors(work, parent["id"])
    ):
        problems.append(bad_input("A case cannot be its own parent or ancestor.", ("parentId",)))

    await _product(work, account_id, given, rows.get("asset_id"), case, values, problems)
    return values


async def _product(
    work: UnitOfWork,
    account_id: int,
    given: Mapping[str, int | None],
    asset: RowMapping | None,
    case: RowMapping | None,
    values: dict[str, Any],
    problems: Problems,
) -> None:
    """The product is the asset's when the case has an asset; otherwise one of the
    account's products (installed or entitled)."""
    asset_product = None
    if asset is not None:
        asset_product = await refs.product_of_model(work, asset["product_model_id"])
    elif "asset_id" not in given and case is not None and case["asset_id"] is not None:
        asset_product = case["product_id"]  # the case's asset stays; so does its product
    if "product_id" not in given:
        if asset is not None:
            values["product_id"] = asset_product
        return
    product_id = given["product_id"]
    if product_id is None:
        return
    if await refs.visible(work, work.viewer, refs.PRODUCT, product_id) is None:
        problems.append(not_found("product", ("productId",)))
    elif asset_product is not None:
        if product_id != asset_product:
            problems.append(bad_input("The product is not the asset's product.", ("productId",)))
    elif "asset_id" in given and given["asset_id"] is not None:
        pass  # the asset was refused already; its product cannot be compared
    elif not await refs.account_has_product(work, product_id, account_id):
        problems.append(bad_input("The account has no such product.", ("productId",)))


async def check_employees(
    work: UnitOfWork, values: Mapping[str, Any], informed: Sequence[int] | None, problems: Problems
) -> list[int] | None:
    """The internal contact must be an active proxy contact, the assignee an active case
    agent, informed users active employees, the support group one that exists. Returns the
    informed users without repeats (None: not given)."""
    named = [
        user_id
        for user_id in (values.get("internal_contact_id"), values.get("assigned_to_id"))
        if user_id is not None
    ]
    unique = list(dict.fromkeys(informed)) if informed is not None else None
    found = await refs.users(work, [*named, *(unique or [])])
    if (proxy := values.get("internal_contact_id")) is not None:
        if proxy not in found:
            problems.append(not_found("user", ("internalContactId",)))
        elif not found[proxy]["is_proxy_contact"]:
            problems.append(
                bad_input(
                    "The internal contact must be an active proxy contact.",
                    ("internalContactId",),
                )
            )
    if (agent := values.get("assigned_to_id")) is not None:
        if agent not in found:
            problems.append(not_found("user", ("assignedTo",)))
        elif not found[agent]["works_cases"]:
            problems.append(bad_input("Cases are assigned to active case agents.", ("assignedTo",)))
    if (group := values.get("support_group_id")) is not None and not (
        await refs.support_group_exists(work, group)
    ):
        problems.append(not_found("support group", ("supportGroup",)))
    if unique is not None:
        if len(unique) > MAX_INFORMED_USERS:
            problems.append(
                bad_input(
                    f"A case informs at most {MAX_INFORMED_USERS} users.", ("informedUserIds",)
                )
            )
        elif any(user_id not in found for user_id in unique):
            problems.append(not_found("user", ("informedUserIds",)))
        elif any(not found[u]["active"] for u in unique):
            problems.append(
                bad_input("Informed users must be active employees.", ("informedUserIds",))
            )
    return unique


__all__ = [
    "MAX_INFORMED_USERS",
    "REFERENCE_COLUMNS",
    "Problems",
    "check_employees",
    "resolve_references",
]
