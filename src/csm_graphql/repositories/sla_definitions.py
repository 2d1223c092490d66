"""Reads behind SLA definition writes: what a definition may point at, as the actor sees it
(None when hidden or missing, alike), and whether a name is taken."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, RowMapping, func, or_, select

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories.case_entities import SLA_DEFINITION
from csm_graphql.repositories.checks import RowReader
from csm_graphql.repositories.lookups import LookupFilter


@dataclass(frozen=True, slots=True)
class SlaDefinitionFilter:
    """Which definitions a list shows; ids are decoded database ids. All given ones apply.
    ``applying_to_contract``/``applying_to_entitlement`` keep the definitions limited to that
    record and those limited to none (they apply whatever the case's)."""

    search: str | None = None
    priorities: tuple[int, ...] = ()
    targets: tuple[str, ...] = ()
    contract_id: int | None = None
    entitlement_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        columns = t.sla_definitions.c
        conditions = LookupFilter(search=self.search).conditions(SLA_DEFINITION)
        if self.priorities:
            conditions.append(columns.priority.in_(self.priorities))
        if self.targets:
            conditions.append(columns.target.in_(self.targets))
        if self.contract_id is not None:
            conditions.append(
                or_(columns.contract_id.is_(None), columns.contract_id == self.contract_id)
            )
        if self.entitlement_id is not None:
            conditions.append(
                or_(
                    columns.entitlement_id.is_(None),
                    columns.entitlement_id == self.entitlement_id,
                )
            )
        return conditions


async def visible_entitlement(
    reader: RowReader, viewer: Viewer, entitlement_id: int
) -> RowMapping | None:
    entitlements = t.entitlements
    return await reader.first(
        select(entitlements.c.id, entitlements.c.account_id, entitlements.c.contract_id).where(
            entitlements.c.id == entitlement_id, rows.entitlements(viewer)
        )
    )


async def name_taken(reader: RowReader, name: str, *, excluding_id: int | None = None) -> bool:
    """Definition names are unique, ignoring case (a case's SLAs are shown by name)."""
    definitions = t.sla_definitions
    found = select(definitions.c.id).where(func.lower(definitions.c.name) == name.lower())
    if excluding_id is not None:
        found = found.where(definitions.c.id != excluding_id)
    return await reader.scalar(select(found.exists())) is True


__all__ = ["SlaDefinitionFilter", "name_taken", "visible_entitlement"]
