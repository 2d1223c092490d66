"""Accounts, contacts, employees and the viewer."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from sqlalchemy import RowMapping
from strawberry.types import Info

from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import (
    After,
    Connection,
    First,
    page_request,
)
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.common import AccountKind, Kind, child_connection
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.workspace_account import AccountWorkspace
from csm_graphql.repositories import entities


@field_rules
@strawberry.type(description="A customer or partner company.")
class Account(Node, AccountWorkspace):
    db_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Human account number, e.g. ACCT0000042.")
    name: str = strawberry.field(description="Company name.")
    kind: AccountKind = strawberry.field(description="Customer or partner.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Account", row["id"])),
            db_id=row["id"],
            parent_id=row["parent_id"],
            number=row["number"],
            name=row["name"],
            kind=AccountKind(row["kind"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(description="The parent account in the hierarchy, when visible.")
    async def parent(self, info: Info) -> Account | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.by_id(entities.ACCOUNT).load(self.parent_id)
        return Account.from_row(row) if row else None

    @strawberry.field(description="Contacts of this account that the viewer may see.")
    async def contacts(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Contact]:
        query = ChildQuery(entities.CONTACT, "account_id", page_request(info, first, after))
        return await child_connection(info, query, self.db_id, Contact.from_row)


@field_rules
@strawberry.type(description="An external person at an account (a portal user).")
class Contact(Node):
    db_id: strawberry.Private[int]
    account_id: strawberry.Private[int]
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Email address.")
    roles: list[str] = strawberry.field(description="External roles, e.g. customer_admin.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Contact", row["id"])),
            db_id=row["id"],
            account_id=row["account_id"],
            name=row["name"],
            email=row["email"],
            roles=list(row["roles"]),
        )

    @strawberry.field(description="The contact's own account.")
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.by_id(entities.ACCOUNT).load(self.account_id)
        return Account.from_row(row) if row else None

    @strawberry.field(
        description="The contact's accounts: its own and those of its contact relationships."
    )
    async def accounts(self, info: Info) -> list[Account]:
        rows = await info.context.loaders.contact_accounts().load(self.db_id)
        return [Account.from_row(row) for row in rows]


@field_rules
@strawberry.type(description="An internal employee.")
class User(Node):
    db_id: strawberry.Private[int]
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Email address.")
    roles: list[str] = strawberry.field(description="Internal roles, e.g. customer_success_agent.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("User", row["id"])),
            db_id=row["id"],
            name=row["name"],
            email=row["email"],
            roles=list(row["roles"]),
        )


@field_rules
@strawberry.type(name="Viewer", description="The principal this request acts for.")
class ViewerInfo:
    id: strawberry.ID = strawberry.field(description="Global id of the User or Contact.")
    kind: Kind = strawberry.field(description="USER for employees, CONTACT for external people.")
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Email address.")
    roles: list[str] = strawberry.field(description="Roles, from the database.")
    account_ids: strawberry.Private[tuple[int, ...]]

    @strawberry.field(description="My accounts (contacts only): own and related accounts.")
    async def accounts(self, info: Info) -> list[Account]:
        rows = await info.context.loaders.by_id(entities.ACCOUNT).load_many(list(self.account_ids))
        return [Account.from_row(row) for row in rows if row]
