"""What produces each declared field: the machine-readable half of a declaration.

The resolver executor does not need these records (the fields carry their own resolvers); they
are for whoever must know where a value comes from without running Python: the compiled-reads
executor (one SQL statement per operation), the contributing guide's listings and the tests.
Each record names tables and columns by their SQL names, so a compiler can build the same
joins the loaders run, with the same row rules (the entity's ``visible``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


@dataclass(frozen=True, slots=True)
class GlobalId:
    """The opaque global id: base64url("<type_name>:<column>")."""

    type_name: str
    column: str = "id"


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the entity's table, as stored (an enum column holds the enum's value)."""

    table: str
    column: str


@dataclass(frozen=True, slots=True)
class SqlExpression:
    """A value the entity's read computes alongside the row (``Entity.extra_columns``)."""

    label: str
    expression: ColumnElement[object]


@dataclass(frozen=True, slots=True)
class ToOne:
    """The row of ``entity`` whose ``target_key`` equals this row's ``key``, if visible."""

    entity: str
    table: str
    key: str
    target_key: str = "id"


@dataclass(frozen=True, slots=True)
class ToMany:
    """A keyset page of ``entity`` rows whose ``child_key`` is this row's id, under the
    entity's row rule; ``equals`` are fixed conditions (a polymorphic parent's record type,
    activity kinds); ``filter_input``/``order_input`` name the GraphQL inputs it accepts."""

    entity: str
    table: str
    child_key: str
    equals: tuple[tuple[str, tuple[str, ...]], ...] = ()
    filter_input: str | None = None
    order_input: str | None = None
    # The filter input (converted) -> a ChildFilter (``conditions(entity)``), as the resolver
    # builds it: what a compiled read applies too.
    to_filter: Callable[[Any], Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class NarrowedToMany:
    """A keyset page of ``entity`` rows whose ``child_key`` is this row's id, narrowed and
    ordered by a Python function of the list's arguments and the request (``function``, its
    qualified name: e.g. "overdue" is decided by the request's date). The relation is known;
    the narrowing is not SQL a compiler can read, so a compiled read leaves it to resolvers."""

    entity: str
    table: str
    child_key: str
    function: str


@dataclass(frozen=True, slots=True)
class RowList:
    """The ``entity`` rows a per-request loader gives for this row's id, as a plain list (not
    paged): a union of relationships, the people kept informed. ``loader`` is the qualified
    name of the function that picks the loader; the rows come under the loader's rules."""

    entity: str
    table: str
    loader: str


@dataclass(frozen=True, slots=True)
class LinkMany:
    """A keyset page of ``entity`` rows reached through a link table: ``link_table`` rows
    whose ``parent_key`` is this row's id name the targets by ``target_key``."""

    entity: str
    table: str
    link_table: str
    parent_key: str
    target_key: str


@dataclass(frozen=True, slots=True)
class LinkList:
    """Every ``entity`` row listed in ``link_table`` for this row (its ``parent_key`` is this
    row's id, its ``target_key`` names the row), under the entity's row rule, in the
    entity's default ordering, as a plain list (not paged)."""

    entity: str
    table: str
    link_table: str
    parent_key: str
    target_key: str


@dataclass(frozen=True, slots=True)
class PythonFunction:
    """A value computed in Python (``function`` is its qualified name) from the row's
    ``reads`` columns and the request; a compiled read runs it as a finisher or falls back."""

    function: str
    reads: tuple[str, ...] = ()


Producer = (
    GlobalId
    | Column
    | SqlExpression
    | ToOne
    | ToMany
    | NarrowedToMany
    | RowList
    | LinkMany
    | LinkList
    | PythonFunction
)

__all__ = [
    "Column",
    "GlobalId",
    "LinkList",
    "LinkMany",
    "NarrowedToMany",
    "Producer",
    "PythonFunction",
    "RowList",
    "SqlExpression",
    "ToMany",
    "ToOne",
]
