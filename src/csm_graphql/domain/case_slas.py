"""How a case's state drives its task SLAs (README "Which SLAs a case runs"; ours where
ServiceNow leaves the choice to each SLA definition's conditions).

- A case owes its **response** until an agent accepts it (it leaves NEW), its **resolution**
  until it is closed or canceled.
- SLA time stands still while the case waits on the customer: info was requested
  (AWAITING_INFO) or a solution was proposed (RESOLVED). Rejecting the solution resumes it;
  accepting it completes the resolution SLA as of the moment the solution was proposed.
- Closing completes the SLAs still counting; canceling cancels them.
"""

from __future__ import annotations

from csm_graphql.domain.cases import CaseState, SlaTarget

# States in which the case waits on the customer: its SLAs pause.
WAITING_ON_CUSTOMER = frozenset({CaseState.AWAITING_INFO, CaseState.RESOLVED})


def owes(target: SlaTarget, state: CaseState) -> bool:
    """Whether a case in ``state`` still has ``target`` ahead of it, so that an SLA for it
    starts when its definition comes to apply (on creation, or when the priority changes)."""
    if target is SlaTarget.RESPONSE:
        return state is CaseState.NEW
    return not state.is_final


def clock_runs(state: CaseState) -> bool:
    """Whether SLA time runs for a case in ``state`` (an SLA starting now starts paused if not)."""
    return not state.is_final and state not in WAITING_ON_CUSTOMER
