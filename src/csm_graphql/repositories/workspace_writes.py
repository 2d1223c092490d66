"""The reads the engagement workspace's writes make inside their unit of work: whether records
hang under an engagement, the chain above a parent engagement, whether an objective, initiative
or sold product is one of the engagement's, and who takes part in a discussion.

One statement each. Where the caller's viewer must see the record, the row rule comes from
``access.rows``; the others ask about rows under an engagement the caller has already loaded
through its rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, exists, or_, select

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories.checks import RowReader


async def has_records(reader: RowReader, tables: Iterable[Table], engagement_id: int) -> bool:
    """Whether any of ``tables`` holds a row of the engagement."""
    checks = [exists().where(table.c.engagement_id == engagement_id) for table in tables]
    return bool(await reader.scalar(select(or_(*checks))))


async def visible_engagement_id(
    reader: RowReader, viewer: Viewer, engagement_id: int
) -> int | None:
    engagement = t.engagements
    found: int | None = await reader.scalar(
        select(engagement.c.id).where(engagement.c.id == engagement_id, rows.engagements(viewer))
    )
    return found


async def engagement_parents(reader: RowReader, engagement_id: int) -> dict[int, int | None]:
    """The engagement and those above it, each with its parent (engagement trees are
    shallow: one recursive statement)."""
    engagement = t.engagements
    chain = (
        select(engagement.c.id, engagement.c.parent_id)
        .where(engagement.c.id == engagement_id)
        .cte("chain", recursive=True)
    )
    above = engagement.alias("above")
    chain = chain.union(
        select(above.c.id, above.c.parent_id).join(chain, above.c.id == chain.c.parent_id)
    )
    return {row["id"]: row["parent_id"] for row in await reader.rows(select(chain))}


async def objective_of_engagement(
    reader: RowReader, viewer: Viewer, objective_id: int, engagement_id: int
) -> bool:
    """An objective the viewer sees, of this engagement."""
    objective = t.success_objectives
    found = await reader.scalar(
        select(objective.c.id).where(
            objective.c.id == objective_id,
            objective.c.engagement_id == engagement_id,
            rows.success_objectives(viewer),
        )
    )
    return found is not None


async def initiative_of_engagement(
    reader: RowReader, viewer: Viewer, initiative_id: int, engagement_id: int
) -> bool:
    """An initiative the viewer sees, of this engagement."""
    initiative = t.success_initiatives
    found = await reader.scalar(
        select(initiative.c.id).where(
            initiative.c.id == initiative_id,
            initiative.c.engagement_id == engagement_id,
            rows.success_initiatives(viewer),
        )
    )
    return found is not None


async def sold_product_of_engagement(
    reader: RowReader, sold_product_id: int, engagement_id: int
) -> bool:
    sold = t.sold_products
    found = await reader.scalar(
        select(sold.c.id).where(sold.c.id == sold_product_id, sold.c.engagement_id == engagement_id)
    )
    return found is not None


async def discussion_participants(reader: RowReader, discussion_id: int) -> set[int]:
    participants = t.discussion_participants
    found = await reader.rows(
        select(participants.c.user_id).where(participants.c.discussion_id == discussion_id)
    )
    return {row["user_id"] for row in found}


__all__ = [
    "discussion_participants",
    "engagement_parents",
    "has_records",
    "initiative_of_engagement",
    "objective_of_engagement",
    "sold_product_of_engagement",
    "visible_engagement_id",
]
