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

# An objective closes only once no initiative serving it is open (services/workspace_updates.py):
# an open initiative that the positions gave a closed or canceled objective serves the first
# open objective of its engagement instead, or none when there is none.
OPEN_INITIATIVES_SERVE_OPEN_OBJECTIVES = """
UPDATE success_initiatives initiative SET objective_id = (
    SELECT min(open_objective.id) FROM success_objectives open_objective
    WHERE open_objective.engagement_id = initiative.engagement_id
      AND open_objective.state NOT IN ('CLOSED', 'CANCELED')
)
FROM success_objectives objective
WHERE objective.id = initiative.objective_id
  AND objective.state IN ('CLOSED', 'CANCELED')
  AND initiative.state NOT IN ('CLOSED', 'CANCELED')
"""


async def link_initiatives_to_objectives(conn: AsyncConnection) -> None:
    """Link each initiative to an objective of its engagement by position, some to none; an
    open initiative only to an open objective."""
    await conn.execute(text(LINK_INITIATIVES))
    await conn.execute(text(OPEN_INITIATIVES_SERVE_OPEN_OBJECTIVES))
