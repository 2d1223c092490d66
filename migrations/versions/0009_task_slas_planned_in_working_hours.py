"""task SLAs with a schedule are planned in its working hours

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 08:05:00

No table changes: the meaning of ``task_slas.planned_end_at`` changes for SLAs whose definition
has a schedule (domain/sla.py): it is now the start plus the definition's duration in the
schedule's working hours, no longer in wall-clock time. Existing rows are replanned so they
read right. ``paused_seconds`` of finished pauses cannot be converted (the pauses' instants are
not kept) and stays as measured. Downgrade restores wall-clock planned ends.

The replanning uses the schedule grammar and DST rules the API read with when this revision
was written, frozen in migrations/_frozen.py (a later change to domain/schedule.py comes with
a migration of its own). A stored schedule that does not parse stops the upgrade with the
parser's error (fix the schedule, then upgrade).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from csm_graphql.migrations._frozen import planned_end_0009

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT s.id, s.start_at, d.duration_minutes, sc.hours, sc.time_zone "
            "FROM task_slas s JOIN sla_definitions d ON d.id = s.sla_definition_id "
            "JOIN schedules sc ON sc.id = d.schedule_id ORDER BY s.id"
        )
    ).mappings()
    replanned = [
        {
            "id": row["id"],
            "end": planned_end_0009(
                row["start_at"], row["duration_minutes"], row["hours"], row["time_zone"]
            ),
        }
        for row in rows
    ]
    if replanned:
        bind.execute(
            sa.text("UPDATE task_slas SET planned_end_at = :end WHERE id = :id"), replanned
        )


def downgrade() -> None:
    op.execute(
        "UPDATE task_slas s SET planned_end_at = s.start_at "
        "+ make_interval(mins => d.duration_minutes) FROM sla_definitions d "
        "WHERE d.id = s.sla_definition_id AND d.schedule_id IS NOT NULL"
    )
