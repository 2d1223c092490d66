"""The records a case points at: product models, assets, contracts, entitlements, schedules,
SLA definitions and support groups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Self

import strawberry
from sqlalchemy import RowMapping
from strawberry.types import Info

from csm_graphql.domain.cases import (
    CaseChannel,
    CaseState,
    Impact,
    InteractionChannel,
    InteractionState,
    RelatedRecordKind,
    ResolutionCode,
    SlaStage,
    SlaTarget,
    Urgency,
    WorkOrderState,
)
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.types.common import Priority
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account
from csm_graphql.graphql.types.records import Product
from csm_graphql.repositories import case_entities, entities

CASE_ENUM_DESCRIPTIONS: dict[type[Enum], str] = {
    CaseState: "Lifecycle state of a case (DOMAIN.md section 4).",
    CaseChannel: "How the case reached the service desk.",
    Impact: "How much of the customer's business is affected.",
    Urgency: "How soon the customer needs a resolution.",
    ResolutionCode: "How a case was resolved.",
    RelatedRecordKind: "Kind of record raised from a case.",
    SlaStage: "Where a task SLA stands.",
    SlaTarget: "What an SLA measures: the first response or the resolution.",
    InteractionState: "Lifecycle state of an interaction.",
    InteractionChannel: "How the customer got in touch.",
    WorkOrderState: "Lifecycle state of a work order.",
}
for enum_class, description in CASE_ENUM_DESCRIPTIONS.items():
    strawberry.enum(enum_class, description=description)

# Registered above, so modules that need a case enum in a GraphQL type import it from here.
__all__ = ["CaseChannel", "CaseState", "Impact", "Priority", "Urgency"]


async def _account(info: Info, account_id: int) -> Account | None:
    row = await info.context.loaders.by_id(entities.ACCOUNT).load(account_id)
    return Account.from_row(row) if row else None


@field_rules
@strawberry.type(description="A model of a product (what an asset is an install of).")
class ProductModel(Node):
    product_id: strawberry.Private[int]
    number: str = strawberry.field(description="Model number, e.g. PM0000004.")
    name: str = strawberry.field(description="Model name.")
    manufacturer: str | None = strawberry.field(description="Who makes it.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("ProductModel", row["id"])),
            product_id=row["product_id"],
            number=row["number"],
            name=row["name"],
            manufacturer=row["manufacturer"],
        )

    @strawberry.field(description="The product it is a model of.")
    async def product(self, info: Info) -> Product | None:
        row = await info.context.loaders.by_id(entities.PRODUCT).load(self.product_id)
        return Product.from_row(row) if row else None


@field_rules
@strawberry.type(description="An install of a product model at a customer account.")
class Asset(Node):
    account_id: strawberry.Private[int]
    product_model_id: strawberry.Private[int]
    number: str = strawberry.field(description="Asset number, e.g. AST0000012.")
    name: str = strawberry.field(description="Asset name.")
    serial_number: str | None = strawberry.field(description="Serial number.")
    installed_on: date | None = strawberry.field(description="When it was installed.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Asset", row["id"])),
            account_id=row["account_id"],
            product_model_id=row["product_model_id"],
            number=row["number"],
            name=row["name"],
            serial_number=row["serial_number"],
            installed_on=row["installed_on"],
        )

    @strawberry.field(description="The account it is installed at.")
    async def account(self, info: Info) -> Account | None:
        return await _account(info, self.account_id)

    @strawberry.field(description="What it is an install of.")
    async def product_model(self, info: Info) -> ProductModel | None:
        loader = info.context.loaders.by_id(case_entities.PRODUCT_MODEL)
        row = await loader.load(self.product_model_id)
        return ProductModel.from_row(row) if row else None


@field_rules
@strawberry.type(description="A contract with a customer account.")
class Contract(Node):
    account_id: strawberry.Private[int]
    number: str = strawberry.field(description="Contract number, e.g. CNTR0000003.")
    name: str = strawberry.field(description="Contract name.")
    value: Decimal | None = strawberry.field(description="Contract value.")
    start_date: date = strawberry.field(description="First day of the contract.")
    end_date: date = strawberry.field(description="Last day of the contract.")
    active: bool = strawberry.field(description="Whether it is in force.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Contract", row["id"])),
            account_id=row["account_id"],
            number=row["number"],
            name=row["name"],
            value=row["value"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            active=row["active"],
        )

    @strawberry.field(description="The customer account.")
    async def account(self, info: Info) -> Account | None:
        return await _account(info, self.account_id)


@field_rules
@strawberry.type(description="Working hours that SLAs are measured against.")
class Schedule(Node):
    name: str = strawberry.field(description="Schedule name.")
    time_zone: str = strawberry.field(description="IANA time zone of the hours.")
    hours: str = strawberry.field(
        description="Working hours in the time zone: comma-separated spans of days and times, "
        'e.g. "Mon-Fri 08:00-18:00" or "Mon,Wed 09:00-12:00, Sat 10:00-14:00".'
    )

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Schedule", row["id"])),
            name=row["name"],
            time_zone=row["time_zone"],
            hours=row["hours"],
        )


async def _schedule(info: Info, schedule_id: int | None) -> Schedule | None:
    if schedule_id is None:
        return None
    row = await info.context.loaders.by_id(case_entities.SCHEDULE).load(schedule_id)
    return Schedule.from_row(row) if row else None


@field_rules
@strawberry.type(description="What support an account is entitled to (and on which terms).")
class Entitlement(Node):
    account_id: strawberry.Private[int]
    product_id: strawberry.Private[int | None]
    contract_id: strawberry.Private[int | None]
    schedule_id: strawberry.Private[int | None]
    number: str = strawberry.field(description="Entitlement number, e.g. ENT0000007.")
    name: str = strawberry.field(description="Entitlement name.")
    start_date: date = strawberry.field(description="First day of the entitlement.")
    end_date: date = strawberry.field(description="Last day of the entitlement.")
    active: bool = strawberry.field(description="Whether it is in force.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Entitlement", row["id"])),
            account_id=row["account_id"],
            product_id=row["product_id"],
            contract_id=row["contract_id"],
            schedule_id=row["schedule_id"],
            number=row["number"],
            name=row["name"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            active=row["active"],
        )

    @strawberry.field(description="The account entitled.")
    async def account(self, info: Info) -> Account | None:
        return await _account(info, self.account_id)

    @strawberry.field(description="The product covered, if limited to one.")
    async def product(self, info: Info) -> Product | None:
        if self.product_id is None:
            return None
        row = await info.context.loaders.by_id(entities.PRODUCT).load(self.product_id)
        return Product.from_row(row) if row else None

    @strawberry.field(description="The contract it comes with.")
    async def contract(self, info: Info) -> Contract | None:
        if self.contract_id is None:
            return None
        row = await info.context.loaders.by_id(case_entities.CONTRACT).load(self.contract_id)
        return Contract.from_row(row) if row else None

    @strawberry.field(description="The working hours its SLAs run on.")
    async def schedule(self, info: Info) -> Schedule | None:
        return await _schedule(info, self.schedule_id)


@field_rules
@strawberry.type(
    description="An SLA definition: a target duration, and the cases it applies to: those of "
    "its priority and, when it names them, of its contract and entitlement too."
)
class SlaDefinition(Node):
    schedule_id: strawberry.Private[int | None]
    contract_id: strawberry.Private[int | None]
    entitlement_id: strawberry.Private[int | None]
    name: str = strawberry.field(description="Definition name.")
    target: SlaTarget = strawberry.field(description="Response or resolution.")
    priority: Priority = strawberry.field(description="Case priority it applies to.")
    duration_minutes: int = strawberry.field(description="Target duration in minutes.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("SlaDefinition", row["id"])),
            schedule_id=row["schedule_id"],
            contract_id=row["contract_id"],
            entitlement_id=row["entitlement_id"],
            name=row["name"],
            target=SlaTarget(row["target"]),
            priority=Priority(row["priority"]),
            duration_minutes=row["duration_minutes"],
        )

    @strawberry.field(description="The working hours it runs on.")
    async def schedule(self, info: Info) -> Schedule | None:
        return await _schedule(info, self.schedule_id)

    @strawberry.field(
        description="The contract it is limited to; null: whatever the case's contract."
    )
    async def contract(self, info: Info) -> Contract | None:
        if self.contract_id is None:
            return None
        row = await info.context.loaders.by_id(case_entities.CONTRACT).load(self.contract_id)
        return Contract.from_row(row) if row else None

    @strawberry.field(
        description="The entitlement it is limited to; null: whatever the case's entitlement."
    )
    async def entitlement(self, info: Info) -> Entitlement | None:
        if self.entitlement_id is None:
            return None
        row = await info.context.loaders.by_id(case_entities.ENTITLEMENT).load(self.entitlement_id)
        return Entitlement.from_row(row) if row else None


@field_rules
@strawberry.type(description="A team of employees that works cases.")
class SupportGroup(Node):
    name: str = strawberry.field(description="Group name.")
    description: str | None = strawberry.field(description="What the group handles.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("SupportGroup", row["id"])),
            name=row["name"],
            description=row["description"],
        )
