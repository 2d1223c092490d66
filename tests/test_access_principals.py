"""The SQL capability predicates over stored principals (access/principals.py) agree with the
Viewer's properties for every seeded principal, so "may I?" and "which others may?" never
drift apart."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql import tables as t
from csm_graphql.access import principals
from csm_graphql.access.viewer import PrincipalKind, Viewer
from csm_graphql.repositories.database import Database
from csm_graphql.repositories.principals import load_viewer
from tests.factories import Isolated

USER_CAPABILITIES = {
    "reads_all_cases": principals.users_reading_all_cases,
    "writes_cases": principals.users_working_cases,
    "works_projects": principals.users_working_projects,
    "is_proxy_contact": principals.proxy_contacts,
    "reads_work_notes": principals.users_reading_work_notes,
}


async def _selected(engine: AsyncEngine, table: object, predicate: object) -> set[int]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(table.c.id).where(predicate))  # type: ignore[attr-defined]
        return {row.id for row in rows}


async def _viewers(
    engine: AsyncEngine, kind: PrincipalKind, table: object
) -> dict[int, Viewer | None]:
    db = Database(engine)
    ids = await _selected(engine, table, True)  # type: ignore[arg-type]
    return {i: await load_viewer(db, kind, i) for i in sorted(ids)}


@pytest.mark.parametrize("capability", sorted(USER_CAPABILITIES))
async def test_user_predicates_match_the_viewer(engine: AsyncEngine, capability: str) -> None:
    viewers = await _viewers(engine, PrincipalKind.USER, t.users)
    expected = {i for i, v in viewers.items() if v is not None and getattr(v, capability)}
    assert expected, f"no seeded user {capability}: the comparison would be vacuous"
    assert await _selected(engine, t.users, USER_CAPABILITIES[capability]()) == expected


async def test_contact_case_role_predicate_matches_the_viewer(engine: AsyncEngine) -> None:
    viewers = await _viewers(engine, PrincipalKind.CONTACT, t.contacts)
    expected = {i for i, v in viewers.items() if v is not None and v.has_case_role}
    assert expected
    assert expected != {i for i, v in viewers.items() if v is not None}
    assert await _selected(engine, t.contacts, principals.contacts_with_case_roles()) == expected


async def test_a_contacts_accounts_walk_every_level_of_every_account_it_acts_for(
    isolated: Isolated,
) -> None:
    """The viewer load walks the hierarchy below each of the contact's accounts (its own and
    the related ones) to any depth, stops on a cycle, and gathers the customers of every
    account it is partner for; nothing from a sibling tree."""
    make = isolated.make
    own = await make.account("Own", kind="PARTNER")
    child = await make.account("Child", parent=own)
    grandchild = await make.account("Grandchild", parent=child)
    great = await make.account("Great-grandchild", parent=grandchild)
    related = await make.account("Related")
    related_child = await make.account("Related child", parent=related)
    looped = await make.account("Loop head")
    loop_tail = await make.account("Loop tail", parent=looped)
    # A cycle is invalid (the write side refuses one), but the walk must still end.
    async with isolated.engine.begin() as connection:
        await connection.execute(
            update(t.accounts).where(t.accounts.c.id == looped["id"]),
            {"parent_id": loop_tail["id"]},
        )
    sibling = await make.account("Sibling")
    await make.account("Sibling's child", parent=sibling)
    served = await make.account("Served")
    await make.partner(own, served)
    await make.partner(sibling, await make.account("Served by the sibling"))
    contact = await make.contact(
        own, "customer_case_manager", "partner_admin", related=[related, looped]
    )

    viewer = await load_viewer(Database(isolated.engine), PrincipalKind.CONTACT, contact["id"])

    assert viewer is not None
    assert viewer.account_ids == (own["id"], *sorted([related["id"], looped["id"]]))
    assert set(viewer.descendant_account_ids) == {
        child["id"],
        grandchild["id"],
        great["id"],
        related_child["id"],
        loop_tail["id"],
        looped["id"],  # reached again through the cycle: it is the contact's account anyway
    }
    assert viewer.served_account_ids == (served["id"],)
    # What the two roles make of them: all the cases of every one of these accounts.
    assert set(viewer.case_account_ids) == {
        *viewer.account_ids,
        *viewer.descendant_account_ids,
        served["id"],
    }
