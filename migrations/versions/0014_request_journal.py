"""Requests have an activity stream and attachments (DOMAIN.md "Request": comments,
attachments, state changes)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 06:30:00

Activities and attachments accept the record type ``request`` (their CHECKs, rewritten by the
frozen helpers so areas compose). No existing row changes. Downgrade deletes the request
entries and files (the old schema has no place for them) and takes the type out again.
"""

from collections.abc import Sequence

from alembic import op

from csm_graphql.migrations._frozen import add_record_types, remove_record_types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_record_types("request")


def downgrade() -> None:
    op.execute("DELETE FROM activities WHERE record_type = 'request'")
    op.execute("DELETE FROM attachments WHERE record_type = 'request'")
    remove_record_types("request")
