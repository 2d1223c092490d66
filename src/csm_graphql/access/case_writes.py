"""Case write policies (ACCESS.md "Cases", Writes): pure functions of the viewer and rows.

The case itself has been read through ``rows.cases`` first (invisible fails as NOT_FOUND), so
these only decide what a viewer who sees the case may do with it. A False becomes FORBIDDEN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import RowMapping

from csm_graphql.access.roles import (
    CASE_ACCOUNT_EXTERNAL,
    CASE_ADMINS_EXTERNAL,
    CASE_ROLES_EXTERNAL,
    ExternalRole,
    InternalRole,
    parse_roles,
)
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.case_lifecycle import Actor

Row = Mapping[str, Any] | RowMapping


def works_cases(viewer: Viewer) -> bool:
    """Agents' actions: accept, update fields, transitions, related records, interactions,
    the email gateway. The success roles read cases only."""
    return viewer.writes_cases


def sets_internal_fields(viewer: Viewer) -> bool:
    """The agents' part of the case form: internal contact, assignee, support group,
    informed users and whether resolution notes are shared (internal fields, ACCESS.md)."""
    return viewer.writes_cases


def creates_cases(viewer: Viewer) -> bool:
    return viewer.writes_cases or viewer.is_proxy_contact or viewer.has_case_role


def creates_for_other_contacts(viewer: Viewer) -> bool:
    """customer_admin, customer_case_manager and partner_admin raise cases on behalf of
    another contact of their accounts; agents and proxies always name the contact."""
    if viewer.is_internal:
        return viewer.writes_cases or viewer.is_proxy_contact
    return viewer.has_any(CASE_ACCOUNT_EXTERNAL)


def may_create_for_account(viewer: Viewer, account_id: int) -> bool:
    """Agents and proxies: any account. Contacts: one of my accounts."""
    if viewer.is_internal:
        return creates_cases(viewer)
    return viewer.has_case_role and account_id in viewer.account_ids


def comments_on_cases(viewer: Viewer) -> bool:
    """Additional comments and attachments: whoever sees the case, except the read-only
    success roles."""
    return viewer.writes_cases or viewer.is_proxy_contact or viewer.has_case_role


def writes_work_notes(viewer: Viewer) -> bool:
    """Work notes: internal roles other than proxy_contact (that work cases)."""
    return viewer.writes_cases and viewer.reads_work_notes


def raises_cases_by_email(internal: bool, roles: Iterable[str]) -> bool:
    """ACCESS.md: an emailed case is accepted only from a known contact (with a case role,
    whose cases it may raise) or a known employee with the proxy contact role. ``roles`` are
    the sender's stored roles; the sender is not the request's viewer (the gateway is)."""
    held = parse_roles(list(roles), internal=internal)
    if internal:
        return InternalRole.PROXY_CONTACT in held
    return not held.isdisjoint(CASE_ROLES_EXTERNAL)


def _administered_accounts(viewer: Viewer) -> set[int]:
    """The accounts a contact is an external admin of: customer_admin and partner_admin of
    their accounts, partner_admin also of the customers those serve. customer_case_manager
    sees the cases of its accounts and their children but administers none of them."""
    accounts: set[int] = set()
    if viewer.has_any(CASE_ADMINS_EXTERNAL):
        accounts.update(viewer.account_ids)
    if ExternalRole.PARTNER_ADMIN in viewer.roles:
        accounts.update(viewer.served_account_ids)
    return accounts


def is_customer_side(viewer: Viewer, case: Row) -> bool:
    """The case's contact, its internal contact, or an external admin of its account
    (ACCESS.md: who accepts or rejects a resolution)."""
    if viewer.is_internal:
        return viewer.is_proxy_contact and case["internal_contact_id"] == viewer.id
    if case["contact_id"] == viewer.id:
        return True
    return case["account_id"] in _administered_accounts(viewer)


def may_take(viewer: Viewer, actor: Actor, case: Row) -> bool:
    if actor is Actor.AGENT:
        return works_cases(viewer)
    return is_customer_side(viewer, case)
