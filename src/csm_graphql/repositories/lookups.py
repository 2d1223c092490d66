"""What a form's pickers filter by: a search by name or number, and the record they belong to.

A picker list is an ordinary keyset list of its entity (its row rule applies before LIMIT, so
pages are full and counts honest); ``LookupFilter`` only narrows it. It is hashable and
compared by value, so it can also filter a nested list batched by the loaders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, any_, exists, literal, or_

from csm_graphql import tables as t
from csm_graphql.repositories.entities import Entity

# The columns a search looks in, where the entity has them.
_SEARCHED = ("name", "number", "email", "short_description")


def _like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own wildcards escaped, so "50%" finds "50%", not everything."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True, slots=True)
class LookupFilter:
    """Every given condition applies; ids are decoded database ids."""

    search: str | None = None
    account_id: int | None = None
    product_id: int | None = None
    in_force_on: date | None = None
    support_group_id: int | None = None
    role: str | None = None
    case_id: int | None = None
    # Contacts and employees a form may pick: a deactivated one is refused at once anyway.
    active_only: bool = False

    def conditions(self, entity: Entity) -> list[ColumnElement[bool]]:
        columns = entity.table.c
        conditions: list[ColumnElement[bool]] = []
        if self.search:
            pattern = _like_pattern(self.search)
            conditions.append(
                or_(
                    *(
                        columns[name].ilike(pattern, escape="\\")
                        for name in _SEARCHED
                        if name in columns
                    )
                )
            )
        if self.account_id is not None:
            conditions.append(columns.account_id == self.account_id)
        if self.case_id is not None:
            conditions.append(columns.case_id == self.case_id)
        if self.product_id is not None:
            conditions.append(columns.product_id == self.product_id)
        if self.in_force_on is not None:
            # In force: active, and the day within its term (both ends included).
            conditions.append(
                and_(
                    columns.active.is_(True),
                    columns.start_date <= self.in_force_on,
                    columns.end_date >= self.in_force_on,
                )
            )
        if self.support_group_id is not None:
            members = t.support_group_members
            conditions.append(
                exists().where(
                    members.c.user_id == columns.id,
                    members.c.support_group_id == self.support_group_id,
                )
            )
        if self.role is not None:
            conditions.append(literal(self.role) == any_(columns.roles))
        if self.active_only:
            conditions.append(columns.active.is_(True))
        return conditions


__all__ = ["LookupFilter"]
