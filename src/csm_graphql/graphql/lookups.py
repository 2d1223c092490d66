"""The root lists a case form's pickers read (issue 12): contacts, assets, contracts and
entitlements of an account, products and product models, schedules and support groups; and
the work orders of the cases the viewer sees.

Each is an ordinary keyset list of its entity under the entity's row rule (ACCESS.md "Lookups
and master data"), narrowed by a ``filter`` input (``graphql/lookup_inputs.py``). Accounts and
employees, which had lists already, take the same kind of filter there (``queries.py``).
"""

from __future__ import annotations

from typing import Any

import strawberry

from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared.registry import builder
from csm_graphql.graphql.lookup_inputs import (
    AccountLookupArg,
    AgreementLookupArg,
    LookupSearchArg,
    ProductModelLookupArg,
    WorkOrderLookupArg,
    contact_filter,
)
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.types.cases import WorkOrder
from csm_graphql.graphql.types.people import Contact
from csm_graphql.graphql.types.records import Product
from csm_graphql.graphql.types.service import (
    Asset,
    Contract,
    Entitlement,
    ProductModel,
    Schedule,
    SupportGroup,
)
from csm_graphql.repositories import case_entities, entities, reads
from csm_graphql.repositories.entities import Entity
from csm_graphql.repositories.lookups import LookupFilter


async def lookup_list(
    info: Info,
    entity: Entity,
    lookup: LookupFilter,
    first: int | None,
    after: str | None,
) -> Connection[Any]:
    """A page of ``entity`` under its row rule, in its default order, narrowed by ``lookup``."""
    page = await reads.page(
        info.context.db,
        entity,
        info.context.viewer,
        page_request(info, first, after),
        where=lookup.conditions(entity),
    )
    return Connection.from_page(page, builder(entity))


def _value(lookup: Any) -> LookupFilter:
    return lookup.to_value() if lookup is not None else LookupFilter()


@strawberry.type(description="The lists a case form's pickers read.")
class LookupQueries:
    @strawberry.field(
        description="Active contacts the viewer may see (the proxy and agents: every "
        "account's), e.g. those of the case's account; by name."
    )
    async def contacts(
        self, info: Info, first: First = None, after: After = None, filter: AccountLookupArg = None
    ) -> Connection[Contact]:
        return await lookup_list(info, entities.CONTACT, contact_filter(filter), first, after)

    @strawberry.field(
        description="Assets the viewer may see (contacts with a case role: those of their "
        "accounts), by number."
    )
    async def assets(
        self, info: Info, first: First = None, after: After = None, filter: AccountLookupArg = None
    ) -> Connection[Asset]:
        return await lookup_list(info, case_entities.ASSET, _value(filter), first, after)

    @strawberry.field(
        description="Contracts the viewer may see (contacts with a case role: those of their "
        "accounts), by number."
    )
    async def contracts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: AgreementLookupArg = None,
    ) -> Connection[Contract]:
        return await lookup_list(info, case_entities.CONTRACT, _value(filter), first, after)

    @strawberry.field(
        description="Entitlements the viewer may see (contacts with a case role: those of "
        "their accounts), by number."
    )
    async def entitlements(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: AgreementLookupArg = None,
    ) -> Connection[Entitlement]:
        return await lookup_list(info, case_entities.ENTITLEMENT, _value(filter), first, after)

    @strawberry.field(description="The product catalogue, by name.")
    async def products(
        self, info: Info, first: First = None, after: After = None, filter: LookupSearchArg = None
    ) -> Connection[Product]:
        return await lookup_list(info, entities.PRODUCT, _value(filter), first, after)

    @strawberry.field(description="Models of the catalogue's products, by number.")
    async def product_models(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: ProductModelLookupArg = None,
    ) -> Connection[ProductModel]:
        return await lookup_list(info, case_entities.PRODUCT_MODEL, _value(filter), first, after)

    @strawberry.field(description="Working-hours schedules, by name; empty for contacts.")
    async def schedules(
        self, info: Info, first: First = None, after: After = None, filter: LookupSearchArg = None
    ) -> Connection[Schedule]:
        return await lookup_list(info, case_entities.SCHEDULE, _value(filter), first, after)

    @strawberry.field(
        description="Support groups, by name; empty for contacts. Their members: "
        "users(filter: {supportGroup})."
    )
    async def support_groups(
        self, info: Info, first: First = None, after: After = None, filter: LookupSearchArg = None
    ) -> Connection[SupportGroup]:
        return await lookup_list(info, case_entities.SUPPORT_GROUP, _value(filter), first, after)

    @strawberry.field(
        description="Work orders of the cases the viewer sees (a proxy contact: of the cases "
        "it is the internal contact of), and of the projects it works; by number."
    )
    async def work_orders(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: WorkOrderLookupArg = None,
    ) -> Connection[WorkOrder]:
        return await lookup_list(info, case_entities.WORK_ORDER, _value(filter), first, after)


__all__ = ["LookupQueries", "lookup_list"]
