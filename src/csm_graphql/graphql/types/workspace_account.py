"""Engagement roll-ups of an account, mixed into Account only (INTERNAL in access/fields.py).

Apart from engagement_workspace.py because Account (people.py) must not import the modules
that import it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from csm_graphql.domain.workspace import Probability
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.declared import field_group, to_one
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.graphql.types import workspace_enums  # noqa: F401 (registers the enums)
from csm_graphql.graphql.types.common import WorkState
from csm_graphql.repositories import entities
from csm_graphql.repositories import workspace_summaries as summaries
from csm_graphql.repositories.database import Row

# Lazy references to the success types, which import this module.
SUCCESS = "csm_graphql.graphql.types.success"

if TYPE_CHECKING:
    from csm_graphql.graphql.types.success import Engagement


@strawberry.type(description="Open risk signals of one probability.")
class ProbabilityCount:
    probability: Probability = strawberry.field(description="Probability.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="Squad work (internal plays and tasks) in one state.")
class StateCount:
    state: WorkState = strawberry.field(description="State.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="An active engagement in the account's engagement tree.")
class EngagementTreeNode:
    engagement_id: strawberry.Private[int]
    depth: int = strawberry.field(description="0 for a root; a child is one deeper.")
    parent_id: strawberry.ID | None = strawberry.field(
        description="The parent's id, when the parent is active too."
    )

    engagement: Annotated[Engagement, strawberry.lazy(SUCCESS)] | None = to_one(
        entities.ENGAGEMENT, "engagement_id", "The engagement."
    )


@strawberry.type(description="Roll-ups of an account's engagement hierarchy.")
class EngagementRollup:
    total_engagements: int = strawberry.field(description="Engagements of the account.")
    total_contract_value: Decimal | None = strawberry.field(description="Their contract value.")
    risk_signals_by_probability: list[ProbabilityCount] = strawberry.field(
        description="Open risk signals per probability, VERY_HIGH first."
    )
    squad_work_by_state: list[StateCount] = strawberry.field(
        description="Internal plays and their tasks per state."
    )
    active_engagements: list[EngagementTreeNode] = strawberry.field(
        description="The parent/child tree of active engagements, depth first."
    )


def _tree(rows: list[Row]) -> list[EngagementTreeNode]:
    """Depth first from the roots; an engagement whose parent is not active is a root."""
    active = {row["engagement_id"]: row["parent_id"] for row in rows}
    children: dict[int | None, list[int]] = {}
    for engagement_id, parent_id in active.items():
        children.setdefault(parent_id if parent_id in active else None, []).append(engagement_id)
    ordered: list[EngagementTreeNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in sorted(children.get(parent, [])):
            shown = None if parent is None else strawberry.ID(to_global_id("Engagement", parent))
            ordered.append(EngagementTreeNode(engagement_id=child, depth=depth, parent_id=shown))
            walk(child, depth + 1)

    walk(None, 0)
    return ordered


@field_group(description="Engagement roll-ups of an account (mixed into Account only).")
class AccountWorkspace:
    db_id: strawberry.Private[int]

    @strawberry.field(description="Engagement hierarchy roll-ups of this account.")
    async def engagement_rollup(self, info: Info) -> EngagementRollup | None:
        viewer, db = info.context.viewer, info.context.db
        fetch = lambda ids: summaries.account_rollups(db, viewer, ids)  # noqa: E731
        # An account without engagements has no roll-up: the default is an empty one.
        empty = summaries.AccountRollup()
        loader = info.context.loaders.batched(("workspace", "rollups"), fetch, empty)
        rollup = await loader.load(self.db_id)
        return EngagementRollup(
            total_engagements=rollup.total_engagements,
            total_contract_value=rollup.total_contract_value,
            risk_signals_by_probability=[
                ProbabilityCount(probability=Probability(p), count=c)
                for p, c in sorted(rollup.risks_by_probability.items())
            ],
            squad_work_by_state=[
                StateCount(state=WorkState(s), count=c)
                for s, c in sorted(rollup.work_by_state.items())
            ],
            active_engagements=_tree(rollup.active_tree),
        )
