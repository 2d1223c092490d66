"""The reads project writes make inside their unit of work: who is one of a project's
contacts, who may become one, who may be assigned its tasks, and whether tasks still hang on a
contact. One statement each; who works projects comes from ``access.principals``.
"""

from __future__ import annotations

from sqlalchemy import exists, literal, or_, select

from csm_graphql import tables as t
from csm_graphql.access import principals
from csm_graphql.repositories.checks import RowReader


async def is_project_contact(reader: RowReader, project_id: int, contact_id: int) -> bool:
    listed = exists().where(
        t.project_contacts.c.project_id == project_id,
        t.project_contacts.c.contact_id == contact_id,
    )
    return bool(await reader.scalar(select(listed)))


async def is_active_project_worker(reader: RowReader, user_id: int) -> bool:
    """An employee who works projects and so sees the task (case_agent, admin): anyone else
    would be told about, and assigned, a task it may not read."""
    found = exists().where(t.users.c.id == user_id, principals.users_working_projects())
    return bool(await reader.scalar(select(found)))


async def may_join(reader: RowReader, account_id: int, contact_id: int) -> bool:
    """An active contact of the project's account (its own or by contact relationship) or of
    a partner account serving it."""
    contact = t.contacts
    related = exists().where(
        t.contact_relationships.c.contact_id == contact.c.id,
        t.contact_relationships.c.account_id == account_id,
    )
    serves = exists().where(
        t.partner_relationships.c.partner_account_id == contact.c.account_id,
        t.partner_relationships.c.customer_account_id == account_id,
    )
    statement = select(literal(True)).where(
        contact.c.id == contact_id,
        contact.c.active,
        or_(contact.c.account_id == account_id, related, serves),
    )
    return bool(await reader.scalar(statement))


async def has_tasks_assigned_to(reader: RowReader, project_id: int, contact_id: int) -> bool:
    """Whether any task of the project is assigned to the contact."""
    tasks = t.project_tasks
    assigned = exists().where(
        tasks.c.project_id == project_id, tasks.c.assigned_contact_id == contact_id
    )
    return bool(await reader.scalar(select(assigned)))


__all__ = ["has_tasks_assigned_to", "is_active_project_worker", "is_project_contact", "may_join"]
