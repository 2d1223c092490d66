"""Reads behind master data writes: the account, contact, product model or engagement as the
actor sees it (None when hidden or missing, alike), and whether an email address is taken."""

from __future__ import annotations

from sqlalchemy import FromClause, RowMapping, Table, func, select

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories.checks import RowReader


async def visible_account(reader: RowReader, viewer: Viewer, account_id: int) -> RowMapping | None:
    return await reader.first(
        select(t.accounts).where(t.accounts.c.id == account_id, rows.accounts(viewer))
    )


async def visible_contact_for_update(
    reader: RowReader, viewer: Viewer, contact_id: int
) -> RowMapping | None:
    """The contact, locked until the transaction ends, so that the version check is exact."""
    contacts: FromClause = t.contacts
    return await reader.first(
        select(t.contacts)
        .where(t.contacts.c.id == contact_id, rows.contacts(viewer, contacts))
        .with_for_update(of=t.contacts)
    )


async def visible_product_model(
    reader: RowReader, viewer: Viewer, model_id: int
) -> RowMapping | None:
    models = t.product_models
    return await reader.first(
        select(models).where(models.c.id == model_id, rows.product_models(viewer))
    )


async def email_taken(
    reader: RowReader, email: str, *, excluding_contact_id: int | None = None
) -> bool:
    """Employees and contacts share one address space: an email names one principal (a
    contact changing its address does not collide with itself)."""
    address = email.lower()
    user = select(t.users.c.id).where(func.lower(t.users.c.email) == address)
    contact = select(t.contacts.c.id).where(func.lower(t.contacts.c.email) == address)
    if excluding_contact_id is not None:
        contact = contact.where(t.contacts.c.id != excluding_contact_id)
    return await reader.scalar(select(user.union_all(contact).exists())) is True


async def account_ancestors(reader: RowReader, account_id: int) -> list[int]:
    """The account and its parents up the hierarchy (which holds no cycle)."""
    chain: list[int] = []
    current: int | None = account_id
    while current is not None and current not in chain:
        chain.append(current)
        current = await reader.scalar(
            select(t.accounts.c.parent_id).where(t.accounts.c.id == current)
        )
    return chain


async def account_for_update(
    reader: RowReader, viewer: Viewer, account_id: int
) -> RowMapping | None:
    return await reader.first(
        select(t.accounts)
        .where(t.accounts.c.id == account_id, rows.accounts(viewer))
        .with_for_update(of=t.accounts)
    )


async def contract_of_account(reader: RowReader, contract_id: int, account_id: int) -> bool:
    found = await reader.scalar(
        select(t.contracts.c.id).where(
            t.contracts.c.id == contract_id, t.contracts.c.account_id == account_id
        )
    )
    return found is not None


async def exists(reader: RowReader, table: Table, record_id: int) -> bool:
    return await reader.scalar(select(table.c.id).where(table.c.id == record_id)) is not None


async def visible_engagement(
    reader: RowReader, viewer: Viewer, engagement_id: int
) -> RowMapping | None:
    """The engagement's account, if the actor sees the engagement (None when hidden or
    missing, alike)."""
    return await reader.first(
        select(t.engagements.c.account_id).where(
            t.engagements.c.id == engagement_id, rows.engagements(viewer)
        )
    )


async def visible_contract_account(
    reader: RowReader, viewer: Viewer, contract_id: int
) -> int | None:
    """The account of a contract the actor sees; None when hidden or missing, alike."""
    found: int | None = await reader.scalar(
        select(t.contracts.c.account_id).where(
            t.contracts.c.id == contract_id, rows.contracts(viewer)
        )
    )
    return found


__all__ = [
    "account_ancestors",
    "account_for_update",
    "contract_of_account",
    "email_taken",
    "exists",
    "visible_account",
    "visible_contact_for_update",
    "visible_contract_account",
    "visible_engagement",
    "visible_product_model",
]
