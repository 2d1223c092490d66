"""Workspace updates (issue 4): engagements (optimistic concurrency, a fixed account once
records hang under it, no cyclic parents), objectives and internal plays (closure code and notes
to close, cleared on reopen; an objective closes only once no initiative serving it is open),
initiatives (through their state machine; closing one cancels its open plays)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping

from csm_graphql import tables as t
from csm_graphql.access import rows
from csm_graphql.domain.blueprint import ClosureCode, ClosureRequired, closure_values
from csm_graphql.domain.enums import (
    EngagementStage,
    EngagementState,
    ObjectiveState,
    PerceivedHealth,
    RecordType,
    WorkState,
)
from csm_graphql.domain.success_lifecycle import (
    InvalidTransition,
    SuccessAction,
    action_to,
    objective_action_to,
)
from csm_graphql.domain.workspace import has_cycle
from csm_graphql.repositories import master_data, success_writes, workspace_writes
from csm_graphql.services import success
from csm_graphql.services.errors import (
    UserErrors,
    bad_input,
    invalid_state,
)
from csm_graphql.services.records import load_for_update, update_versioned
from csm_graphql.services.success_kinds import INITIATIVE
from csm_graphql.services.text import clean_text
from csm_graphql.services.unit_of_work import UnitOfWork
from csm_graphql.services.workspace_common import (
    engagement_for_update,
    journal_change,
    may_write,
)

CLOSING_WORK = frozenset({WorkState.CLOSED.value, WorkState.CANCELED.value})
CLOSING_OBJECTIVE = frozenset({ObjectiveState.CLOSED.value, ObjectiveState.CANCELED.value})

# -- updates --------------------------------------------------------------------------------------

ENGAGEMENT_FIELDS = frozenset(
    {
        "name",
        "state",
        "stage",
        "contract_value",
        "go_live_date",
        "renewal_date",
        "perceived_health",
        "parent_id",
        "account_id",
    }
)
# DOMAIN.md: an engagement's account cannot change once it has objectives, plays or risks.
ACCOUNT_PINNING = (
    t.success_objectives,
    t.internal_plays,
    t.success_plays,
    t.success_cases,
    t.risk_signals,
)
# Every other record that carries the engagement's account (composite keys pin it too).
ACCOUNT_CARRYING = (
    t.success_initiatives,
    t.success_tasks,
    t.touchpoints,
    t.contracts,
    t.sold_products,
    t.health_indicators,
    t.health_snapshots,
    t.product_adoption_roadmaps,
    t.discussions,
    t.engagement_contacts,
    t.engagement_users,
    t.internal_play_tasks,
    t.adoption_scores,
    t.health_definitions,
)


async def update_engagement(
    work: UnitOfWork,
    engagement_id: int | None,
    expected_version: int,
    values: Mapping[str, Any],
) -> RowMapping:
    """Change an engagement's details under optimistic concurrency. Its account is fixed once
    records hang under it; its parent may not make the hierarchy loop."""
    unknown = set(values) - ENGAGEMENT_FIELDS
    if unknown:
        raise bad_input(f"Unknown engagement fields: {sorted(unknown)}.")
    engagement = await engagement_for_update(work, engagement_id, "id")
    changes = dict(values)
    if "name" in changes:
        changes["name"] = clean_text(changes["name"], "name", required=True)
    for name, kind in (
        ("state", EngagementState),
        ("stage", EngagementStage),
        ("perceived_health", PerceivedHealth),
    ):
        if changes.get(name) is not None:
            changes[name] = kind(changes[name]).value
        elif name in changes:
            raise bad_input(f"{name} cannot be cleared.", (name,))
    if "contract_value" in changes:
        # Derived from the engagement's active contracts (repositories/entities.py): a value
        # written here would disagree with them at once.
        raise bad_input(
            "contractValue is the sum of the engagement's active contracts "
            "(Engagement.contracts) and cannot be set.",
            ("contractValue",),
        )
    moved = "account_id" in changes and changes["account_id"] != engagement["account_id"]
    if moved:
        account = changes["account_id"]
        if account is None or (
            await master_data.visible_account(work, work.viewer, account) is None
        ):
            raise bad_input("No account with this id.", ("accountId",))
        if await workspace_writes.has_records(work, ACCOUNT_PINNING, engagement["id"]):
            raise invalid_state(
                "The engagement has objectives, plays or risks: its account cannot change.",
                ("accountId",),
            )
        if await workspace_writes.has_records(work, ACCOUNT_CARRYING, engagement["id"]):
            raise invalid_state(
                "Records under the engagement carry its account: it cannot change.",
                ("accountId",),
            )
    if changes.get("parent_id") is not None:
        await _check_parent(work, engagement["id"], changes["parent_id"])
    updated = await update_versioned(work, t.engagements, engagement, expected_version, changes)
    await journal_change(
        work, RecordType.ENGAGEMENT, "engagement.update", engagement, updated, changes
    )
    return updated


async def _check_parent(work: UnitOfWork, engagement_id: int, parent_id: int) -> None:
    if await workspace_writes.visible_engagement_id(work, work.viewer, parent_id) is None:
        raise bad_input("No engagement with this id.", ("parentId",))
    # The chain above the new parent, in one statement (engagement trees are shallow).
    parents = await workspace_writes.engagement_parents(work, parent_id)
    if has_cycle(parents, engagement_id, parent_id):
        raise bad_input("That parent would make the engagement hierarchy loop.", ("parentId",))


def _closure(
    state: str, closing_states: frozenset[str], code: ClosureCode | None, notes: str | None
) -> dict[str, str | None]:
    notes = clean_text(notes, "closureNotes", required=False)
    try:
        return closure_values(state in closing_states, code, notes)
    except ClosureRequired as error:
        raise UserErrors(
            [
                bad_input(str(error), (field,))
                for field, given in (("closureCode", code), ("closureNotes", (notes or "").strip()))
                if not given
            ]
        ) from error


async def update_objective(
    work: UnitOfWork,
    objective_id: int | None,
    expected_version: int,
    state: ObjectiveState,
    closure_code: ClosureCode | None,
    closure_notes: str | None,
) -> RowMapping:
    """Move an objective along its lifecycle (domain/success_lifecycle.py); closing or
    canceling needs its closure code and notes, reopening clears them."""
    objective = await load_for_update(
        work,
        t.success_objectives,
        objective_id,
        rows.success_objectives(work.viewer),
        what="objective",
    )
    may_write(work)
    try:
        objective_action_to(ObjectiveState(objective["state"]), ObjectiveState(state))
    except InvalidTransition as error:
        raise invalid_state(str(error), ("state",)) from error
    closure = _closure(state.value, CLOSING_OBJECTIVE, closure_code, closure_notes)
    if state.value in CLOSING_OBJECTIVE:
        # Ours (issue 11): refused rather than cascaded, because how each initiative ended is
        # the agent's call, and a cascade would close work nobody looked at.
        still_open = await success_writes.open_initiatives_serving(work, objective["id"])
        if still_open:
            raise invalid_state(
                f"{still_open} initiative(s) serving this objective are still open; close or "
                "cancel them first.",
                ("state",),
            )
    values = {"state": state.value, **closure}
    updated = await update_versioned(
        work, t.success_objectives, objective, expected_version, values
    )
    await journal_change(
        work, RecordType.SUCCESS_OBJECTIVE, "success_objective.update", objective, updated, values
    )
    return updated


async def update_internal_play(
    work: UnitOfWork,
    play_id: int | None,
    expected_version: int,
    state: WorkState,
    closure_code: ClosureCode | None,
    closure_notes: str | None,
) -> RowMapping:
    play = await load_for_update(
        work, t.internal_plays, play_id, rows.internal_plays(work.viewer), what="internal play"
    )
    may_write(work)
    closure = _closure(state.value, CLOSING_WORK, closure_code, closure_notes)
    values = {"state": state.value, **closure}
    updated = await update_versioned(work, t.internal_plays, play, expected_version, values)
    await journal_change(
        work, RecordType.INTERNAL_PLAY, "internal_play.update", play, updated, values
    )
    return updated


# ``objective`` of update_initiative_state when the caller leaves the objective as it is.
KEEP_OBJECTIVE = -1


async def update_initiative_state(
    work: UnitOfWork,
    initiative_id: int | None,
    expected_version: int,
    state: WorkState,
    objective: int | None = KEEP_OBJECTIVE,
) -> RowMapping:
    """Move an initiative to ``state`` by the one action of its state machine that does it
    (domain/success_lifecycle.py; the same state moves nothing), and set (an id) or clear
    (None) the objective it serves. Closing it cancels its open plays (DOMAIN.md)."""
    initiative = await success.record_for_update(work, INITIATIVE, initiative_id)
    values: dict[str, Any] = {}
    if objective != KEEP_OBJECTIVE:
        if objective is not None:
            await _objective_of(work, initiative, objective)
        values["objective_id"] = objective
    try:
        action = action_to(WorkState(initiative["state"]), state)
    except InvalidTransition as refused:
        raise invalid_state(str(refused), ("state",)) from None
    if action is None:
        updated = await update_versioned(
            work, t.success_initiatives, initiative, expected_version, values
        )
        await journal_change(
            work,
            RecordType.SUCCESS_INITIATIVE,
            "success_initiative.update",
            initiative,
            updated,
            values,
        )
        return updated
    updated = await success.apply_transition(
        work, INITIATIVE, initiative, expected_version, action, values
    )
    if action is SuccessAction.CLOSE:
        await success.cancel_open_plays(work, updated)
    return updated


async def _objective_of(work: UnitOfWork, initiative: RowMapping, objective_id: int) -> None:
    """An initiative serves an objective of its own engagement (the composite key holds it;
    this says so as a coded error instead of a database failure)."""
    if not await workspace_writes.objective_of_engagement(
        work, work.viewer, objective_id, initiative["engagement_id"]
    ):
        raise bad_input("No objective with this id on this engagement.", ("objectiveId",))
