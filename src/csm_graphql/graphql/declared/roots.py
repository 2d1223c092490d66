"""Root fields declared beside their type: an entity module contributes its root lists and
mutations by decorating an area class, instead of being added by hand to ``queries.py`` and
``mutations/__init__.py``.

``served_query`` and ``served_mutation`` import every module of ``graphql/types/`` first (so
every declaration, and with it every node type, has registered itself) and merge the
registered areas into the root types the schema serves. The root types' field rules are
checked on the merged type, as for the hand-written roots (``access/fields.py``).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TypeVar

import strawberry

from csm_graphql.graphql.permissions import field_rules

T = TypeVar("T", bound=type)

ROOT_QUERIES: list[type] = []
ROOT_MUTATIONS: list[type] = []
TYPE_PACKAGE = "csm_graphql.graphql.types"


def root_queries(cls: T) -> T:
    """Add ``cls``'s fields (a ``@strawberry.type`` area) to the root Query."""
    ROOT_QUERIES.append(cls)
    return cls


def root_mutations(cls: T) -> T:
    """Add ``cls``'s mutations (a ``@strawberry.type`` area) to the root Mutation."""
    ROOT_MUTATIONS.append(cls)
    return cls


@cache
def load_type_modules() -> None:
    """Import every module of ``graphql/types/``: a type module is registered by existing."""
    package = importlib.import_module(TYPE_PACKAGE)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{TYPE_PACKAGE}.{module.name}")


def _merge(name: str, base: type | None, areas: list[type], description: str) -> type | None:
    """``base`` with the areas' fields after its own (so the served schema only grows)."""
    if not areas:
        return base
    bases = tuple(areas) if base is None else (base, *areas)
    # The root keeps the description the hand-written root gave it.
    definition = getattr(base, "__strawberry_definition__", None)
    description = getattr(definition, "description", None) or description
    merged = type(name, bases, {})
    return field_rules(strawberry.type(merged, name=name, description=description))


@cache
def served_query(base: type) -> type:
    load_type_modules()
    merged = _merge("Query", base, ROOT_QUERIES, "Everything the viewer may read.")
    assert merged is not None
    return merged


@cache
def served_mutation(base: type | None) -> type | None:
    load_type_modules()
    return _merge("Mutation", base, ROOT_MUTATIONS, "Changes, one transaction each.")


__all__ = [
    "ROOT_MUTATIONS",
    "ROOT_QUERIES",
    "load_type_modules",
    "root_mutations",
    "root_queries",
    "served_mutation",
    "served_query",
]
