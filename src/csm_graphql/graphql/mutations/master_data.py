"""Master data mutations: thin resolvers over services/master_data.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy import RowMapping
from strawberry.types import Info

from csm_graphql.access.roles import ExternalRole
from csm_graphql.graphql.mutations.common import UserError, perform, reload
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.types.people import Contact
from csm_graphql.graphql.types.service import Asset
from csm_graphql.repositories import case_entities, entities
from csm_graphql.services import master_data
from csm_graphql.services.errors import UserErrors, bad_input
from csm_graphql.services.unit_of_work import UnitOfWork


@strawberry.input(description="A new contact of an account.")
class CreateContactInput:
    account_id: strawberry.ID = strawberry.field(description="The contact's own account.")
    name: str = strawberry.field(description="Full name.")
    email: str = strawberry.field(description="Email address; one principal per address.")
    roles: list[str] = strawberry.field(
        description="External roles, e.g. customer; an external admin grants the plain role "
        "of its side or roles it holds."
    )


@strawberry.input(description="A new asset: an install of a product model at an account.")
class CreateAssetInput:
    account_id: strawberry.ID = strawberry.field(description="The account it is installed at.")
    product_model_id: strawberry.ID = strawberry.field(description="What it is an install of.")
    name: str = strawberry.field(description="Asset name.")
    serial_number: str | None = strawberry.field(default=None, description="Serial number.")
    installed_on: date | None = strawberry.field(
        default=None, description="When it was installed (not in the future)."
    )


@strawberry.type(description="The result of adding or deactivating a contact.")
class ContactPayload:
    contact: Contact | None = strawberry.field(description="The contact; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of adding an asset.")
class CreateAssetPayload:
    asset: Asset | None = strawberry.field(description="The new asset; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


def _roles(names: list[str]) -> tuple[ExternalRole, ...]:
    known = {role.value for role in ExternalRole}
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        message = f"Unknown external roles: {', '.join(unknown)}."
        raise UserErrors([bad_input(message, ("roles",))])
    return tuple(ExternalRole(name) for name in names)


@strawberry.type(description="Master data changes.")
class MasterDataMutations:
    @strawberry.mutation(
        description="Add a contact to an account: admins and case agents for any account, "
        "customer admins for their accounts, partner admins for their own account."
    )
    async def create_contact(self, info: Info, input: CreateContactInput) -> ContactPayload:
        async def change(work: UnitOfWork) -> RowMapping:
            draft = master_data.ContactDraft(
                account_id=id_of(input.account_id, "Account"),
                name=input.name,
                email=input.email,
                roles=_roles(input.roles),
            )
            return await master_data.create_contact(work, draft)

        outcome = await perform(info, change)
        if not outcome.ok or outcome.value is None:
            return ContactPayload(contact=None, user_errors=outcome.user_errors)
        row = await reload(info, entities.CONTACT, outcome.value["id"])
        return ContactPayload(contact=Contact.from_row(row) if row else None, user_errors=[])

    @strawberry.mutation(
        description="Deactivate a contact (admins; customer admins those of their accounts, "
        "partner admins those of their own account). It is refused at once, everywhere."
    )
    async def deactivate_contact(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The contact.")],
        expected_version: Annotated[
            int, strawberry.argument(description="The contact's version as last read.")
        ],
    ) -> ContactPayload:
        contact_id = id_of(id, "Contact")
        outcome = await perform(
            info, lambda work: master_data.deactivate_contact(work, contact_id, expected_version)
        )
        if not outcome.ok or outcome.value is None:
            return ContactPayload(contact=None, user_errors=outcome.user_errors)
        row = await reload(info, entities.CONTACT, outcome.value["id"])
        return ContactPayload(contact=Contact.from_row(row) if row else None, user_errors=[])

    @strawberry.mutation(description="Add an asset to an account (admins and case agents).")
    async def create_asset(self, info: Info, input: CreateAssetInput) -> CreateAssetPayload:
        draft = master_data.AssetDraft(
            account_id=id_of(input.account_id, "Account"),
            product_model_id=id_of(input.product_model_id, "ProductModel"),
            name=input.name,
            serial_number=input.serial_number,
            installed_on=input.installed_on,
        )
        outcome = await perform(info, lambda work: master_data.create_asset(work, draft))
        if not outcome.ok or outcome.value is None:
            return CreateAssetPayload(asset=None, user_errors=outcome.user_errors)
        row = await reload(info, case_entities.ASSET, outcome.value["id"])
        return CreateAssetPayload(asset=Asset.from_row(row) if row else None, user_errors=[])
