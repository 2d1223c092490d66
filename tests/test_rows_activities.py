"""Work notes reach employees who work the record, never contacts nor proxy contacts.

Proxy contacts see no customer-success record through the API yet, so the rule is exercised at
the repository level, where every activity read goes through it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables
from csm_graphql.access.roles import ExternalRole, InternalRole
from csm_graphql.access.viewer import PrincipalKind, Viewer
from csm_graphql.domain.enums import ActivityKind
from csm_graphql.repositories import entities, reads
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.paging import PageRequest


async def _kinds_seen(engine: AsyncEngine, viewer: Viewer) -> set[str]:
    activity = tables.activities
    async with engine.connect() as connection:
        case_ids = list(
            await connection.scalars(
                select(activity.c.record_id)
                .where(activity.c.record_type == "success_case")
                .where(activity.c.kind == ActivityKind.WORK_NOTE.value)
                .distinct()
                .limit(50)
            )
        )
    pages = await reads.child_pages(
        Database(engine),
        entities.ACTIVITY,
        viewer,
        "record_id",
        case_ids,
        PageRequest(first=100),
        where=[activity.c.record_type == "success_case"],
    )
    return {row["kind"] for page in pages.values() for row in page.rows}


@pytest.mark.parametrize(
    ("roles", "sees_work_notes"),
    [
        (frozenset({InternalRole.CUSTOMER_SUCCESS_AGENT}), True),
        (frozenset({InternalRole.CASE_AGENT}), True),
        (frozenset({InternalRole.PROXY_CONTACT}), False),
        (frozenset({InternalRole.CASE_AGENT, InternalRole.PROXY_CONTACT}), False),
    ],
)
async def test_work_notes_by_internal_role(
    engine: AsyncEngine, roles: frozenset[InternalRole], sees_work_notes: bool
) -> None:
    viewer = Viewer(PrincipalKind.USER, 1, "Someone", "someone@csm.example", roles)
    kinds = await _kinds_seen(engine, viewer)
    assert ActivityKind.COMMENT.value in kinds
    assert (ActivityKind.WORK_NOTE.value in kinds) is sees_work_notes


async def test_contacts_never_get_work_notes(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        account_ids = tuple(await connection.scalars(select(tables.accounts.c.id)))
    viewer = Viewer(
        PrincipalKind.CONTACT,
        1,
        "Someone",
        "someone@acme.example",
        frozenset({ExternalRole.CUSTOMER_SUCCESS_CUSTOMER}),
        account_ids,
    )
    kinds = await _kinds_seen(engine, viewer)
    assert ActivityKind.COMMENT.value in kinds
    assert ActivityKind.WORK_NOTE.value not in kinds
