"""The records a case points at: product models, assets, contracts, entitlements, schedules,
SLA definitions and support groups."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from aiodataloader import DataLoader

from csm_graphql import tables as t
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
from csm_graphql.graphql.declared import (
    Declared,
    column,
    link_many,
    row_type,
    to_one,
    version_column,
)
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.graphql.pagination import Connection
from csm_graphql.graphql.types.common import Priority
from csm_graphql.graphql.types.node import Node
from csm_graphql.graphql.types.people import Account, User
from csm_graphql.graphql.types.records import Product
from csm_graphql.repositories import case_entities, entities, relations
from csm_graphql.repositories.paging import Page, PageRequest

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


def _account_field(description: str) -> Any:
    return to_one(entities.ACCOUNT, "account_id", description)


def _schedule_field(description: str) -> Any:
    return to_one(case_entities.SCHEDULE, "schedule_id", description)


@row_type(
    case_entities.PRODUCT_MODEL,
    description="A model of a product (what an asset is an install of).",
)
class ProductModel(Node, Declared):
    number: str = column("Model number, e.g. PM0000004.")
    name: str = column("Model name.")
    manufacturer: str | None = column("Who makes it.")
    product: Product | None = to_one(
        entities.PRODUCT, "product_id", "The product it is a model of."
    )


@row_type(case_entities.ASSET, description="An install of a product model at a customer account.")
class Asset(Node, Declared):
    number: str = column("Asset number, e.g. AST0000012.")
    name: str = column("Asset name.")
    serial_number: str | None = column("Serial number.")
    installed_on: date | None = column("When it was installed.")
    account: Account | None = _account_field("The account it is installed at.")
    product_model: ProductModel | None = to_one(
        case_entities.PRODUCT_MODEL, "product_model_id", "What it is an install of."
    )
    version: int = version_column()


@row_type(case_entities.CONTRACT, description="A contract with a customer account.")
class Contract(Node, Declared):
    number: str = column("Contract number, e.g. CNTR0000003.")
    name: str = column("Contract name.")
    value: Decimal | None = column("Contract value.")
    start_date: date = column("First day of the contract.")
    end_date: date = column("Last day of the contract.")
    active: bool = column("Whether it is in force.")
    account: Account | None = _account_field("The customer account.")
    version: int = version_column()


@row_type(case_entities.SCHEDULE, description="Working hours that SLAs are measured against.")
class Schedule(Node, Declared):
    name: str = column("Schedule name.")
    time_zone: str = column("IANA time zone of the hours.")
    hours: str = column(
        "Working hours in the time zone: comma-separated spans of days and times, "
        'e.g. "Mon-Fri 08:00-18:00" or "Mon,Wed 09:00-12:00, Sat 10:00-14:00".'
    )


@row_type(
    case_entities.ENTITLEMENT,
    description="What support an account is entitled to (and on which terms).",
)
class Entitlement(Node, Declared):
    number: str = column("Entitlement number, e.g. ENT0000007.")
    name: str = column("Entitlement name.")
    start_date: date = column("First day of the entitlement.")
    end_date: date = column("Last day of the entitlement.")
    active: bool = column("Whether it is in force.")
    account: Account | None = _account_field("The account entitled.")
    product: Product | None = to_one(
        entities.PRODUCT, "product_id", "The product covered, if limited to one."
    )
    contract: Contract | None = to_one(
        case_entities.CONTRACT, "contract_id", "The contract it comes with."
    )
    schedule: Schedule | None = _schedule_field("The working hours its SLAs run on.")
    version: int = version_column()


@row_type(
    case_entities.SLA_DEFINITION,
    description="An SLA definition: a target duration, and the cases it applies to: those of "
    "its priority and, when it names them, of its contract and entitlement too.",
)
class SlaDefinition(Node, Declared):
    name: str = column("Definition name.")
    target: SlaTarget = column("Response or resolution.")
    priority: Priority = column("Case priority it applies to.")
    duration_minutes: int = column("Target duration in minutes.")
    schedule: Schedule | None = _schedule_field("The working hours it runs on.")
    contract: Contract | None = to_one(
        case_entities.CONTRACT,
        "contract_id",
        "The contract it is limited to; null: whatever the case's contract.",
    )
    entitlement: Entitlement | None = to_one(
        case_entities.ENTITLEMENT,
        "entitlement_id",
        "The entitlement it is limited to; null: whatever the case's entitlement.",
    )
    version: int = version_column()


def _group_members(loaders: Loaders, request: PageRequest) -> DataLoader:
    # One statement for the members of a page of groups (one per level).
    def fetch(ids: list[int]) -> Awaitable[dict[int, Any]]:
        return relations.support_group_members(loaders.db, loaders.viewer, ids, request)

    return loaders.batched(("support_group_members", request), fetch, Page())


@row_type(case_entities.SUPPORT_GROUP, description="A team of employees that works cases.")
class SupportGroup(Node, Declared):
    name: str = column("Group name.")
    description: str | None = column("What the group handles.")
    members: Connection[User] = link_many(
        entities.USER,
        t.support_group_members,
        "support_group_id",
        "user_id",
        "The group's members, by name (inactive ones included; the users(filter: "
        "{supportGroup, search}) picker lists the active ones, searched).",
        loader=_group_members,
    )
