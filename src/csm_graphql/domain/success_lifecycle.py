"""The state machine of success initiatives, success cases, success tasks and touchpoints.

DOMAIN.md names the states (NEW, IN_PROGRESS, PAUSED, CANCELED, CLOSED; the work-item views add
BLOCKED) but not the moves between them, so these are ours:

    NEW -> IN_PROGRESS                            START
    IN_PROGRESS -> PAUSED                         PAUSE
    IN_PROGRESS -> BLOCKED                        BLOCK
    PAUSED, BLOCKED -> IN_PROGRESS                RESUME
    NEW, IN_PROGRESS, PAUSED, BLOCKED -> CLOSED   CLOSE (done, or a touchpoint held)
    NEW, IN_PROGRESS, PAUSED, BLOCKED -> CANCELED CANCEL

CLOSED and CANCELED are final, as for customer service cases: such a record accepts no change.

Initiatives and tasks also carry a progress; each move sets it, so that a closed initiative
never reads ON_TRACK and a paused one never reads NOT_STARTED.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import Progress, WorkState


@describe_values(
    START="Begin work: NEW becomes IN_PROGRESS (progress ON_TRACK).",
    PAUSE="Hold the work for now: IN_PROGRESS becomes PAUSED (progress PAUSED).",
    BLOCK="Something stops the work: IN_PROGRESS becomes BLOCKED (progress AT_RISK).",
    RESUME="Carry on: PAUSED or BLOCKED becomes IN_PROGRESS (progress ON_TRACK).",
    CLOSE="The work is done: any open state becomes CLOSED (progress COMPLETED); final.",
    CANCEL="The work will not be done: any open state becomes CANCELED; final.",
)
class SuccessAction(StrEnum):
    START = "START"
    PAUSE = "PAUSE"
    BLOCK = "BLOCK"
    RESUME = "RESUME"
    CLOSE = "CLOSE"
    CANCEL = "CANCEL"


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[WorkState]
    target: WorkState
    # The progress the record shows after the move (initiatives and tasks).
    progress: Progress


_S = WorkState
OPEN_STATES = frozenset(state for state in WorkState if state.is_open)

TRANSITIONS: dict[SuccessAction, Transition] = {
    SuccessAction.START: Transition(frozenset({_S.NEW}), _S.IN_PROGRESS, Progress.ON_TRACK),
    SuccessAction.PAUSE: Transition(frozenset({_S.IN_PROGRESS}), _S.PAUSED, Progress.PAUSED),
    SuccessAction.BLOCK: Transition(frozenset({_S.IN_PROGRESS}), _S.BLOCKED, Progress.AT_RISK),
    SuccessAction.RESUME: Transition(
        frozenset({_S.PAUSED, _S.BLOCKED}), _S.IN_PROGRESS, Progress.ON_TRACK
    ),
    SuccessAction.CLOSE: Transition(OPEN_STATES, _S.CLOSED, Progress.COMPLETED),
    SuccessAction.CANCEL: Transition(OPEN_STATES, _S.CANCELED, Progress.CANCELED),
}

# The progress values an update may set by hand: the others follow from the state.
CHOSEN_PROGRESS = frozenset({Progress.NOT_STARTED, Progress.ON_TRACK, Progress.AT_RISK})


class InvalidTransition(ValueError):
    pass


def transition(state: WorkState, action: SuccessAction) -> Transition:
    """The move ``action`` makes from ``state``; InvalidTransition if it may not."""
    move = TRANSITIONS[action]
    if state not in move.sources:
        raise InvalidTransition(f"{action.value} is not possible in state {state.value}.")
    return move


def action_to(state: WorkState, target: WorkState) -> SuccessAction | None:
    """The action that moves ``state`` to ``target`` (for callers that name the target state);
    None when they are the same state; InvalidTransition when no single action does it."""
    if state is target and state.is_open:
        return None
    for action, move in TRANSITIONS.items():
        if move.target is target and state in move.sources:
            return action
    raise InvalidTransition(f"A record in state {state.value} cannot move to {target.value}.")
