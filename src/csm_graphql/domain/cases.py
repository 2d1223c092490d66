"""Customer service cases (DOMAIN.md section 4): vocabularies and the priority matrix.

The lifecycle (which action moves a case from which state to which) is in ``case_lifecycle``.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from csm_graphql.domain.descriptions import describe_values
from csm_graphql.domain.enums import Priority


@describe_values(
    NEW="Raised, not yet accepted by an agent.",
    OPEN="Accepted, and being worked by an agent.",
    AWAITING_INFO=(
        "Waiting for information from the customer; SLAs pause, and any customer update "
        "reopens the case."
    ),
    RESOLVED=(
        "A solution is proposed (with resolution code and notes); waiting for the customer to"
        " accept or reject it."
    ),
    CLOSED=(
        "Finished: the customer accepted the solution, or an agent closed it. No further updates."
    ),
    CANCELED="Withdrawn by an agent before resolution. No further updates.",
)
class CaseState(StrEnum):
    NEW = "NEW"
    OPEN = "OPEN"
    AWAITING_INFO = "AWAITING_INFO"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"

    @property
    def is_final(self) -> bool:
        """A closed or canceled case accepts no update (DOMAIN.md)."""
        return self in {CaseState.CLOSED, CaseState.CANCELED}


@describe_values(
    WEB="Raised by the customer on the portal.",
    EMAIL="Created from an inbound email (createCaseFromEmail).",
    PHONE="Logged by an agent during a phone call.",
    CHAT="Raised in a chat with an agent.",
    VIRTUAL_AGENT="Raised through the virtual agent (chatbot).",
)
class CaseChannel(StrEnum):
    WEB = "WEB"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    CHAT = "CHAT"
    VIRTUAL_AGENT = "VIRTUAL_AGENT"


@describe_values(
    HIGH=(
        "Much of the customer's business is affected, for example many users or a critical service."
    ),
    MEDIUM="Part of the customer's business is affected.",
    LOW="Little is affected, for example one user or a minor function.",
)
class Impact(IntEnum):
    """Stored as its rank (1 = high), like Priority, so the matrix is arithmetic."""

    HIGH = 1
    MEDIUM = 2
    LOW = 3


@describe_values(
    HIGH="The customer needs a resolution now. With impact, it sets the case's priority.",
    MEDIUM="The customer needs a resolution soon.",
    LOW="The resolution can wait.",
)
class Urgency(IntEnum):
    HIGH = 1
    MEDIUM = 2
    LOW = 3


@describe_values(
    SOLVED_PERMANENTLY="Fixed at the root; it should not recur.",
    SOLVED_WORKAROUND="A workaround restores service; the underlying cause remains.",
    SOLVED_BY_CUSTOMER="The customer solved it themselves.",
    NOT_REPRODUCIBLE="The reported behaviour could not be reproduced.",
    DUPLICATE="Another case reports the same issue.",
    NO_RESPONSE="The customer did not answer a request for information.",
)
class ResolutionCode(StrEnum):
    SOLVED_PERMANENTLY = "SOLVED_PERMANENTLY"
    SOLVED_WORKAROUND = "SOLVED_WORKAROUND"
    SOLVED_BY_CUSTOMER = "SOLVED_BY_CUSTOMER"
    NOT_REPRODUCIBLE = "NOT_REPRODUCIBLE"
    DUPLICATE = "DUPLICATE"
    NO_RESPONSE = "NO_RESPONSE"


@describe_values(
    INCIDENT="An incident (number INC...): an unplanned interruption or degradation of a service.",
    PROBLEM="A problem (PRB...): the investigation of the underlying cause of incidents.",
    CHANGE="A change request (CHG...): a planned change to a system.",
    REQUEST="A request (REQ...): something to be provided to the customer, not a problem report.",
)
class RelatedRecordKind(StrEnum):
    """Records an agent raises from a case; each kind numbers with its own prefix."""

    INCIDENT = "INCIDENT"
    PROBLEM = "PROBLEM"
    CHANGE = "CHANGE"
    REQUEST = "REQUEST"


RELATED_RECORD_PREFIXES = {
    RelatedRecordKind.INCIDENT: "INC",
    RelatedRecordKind.PROBLEM: "PRB",
    RelatedRecordKind.CHANGE: "CHG",
    RelatedRecordKind.REQUEST: "REQ",
}


@describe_values(
    IN_PROGRESS="The clock is running, in the working hours of the SLA's schedule.",
    PAUSED="The clock is stopped while the case awaits information from the customer.",
    COMPLETED=(
        "Stopped because its target event happened: the case was accepted (response) or "
        "resolved or closed (resolution)."
    ),
    CANCELED="Stopped because the case was canceled.",
)
class SlaStage(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


@describe_values(
    RESPONSE="Time to first response: until an agent accepts the case.",
    RESOLUTION="Time to resolution: until the case is resolved or closed.",
)
class SlaTarget(StrEnum):
    RESPONSE = "RESPONSE"
    RESOLUTION = "RESOLUTION"


@describe_values(
    NEW="Received, not yet handled.",
    WORK_IN_PROGRESS="An agent is handling it.",
    CLOSED_COMPLETE="Handled to the end; a case may have been created from it.",
    CLOSED_ABANDONED=(
        "Ended before it was handled, for example the customer hung up or left the chat."
    ),
)
class InteractionState(StrEnum):
    NEW = "NEW"
    WORK_IN_PROGRESS = "WORK_IN_PROGRESS"
    CLOSED_COMPLETE = "CLOSED_COMPLETE"
    CLOSED_ABANDONED = "CLOSED_ABANDONED"


@describe_values(
    PHONE="A phone call.",
    CHAT="A chat conversation.",
    EMAIL="An email.",
    WALK_IN="In person, at a service desk.",
)
class InteractionChannel(StrEnum):
    PHONE = "PHONE"
    CHAT = "CHAT"
    EMAIL = "EMAIL"
    WALK_IN = "WALK_IN"


@describe_values(
    DRAFT="Being prepared; not ready to schedule.",
    READY="Ready to be assigned.",
    ASSIGNED="Assigned to a technician or group.",
    WORK_IN_PROGRESS="The field-service work is under way.",
    CLOSED="The work is done.",
    CANCELED="Called off.",
)
class WorkOrderState(StrEnum):
    DRAFT = "DRAFT"
    READY = "READY"
    ASSIGNED = "ASSIGNED"
    WORK_IN_PROGRESS = "WORK_IN_PROGRESS"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"


# The priority matrix (ours, ServiceNow's default): rows are impact, columns urgency.
#
#                 urgency HIGH   MEDIUM     LOW
#   impact HIGH           CRITICAL HIGH     MODERATE
#   impact MEDIUM         HIGH     MODERATE LOW
#   impact LOW            MODERATE LOW      VERY_LOW
#
# With both stored as ranks (1 = high) this is rank(impact) + rank(urgency) - 1, which the
# ``cases.priority`` generated column computes (PRIORITY_SQL); a case's priority is never set.
PRIORITY_MATRIX: dict[tuple[Impact, Urgency], Priority] = {
    (impact, urgency): Priority(int(impact) + int(urgency) - 1)
    for impact in Impact
    for urgency in Urgency
}
PRIORITY_SQL = "impact + urgency - 1"


def priority(impact: Impact, urgency: Urgency) -> Priority:
    return PRIORITY_MATRIX[(impact, urgency)]


# -- requests raised on behalf of a customer (DOMAIN.md section 4, "Request") -----------------


@describe_values(
    SUBMITTED="Raised and waiting to be worked; every request starts here.",
    IN_PROGRESS="Being fulfilled.",
    FULFILLED="What was asked for has been provided.",
    CLOSED="Finished.",
    CANCELED="Called off before it was fulfilled.",
)
class RequestState(StrEnum):
    SUBMITTED = "SUBMITTED"
    IN_PROGRESS = "IN_PROGRESS"
    FULFILLED = "FULFILLED"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"


# A request's number: CSR0000012 (REQ is taken by the requests a case raises, RelatedRecord).
REQUEST_NUMBER_PREFIX = "CSR"
