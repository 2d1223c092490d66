"""Master data updates (admins): thin resolvers over services/master_updates.py.

Arguments follow updateAccount: omitted ones stay as they are, null clears an optional one
(a null for a required one is BAD_USER_INPUT)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from csm_graphql.graphql.mutations.common import UserError, perform, reload
from csm_graphql.graphql.mutations.master_data import ContactPayload, _roles
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.types.people import Contact
from csm_graphql.graphql.types.service import Asset, Contract, Entitlement
from csm_graphql.repositories import case_entities, entities
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity
from csm_graphql.services import master_updates
from csm_graphql.services.unit_of_work import UnitOfWork

Version = Annotated[
    int, strawberry.argument(description="The record's version as last read (optimistic lock).")
]


@strawberry.type(description="The result of changing an asset.")
class UpdateAssetPayload:
    asset: Asset | None = strawberry.field(description="The asset; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of changing a contract.")
class UpdateContractPayload:
    contract: Contract | None = strawberry.field(description="The contract; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


@strawberry.type(description="The result of changing an entitlement.")
class UpdateEntitlementPayload:
    entitlement: Entitlement | None = strawberry.field(
        description="The entitlement; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


def _given(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not strawberry.UNSET}


def _ref(global_id: strawberry.ID | None, type_name: str) -> int | None:
    """null clears; a malformed or wrong-type id names nothing that exists (0: NOT_FOUND)."""
    return None if global_id is None else (id_of(global_id, type_name) or 0)


async def _change(
    info: Info,
    entity: Entity,
    change: Callable[[UnitOfWork], Awaitable[Row]],
) -> tuple[Row | None, list[UserError]]:
    outcome = await perform(info, change)
    if not outcome.ok or outcome.value is None:
        return None, outcome.user_errors
    return await reload(info, entity, outcome.value["id"]), []


@strawberry.type(description="Master data updates (admins).")
class MasterUpdateMutations:
    @strawberry.mutation(
        description="Change a contact's name, email or roles (admins; ACCESS.md gives external "
        "admins adding and deactivating contacts only). Audited."
    )
    async def update_contact(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The contact.")],
        expected_version: Version,
        name: str | None = strawberry.UNSET,
        email: str | None = strawberry.UNSET,
        roles: list[str] | None = strawberry.UNSET,
    ) -> ContactPayload:
        contact_id = id_of(id, "Contact")

        async def change(work: UnitOfWork) -> Row:
            values = _given(name=name, email=email)
            if roles is not strawberry.UNSET:
                values["roles"] = None if roles is None else _roles(roles)
            return await master_updates.update_contact(work, contact_id, expected_version, values)

        row, errors = await _change(info, entities.CONTACT, change)
        return ContactPayload(contact=Contact.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Change an asset's name, serial number, installation date (not in the "
        "future) or product model (admins). Its account stays. Audited."
    )
    async def update_asset(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The asset.")],
        expected_version: Version,
        name: str | None = strawberry.UNSET,
        serial_number: str | None = strawberry.UNSET,
        installed_on: date | None = strawberry.UNSET,
        product_model_id: strawberry.ID | None = strawberry.UNSET,
    ) -> UpdateAssetPayload:
        values = _given(name=name, serial_number=serial_number, installed_on=installed_on)
        if product_model_id is not strawberry.UNSET:
            values["product_model_id"] = _ref(product_model_id, "ProductModel")
        asset_id = id_of(id, "Asset")
        row, errors = await _change(
            info,
            case_entities.ASSET,
            lambda work: master_updates.update_asset(work, asset_id, expected_version, values),
        )
        return UpdateAssetPayload(asset=Asset.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Change a contract's name, value, term or whether it is in force "
        "(admins); the term must not end before it starts. Audited."
    )
    async def update_contract(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The contract.")],
        expected_version: Version,
        name: str | None = strawberry.UNSET,
        value: Decimal | None = strawberry.UNSET,
        start_date: date | None = strawberry.UNSET,
        end_date: date | None = strawberry.UNSET,
        active: bool | None = strawberry.UNSET,
    ) -> UpdateContractPayload:
        values = _given(
            name=name, value=value, start_date=start_date, end_date=end_date, active=active
        )
        contract_id = id_of(id, "Contract")
        row, errors = await _change(
            info,
            case_entities.CONTRACT,
            lambda work: master_updates.update_contract(
                work, contract_id, expected_version, values
            ),
        )
        return UpdateContractPayload(
            contract=Contract.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Change an entitlement (admins): name, term, whether it is in force, its "
        "contract (one of the same account), product and schedule. Cases already served "
        "under it keep the SLAs they run. Audited."
    )
    async def update_entitlement(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The entitlement.")],
        expected_version: Version,
        name: str | None = strawberry.UNSET,
        start_date: date | None = strawberry.UNSET,
        end_date: date | None = strawberry.UNSET,
        active: bool | None = strawberry.UNSET,
        contract_id: strawberry.ID | None = strawberry.UNSET,
        product_id: strawberry.ID | None = strawberry.UNSET,
        schedule_id: strawberry.ID | None = strawberry.UNSET,
    ) -> UpdateEntitlementPayload:
        values = _given(name=name, start_date=start_date, end_date=end_date, active=active)
        for column, given, type_name in (
            ("contract_id", contract_id, "Contract"),
            ("product_id", product_id, "Product"),
            ("schedule_id", schedule_id, "Schedule"),
        ):
            if given is not strawberry.UNSET:
                values[column] = _ref(given, type_name)
        entitlement_id = id_of(id, "Entitlement")
        row, errors = await _change(
            info,
            case_entities.ENTITLEMENT,
            lambda work: master_updates.update_entitlement(
                work, entitlement_id, expected_version, values
            ),
        )
        return UpdateEntitlementPayload(
            entitlement=Entitlement.from_row(row) if row else None, user_errors=errors
        )


__all__ = ["MasterUpdateMutations"]
