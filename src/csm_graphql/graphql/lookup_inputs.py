"""Filters of the lists a case form's pickers read: search by name or number, and the record
(account, product, support group) the picked records belong to.

One input per shape of picker, each turned into the repositories' ``LookupFilter``. Row rules
still decide what is listed: filtering by an account the viewer may not see lists nothing,
exactly as filtering by one that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from csm_graphql.access.roles import InternalRole
from csm_graphql.domain.text import describe, disallowed_character
from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.ids import database_id
from csm_graphql.repositories.lookups import LookupFilter

# Longer than any name or number; a picker types a few characters.
SEARCH_LIMIT = 100
_SEARCH = "Names or numbers containing this text, ignoring case."


def _search(text: str | None) -> str | None:
    """The search text stripped (None when empty); refused like any free text."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if (character := disallowed_character(cleaned)) is not None:
        raise BadUserInput(
            f"filter.search cannot contain {describe(character)}.", field="filter.search"
        )
    if len(cleaned) > SEARCH_LIMIT:
        raise BadUserInput(
            f"filter.search takes at most {SEARCH_LIMIT} characters.", field="filter.search"
        )
    return cleaned


def _account(global_id: strawberry.ID | None) -> int | None:
    return database_id(global_id, "Account", field="filter.account")


@strawberry.input(description="Search a lookup list by name or number.")
class LookupSearch:
    search: str | None = strawberry.field(default=None, description=_SEARCH)

    def to_value(self) -> LookupFilter:
        return LookupFilter(search=_search(self.search))


@strawberry.input(description="Records of an account (contacts, assets), searched.")
class AccountLookup:
    account: strawberry.ID | None = strawberry.field(
        default=None, description="Only those of this account."
    )
    search: str | None = strawberry.field(default=None, description=_SEARCH)

    def to_value(self) -> LookupFilter:
        return LookupFilter(search=_search(self.search), account_id=_account(self.account))


@strawberry.input(description="Contracts or entitlements of an account, searched.")
class AgreementLookup:
    account: strawberry.ID | None = strawberry.field(
        default=None, description="Only those of this account."
    )
    search: str | None = strawberry.field(default=None, description=_SEARCH)
    in_force_on: date | None = strawberry.field(
        default=None,
        description="Only those in force on this day: active, and the day within their term.",
    )

    def to_value(self) -> LookupFilter:
        return LookupFilter(
            search=_search(self.search),
            account_id=_account(self.account),
            in_force_on=self.in_force_on,
        )


@strawberry.input(description="Product models, searched.")
class ProductModelLookup:
    product: strawberry.ID | None = strawberry.field(
        default=None, description="Only models of this product."
    )
    search: str | None = strawberry.field(default=None, description=_SEARCH)

    def to_value(self) -> LookupFilter:
        product_id = database_id(self.product, "Product", field="filter.product")
        return LookupFilter(search=_search(self.search), product_id=product_id)


@strawberry.input(description="Work orders, searched by number or summary.")
class WorkOrderLookup:
    case: strawberry.ID | None = strawberry.field(
        default=None, description="Only those of this case."
    )
    search: str | None = strawberry.field(
        default=None, description="Numbers or summaries containing this text, ignoring case."
    )

    def to_value(self) -> LookupFilter:
        case_id = database_id(self.case, "Case", field="filter.case")
        return LookupFilter(search=_search(self.search), case_id=case_id)


@strawberry.input(description="Employees, searched; e.g. a support group's members.")
class UserLookup:
    search: str | None = strawberry.field(
        default=None, description="Names or email addresses containing this text, ignoring case."
    )
    support_group: strawberry.ID | None = strawberry.field(
        default=None, description="Only members of this support group."
    )
    role: str | None = strawberry.field(
        default=None,
        description="Only holders of this internal role, e.g. proxy_contact (an internal "
        "contact for a case).",
    )

    def to_value(self) -> LookupFilter:
        if self.role is not None and self.role not in set(InternalRole):
            roles = ", ".join(sorted(InternalRole))
            raise BadUserInput(f"filter.role must be one of {roles}.", field="filter.role")
        group_id = database_id(self.support_group, "SupportGroup", field="filter.supportGroup")
        return LookupFilter(
            search=_search(self.search),
            support_group_id=group_id,
            role=self.role,
            active_only=True,
        )


_ONLY = strawberry.argument(description="Only matching ones.")
LookupSearchArg = Annotated[LookupSearch | None, _ONLY]
AccountLookupArg = Annotated[AccountLookup | None, _ONLY]
AgreementLookupArg = Annotated[AgreementLookup | None, _ONLY]
ProductModelLookupArg = Annotated[ProductModelLookup | None, _ONLY]
UserLookupArg = Annotated[UserLookup | None, _ONLY]
WorkOrderLookupArg = Annotated[WorkOrderLookup | None, _ONLY]


def contact_filter(lookup: AccountLookup | None) -> LookupFilter:
    """Contacts a form may pick: active ones only (a deactivated contact is refused)."""
    value = lookup.to_value() if lookup else LookupFilter()
    return LookupFilter(search=value.search, account_id=value.account_id, active_only=True)


__all__ = [
    "AccountLookup",
    "AccountLookupArg",
    "AgreementLookup",
    "AgreementLookupArg",
    "LookupSearch",
    "LookupSearchArg",
    "ProductModelLookup",
    "ProductModelLookupArg",
    "UserLookup",
    "UserLookupArg",
    "WorkOrderLookup",
    "WorkOrderLookupArg",
    "contact_filter",
]
