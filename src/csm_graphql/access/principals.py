"""Which stored principals hold a capability, as SQL predicates over ``users`` and ``contacts``.

The Viewer's properties (viewer.py) answer "may the requesting principal ...?"; services also
need "which other principals may ...?", to pick an assignee or the recipients of a
notification. These predicates are the same capabilities written over the tables' ``roles``
column, so both questions are decided from the one role vocabulary in roles.py. Every one of
them also requires the principal to be active: an inactive principal may do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, FromClause, all_, and_, any_, literal, or_

from csm_graphql import tables as t
from csm_graphql.access.roles import (
    CASE_READERS_INTERNAL,
    CASE_ROLES_EXTERNAL,
    CASE_WRITERS_INTERNAL,
    PROJECT_WORKERS_INTERNAL,
    SUCCESS_READERS_EXTERNAL,
    SUCCESS_WRITERS_INTERNAL,
    ExternalRole,
    InternalRole,
)


def _holds_any(
    table: FromClause, roles: Iterable[InternalRole | ExternalRole]
) -> ColumnElement[bool]:
    return or_(*(literal(role.value) == any_(table.c.roles) for role in sorted(roles)))


def users_reading_all_cases(users: FromClause = t.users) -> ColumnElement[bool]:
    """Viewer.reads_all_cases, over users."""
    return and_(users.c.active, _holds_any(users, CASE_READERS_INTERNAL))


def users_working_cases(users: FromClause = t.users) -> ColumnElement[bool]:
    """Viewer.writes_cases, over users: who a case may be assigned to."""
    return and_(users.c.active, _holds_any(users, CASE_WRITERS_INTERNAL))


def users_working_projects(users: FromClause = t.users) -> ColumnElement[bool]:
    """Viewer.works_projects, over users: who a project task may be assigned to."""
    return and_(users.c.active, _holds_any(users, PROJECT_WORKERS_INTERNAL))


def proxy_contacts(users: FromClause = t.users) -> ColumnElement[bool]:
    """Viewer.is_proxy_contact, over users."""
    return and_(users.c.active, _holds_any(users, {InternalRole.PROXY_CONTACT}))


def users_reading_work_notes(users: FromClause = t.users) -> ColumnElement[bool]:
    """Viewer.reads_work_notes, over users: every employee but a proxy contact."""
    return and_(users.c.active, literal(InternalRole.PROXY_CONTACT.value) != all_(users.c.roles))


def contacts_with_case_roles(contacts: FromClause = t.contacts) -> ColumnElement[bool]:
    """Viewer.has_case_role, over contacts."""
    return and_(contacts.c.active, _holds_any(contacts, CASE_ROLES_EXTERNAL))


def users_writing_success_records(users: FromClause = t.users) -> ColumnElement[bool]:
    """Viewer.writes_success_records, over users: who a success record may be assigned to (an
    assignee must be able to work it)."""
    return and_(users.c.active, _holds_any(users, SUCCESS_WRITERS_INTERNAL))


def contacts_reading_success_records(contacts: FromClause = t.contacts) -> ColumnElement[bool]:
    """Viewer.reads_visible_success_records, over contacts."""
    return and_(contacts.c.active, _holds_any(contacts, SUCCESS_READERS_EXTERNAL))
