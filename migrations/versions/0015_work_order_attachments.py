"""Attachments on work orders

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:40:00

The journal tables (activities, attachments) accept the record type ``work_order``: whoever
sees a work order may attach files to it (addWorkOrderAttachment). Activities take the type
too, because one CHECK list serves both tables.

Downgrade deletes work-order attachments and activities (the old schema has no place for
them) and removes the type.
"""

from collections.abc import Sequence

from alembic import op

from csm_graphql.migrations._frozen import add_record_types, remove_record_types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_record_types("work_order")


def downgrade() -> None:
    op.execute("DELETE FROM activities WHERE record_type = 'work_order'")
    op.execute("DELETE FROM attachments WHERE record_type = 'work_order'")
    remove_record_types("work_order")
