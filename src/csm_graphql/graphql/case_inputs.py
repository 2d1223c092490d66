"""Arguments of case lists: filter and order."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from csm_graphql.access.viewer import Viewer
from csm_graphql.graphql.ids import database_id
from csm_graphql.graphql.inputs import OrderDirection, SortOrder, order_input, to_ordering
from csm_graphql.graphql.types.common import Priority
from csm_graphql.graphql.types.service import CaseChannel, CaseState
from csm_graphql.repositories import case_entities
from csm_graphql.repositories.case_entities import CaseFilter as CaseFilterValue
from csm_graphql.repositories.entities import OrderField
from csm_graphql.repositories.paging import Ordering


@strawberry.enum(description="What case lists sort by (then by id).")
class CaseOrderField(Enum):
    NUMBER = OrderField.NUMBER
    PRIORITY = OrderField.PRIORITY
    UPDATED_AT = OrderField.UPDATED_AT
    CREATED_AT = OrderField.CREATED_AT


@order_input(
    CaseOrderField,
    default=CaseOrderField.NUMBER,
    direction=OrderDirection.DESC,
    description="Sort order of a case list; newest number first by default.",
)
class CaseOrder(SortOrder):
    pass


@strawberry.input(description="Filters of case lists; all given filters apply.")
class CaseFilter:
    state: list[CaseState] | None = strawberry.field(
        default=None, description="Any of these states."
    )
    priority: list[Priority] | None = strawberry.field(
        default=None, description="Any of these priorities."
    )
    channel: list[CaseChannel] | None = strawberry.field(
        default=None, description="Any of these channels."
    )
    account: strawberry.ID | None = strawberry.field(
        default=None, description="Only cases of this account."
    )
    updated_from: datetime | None = strawberry.field(
        default=None, description="Changed on or after this instant."
    )
    project: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only cases raised for this customer project (Case.raisedFor.id); the "
        "cases are those the viewer sees, whether or not it sees the project.",
    )

    def to_value(self) -> CaseFilterValue:
        return CaseFilterValue(
            states=tuple(self.state or ()),
            priorities=tuple(self.priority or ()),
            channels=tuple(self.channel or ()),
            account_id=database_id(self.account, "Account", field="filter.account"),
            updated_from=self.updated_from,
            project_id=database_id(self.project, "Project", field="filter.project"),
        )


CaseFilterArg = Annotated[
    CaseFilter | None, strawberry.argument(description="Only matching cases.")
]
CaseOrderArg = Annotated[
    CaseOrder | None, strawberry.argument(description="Sort order; newest number first.")
]


def case_ordering(order: CaseOrder | None, viewer: Viewer) -> Ordering:
    return to_ordering(case_entities.CASE, order, viewer)
