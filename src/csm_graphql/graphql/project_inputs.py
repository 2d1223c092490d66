"""The arguments of the project lists: sort orders and filters (DOMAIN.md section 3)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from csm_graphql.domain.enums import ProjectState
from csm_graphql.errors import BadUserInput
from csm_graphql.graphql.ids import database_id
from csm_graphql.graphql.inputs import SortOrder, order_input
from csm_graphql.repositories.entities import OrderField
from csm_graphql.repositories.filters import Equals, TaskFilter

strawberry.enum(ProjectState, description="Lifecycle of a customer project or project task.")


@strawberry.enum(description="What project lists sort by (then by id). Dates: empty last.")
class ProjectOrderField(Enum):
    NUMBER = OrderField.NUMBER
    NAME = OrderField.NAME
    PLANNED_START = OrderField.PLANNED_START
    PLANNED_END = OrderField.PLANNED_END
    UPDATED_AT = OrderField.UPDATED_AT


@strawberry.enum(description="What project task lists sort by (then by id). Dates: empty last.")
class ProjectTaskOrderField(Enum):
    PLANNED_END = OrderField.PLANNED_END
    PLANNED_START = OrderField.PLANNED_START
    NUMBER = OrderField.NUMBER
    UPDATED_AT = OrderField.UPDATED_AT


@order_input(
    ProjectOrderField, default=ProjectOrderField.NUMBER, description="Sort order of a project list."
)
class ProjectOrder(SortOrder):
    pass


@order_input(
    ProjectTaskOrderField,
    default=ProjectTaskOrderField.PLANNED_END,
    description="Sort order of a project task list.",
)
class ProjectTaskOrder(SortOrder):
    pass


@strawberry.input(description="Filters of project lists; all given filters apply.")
class ProjectFilter:
    state: list[ProjectState] | None = strawberry.field(
        default=None, description="Any of these states."
    )
    account: strawberry.ID | None = strawberry.field(
        default=None, description="Only projects of this account."
    )

    def to_value(self) -> Equals:
        return Equals.of(
            state=tuple(state.value for state in self.state or ()),
            account_id=database_id(self.account, "Account", field="filter.account"),
        )


@strawberry.input(description="Filters of project task lists; all given filters apply.")
class ProjectTaskFilter:
    state: list[ProjectState] | None = strawberry.field(
        default=None, description="Any of these states."
    )
    project: strawberry.ID | None = strawberry.field(
        default=None, description="Only tasks of this project."
    )
    planned_end_from: date | None = strawberry.field(
        default=None, description="Planned to end on or after this date."
    )
    planned_end_to: date | None = strawberry.field(
        default=None, description="Planned to end on or before this date."
    )

    def to_task_filter(self) -> TaskFilter:
        start, end = self.planned_end_from, self.planned_end_to
        if start and end and start > end:
            raise BadUserInput(
                "plannedEndFrom must not be after plannedEndTo.", field="filter.plannedEndFrom"
            )
        return TaskFilter(
            states=tuple(state.value for state in self.state or ()),
            project_id=database_id(self.project, "Project", field="filter.project"),
            planned_end_from=start,
            planned_end_to=end,
        )


ProjectTaskFilterArg = Annotated[
    ProjectTaskFilter | None, strawberry.argument(description="Only matching tasks.")
]
ProjectTaskOrderArg = Annotated[
    ProjectTaskOrder | None, strawberry.argument(description="Sort order; planned end first.")
]
