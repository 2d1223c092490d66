"""The objectives the demo's initiatives serve (DOMAIN.md: an initiative belongs to an
objective).

Initiatives are built with the success graph, before the workspace draws the objectives, so the
links are made once both are written, by position rather than by drawing: linking them moves no
other demo row.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Every third initiative of an engagement serves no objective; the others take its objectives
# in turn. Chosen by position rather than drawn, so linking them moves no other demo row.
LINK_INITIATIVES = """
UPDATE success_initiatives initiative SET objective_id = objective.id
FROM (
    SELECT id, row_number() OVER (PARTITION BY engagement_id ORDER BY id) AS position
    FROM success_initiatives
) ranked,
(
    SELECT id, engagement_id,
           row_number() OVER (PARTITION BY engagement_id ORDER BY id) AS position,
           count(*) OVER (PARTITION BY engagement_id) AS total
    FROM success_objectives
) objective
WHERE ranked.id = initiative.id
  AND objective.engagement_id = initiative.engagement_id
  AND ranked.position % 3 <> 0
  AND objective.position = (ranked.position - 1) % objective.total + 1
"""


async def link_initiatives_to_objectives(conn: AsyncConnection) -> None:
    """Link each initiative to an objective of its engagement by position, some to none."""
    await conn.execute(text(LINK_INITIATIVES))
