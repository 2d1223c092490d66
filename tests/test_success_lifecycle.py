"""The success records' state machine (domain/success_lifecycle.py), against the README table
written out again here: every (state, action) pair, allowed or refused."""

from __future__ import annotations

import pytest

from csm_graphql.domain.enums import ObjectiveState, Progress, WorkState
from csm_graphql.domain.success_lifecycle import (
    InvalidTransition,
    ObjectiveAction,
    SuccessAction,
    action_to,
    objective_action_to,
    transition,
)

OPEN = {"NEW", "IN_PROGRESS", "PAUSED", "BLOCKED"}
# action -> (source states, target state, progress after), as the README states it.
TABLE = {
    "START": ({"NEW"}, "IN_PROGRESS", "ON_TRACK"),
    "PAUSE": ({"IN_PROGRESS"}, "PAUSED", "PAUSED"),
    "BLOCK": ({"IN_PROGRESS"}, "BLOCKED", "AT_RISK"),
    "RESUME": ({"PAUSED", "BLOCKED"}, "IN_PROGRESS", "ON_TRACK"),
    "CLOSE": (OPEN, "CLOSED", "COMPLETED"),
    "CANCEL": (OPEN, "CANCELED", "CANCELED"),
}
PAIRS = [(state, action) for state in WorkState for action in SuccessAction]


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_state_and_action(state: WorkState, action: SuccessAction) -> None:
    sources, target, progress = TABLE[action.value]
    if state.value in sources:
        move = transition(state, action)
        assert (move.target, move.progress) == (WorkState(target), Progress(progress))
    else:
        with pytest.raises(InvalidTransition):
            transition(state, action)


def test_closed_and_canceled_are_final() -> None:
    for final in (WorkState.CLOSED, WorkState.CANCELED):
        for target in WorkState:
            with pytest.raises(InvalidTransition):
                action_to(final, target)


def test_a_target_state_names_its_one_action() -> None:
    assert action_to(WorkState.NEW, WorkState.IN_PROGRESS) is SuccessAction.START
    assert action_to(WorkState.BLOCKED, WorkState.IN_PROGRESS) is SuccessAction.RESUME
    assert action_to(WorkState.PAUSED, WorkState.CLOSED) is SuccessAction.CLOSE
    assert action_to(WorkState.PAUSED, WorkState.PAUSED) is None
    with pytest.raises(InvalidTransition):
        action_to(WorkState.NEW, WorkState.PAUSED)


# -- success objectives (the blueprint's View by state) -------------------------------------------

OPEN_OBJECTIVE = {"NEW", "IN_PROGRESS", "PAUSED"}
# action -> (source states, target state), as domain/success_lifecycle.py documents it.
OBJECTIVE_TABLE = {
    "START": ({"NEW"}, "IN_PROGRESS"),
    "PAUSE": ({"IN_PROGRESS"}, "PAUSED"),
    "RESUME": ({"PAUSED"}, "IN_PROGRESS"),
    "CLOSE": (OPEN_OBJECTIVE, "CLOSED"),
    "CANCEL": (OPEN_OBJECTIVE, "CANCELED"),
    "REOPEN": ({"CLOSED", "CANCELED"}, "IN_PROGRESS"),
}
OBJECTIVE_PAIRS = [(state, target) for state in ObjectiveState for target in ObjectiveState]


def test_objective_states_are_domain_md_s() -> None:
    assert [state.value for state in ObjectiveState] == [
        "NEW",
        "IN_PROGRESS",
        "PAUSED",
        "CLOSED",
        "CANCELED",
    ]
    assert {action.value for action in ObjectiveAction} == set(OBJECTIVE_TABLE)


@pytest.mark.parametrize(
    ("state", "target"), OBJECTIVE_PAIRS, ids=[f"{s}-{t}" for s, t in OBJECTIVE_PAIRS]
)
def test_every_objective_move_allowed_or_refused(
    state: ObjectiveState, target: ObjectiveState
) -> None:
    allowed = [
        action
        for action, (sources, reached) in OBJECTIVE_TABLE.items()
        if state.value in sources and reached == target.value
    ]
    if state is target:
        assert objective_action_to(state, target) is None
    elif allowed:
        assert objective_action_to(state, target) is ObjectiveAction(allowed[0])
    else:
        with pytest.raises(InvalidTransition):
            objective_action_to(state, target)


def test_paused_is_reached_and_left_both_ways() -> None:
    assert objective_action_to(ObjectiveState.IN_PROGRESS, ObjectiveState.PAUSED) is (
        ObjectiveAction.PAUSE
    )
    assert objective_action_to(ObjectiveState.PAUSED, ObjectiveState.IN_PROGRESS) is (
        ObjectiveAction.RESUME
    )
    for refused in (ObjectiveState.NEW, ObjectiveState.CLOSED, ObjectiveState.CANCELED):
        with pytest.raises(InvalidTransition):
            objective_action_to(refused, ObjectiveState.PAUSED)
    with pytest.raises(InvalidTransition):
        objective_action_to(ObjectiveState.PAUSED, ObjectiveState.NEW)
