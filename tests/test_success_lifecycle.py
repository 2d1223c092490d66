"""The success records' state machine (domain/success_lifecycle.py), against the README table
written out again here: every (state, action) pair, allowed or refused."""

from __future__ import annotations

import pytest

from csm_graphql.domain.enums import Progress, WorkState
from csm_graphql.domain.success_lifecycle import (
    InvalidTransition,
    SuccessAction,
    action_to,
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
