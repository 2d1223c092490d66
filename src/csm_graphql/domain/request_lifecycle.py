"""The request state machine (DOMAIN.md "Request": SUBMITTED, IN_PROGRESS, FULFILLED, CLOSED,
CANCELED), next to the case lifecycle (domain/case_lifecycle.py).

    SUBMITTED -> IN_PROGRESS                START (an agent takes it up)
    IN_PROGRESS -> FULFILLED                FULFILL (what was asked for is provided)
    FULFILLED -> CLOSED                     CLOSE (finished)
    SUBMITTED, IN_PROGRESS -> CANCELED      CANCEL (called off before it was fulfilled)

DOMAIN.md lists the states, not the moves between them; the table above is ours, read from
the state names: a request is fulfilled only once it is being worked, closed only once
fulfilled, and canceled only before it is fulfilled. CLOSED and CANCELED are final.

Who takes the actions: ACCESS.md says a request "follows the Cases rules for who creates and
sees it" and is silent on who works it, so (deny where silent) only the agents who work cases
do, as they take a case's agent actions (``access.case_writes.works_cases``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from csm_graphql.domain.cases import RequestState
from csm_graphql.domain.descriptions import describe_values


@describe_values(
    START="Agent: take up a SUBMITTED request; it becomes IN_PROGRESS.",
    FULFILL="Agent: what was asked for is provided; IN_PROGRESS becomes FULFILLED.",
    CLOSE="Agent: finish a FULFILLED request; it becomes CLOSED.",
    CANCEL="Agent: call off a SUBMITTED or IN_PROGRESS request; it becomes CANCELED.",
)
class RequestAction(StrEnum):
    START = "START"
    FULFILL = "FULFILL"
    CLOSE = "CLOSE"
    CANCEL = "CANCEL"


@dataclass(frozen=True, slots=True)
class RequestTransition:
    sources: frozenset[RequestState]
    target: RequestState


_S = RequestState

TRANSITIONS: dict[RequestAction, RequestTransition] = {
    RequestAction.START: RequestTransition(frozenset({_S.SUBMITTED}), _S.IN_PROGRESS),
    RequestAction.FULFILL: RequestTransition(frozenset({_S.IN_PROGRESS}), _S.FULFILLED),
    RequestAction.CLOSE: RequestTransition(frozenset({_S.FULFILLED}), _S.CLOSED),
    RequestAction.CANCEL: RequestTransition(frozenset({_S.SUBMITTED, _S.IN_PROGRESS}), _S.CANCELED),
}

FINAL_STATES = frozenset({_S.CLOSED, _S.CANCELED})


class InvalidRequestTransition(ValueError):
    pass


def is_final(state: RequestState) -> bool:
    """A closed or canceled request accepts no update (as a closed or canceled case)."""
    return state in FINAL_STATES


def next_request_state(state: RequestState, action: RequestAction) -> RequestState:
    """The state ``action`` moves a request in ``state`` to; InvalidRequestTransition if it
    may not."""
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        raise InvalidRequestTransition(f"{action.value} is not possible in state {state.value}.")
    return transition.target


__all__ = [
    "FINAL_STATES",
    "TRANSITIONS",
    "InvalidRequestTransition",
    "RequestAction",
    "RequestTransition",
    "is_final",
    "next_request_state",
]
