"""Loading the principal a token names, with its roles and accounts (one statement).

Every authenticated request runs one of these two statements first, so each is built and
compiled once per dialect and sent as driver text (asyncpg prepares it once per connection):
only the principal's id changes between requests. Nothing about the principal is cached: its
roles and accounts are read afresh on every request.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Dialect,
    FromClause,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.sql.selectable import LateralFromClause

from csm_graphql import tables as t
from csm_graphql.access.roles import ExternalRole, InternalRole, parse_roles
from csm_graphql.access.viewer import PrincipalKind, Viewer
from csm_graphql.repositories.database import Database

_INTERNAL = {role.value for role in InternalRole}
_EXTERNAL = {role.value for role in ExternalRole}
_PRINCIPAL = "principal_id"


async def load_viewer(db: Database, kind: PrincipalKind, principal_id: int) -> Viewer | None:
    """The active principal with its roles from the database, or None.

    A user holding an external role, or a contact holding an internal one, is refused:
    ACCESS.md forbids mixing the two, and guessing which half to honour would be unsafe.
    """
    if kind is PrincipalKind.USER:
        row = await _first(db, kind, principal_id)
        if row is None or set(row["roles"]) & _EXTERNAL:
            return None
        return Viewer(
            PrincipalKind.USER,
            row["id"],
            row["name"],
            row["email"],
            parse_roles(row["roles"], internal=True),
        )
    return await _load_contact(db, principal_id)


def _ids(column: ColumnElement[int], from_: FromClause | None = None) -> ScalarSelect[Any]:
    empty = array([], type_=BigInteger)
    aggregate = select(func.coalesce(func.array_agg(column.distinct()), empty))
    if from_ is not None:
        aggregate = aggregate.select_from(from_)
    return aggregate.scalar_subquery()


def _user_statement() -> Select[Any]:
    users = t.users.c
    return select(users.id, users.name, users.email, users.roles).where(
        users.id == bindparam(_PRINCIPAL, type_=BigInteger), users.active
    )


def _contact_statement() -> Select[Any]:
    principal_id = bindparam(_PRINCIPAL, type_=BigInteger)
    # My accounts, then (same statement, so one round trip per request) the accounts under
    # them (recursive: a cycle is invalid and UNION stops one anyway) and the customer
    # accounts they are partner for: what case managers and partner admins see cases of.
    mine = union(
        select(t.contacts.c.account_id.label("id")).where(t.contacts.c.id == principal_id),
        select(t.contact_relationships.c.account_id).where(
            t.contact_relationships.c.contact_id == principal_id
        ),
    ).cte("mine")
    # Each step of the walk is a LATERAL subquery fenced with OFFSET 0, so that it stays an
    # index probe per parent (ix_accounts_parent_id, the partners' primary key). Left to
    # itself, the planner flattens it into a hash join over every account, because its
    # generic plan cannot know that a contact has one or two accounts: three times the
    # statement's cost at the bench's 356 accounts (callgrind: 0.88 -> 0.29 M instructions
    # per execution), and growing with the table.
    parent = mine.c.id
    children = _probe(t.accounts.c.id, t.accounts.c.parent_id == parent)
    tree = (
        select(children.c.id)
        .select_from(mine.join(children, true()))
        .cte("descendants", recursive=True)
    )
    below = _probe(t.accounts.c.id, t.accounts.c.parent_id == tree.c.id)
    tree = tree.union(select(below.c.id).select_from(tree.join(below, true())))
    partners = t.partner_relationships.c
    served = _probe(partners.customer_account_id, partners.partner_account_id == parent)
    related = (
        select(
            func.coalesce(
                func.array_agg(t.contact_relationships.c.account_id), array([], type_=BigInteger)
            )
        )
        .where(t.contact_relationships.c.contact_id == t.contacts.c.id)
        .scalar_subquery()
    )
    return select(
        t.contacts.c.id,
        t.contacts.c.name,
        t.contacts.c.email,
        t.contacts.c.roles,
        t.contacts.c.account_id,
        related.label("related_account_ids"),
        _ids(tree.c.id).label("descendant_account_ids"),
        _ids(served.c.customer_account_id, from_=mine.join(served, true())).label(
            "served_account_ids"
        ),
    ).where(and_(t.contacts.c.id == principal_id, t.contacts.c.active))


def _probe(column: ColumnElement[int], condition: ColumnElement[bool]) -> LateralFromClause:
    """``LATERAL (SELECT column WHERE condition OFFSET 0)``: see _contact_statement."""
    return select(column).where(condition).offset(literal_column("0")).lateral()


class _Compiled:
    """A statement's driver text, and its positional values with the principal's id left open."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        values = compiled.construct_params({_PRINCIPAL: 0})
        self.text = compiled.string
        self._names = tuple(compiled.positiontup or ())
        self._values = tuple(values[name] for name in self._names)

    def parameters(self, principal_id: int) -> tuple[Any, ...]:
        return tuple(
            principal_id if name == _PRINCIPAL else value
            for name, value in zip(self._names, self._values, strict=True)
        )


_BUILDERS = {PrincipalKind.USER: _user_statement, PrincipalKind.CONTACT: _contact_statement}
_COMPILED: weakref.WeakKeyDictionary[Dialect, dict[PrincipalKind, _Compiled]] = (
    weakref.WeakKeyDictionary()
)


async def _first(db: Database, kind: PrincipalKind, principal_id: int) -> Any:
    dialect = db.engine.dialect
    by_kind = _COMPILED.setdefault(dialect, {})
    compiled = by_kind.get(kind)
    if compiled is None:
        compiled = by_kind[kind] = _Compiled(_BUILDERS[kind](), dialect)
    rows: Sequence[Any] = await db.rows_sql(compiled.text, compiled.parameters(principal_id))
    return rows[0] if rows else None


async def _load_contact(db: Database, principal_id: int) -> Viewer | None:
    row = await _first(db, PrincipalKind.CONTACT, principal_id)
    if row is None or set(row["roles"]) & _INTERNAL:
        return None
    extra = sorted(set(row["related_account_ids"]) - {row["account_id"]})
    return Viewer(
        PrincipalKind.CONTACT,
        row["id"],
        row["name"],
        row["email"],
        parse_roles(row["roles"], internal=False),
        (row["account_id"], *extra),
        descendant_account_ids=tuple(sorted(row["descendant_account_ids"])),
        served_account_ids=tuple(sorted(row["served_account_ids"])),
    )


async def find_principal(db: Database, email: str) -> tuple[PrincipalKind, int] | None:
    """The principal with this email (case-insensitive); users before contacts."""
    for kind, table in ((PrincipalKind.USER, t.users), (PrincipalKind.CONTACT, t.contacts)):
        principal_id = await db.scalar(
            select(table.c.id).where(func.lower(table.c.email) == email.strip().lower())
        )
        if principal_id is not None:
            return kind, principal_id
    return None


__all__ = ["find_principal", "load_viewer"]
