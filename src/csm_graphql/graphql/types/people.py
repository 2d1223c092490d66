"""Accounts, contacts, employees and the viewer."""

from __future__ import annotations

from datetime import datetime

import strawberry

from csm_graphql.access.capabilities import capabilities as access_capabilities
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import (
    Declared,
    column,
    connection,
    row_list,
    row_type,
    to_one,
    version_column,
)
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.graphql.pagination import Connection
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.capabilities import ViewerCapabilities
from csm_graphql.graphql.types.common import AccountKind, Kind
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.workspace_account import AccountWorkspace
from csm_graphql.repositories import entities


@row_type(entities.ACCOUNT, description="A customer or partner company.")
class Account(Node, AccountWorkspace, Declared):
    number: str = column("Human account number, e.g. ACCT0000042.")
    name: str = column("Company name.")
    kind: AccountKind = column("Customer or partner.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    version: int = version_column()
    parent: Account | None = to_one(
        entities.ACCOUNT, "parent_id", "The parent account in the hierarchy, when visible."
    )
    contacts: Connection[Contact] = connection(
        entities.CONTACT, "account_id", "Contacts of this account that the viewer may see."
    )


@row_type(entities.CONTACT, description="An external person at an account (a portal user).")
class Contact(Node, Declared):
    name: str = column("Full name.")
    email: str = column("Email address.")
    roles: list[str] = column("External roles, e.g. customer_admin.")
    active: bool = column("False once deactivated: it can no longer sign in or be named.")
    version: int = version_column()
    account: Account | None = to_one(entities.ACCOUNT, "account_id", "The contact's own account.")
    # Its own account and those of its contact relationships: a union, read by its loader.
    accounts: list[Account] = row_list(
        entities.ACCOUNT,
        "The contact's accounts: its own and those of its contact relationships.",
        rows=Loaders.contact_accounts,
    )


@row_type(entities.USER, description="An internal employee.")
class User(Node, Declared):
    name: str = column("Full name.")
    email: str = column("Email address.")
    roles: list[str] = column("Internal roles, e.g. customer_success_agent.")


@field_rules
@strawberry.type(name="Viewer", description="The principal this request acts for.")
class ViewerInfo:
    id: strawberry.ID = strawberry.field(description="Global id of the User or Contact.")
    kind: Kind = strawberry.field(description="USER for employees, CONTACT for external people.")
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Email address.")
    roles: list[str] = strawberry.field(description="Roles, from the database.")
    account_ids: strawberry.Private[tuple[int, ...]]

    @strawberry.field(
        description="Which lists and actions this viewer has: a portal shows the My lists and "
        "the buttons whose value is true."
    )
    def capabilities(self, info: Info) -> ViewerCapabilities:
        return ViewerCapabilities.of(access_capabilities(info.context.viewer))

    @strawberry.field(description="My accounts (contacts only): own and related accounts.")
    async def accounts(self, info: Info) -> list[Account]:
        rows = await info.context.loaders.by_id(entities.ACCOUNT).load_many(list(self.account_ids))
        return [Account.from_row(row) for row in rows if row]
