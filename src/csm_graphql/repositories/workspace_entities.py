"""The engagement workspace's entries of the one entity registry (``entities``, where they
are defined), under the names its callers use. Workspace lists sort by ``OrderField`` keys
through ``entities.ordering``, like every other list."""

from __future__ import annotations

from csm_graphql.repositories.entities import (
    DISCUSSION,
    DISCUSSION_MESSAGE,
    EMAIL_TEMPLATE,
    FORM_TEMPLATE,
    INTERNAL_PLAY,
    INTERNAL_PLAY_TASK,
    PRODUCT_ADOPTION_ROADMAP,
    RISK_SIGNAL,
    SOLD_PRODUCT,
    SUCCESS_OBJECTIVE,
    SUCCESS_PLAY,
    OrderField,
    ordering,
)
from csm_graphql.repositories.entities import ENGAGEMENT_CONTRACT as CONTRACT

# The workspace's former names of the one ordering system.
WorkspaceOrder = OrderField
workspace_ordering = ordering
DUE = ordering(OrderField.DUE_DATE)

__all__ = [
    "CONTRACT",
    "DISCUSSION",
    "DISCUSSION_MESSAGE",
    "DUE",
    "EMAIL_TEMPLATE",
    "FORM_TEMPLATE",
    "INTERNAL_PLAY",
    "INTERNAL_PLAY_TASK",
    "PRODUCT_ADOPTION_ROADMAP",
    "RISK_SIGNAL",
    "SOLD_PRODUCT",
    "SUCCESS_OBJECTIVE",
    "SUCCESS_PLAY",
    "WorkspaceOrder",
    "workspace_ordering",
]
