"""Operations that several migrations share.

Activities and attachments reference any record type polymorphically, and a CHECK lists the
record types they accept. Each area's migration adds its own types to that list rather than
rewriting it whole, so migrations of different areas compose in any order. (Autogenerate does
not compare CHECK constraints, so these changes are always written by hand.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from alembic import op
from sqlalchemy import text

JOURNAL_TABLES = ("activities", "attachments")


def add_record_types(*record_types: str) -> None:
    _rewrite(lambda current: current | set(record_types))


def remove_record_types(*record_types: str) -> None:
    _rewrite(lambda current: current - set(record_types))


def _rewrite(change: Callable[[set[str]], set[str]]) -> None:
    bind = op.get_bind()
    for table in JOURNAL_TABLES:
        name = f"ck_{table}_record_type_valid"
        definition = bind.execute(
            text(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class r ON r.oid = c.conrelid WHERE c.conname = :name AND r.relname = :t"
            ),
            {"name": name, "t": table},
        ).scalar_one()
        allowed = sorted(change(set(re.findall(r"'([^']+)'", definition))))
        listed = ", ".join(f"'{value}'" for value in allowed)
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, f"record_type IN ({listed})")
