"""The registry every declaration lands in: node dispatch, row builders, declared fields.

``NODES`` answers "how do I build a ``<Type>`` from a row, and under which row rule do I read
it?" for ``node(id:)`` and for every to-one and nested-list resolver; ``DECLARED`` answers
"what produces each field of ``<Type>``?" for a compiler. Types written by hand (not yet
declared) register their node with ``register_node``, so both kinds dispatch alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from csm_graphql.access.fields import FieldRule
from csm_graphql.graphql.declared.producers import Producer
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity

Build = Callable[[Row], Any]


class DeclarationError(TypeError):
    """A declaration that cannot be served: raised at import time, never per request."""


@dataclass(frozen=True, slots=True)
class NodeEntry:
    """A type with a global id: its class, its entity as ``node(id:)`` reads it (table and
    row rule: ``Entity.read_alone``) and its builder. ``fetchable`` False keeps a type out of
    ``node(id:)`` (null for every id)."""

    cls: type
    entity: Entity
    build: Build
    fetchable: bool = True


@dataclass(frozen=True, slots=True)
class DeclaredField:
    graphql_name: str
    python_name: str
    producer: Producer
    rule: FieldRule


@dataclass(frozen=True, slots=True)
class DeclaredType:
    name: str
    entity: Entity
    cls: type
    fields: Mapping[str, DeclaredField]


NODES: dict[str, NodeEntry] = {}
DECLARED: dict[str, DeclaredType] = {}


def register_node(
    cls: type, entity: Entity, build: Build, *, name: str | None = None, fetchable: bool = True
) -> None:
    type_name = name or cls.__name__
    if type_name != entity.name:
        raise DeclarationError(f"{type_name} is read as entity {entity.name}: names differ.")
    if type_name in NODES and NODES[type_name].cls is not cls:
        raise DeclarationError(f"Two node types are named {type_name}.")
    NODES[type_name] = NodeEntry(cls, entity.read_alone(), build, fetchable)


def builder(entity: Entity) -> Build:
    """The builder of the type that shows ``entity``'s rows (resolvers call this per batch,
    after every type module is imported)."""
    try:
        return NODES[entity.name].build
    except KeyError:
        raise DeclarationError(f"No type registers entity {entity.name}.") from None


def fetchable(type_name: str) -> NodeEntry | None:
    entry = NODES.get(type_name)
    return entry if entry is not None and entry.fetchable else None


def node_classes() -> list[type]:
    """Every node type, for the schema (some are reachable only through ``Node``)."""
    return [entry.cls for entry in NODES.values()]


__all__ = [
    "DECLARED",
    "NODES",
    "DeclarationError",
    "DeclaredField",
    "DeclaredType",
    "NodeEntry",
    "builder",
    "fetchable",
    "node_classes",
    "register_node",
]
