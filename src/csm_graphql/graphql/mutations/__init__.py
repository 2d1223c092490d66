"""The root Mutation: each area contributes a ``<Area>Mutations`` type, merged here.

Field rules classify every mutation as PUBLIC: who may do what is decided by the services and
``access.writes`` (a refusal is a coded user error), not by hiding the field.
"""

from __future__ import annotations

import strawberry

from csm_graphql.graphql.mutations.cases import CaseMutations
from csm_graphql.graphql.mutations.master_data import MasterDataMutations
from csm_graphql.graphql.mutations.master_updates import MasterUpdateMutations
from csm_graphql.graphql.mutations.projects import ProjectMutations
from csm_graphql.graphql.mutations.success import SuccessMutations
from csm_graphql.graphql.mutations.work_orders import WorkOrderMutations
from csm_graphql.graphql.mutations.workspace import WorkspaceMutations
from csm_graphql.graphql.permissions import field_rules
from csm_graphql.graphql.sla_definitions import SlaDefinitionMutations

# Each area's mutation type, in the order its fields should appear.
AREA_MUTATIONS: tuple[type, ...] = (
    ProjectMutations,
    CaseMutations,
    WorkOrderMutations,
    MasterDataMutations,
    MasterUpdateMutations,
    SlaDefinitionMutations,
    WorkspaceMutations,
    SuccessMutations,
)


def _merge(areas: tuple[type, ...]) -> type | None:
    # GraphQL forbids an empty type, so there is no Mutation until an area has one.
    if not areas:
        return None
    merged = type("Mutation", areas, {})
    return field_rules(strawberry.type(merged, description="Changes, one transaction each."))


Mutation = _merge(AREA_MUTATIONS)
