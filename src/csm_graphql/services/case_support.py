"""What every case write shares: loading a case for change, validating what it points at,
and notifying the people who follow it (its SLAs: services/case_slas.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import RowMapping, exists, or_, select

from csm_graphql import tables as t
from csm_graphql.access import principals, rows
from csm_graphql.domain.cases import CaseState
from csm_graphql.domain.enums import RecordType
from csm_graphql.services.errors import UserError, invalid_state
from csm_graphql.services.records import load_for_update
from csm_graphql.services.unit_of_work import UnitOfWork


async def load_case(work: UnitOfWork, case_id: int | None, field: str = "id") -> RowMapping:
    """The case, locked, if the viewer sees it; NOT_FOUND otherwise (missing or hidden)."""
    visible = rows.cases(work.viewer)
    return await load_for_update(work, t.cases, case_id, visible, what="case", field=(field,))


def require_open(case: RowMapping) -> None:
    """DOMAIN.md: a closed or canceled case cannot be updated."""
    if CaseState(case["state"]).is_final:
        raise invalid_state(
            f"Case {case['number']} is {case['state'].lower()}; it accepts no update."
        )


async def contact_of_account(
    work: UnitOfWork, contact_id: int, account_id: int
) -> RowMapping | None:
    """The active contact, visible to the viewer, if it belongs to the account (its own
    account, or one granted by a contact relationship)."""
    contact = t.contacts
    related = exists().where(
        t.contact_relationships.c.contact_id == contact.c.id,
        t.contact_relationships.c.account_id == account_id,
    )
    return await work.first(
        select(contact).where(
            contact.c.id == contact_id,
            contact.c.active,
            rows.contacts(work.viewer),
            or_(contact.c.account_id == account_id, related),
        )
    )


async def account_has_product(work: UnitOfWork, product_id: int, account_id: int) -> bool:
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
    return bool(await work.scalar(select(or_(installed, entitled))))


async def followers(
    work: UnitOfWork, case: RowMapping, *, internal_only: bool = False
) -> tuple[list[int], list[int]]:
    """(user ids, contact ids) to notify about a case: its contact, its internal contact and
    its informed users (DOMAIN.md). An informed employee is told only if it reads every case
    (ACCESS.md: a proxy contact sees just the cases it is the internal contact of, so listing
    it elsewhere must not send it their summaries and comments). ``internal_only`` (work
    notes): employees who read work notes, which leaves out contacts and proxy contacts."""
    informed_users = t.case_informed_users
    informed = [
        row["user_id"]
        for row in await work.rows(
            select(informed_users.c.user_id)
            .join(t.users, t.users.c.id == informed_users.c.user_id)
            .where(informed_users.c.case_id == case["id"], principals.users_reading_all_cases())
        )
    ]
    if not internal_only:
        users = [case["internal_contact_id"], *informed]
        return [u for u in users if u is not None], await _contact_follower(work, case)
    candidates = [u for u in (*informed, case["assigned_to_id"]) if u is not None]
    if not candidates:
        return [], []
    readers = await work.rows(
        select(t.users.c.id).where(
            t.users.c.id.in_(candidates), principals.users_reading_work_notes()
        )
    )
    return [row["id"] for row in readers], []


async def _contact_follower(work: UnitOfWork, case: RowMapping) -> list[int]:
    """The case's contact, if it sees the case: a contact with a case role sees the cases it
    is the contact of; one without (a success-only contact an agent named) sees none, so it is
    not sent them either."""
    if case["contact_id"] is None:
        return []
    contacts = t.contacts
    found = await work.scalar(
        select(contacts.c.id).where(
            contacts.c.id == case["contact_id"], principals.contacts_with_case_roles()
        )
    )
    return [found] if found is not None else []


async def notify_followers(
    work: UnitOfWork,
    event: str,
    case: RowMapping,
    payload: Mapping[str, Any],
    *,
    internal_only: bool = False,
) -> int:
    users, contacts = await followers(work, case, internal_only=internal_only)
    return await work.notify(
        event, RecordType.CASE, case["id"], user_ids=users, contact_ids=contacts, payload=payload
    )


def summary(case: RowMapping) -> dict[str, Any]:
    """What any follower of a case may read about it (no internal field)."""
    return {
        "number": case["number"],
        "shortDescription": case["short_description"],
        "state": case["state"],
    }


def collect(problems: Iterable[UserError | None]) -> list[UserError]:
    return [problem for problem in problems if problem is not None]
