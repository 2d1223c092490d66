"""Helpers shared by the type modules: enums exposed to GraphQL, and child connections."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

import strawberry

from csm_graphql.access.scope import ListScope
from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.domain.enums import (
    AccountKind,
    ActivityKind,
    ArticleAudience,
    EngagementStage,
    EngagementState,
    ObjectiveState,
    PerceivedHealth,
    Priority,
    Progress,
    RecordType,
    TouchpointType,
    WorkState,
)
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.loaders import ChildQuery
from csm_graphql.graphql.pagination import Connection
from csm_graphql.repositories.database import Row

NodeT = TypeVar("NodeT")

# The domain's enums are the GraphQL enums: registering returns the same class, so resolvers
# and repositories share one vocabulary.
ENUM_DESCRIPTIONS: dict[type[Enum], str] = {
    AccountKind: "Customer or partner company.",
    PrincipalKind: "Employee (USER) or external contact (CONTACT).",
    ListScope: 'All records the viewer may see ("All ..." lists), or only its own ("My ...").',
    EngagementState: "Lifecycle of an engagement.",
    EngagementStage: "Customer journey stage.",
    PerceivedHealth: "Health as the team perceives it.",
    WorkState: "State of customer-success work.",
    Progress: "How work is progressing.",
    Priority: "Priority, CRITICAL first.",
    TouchpointType: "Kind of contact moment.",
    ActivityKind: "Kind of activity-stream entry.",
    ArticleAudience: "Who may read an article.",
    RecordType: "The type of record an activity-stream entry is on.",
    ObjectiveState: "Lifecycle of a success objective.",
}
for enum_class, description in ENUM_DESCRIPTIONS.items():
    strawberry.enum(enum_class, description=description)

Kind = PrincipalKind
Scope = ListScope


async def child_connection(
    info: Info, query: ChildQuery, parent_id: int, build: Callable[[Row], NodeT]
) -> Connection[NodeT]:
    """A page of children for this parent, batched with its siblings by the loader."""
    page = await info.context.loaders.children(query).load(parent_id)
    return Connection.from_page(page, build)


__all__ = [
    "AccountKind",
    "ActivityKind",
    "ArticleAudience",
    "EngagementStage",
    "EngagementState",
    "Kind",
    "ObjectiveState",
    "PerceivedHealth",
    "Priority",
    "Progress",
    "RecordType",
    "Scope",
    "TouchpointType",
    "WorkState",
    "child_connection",
]
