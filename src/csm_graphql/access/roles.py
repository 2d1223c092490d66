"""The role vocabulary and the capabilities each role grants."""

from __future__ import annotations

from enum import StrEnum


class InternalRole(StrEnum):
    CUSTOMER_SUCCESS_AGENT = "customer_success_agent"
    CUSTOMER_SUCCESS_VIEWER = "customer_success_viewer"
    CASE_AGENT = "case_agent"
    PROXY_CONTACT = "proxy_contact"
    ADMIN = "admin"


class ExternalRole(StrEnum):
    CUSTOMER = "customer"
    CUSTOMER_ADMIN = "customer_admin"
    CUSTOMER_CASE_MANAGER = "customer_case_manager"
    PARTNER = "partner"
    PARTNER_ADMIN = "partner_admin"
    CUSTOMER_SUCCESS_CUSTOMER = "customer_success_customer"


Role = InternalRole | ExternalRole

# Internal roles that read every customer-success record (ACCESS.md, first table).
SUCCESS_READERS_INTERNAL = frozenset(
    {InternalRole.CUSTOMER_SUCCESS_AGENT, InternalRole.CUSTOMER_SUCCESS_VIEWER, InternalRole.ADMIN}
)
# Internal roles that may change customer-success records.
SUCCESS_WRITERS_INTERNAL = frozenset({InternalRole.CUSTOMER_SUCCESS_AGENT, InternalRole.ADMIN})
# Internal roles that read and change every customer project and its tasks (ACCESS.md:
# case_agent works "all cases, projects and their related records"; admin does everything).
PROJECT_WORKERS_INTERNAL = frozenset({InternalRole.CASE_AGENT, InternalRole.ADMIN})
# External roles that see the visible customer-success records of their accounts.
SUCCESS_READERS_EXTERNAL = frozenset(
    {ExternalRole.CUSTOMER_SUCCESS_CUSTOMER, ExternalRole.CUSTOMER_CASE_MANAGER}
)
# External roles that may see the other contacts of their accounts (team pages, on-behalf-of).
CONTACT_DIRECTORY_EXTERNAL = frozenset(
    {
        ExternalRole.CUSTOMER_ADMIN,
        ExternalRole.CUSTOMER_CASE_MANAGER,
        ExternalRole.PARTNER_ADMIN,
        ExternalRole.CUSTOMER_SUCCESS_CUSTOMER,
    }
)

# Cases (ACCESS.md "Cases"): internal roles that read every case, and those that work them.
CASE_READERS_INTERNAL = frozenset(
    {
        InternalRole.CASE_AGENT,
        InternalRole.ADMIN,
        InternalRole.CUSTOMER_SUCCESS_AGENT,
        InternalRole.CUSTOMER_SUCCESS_VIEWER,
    }
)
CASE_WRITERS_INTERNAL = frozenset({InternalRole.CASE_AGENT, InternalRole.ADMIN})
# External roles that see the cases they are the contact of or opened.
CASE_OWN_EXTERNAL = frozenset({ExternalRole.CUSTOMER, ExternalRole.PARTNER})
# External roles that see every case of an account set (viewer.case_account_ids) and may
# raise cases on behalf of other contacts of their accounts.
CASE_ACCOUNT_EXTERNAL = frozenset(
    {ExternalRole.CUSTOMER_ADMIN, ExternalRole.CUSTOMER_CASE_MANAGER, ExternalRole.PARTNER_ADMIN}
)
CASE_ROLES_EXTERNAL = CASE_OWN_EXTERNAL | CASE_ACCOUNT_EXTERNAL
# The external admins of ACCESS.md's "accept / reject a resolution" (not the case manager).
CASE_ADMINS_EXTERNAL = frozenset({ExternalRole.CUSTOMER_ADMIN, ExternalRole.PARTNER_ADMIN})


def parse_roles(names: list[str] | tuple[str, ...], *, internal: bool) -> frozenset[Role]:
    """Known roles of the principal's kind; unknown names grant nothing (deny where silent)."""
    vocabulary: type[InternalRole] | type[ExternalRole] = InternalRole if internal else ExternalRole
    known = {role.value for role in vocabulary}
    return frozenset(vocabulary(name) for name in names if name in known)
