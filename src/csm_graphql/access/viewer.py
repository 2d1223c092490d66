"""The viewer: the principal a request acts for, with everything access rules need.

Roles and accounts come from the database (never from the token), loaded once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from csm_graphql.access.roles import (
    CASE_ACCOUNT_EXTERNAL,
    CASE_READERS_INTERNAL,
    CASE_ROLES_EXTERNAL,
    CASE_WRITERS_INTERNAL,
    CONTACT_DIRECTORY_EXTERNAL,
    PROJECT_WORKERS_INTERNAL,
    SUCCESS_READERS_EXTERNAL,
    SUCCESS_READERS_INTERNAL,
    SUCCESS_WRITERS_INTERNAL,
    ExternalRole,
    InternalRole,
    Role,
)
from csm_graphql.domain.descriptions import describe_values


@describe_values(
    USER="An internal employee, with internal roles.",
    CONTACT="An external person at a customer or partner account, with external roles.",
)
class PrincipalKind(StrEnum):
    USER = "USER"
    CONTACT = "CONTACT"


@dataclass(frozen=True, slots=True)
class Viewer:
    kind: PrincipalKind
    id: int
    name: str
    email: str
    roles: frozenset[Role]
    # A contact's own account first, then the accounts granted by contact relationships.
    account_ids: tuple[int, ...] = ()
    # Loaded with the principal so that case predicates stay join-free (contacts only): the
    # accounts below my accounts in the hierarchy, and the customer accounts my accounts
    # are partner for. Which of them widen what I see is decided by my roles (case_accounts).
    descendant_account_ids: tuple[int, ...] = ()
    served_account_ids: tuple[int, ...] = ()

    @property
    def principal_key(self) -> str:
        """Who this is, as one string: what per-principal state (rate limits) is keyed by."""
        return f"{self.kind.value}:{self.id}"

    @property
    def is_internal(self) -> bool:
        return self.kind is PrincipalKind.USER

    @property
    def is_external(self) -> bool:
        return self.kind is PrincipalKind.CONTACT

    @property
    def user_id(self) -> int | None:
        return self.id if self.is_internal else None

    @property
    def contact_id(self) -> int | None:
        return self.id if self.is_external else None

    def has_any(self, roles: frozenset[InternalRole] | frozenset[ExternalRole]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def reads_all_success_records(self) -> bool:
        return self.is_internal and self.has_any(SUCCESS_READERS_INTERNAL)

    @property
    def reads_visible_success_records(self) -> bool:
        """An external success viewer: visible records of engagements of my accounts."""
        return self.is_external and self.has_any(SUCCESS_READERS_EXTERNAL)

    @property
    def writes_success_records(self) -> bool:
        return self.is_internal and self.has_any(SUCCESS_WRITERS_INTERNAL)

    @property
    def works_projects(self) -> bool:
        """Reads and changes every customer project, task, change request and issue."""
        return self.is_internal and self.has_any(PROJECT_WORKERS_INTERNAL)

    @property
    def reads_work_notes(self) -> bool:
        return self.is_internal and InternalRole.PROXY_CONTACT not in self.roles

    # -- cases (ACCESS.md "Cases") --------------------------------------------------------------

    @property
    def reads_all_cases(self) -> bool:
        return self.is_internal and self.has_any(CASE_READERS_INTERNAL)

    @property
    def writes_cases(self) -> bool:
        """Case agents and admins: every write on every case, work notes included."""
        return self.is_internal and self.has_any(CASE_WRITERS_INTERNAL)

    @property
    def is_proxy_contact(self) -> bool:
        return self.is_internal and InternalRole.PROXY_CONTACT in self.roles

    @property
    def has_case_role(self) -> bool:
        return self.is_external and self.has_any(CASE_ROLES_EXTERNAL)

    @property
    def case_account_ids(self) -> tuple[int, ...]:
        """Accounts all of whose cases I see: customer_admin my accounts; case manager also
        their descendants; partner_admin also the customers my accounts are partner for."""
        if not self.is_external:
            return ()
        accounts: list[int] = []
        if self.has_any(CASE_ACCOUNT_EXTERNAL):
            accounts.extend(self.account_ids)
        if ExternalRole.CUSTOMER_CASE_MANAGER in self.roles:
            accounts.extend(self.descendant_account_ids)
        if ExternalRole.PARTNER_ADMIN in self.roles:
            accounts.extend(self.served_account_ids)
        return tuple(dict.fromkeys(accounts))

    @property
    def sees_account_contacts(self) -> bool:
        return self.is_external and self.has_any(CONTACT_DIRECTORY_EXTERNAL)


# A viewer with no roles and no accounts: every row and field rule denies it.
NOBODY = Viewer(PrincipalKind.CONTACT, 0, "", "", frozenset())
