"""The case state machine, exactly as DOMAIN.md section 4 states it.

    NEW -> OPEN                       ACCEPT (an agent accepts: assigned to them)
    OPEN -> AWAITING_INFO             REQUEST_INFO (agent)
    AWAITING_INFO -> OPEN             RESUME (agent) or CUSTOMER_UPDATE (any customer update:
                                      a comment by the contact side does it implicitly)
    OPEN, AWAITING_INFO -> RESOLVED   PROPOSE_SOLUTION (agent; resolution code and notes)
    RESOLVED -> CLOSED                ACCEPT_SOLUTION (customer side)
    RESOLVED -> OPEN                  REJECT_SOLUTION (customer side; clears the resolution)
    NEW, OPEN, AWAITING_INFO -> CLOSED    CLOSE (agent; resolution notes required)
    NEW, OPEN, AWAITING_INFO -> CANCELED  CANCEL (agent) (ours)

CLOSED and CANCELED are final: a case in them accepts no update at all. DOMAIN.md names no
source for "propose solution"; ours: OPEN or AWAITING_INFO (a NEW case must be accepted first).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from csm_graphql.domain.cases import CaseState
from csm_graphql.domain.descriptions import describe_values


@describe_values(
    ACCEPT="Agent: take a NEW case; it becomes OPEN and its response SLA completes.",
    REQUEST_INFO="Agent: ask the customer for information; OPEN becomes AWAITING_INFO.",
    RESUME="Agent: carry on without the information; AWAITING_INFO becomes OPEN.",
    CUSTOMER_UPDATE="Customer: provide the information; AWAITING_INFO becomes OPEN.",
    PROPOSE_SOLUTION=(
        "Agent: propose a solution, with resolution code and notes; OPEN or AWAITING_INFO "
        "becomes RESOLVED."
    ),
    ACCEPT_SOLUTION="Customer: accept the proposed solution; RESOLVED becomes CLOSED.",
    REJECT_SOLUTION="Customer: reject the proposed solution; RESOLVED becomes OPEN.",
    CLOSE="Agent: close a NEW, OPEN or AWAITING_INFO case, with resolution notes.",
    CANCEL="Agent: cancel a NEW, OPEN or AWAITING_INFO case.",
)
class CaseAction(StrEnum):
    ACCEPT = "ACCEPT"
    REQUEST_INFO = "REQUEST_INFO"
    RESUME = "RESUME"
    CUSTOMER_UPDATE = "CUSTOMER_UPDATE"
    PROPOSE_SOLUTION = "PROPOSE_SOLUTION"
    ACCEPT_SOLUTION = "ACCEPT_SOLUTION"
    REJECT_SOLUTION = "REJECT_SOLUTION"
    CLOSE = "CLOSE"
    CANCEL = "CANCEL"


class Actor(StrEnum):
    """Who may take an action: the agents working the case, or its customer side (the
    contact, the internal contact, an external admin of the account)."""

    AGENT = "AGENT"
    CUSTOMER = "CUSTOMER"


@dataclass(frozen=True, slots=True)
class Transition:
    sources: frozenset[CaseState]
    target: CaseState
    actor: Actor
    needs_resolution_code: bool = False
    needs_resolution_notes: bool = False
    # The customer turned the proposed solution down: its resolution code and notes go.
    clears_resolution: bool = False


_S = CaseState
_WORKING = frozenset({_S.NEW, _S.OPEN, _S.AWAITING_INFO})

TRANSITIONS: dict[CaseAction, Transition] = {
    CaseAction.ACCEPT: Transition(frozenset({_S.NEW}), _S.OPEN, Actor.AGENT),
    CaseAction.REQUEST_INFO: Transition(frozenset({_S.OPEN}), _S.AWAITING_INFO, Actor.AGENT),
    CaseAction.RESUME: Transition(frozenset({_S.AWAITING_INFO}), _S.OPEN, Actor.AGENT),
    CaseAction.CUSTOMER_UPDATE: Transition(frozenset({_S.AWAITING_INFO}), _S.OPEN, Actor.CUSTOMER),
    CaseAction.PROPOSE_SOLUTION: Transition(
        frozenset({_S.OPEN, _S.AWAITING_INFO}),
        _S.RESOLVED,
        Actor.AGENT,
        needs_resolution_code=True,
        needs_resolution_notes=True,
    ),
    CaseAction.ACCEPT_SOLUTION: Transition(frozenset({_S.RESOLVED}), _S.CLOSED, Actor.CUSTOMER),
    CaseAction.REJECT_SOLUTION: Transition(
        frozenset({_S.RESOLVED}), _S.OPEN, Actor.CUSTOMER, clears_resolution=True
    ),
    CaseAction.CLOSE: Transition(_WORKING, _S.CLOSED, Actor.AGENT, needs_resolution_notes=True),
    CaseAction.CANCEL: Transition(_WORKING, _S.CANCELED, Actor.AGENT),
}


class InvalidTransition(ValueError):
    pass


def next_state(state: CaseState, action: CaseAction) -> CaseState:
    """The state ``action`` moves a case in ``state`` to; InvalidTransition if it may not."""
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        raise InvalidTransition(f"{action.value} is not possible in state {state.value}.")
    return transition.target
