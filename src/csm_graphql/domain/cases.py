"""Customer service cases (DOMAIN.md section 4): vocabularies and the priority matrix.

The lifecycle (which action moves a case from which state to which) is in ``case_lifecycle``.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from csm_graphql.domain.enums import Priority


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


class CaseChannel(StrEnum):
    WEB = "WEB"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    CHAT = "CHAT"
    VIRTUAL_AGENT = "VIRTUAL_AGENT"


class Impact(IntEnum):
    """Stored as its rank (1 = high), like Priority, so the matrix is arithmetic."""

    HIGH = 1
    MEDIUM = 2
    LOW = 3


class Urgency(IntEnum):
    HIGH = 1
    MEDIUM = 2
    LOW = 3


class ResolutionCode(StrEnum):
    SOLVED_PERMANENTLY = "SOLVED_PERMANENTLY"
    SOLVED_WORKAROUND = "SOLVED_WORKAROUND"
    SOLVED_BY_CUSTOMER = "SOLVED_BY_CUSTOMER"
    NOT_REPRODUCIBLE = "NOT_REPRODUCIBLE"
    DUPLICATE = "DUPLICATE"
    NO_RESPONSE = "NO_RESPONSE"


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


class SlaStage(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class SlaTarget(StrEnum):
    RESPONSE = "RESPONSE"
    RESOLUTION = "RESOLUTION"


class InteractionState(StrEnum):
    NEW = "NEW"
    WORK_IN_PROGRESS = "WORK_IN_PROGRESS"
    CLOSED_COMPLETE = "CLOSED_COMPLETE"
    CLOSED_ABANDONED = "CLOSED_ABANDONED"


class InteractionChannel(StrEnum):
    PHONE = "PHONE"
    CHAT = "CHAT"
    EMAIL = "EMAIL"
    WALK_IN = "WALK_IN"


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
