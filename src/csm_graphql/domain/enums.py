"""The vocabularies of DOMAIN.md. Stored as text in the database, exposed as GraphQL enums."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class AccountKind(StrEnum):
    CUSTOMER = "CUSTOMER"
    PARTNER = "PARTNER"


class EngagementState(StrEnum):
    NEW = "NEW"
    DEFINE = "DEFINE"
    IN_PROGRESS = "IN_PROGRESS"
    CANCELED = "CANCELED"
    CLOSED = "CLOSED"


class EngagementStage(StrEnum):
    INITIAL_ONBOARDING = "INITIAL_ONBOARDING"
    ADOPTION = "ADOPTION"
    EXPAND = "EXPAND"
    RENEW = "RENEW"
    LOST = "LOST"


class PerceivedHealth(StrEnum):
    UNKNOWN = "UNKNOWN"
    RED = "RED"
    YELLOW = "YELLOW"
    GREEN = "GREEN"


class WorkState(StrEnum):
    """State of success initiatives, success cases, success tasks and touchpoints.

    DOMAIN.md lists NEW, IN_PROGRESS, PAUSED, CANCELED and CLOSED for initiatives; the work-item
    views also filter on BLOCKED, so the shared vocabulary carries it (ours).
    """

    NEW = "NEW"
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    BLOCKED = "BLOCKED"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"

    @property
    def is_open(self) -> bool:
        return self not in {WorkState.CLOSED, WorkState.CANCELED}


class Progress(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class Priority(IntEnum):
    """Stored as its rank so that ordering by priority is ordering by a small integer."""

    CRITICAL = 1
    HIGH = 2
    MODERATE = 3
    LOW = 4
    VERY_LOW = 5


class TouchpointType(StrEnum):
    MEETING = "MEETING"
    CALL = "CALL"
    EMAIL = "EMAIL"
    BUSINESS_REVIEW = "BUSINESS_REVIEW"
    WORKSHOP = "WORKSHOP"


class ActivityKind(StrEnum):
    COMMENT = "COMMENT"
    WORK_NOTE = "WORK_NOTE"
    STATE_CHANGE = "STATE_CHANGE"
    FIELD_CHANGE = "FIELD_CHANGE"
    ATTACHMENT = "ATTACHMENT"
    EMAIL = "EMAIL"
    # A discussion started about the record: read only by its participants and the internal
    # success roles (access/rows.activities), never by contacts.
    DISCUSSION = "DISCUSSION"


class ArticleAudience(StrEnum):
    """Who may read a knowledge article: internal-only articles never reach a contact."""

    PUBLIC = "PUBLIC"
    CUSTOMERS = "CUSTOMERS"
    INTERNAL = "INTERNAL"


class RecordType(StrEnum):
    """The records that activities and attachments hang off (a polymorphic reference)."""

    ENGAGEMENT = "engagement"
    SUCCESS_INITIATIVE = "success_initiative"
    SUCCESS_CASE = "success_case"
    SUCCESS_TASK = "success_task"
    TOUCHPOINT = "touchpoint"
    CASE = "case"
    PROJECT = "project"
    PROJECT_TASK = "project_task"
    SUCCESS_OBJECTIVE = "success_objective"
    INTERNAL_PLAY = "internal_play"
    INTERNAL_PLAY_TASK = "internal_play_task"
    RISK_SIGNAL = "risk_signal"
    SUCCESS_PLAY = "success_play"


class ProjectState(StrEnum):
    """Lifecycle of a customer project and of its tasks (ServiceNow's project states)."""

    PENDING = "PENDING"
    OPEN = "OPEN"
    WORK_IN_PROGRESS = "WORK_IN_PROGRESS"
    CLOSED_COMPLETE = "CLOSED_COMPLETE"
    CLOSED_INCOMPLETE = "CLOSED_INCOMPLETE"
    CANCELED = "CANCELED"

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_PROJECT_STATES


CLOSED_PROJECT_STATES = frozenset(
    {ProjectState.CLOSED_COMPLETE, ProjectState.CLOSED_INCOMPLETE, ProjectState.CANCELED}
)
