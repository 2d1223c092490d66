"""Master data mutations: thin resolvers over services/master_data.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from csm_graphql.access.roles import ExternalRole
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.mutations.common import UserError, perform, reload
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.types.common import AccountKind
from csm_graphql.graphql.types.people import Account, Contact
from csm_graphql.graphql.types.service import Asset, Contract, Entitlement
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.database import Row
from csm_graphql.services import master_accounts, master_data
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


@strawberry.input(description="A new customer or partner account (admins).")
class CreateAccountInput:
    name: str = strawberry.field(description="Company name.")
    kind: AccountKind = strawberry.field(description="Customer or partner.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="The parent account in the hierarchy."
    )


@strawberry.input(description="A contract or an entitlement of an account, for a term (admins).")
class CreateAgreementInput:
    account_id: strawberry.ID = strawberry.field(description="The account.")
    name: str = strawberry.field(description="Its name.")
    start_date: date = strawberry.field(description="First day of the term.")
    end_date: date = strawberry.field(description="Last day of the term (not before the first).")
    value: Decimal | None = strawberry.field(
        default=None, description="Contracts: the value (0 or more; required)."
    )
    contract_id: strawberry.ID | None = strawberry.field(
        default=None, description="Entitlements: the account's contract it comes with."
    )
    product_id: strawberry.ID | None = strawberry.field(
        default=None, description="Entitlements: the product covered, if limited to one."
    )
    schedule_id: strawberry.ID | None = strawberry.field(
        default=None, description="Entitlements: the working hours its SLAs run on."
    )
    engagement_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Contracts: the engagement of the account it serves (its active contracts "
        "make the engagement's contractValue).",
    )

    def draft(self) -> master_accounts.AgreementDraft:
        def ref(global_id: strawberry.ID | None, type_name: str) -> int | None:
            return None if global_id is None else (id_of(global_id, type_name) or 0)

        return master_accounts.AgreementDraft(
            account_id=id_of(self.account_id, "Account"),
            name=self.name,
            start_date=self.start_date,
            end_date=self.end_date,
            value=self.value,
            contract_id=ref(self.contract_id, "Contract"),
            product_id=ref(self.product_id, "Product"),
            schedule_id=ref(self.schedule_id, "Schedule"),
            engagement_id=ref(self.engagement_id, "Engagement"),
        )


@strawberry.type(description="The result of creating or changing an account.")
class AccountPayload:
    account: Account | None = strawberry.field(description="The account; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of creating a contract.")
class CreateContractPayload:
    contract: Contract | None = strawberry.field(description="The contract; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of creating an entitlement.")
class CreateEntitlementPayload:
    entitlement: Entitlement | None = strawberry.field(
        description="The entitlement; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


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
        async def change(work: UnitOfWork) -> Row:
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

    @strawberry.mutation(description="Create an account (admins).")
    async def create_account(self, info: Info, input: CreateAccountInput) -> AccountPayload:
        parent = None if input.parent_id is None else (id_of(input.parent_id, "Account") or 0)
        outcome = await perform(
            info, lambda work: master_accounts.create_account(work, input.name, input.kind, parent)
        )
        return await _account_payload(info, outcome.value, outcome.user_errors)

    @strawberry.mutation(
        description="Rename an account or move it in the hierarchy (admins); omitted arguments "
        "stay, a null parent makes it a root. A hierarchy cannot loop."
    )
    async def update_account(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The account.")],
        expected_version: Annotated[
            int, strawberry.argument(description="The account's version as last read.")
        ],
        name: str | None = strawberry.UNSET,
        parent_id: strawberry.ID | None = strawberry.UNSET,
    ) -> AccountPayload:
        values: dict[str, Any] = {}
        if name is not strawberry.UNSET:
            values["name"] = name
        if parent_id is not strawberry.UNSET:
            values["parent_id"] = None if parent_id is None else (id_of(parent_id, "Account") or 0)
        account_id = id_of(id, "Account")
        outcome = await perform(
            info,
            lambda work: master_accounts.update_account(work, account_id, expected_version, values),
        )
        return await _account_payload(info, outcome.value, outcome.user_errors)

    @strawberry.mutation(description="Create a contract of an account (admins).")
    async def create_contract(
        self, info: Info, input: CreateAgreementInput
    ) -> CreateContractPayload:
        draft = input.draft()
        outcome = await perform(info, lambda work: master_accounts.create_contract(work, draft))
        if not outcome.ok or outcome.value is None:
            return CreateContractPayload(contract=None, user_errors=outcome.user_errors)
        row = await reload(info, case_entities.CONTRACT, outcome.value["id"])
        return CreateContractPayload(
            contract=Contract.from_row(row) if row else None, user_errors=[]
        )

    @strawberry.mutation(description="Create an entitlement of an account (admins).")
    async def create_entitlement(
        self, info: Info, input: CreateAgreementInput
    ) -> CreateEntitlementPayload:
        draft = input.draft()
        outcome = await perform(info, lambda work: master_accounts.create_entitlement(work, draft))
        if not outcome.ok or outcome.value is None:
            return CreateEntitlementPayload(entitlement=None, user_errors=outcome.user_errors)
        row = await reload(info, case_entities.ENTITLEMENT, outcome.value["id"])
        return CreateEntitlementPayload(
            entitlement=Entitlement.from_row(row) if row else None, user_errors=[]
        )


async def _account_payload(info: Info, row: Row | None, errors: list[UserError]) -> AccountPayload:
    if errors or row is None:
        return AccountPayload(account=None, user_errors=errors)
    found = await reload(info, entities.ACCOUNT, row["id"])
    return AccountPayload(account=Account.from_row(found) if found else None, user_errors=[])
