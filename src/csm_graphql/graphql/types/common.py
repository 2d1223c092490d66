"""Enums shared by the type modules, exposed to GraphQL."""

from __future__ import annotations

from enum import Enum

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
]
