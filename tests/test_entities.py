"""The read side's entity registry: each entity's name is unique, because per-request loaders
are keyed by it (two entities of one name would share rows read under the other's rule)."""

from __future__ import annotations

from collections import Counter
from types import ModuleType

from csm_graphql.repositories import case_entities, entities, workspace_entities
from csm_graphql.repositories.entities import Entity

REGISTRIES: tuple[ModuleType, ...] = (entities, case_entities, workspace_entities)


def _entities() -> list[Entity]:
    found = {
        id(value): value
        for module in REGISTRIES
        for value in vars(module).values()
        if isinstance(value, Entity)
    }
    return list(found.values())


def test_entity_names_are_unique() -> None:
    every = _entities()
    assert len(every) > 30
    names = Counter(entity.name for entity in every)
    assert [name for name, count in names.items() if count > 1] == []
