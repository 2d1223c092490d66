"""Shared table metadata and the columns every record has."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Integer,
    MetaData,
    Sequence,
    Text,
    func,
    text,
)

# Constraint names are stable across environments, so migrations can name what they change.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def id_column() -> Column[int]:
    return Column("id", BigInteger, Identity(always=False), primary_key=True)


def record_columns() -> list[Column[Any]]:
    """createdAt, updatedAt and the optimistic-concurrency version of DOMAIN.md."""
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("version", Integer, nullable=False, server_default=text("1")),
    ]


def number_column(sequence: Sequence, prefix: str) -> Column[str]:
    """A human number such as SCASE0001042, drawn from a sequence (concurrency-safe)."""
    default = text(f"'{prefix}' || lpad(nextval('{sequence.name}')::text, 7, '0')")
    return Column("number", Text, nullable=False, unique=True, server_default=default)


def one_of(column: str, values: Iterable[Enum | str], name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value if isinstance(v, Enum) else v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_valid")
