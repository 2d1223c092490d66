"""What every case write shares: loading a case for change and notifying the people who
follow it (the reads that validate what it points at: repositories/case_references.py; its
SLAs: services/case_slas.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import RowMapping

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.domain.cases import CaseState
from csm_graphql.domain.enums import RecordType
from csm_graphql.repositories import case_followers, checks
from csm_graphql.services.errors import UserError, invalid_state
from csm_graphql.services.records import load_for_update
from csm_graphql.services.unit_of_work import UnitOfWork


async def load_case(work: UnitOfWork, case_id: int | None, field: str = "id") -> RowMapping:
    """The case, locked, if the viewer sees it; NOT_FOUND otherwise (missing or hidden)."""
    visible = rows.cases(work.viewer)
    return await load_for_update(work, t.cases, case_id, visible, what="case", field=(field,))


def require_open(case: RowMapping) -> None:
    """DOMAIN.md: a closed or canceled case cannot be updated."""
    if CaseState(case["state"]).is_final:
        raise invalid_state(
            f"Case {case['number']} is {case['state'].lower()}; it accepts no update."
        )


async def followers(
    work: UnitOfWork, case: RowMapping, *, internal_only: bool = False
) -> tuple[list[int], list[int]]:
    """(user ids, contact ids) to notify about a case: its contact, its internal contact and
    its informed users (DOMAIN.md). An informed employee is told only if it reads every case
    (ACCESS.md: a proxy contact sees just the cases it is the internal contact of, so listing
    it elsewhere must not send it their summaries and comments). ``internal_only`` (work
    notes): employees who read work notes, which leaves out contacts and proxy contacts."""
    informed = await case_followers.informed_readers(work, case["id"])
    if not internal_only:
        users = [case["internal_contact_id"], *informed]
        return [u for u in users if u is not None], await _contact_follower(work, case)
    readers = await checks.work_note_readers(work, [*informed, case["assigned_to_id"]])
    return readers, []


async def _contact_follower(work: UnitOfWork, case: RowMapping) -> list[int]:
    """The case's contact, if it sees the case: a contact with a case role sees the cases it
    is the contact of; one without (a success-only contact an agent named) sees none, so it is
    not sent them either."""
    if case["contact_id"] is None:
        return []
    found = await case_followers.contact_seeing_cases(work, case["contact_id"])
    return [found] if found is not None else []


async def notify_followers(
    work: UnitOfWork,
    event: str,
    case: RowMapping,
    payload: Mapping[str, Any],
    *,
    internal_only: bool = False,
) -> int:
    users, contacts = await followers(work, case, internal_only=internal_only)
    return await work.notify(
        event, RecordType.CASE, case["id"], user_ids=users, contact_ids=contacts, payload=payload
    )


def summary(case: RowMapping) -> dict[str, Any]:
    """What any follower of a case may read about it (no internal field)."""
    return {
        "number": case["number"],
        "shortDescription": case["short_description"],
        "state": case["state"],
    }


def collect(problems: Iterable[UserError | None]) -> list[UserError]:
    return [problem for problem in problems if problem is not None]
