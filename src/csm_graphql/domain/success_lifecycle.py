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
from csm_graphql.domain.enums import ObjectiveState, Progress, WorkState


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


@describe_values(
    START="Begin work on the objective: NEW becomes IN_PROGRESS.",
    PAUSE="Hold it for now: IN_PROGRESS becomes PAUSED.",
    RESUME="Carry on: PAUSED becomes IN_PROGRESS.",
    CLOSE="It is reached, partly reached or missed: an open state becomes CLOSED.",
    CANCEL="It is given up: an open state becomes CANCELED.",
    REOPEN="Revisit it: CLOSED or CANCELED becomes IN_PROGRESS, and the closure is cleared.",
)
class ObjectiveAction(StrEnum):
    START = "START"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    CLOSE = "CLOSE"
    CANCEL = "CANCEL"
    REOPEN = "REOPEN"


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


# -- success objectives ---------------------------------------------------------------------------
# DOMAIN.md names an objective's states (the blueprint's "View by state") but not the moves; ours:
#
#     NEW -> IN_PROGRESS                    START
#     IN_PROGRESS -> PAUSED                 PAUSE
#     PAUSED -> IN_PROGRESS                 RESUME
#     NEW, IN_PROGRESS, PAUSED -> CLOSED    CLOSE (closure code and notes required)
#     NEW, IN_PROGRESS, PAUSED -> CANCELED  CANCEL (closure code and notes required)
#     CLOSED, CANCELED -> IN_PROGRESS       REOPEN (clears the closure)
#
# Unlike the work records, a closed objective may be reopened: the blueprint is revisited at
# each business review, and its success rate follows. Closing or canceling one is refused while
# initiatives serving it are open (services/workspace_updates.py).

_O = ObjectiveState
OPEN_OBJECTIVE_STATES = frozenset(state for state in ObjectiveState if not state.is_final)

OBJECTIVE_TRANSITIONS: dict[ObjectiveAction, tuple[frozenset[ObjectiveState], ObjectiveState]] = {
    ObjectiveAction.START: (frozenset({_O.NEW}), _O.IN_PROGRESS),
    ObjectiveAction.PAUSE: (frozenset({_O.IN_PROGRESS}), _O.PAUSED),
    ObjectiveAction.RESUME: (frozenset({_O.PAUSED}), _O.IN_PROGRESS),
    ObjectiveAction.CLOSE: (OPEN_OBJECTIVE_STATES, _O.CLOSED),
    ObjectiveAction.CANCEL: (OPEN_OBJECTIVE_STATES, _O.CANCELED),
    ObjectiveAction.REOPEN: (frozenset({_O.CLOSED, _O.CANCELED}), _O.IN_PROGRESS),
}


def objective_action_to(state: ObjectiveState, target: ObjectiveState) -> ObjectiveAction | None:
    """The move that takes an objective from ``state`` to ``target``; None when they are the
    same state; InvalidTransition when no single move does it."""
    if state is target:
        return None
    for action, (sources, reached) in OBJECTIVE_TRANSITIONS.items():
        if reached is target and state in sources:
            return action
    raise InvalidTransition(f"An objective in state {state.value} cannot move to {target.value}.")
