"""SLA definitions: the root list internal viewers read (with their applicability), and the
admin's createSlaDefinition and updateSlaDefinition (services/sla_definitions.py)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from csm_graphql.domain.cases import SlaTarget
from csm_graphql.graphql.ids import database_id
from csm_graphql.graphql.lookup_inputs import _search
from csm_graphql.graphql.mutations.common import UserError, perform, reload
from csm_graphql.graphql.mutations.projects import id_of
from csm_graphql.graphql.pagination import After, Connection, First, page_request
from csm_graphql.graphql.types.common import Priority
from csm_graphql.graphql.types.service import SlaDefinition
from csm_graphql.repositories import case_entities, reads
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.sla_definitions import SlaDefinitionFilter as FilterValue
from csm_graphql.services import sla_definitions
from csm_graphql.services.unit_of_work import UnitOfWork


@strawberry.input(description="Which SLA definitions to list; all given filters apply.")
class SlaDefinitionFilter:
    search: str | None = strawberry.field(
        default=None, description="Names containing this text, ignoring case."
    )
    priority: list[Priority] | None = strawberry.field(
        default=None, description="Those applying to any of these priorities."
    )
    target: list[SlaTarget] | None = strawberry.field(
        default=None, description="Response or resolution definitions."
    )
    contract: strawberry.ID | None = strawberry.field(
        default=None,
        description="Those that may apply under this contract: limited to it, or to none.",
    )
    entitlement: strawberry.ID | None = strawberry.field(
        default=None,
        description="Those that may apply under this entitlement: limited to it, or to none.",
    )

    def to_value(self) -> FilterValue:
        return FilterValue(
            search=_search(self.search),
            priorities=tuple(int(p) for p in self.priority or ()),
            targets=tuple(target.value for target in self.target or ()),
            contract_id=database_id(self.contract, "Contract", field="filter.contract"),
            entitlement_id=database_id(self.entitlement, "Entitlement", field="filter.entitlement"),
        )


@strawberry.type(description="SLA definitions (internal).")
class SlaDefinitionQueries:
    @strawberry.field(
        description="SLA definitions by name, with when they apply (priority, contract, "
        "entitlement), their duration and schedule; internal only (empty for contacts)."
    )
    async def sla_definitions(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            SlaDefinitionFilter | None, strawberry.argument(description="Only matching ones.")
        ] = None,
    ) -> Connection[SlaDefinition]:
        value = filter.to_value() if filter is not None else FilterValue()
        page = await reads.page(
            info.context.db,
            case_entities.SLA_DEFINITION,
            info.context.viewer,
            page_request(info, first, after),
            where=value.conditions(),
        )
        return Connection.from_page(page, SlaDefinition.from_row)


@strawberry.input(description="A new SLA definition (admins).")
class CreateSlaDefinitionInput:
    name: str = strawberry.field(description="Unique name, e.g. 'P2 resolution (premium)'.")
    target: SlaTarget = strawberry.field(description="Response or resolution (fixed).")
    priority: Priority = strawberry.field(description="The case priority it applies to.")
    duration_minutes: int = strawberry.field(description="Target duration, 1 minute to a year.")
    schedule_id: strawberry.ID | None = strawberry.field(
        default=None, description="The working hours it runs on (fixed); null: wall-clock."
    )
    contract_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only for cases under this contract."
    )
    entitlement_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only for cases under this entitlement (of the contract's account and "
        "contract, when both are given).",
    )


@strawberry.type(description="The result of creating or changing an SLA definition.")
class SlaDefinitionPayload:
    sla_definition: SlaDefinition | None = strawberry.field(
        description="The definition; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was refused, if it was.")


def _ref(global_id: strawberry.ID | None, type_name: str) -> int | None:
    """null: none; a malformed or wrong-type id names nothing that exists (0: NOT_FOUND)."""
    return None if global_id is None else (id_of(global_id, type_name) or 0)


async def _payload(info: Info, row: Row | None, errors: list[UserError]) -> Any:
    if errors or row is None:
        return SlaDefinitionPayload(sla_definition=None, user_errors=errors)
    found = await reload(info, case_entities.SLA_DEFINITION, row["id"])
    return SlaDefinitionPayload(
        sla_definition=SlaDefinition.from_row(found) if found else None, user_errors=[]
    )


@strawberry.type(description="SLA definition changes (admins).")
class SlaDefinitionMutations:
    @strawberry.mutation(
        description="Create an SLA definition (admins). It applies to cases created from now "
        "on (and to cases whose priority, contract or entitlement changes later); running "
        "SLAs are not changed retroactively. Audited."
    )
    async def create_sla_definition(
        self, info: Info, input: CreateSlaDefinitionInput
    ) -> SlaDefinitionPayload:
        draft = sla_definitions.SlaDefinitionDraft(
            name=input.name,
            target=input.target,
            priority=input.priority,
            duration_minutes=input.duration_minutes,
            schedule_id=_ref(input.schedule_id, "Schedule"),
            contract_id=_ref(input.contract_id, "Contract"),
            entitlement_id=_ref(input.entitlement_id, "Entitlement"),
        )

        async def change(work: UnitOfWork) -> Row:
            return await sla_definitions.create_sla_definition(work, draft)

        outcome = await perform(info, change)
        return await _payload(info, outcome.value, outcome.user_errors)

    @strawberry.mutation(
        description="Change an SLA definition's name, duration or applicability (priority, "
        "contract, entitlement; null clears a limit) (admins). New cases follow at once; "
        "running SLAs keep their planned end (no retroactive change). Target and schedule "
        "are fixed: create another definition. Audited."
    )
    async def update_sla_definition(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The definition.")],
        expected_version: Annotated[
            int, strawberry.argument(description="The definition's version as last read.")
        ],
        name: str | None = strawberry.UNSET,
        priority: Priority | None = strawberry.UNSET,
        duration_minutes: int | None = strawberry.UNSET,
        contract_id: strawberry.ID | None = strawberry.UNSET,
        entitlement_id: strawberry.ID | None = strawberry.UNSET,
    ) -> SlaDefinitionPayload:
        values: dict[str, Any] = {
            name_: value
            for name_, value in (
                ("name", name),
                ("priority", priority),
                ("duration_minutes", duration_minutes),
            )
            if value is not strawberry.UNSET
        }
        if contract_id is not strawberry.UNSET:
            values["contract_id"] = _ref(contract_id, "Contract")
        if entitlement_id is not strawberry.UNSET:
            values["entitlement_id"] = _ref(entitlement_id, "Entitlement")
        definition_id = id_of(id, "SlaDefinition")
        outcome = await perform(
            info,
            lambda work: sla_definitions.update_sla_definition(
                work, definition_id, expected_version, values
            ),
        )
        return await _payload(info, outcome.value, outcome.user_errors)


__all__ = ["SlaDefinitionMutations", "SlaDefinitionQueries"]
