"""Reads that validate what a case form points at: the referenced record as the viewer sees it,
the accounts a contact belongs to, the products of an account, the parent chain, employees by
role.

Service-side reads on a write's UnitOfWork. Every record is read through its row rule, so a
reference the viewer may not see comes back as None, exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, FromClause, RowMapping, Table, exists, or_, select

from csm_graphql import tables as t
from csm_graphql.access import principals, rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories.checks import RowReader


@dataclass(frozen=True, slots=True)
class Reference:
    """A record a case points at: how the form names it and how its rule reads it."""

    what: str  # in messages: "No <what> with this id."
    field: str  # the input's field, for userErrors
    table: Table
    rule: Callable[[Viewer, FromClause], ColumnElement[bool]]


CONTACT = Reference("contact", "contactId", t.contacts, rows.contacts)
ASSET = Reference("asset", "assetId", t.assets, rows.assets)
ENTITLEMENT = Reference("entitlement", "entitlementId", t.entitlements, rows.entitlements)
CONTRACT = Reference("contract", "contractId", t.contracts, rows.contracts)
PRODUCT = Reference("product", "productId", t.products, rows.products)
PARENT = Reference("parent case", "parentId", t.cases, lambda v, table: rows.cases(v, table=table))


async def visible(
    reader: RowReader, viewer: Viewer, reference: Reference, record_id: int
) -> RowMapping | None:
    table = reference.table
    return await reader.first(
        select(table).where(table.c.id == record_id, reference.rule(viewer, table))
    )


async def contact_of_account(
    reader: RowReader, viewer: Viewer, contact_id: int, account_id: int
) -> RowMapping | None:
    """The active contact, visible to the viewer, if it belongs to the account (its own
    account, or one granted by a contact relationship)."""
    contact = t.contacts
    related = exists().where(
        t.contact_relationships.c.contact_id == contact.c.id,
        t.contact_relationships.c.account_id == account_id,
    )
    return await reader.first(
        select(contact).where(
            contact.c.id == contact_id,
            contact.c.active,
            rows.contacts(viewer),
            or_(contact.c.account_id == account_id, related),
        )
    )


async def account_has_product(reader: RowReader, product_id: int, account_id: int) -> bool:
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
    return bool(await reader.scalar(select(or_(installed, entitled))))


async def contact_account_ids(reader: RowReader, contact: RowMapping) -> set[int]:
    """The contact's own account and those of its contact relationships."""
    links = t.contact_relationships
    related = await reader.rows(
        select(links.c.account_id).where(links.c.contact_id == contact["id"])
    )
    return {contact["account_id"], *(row["account_id"] for row in related)}


async def product_of_model(reader: RowReader, product_model_id: int) -> int | None:
    product: int | None = await reader.scalar(
        select(t.product_models.c.product_id).where(t.product_models.c.id == product_model_id)
    )
    return product


async def ancestors(reader: RowReader, case_id: int) -> list[int]:
    """The case and its parents up the chain (a few levels; the chain holds no cycle)."""
    chain: list[int] = []
    current: int | None = case_id
    while current is not None and current not in chain:
        chain.append(current)
        current = await reader.scalar(select(t.cases.c.parent_id).where(t.cases.c.id == current))
    return chain


async def users(reader: RowReader, user_ids: Sequence[int]) -> dict[int, RowMapping]:
    """Employees by id, with whether each may be an internal contact or an assignee."""
    found = await reader.rows(
        select(
            t.users.c.id,
            t.users.c.active,
            principals.proxy_contacts().label("is_proxy_contact"),
            principals.users_working_cases().label("works_cases"),
        ).where(t.users.c.id.in_(list(user_ids)))
    )
    return {row["id"]: row for row in found}


async def proxy_contact(reader: RowReader, user_id: int) -> int | None:
    """The employee's id if it is a proxy contact (one who may be a case's internal contact)."""
    found: int | None = await reader.scalar(
        select(t.users.c.id).where(t.users.c.id == user_id, principals.proxy_contacts())
    )
    return found


async def support_group_exists(reader: RowReader, group_id: int) -> bool:
    found = await reader.scalar(
        select(t.support_groups.c.id).where(t.support_groups.c.id == group_id)
    )
    return found is not None


async def informed_user_ids(reader: RowReader, case_id: int) -> list[int]:
    informed = t.case_informed_users
    found = await reader.rows(
        select(informed.c.user_id).where(informed.c.case_id == case_id).order_by(informed.c.user_id)
    )
    return [row["user_id"] for row in found]


__all__ = [
    "ASSET",
    "CONTACT",
    "CONTRACT",
    "ENTITLEMENT",
    "PARENT",
    "PRODUCT",
    "Reference",
    "account_has_product",
    "ancestors",
    "contact_account_ids",
    "contact_of_account",
    "informed_user_ids",
    "product_of_model",
    "proxy_contact",
    "support_group_exists",
    "users",
    "visible",
]
