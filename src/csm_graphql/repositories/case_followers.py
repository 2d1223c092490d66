"""Who hears of a change to a case: its informed employees who read every case, and its
contact if that contact sees cases at all (services/case_support.py decides who is told what;
which employees read work notes is ``checks.work_note_readers``).

Service-side reads on a write's UnitOfWork, one statement each; who may read what comes from
``access.principals``.
"""

from __future__ import annotations

from sqlalchemy import select

from csm_graphql import tables as t
from csm_graphql.access import principals
from csm_graphql.repositories.checks import RowReader


async def informed_readers(reader: RowReader, case_id: int) -> list[int]:
    """The case's informed employees who read every case (ACCESS.md: a proxy contact sees just
    the cases it is the internal contact of, so being listed elsewhere tells it nothing)."""
    informed = t.case_informed_users
    found = await reader.rows(
        select(informed.c.user_id)
        .join(t.users, t.users.c.id == informed.c.user_id)
        .where(informed.c.case_id == case_id, principals.users_reading_all_cases())
    )
    return [row["user_id"] for row in found]


async def contact_seeing_cases(reader: RowReader, contact_id: int) -> int | None:
    """The contact's id if it has a case role (so it sees the cases it is the contact of); a
    success-only contact an agent named sees none."""
    contacts = t.contacts
    found: int | None = await reader.scalar(
        select(contacts.c.id).where(
            contacts.c.id == contact_id, principals.contacts_with_case_roles()
        )
    )
    return found


__all__ = ["contact_seeing_cases", "informed_readers"]
