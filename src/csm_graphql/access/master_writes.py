"""Master data write policies (ACCESS.md "Lookups and master data", Writes): pure functions
of the viewer and rows. The record was read through its row rule first (invisible fails as
NOT_FOUND), so these only decide what a viewer who sees it may do. False becomes FORBIDDEN.
"""

from __future__ import annotations

from collections.abc import Iterable

from csm_graphql.access.roles import ExternalRole, InternalRole
from csm_graphql.access.viewer import Viewer

# The roles an external admin may give a colleague: the plain role of its side, and the
# roles it holds itself (never more than it has).
_PLAIN_ROLES = frozenset({ExternalRole.CUSTOMER, ExternalRole.PARTNER})


def _is_admin(viewer: Viewer) -> bool:
    return viewer.is_internal and InternalRole.ADMIN in viewer.roles


def _is_case_agent(viewer: Viewer) -> bool:
    return viewer.is_internal and InternalRole.CASE_AGENT in viewer.roles


def _administered_contact_accounts(viewer: Viewer) -> set[int]:
    """customer_admin: my accounts; partner_admin: its own account only."""
    if not viewer.is_external or not viewer.account_ids:
        return set()
    accounts: set[int] = set()
    if ExternalRole.CUSTOMER_ADMIN in viewer.roles:
        accounts.update(viewer.account_ids)
    if ExternalRole.PARTNER_ADMIN in viewer.roles:
        accounts.add(viewer.account_ids[0])
    return accounts


def may_create_contact(viewer: Viewer, account_id: int) -> bool:
    """Admins and case agents for any account; external admins for theirs."""
    if _is_admin(viewer) or _is_case_agent(viewer):
        return True
    return account_id in _administered_contact_accounts(viewer)


def may_grant(viewer: Viewer, roles: Iterable[ExternalRole]) -> bool:
    """Employees grant any external role; an external admin the plain role of its side or
    one it holds."""
    if viewer.is_internal:
        return True
    allowed = _PLAIN_ROLES | {role for role in viewer.roles if isinstance(role, ExternalRole)}
    return set(roles) <= allowed


def may_deactivate_contact(viewer: Viewer, contact_account_id: int) -> bool:
    """Admins any contact; external admins the contacts of the accounts they administer."""
    if _is_admin(viewer):
        return True
    return contact_account_id in _administered_contact_accounts(viewer)


def may_create_asset(viewer: Viewer) -> bool:
    """Admins and case agents, for any account."""
    return _is_admin(viewer) or _is_case_agent(viewer)


def may_write_accounts_and_agreements(viewer: Viewer) -> bool:
    """Accounts, contracts and entitlements: the internal admin only."""
    return _is_admin(viewer)


def may_update_master_data(viewer: Viewer) -> bool:
    """Contacts, assets, contracts and entitlements are updated by the internal admin only;
    the external admins' part is adding and deactivating contacts (ACCESS.md is silent on
    their changing one, so: deny)."""
    return _is_admin(viewer)


def may_manage_sla_definitions(viewer: Viewer) -> bool:
    """SLA definitions are internal only and ACCESS.md gives their writes to no role but
    the admin ("everything")."""
    return _is_admin(viewer)


__all__ = [
    "may_create_asset",
    "may_create_contact",
    "may_deactivate_contact",
    "may_grant",
    "may_manage_sla_definitions",
    "may_update_master_data",
    "may_write_accounts_and_agreements",
]
