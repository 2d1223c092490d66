"""The customer timeline's event kinds; contracts on the timeline; objectives can be PAUSED

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:20:00

Activities take seven more kinds (OPENED, ASSIGNMENT, VISIBILITY_CHANGE, TOUCHPOINT_HELD,
HEALTH_REFRESHED, PLAY_LAUNCHED, CONTRACT_ADDED, domain/timeline.py) and the record type
``contract``. Existing entries are reclassified as the services now journal them: a creation
entry (a FIELD_CHANGE naming the new record's number) becomes OPENED, or PLAY_LAUNCHED for a
success play; a touchpoint closed becomes TOUCHPOINT_HELD; a change of assignee becomes
ASSIGNMENT; a change of the customer audience alone becomes VISIBILITY_CHANGE.

Success objectives take DOMAIN.md's states (NEW, IN_PROGRESS, PAUSED, CLOSED, CANCELED): an
objective in DEFINE (an engagement state they used to share) becomes NEW.

Downgrade maps the new kinds back (OPENED, ASSIGNMENT, VISIBILITY_CHANGE, PLAY_LAUNCHED to
FIELD_CHANGE; TOUCHPOINT_HELD to STATE_CHANGE), deletes HEALTH_REFRESHED and CONTRACT_ADDED
entries and contract attachments (the old schema has no place for them), and moves PAUSED
objectives back to IN_PROGRESS.
"""

from collections.abc import Sequence

from alembic import op

from csm_graphql.migrations._frozen import (
    add_activity_kinds,
    add_record_types,
    remove_activity_kinds,
    remove_record_types,
)

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_KINDS = (
    "OPENED",
    "ASSIGNMENT",
    "VISIBILITY_CHANGE",
    "TOUCHPOINT_HELD",
    "HEALTH_REFRESHED",
    "PLAY_LAUNCHED",
    "CONTRACT_ADDED",
)
OBJECTIVE_STATES = ("NEW", "IN_PROGRESS", "PAUSED", "CLOSED", "CANCELED")
OLD_OBJECTIVE_STATES = ("NEW", "DEFINE", "IN_PROGRESS", "CANCELED", "CLOSED")
OBJECTIVE_CHECK = "ck_success_objectives_state_valid"

# The reclassification, in the order the services decide it (domain/timeline.py).
RECLASSIFY = (
    "UPDATE activities SET kind = 'PLAY_LAUNCHED' WHERE kind = 'FIELD_CHANGE'"
    " AND record_type = 'success_play' AND changes ? 'number'",
    "UPDATE activities SET kind = 'OPENED' WHERE kind = 'FIELD_CHANGE' AND changes ? 'number'"
    " AND record_type IN ('success_initiative', 'success_case', 'success_task', 'touchpoint',"
    " 'internal_play', 'internal_play_task', 'risk_signal', 'success_objective')",
    "UPDATE activities SET kind = 'TOUCHPOINT_HELD' WHERE kind = 'STATE_CHANGE'"
    " AND record_type = 'touchpoint' AND changes -> 'state' ->> 'to' = 'CLOSED'",
    "UPDATE activities SET kind = 'ASSIGNMENT' WHERE kind = 'FIELD_CHANGE'"
    " AND (changes ? 'assigned_to_id' OR changes ? 'assigned_contact_id')",
    "UPDATE activities SET kind = 'VISIBILITY_CHANGE' WHERE kind = 'FIELD_CHANGE'"
    " AND changes IS NOT NULL AND changes <> '{}'::jsonb AND NOT EXISTS ("
    "SELECT 1 FROM jsonb_object_keys(changes) k"
    " WHERE k NOT IN ('visible_to_customer', 'contact_id', 'contactFilter'))",
)


def _objective_check(states: Sequence[str]) -> None:
    listed = ", ".join(f"'{state}'" for state in states)
    op.drop_constraint(op.f(OBJECTIVE_CHECK), "success_objectives", type_="check")
    op.create_check_constraint(op.f(OBJECTIVE_CHECK), "success_objectives", f"state IN ({listed})")


def upgrade() -> None:
    add_activity_kinds(*NEW_KINDS)
    add_record_types("contract")
    for statement in RECLASSIFY:
        op.execute(statement)
    op.execute("UPDATE success_objectives SET state = 'NEW' WHERE state = 'DEFINE'")
    _objective_check(OBJECTIVE_STATES)


def downgrade() -> None:
    op.execute("UPDATE success_objectives SET state = 'IN_PROGRESS' WHERE state = 'PAUSED'")
    _objective_check(OLD_OBJECTIVE_STATES)
    op.execute("DELETE FROM activities WHERE kind IN ('HEALTH_REFRESHED', 'CONTRACT_ADDED')")
    op.execute("UPDATE activities SET kind = 'STATE_CHANGE' WHERE kind = 'TOUCHPOINT_HELD'")
    op.execute(
        "UPDATE activities SET kind = 'FIELD_CHANGE'"
        " WHERE kind IN ('OPENED', 'ASSIGNMENT', 'VISIBILITY_CHANGE', 'PLAY_LAUNCHED')"
    )
    op.execute("DELETE FROM activities WHERE record_type = 'contract'")
    op.execute("DELETE FROM attachments WHERE record_type = 'contract'")
    remove_record_types("contract")
    remove_activity_kinds(*NEW_KINDS)
