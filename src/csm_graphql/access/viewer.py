"""The viewer: the principal a request acts for, with everything access rules need.

Roles and accounts come from the database (never from the token), loaded once per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from csm_graphql.access.roles import (
    CONTACT_DIRECTORY_EXTERNAL,
    PROJECT_WORKERS_INTERNAL,
    SUCCESS_READERS_EXTERNAL,
    SUCCESS_READERS_INTERNAL,
    SUCCESS_WRITERS_INTERNAL,
    ExternalRole,
    InternalRole,
    Role,
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

    @property
    def sees_account_contacts(self) -> bool:
        return self.is_external and self.has_any(CONTACT_DIRECTORY_EXTERNAL)


# A viewer with no roles and no accounts: every row and field rule denies it.
NOBODY = Viewer(PrincipalKind.CONTACT, 0, "", "", frozenset())
