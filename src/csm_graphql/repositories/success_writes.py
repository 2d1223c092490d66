"""The reads the customer-success write side needs inside its unit of work: whether a contact
may join a record's contact filter, who hears of a change, what still serves an objective."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, Table, exists, func, or_, select

from csm_graphql import tables as t
from csm_graphql.access import principals
from csm_graphql.domain.enums import WorkState
from csm_graphql.repositories.checks import RowReader


def _of_account(account_id: int) -> Any:
    """The contact's own account, or one granted to it by a contact relationship: one of its
    "my accounts" (ACCESS.md)."""
    contact = t.contacts
    related = exists().where(
        t.contact_relationships.c.contact_id == contact.c.id,
        t.contact_relationships.c.account_id == account_id,
    )
    return or_(contact.c.account_id == account_id, related)


async def is_account_contact(db: RowReader, contact_id: int, account_id: int) -> bool:
    """An active contact for whom the account is one of its accounts."""
    contact = t.contacts
    found = await db.scalar(
        select(contact.c.id).where(
            contact.c.id == contact_id, contact.c.active, _of_account(account_id)
        )
    )
    return found is not None


async def listed_contacts(db: RowReader, contact_list: Table, record_id: int) -> set[int]:
    """The explicit contact list of a record's contact filter."""
    found = await db.rows(
        select(contact_list.c.contact_id).where(contact_list.c.record_id == record_id)
    )
    return {row["contact_id"] for row in found}


async def may_be_assigned(db: RowReader, user_id: int) -> bool:
    """An active employee who works success records (an assignee must be able to work it)."""
    found = await db.scalar(
        select(t.users.c.id).where(
            t.users.c.id == user_id, principals.users_writing_success_records()
        )
    )
    return found is not None


async def contacts_seeing(
    db: RowReader, contact_list: Table, record: RowMapping, *, visible: bool
) -> list[int]:
    """The contacts of the record's contact filter who see it: success contacts of its account,
    while it (and, for a task, its parent) is visible to customers. ``visible`` says whether the
    record is, all things considered."""
    if not visible:
        return []
    contact = t.contacts
    in_filter = or_(
        contact.c.id == record["contact_id"],
        exists().where(
            contact_list.c.record_id == record["id"], contact_list.c.contact_id == contact.c.id
        ),
    )
    found = await db.rows(
        select(contact.c.id).where(
            in_filter,
            principals.contacts_reading_success_records(),
            _of_account(record["account_id"]),
        )
    )
    return [row["id"] for row in found]


async def parent_visible(db: RowReader, task: RowMapping) -> bool:
    """Whether a task's parent (initiative or success case) is visible to customers."""
    if task["initiative_id"] is not None:
        parent, parent_id = t.success_initiatives, task["initiative_id"]
    else:
        parent, parent_id = t.success_cases, task["success_case_id"]
    return bool(
        await db.scalar(select(parent.c.visible_to_customer).where(parent.c.id == parent_id))
    )


async def open_initiatives_serving(db: RowReader, objective_id: int) -> int:
    initiative = t.success_initiatives
    open_states = [state.value for state in WorkState if state.is_open]
    count: int = await db.scalar(
        select(func.count()).where(
            initiative.c.objective_id == objective_id, initiative.c.state.in_(open_states)
        )
    )
    return count
