"""The vocabularies of DOMAIN.md. Stored as text in the database, exposed as GraphQL enums."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from csm_graphql.domain.descriptions import describe_values


@describe_values(
    CUSTOMER=(
        "A company that buys the products and is served by customer success and the service desk."
    ),
    PARTNER=(
        "A company that resells or implements the products; partner relationships name the "
        "customer accounts it serves."
    ),
)
class AccountKind(StrEnum):
    CUSTOMER = "CUSTOMER"
    PARTNER = "PARTNER"


@describe_values(
    NEW="Created; the success plan is not being worked on yet.",
    DEFINE="Goals and the success plan are being agreed with the customer.",
    IN_PROGRESS="The success plan is being delivered.",
    CANCELED="Stopped before its goals were delivered.",
    CLOSED="Finished.",
)
class EngagementState(StrEnum):
    NEW = "NEW"
    DEFINE = "DEFINE"
    IN_PROGRESS = "IN_PROGRESS"
    CANCELED = "CANCELED"
    CLOSED = "CLOSED"


@describe_values(
    NEW="Agreed with the customer; no work on it yet.",
    IN_PROGRESS="Being worked towards.",
    PAUSED="On hold for now (the blueprint's Paused); it can be resumed.",
    CLOSED="Reached, partly reached or missed: its closure code says which.",
    CANCELED="Given up; it counts in no success rate.",
)
class ObjectiveState(StrEnum):
    """Lifecycle of a success objective (the blueprint's "View by state", DOMAIN.md); the
    moves between the states are in domain/success_lifecycle.py."""

    NEW = "NEW"
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    CLOSED = "CLOSED"
    CANCELED = "CANCELED"

    @property
    def is_final(self) -> bool:
        return self in (ObjectiveState.CLOSED, ObjectiveState.CANCELED)


@describe_values(
    INITIAL_ONBOARDING="The customer is being onboarded and brought to go-live.",
    ADOPTION="Live: the work drives the use of what was sold.",
    EXPAND="Adopted: the work grows the footprint (more products, users or departments).",
    RENEW="The contract's renewal is approaching and being secured.",
    LOST="The customer did not renew or has left.",
)
class EngagementStage(StrEnum):
    INITIAL_ONBOARDING = "INITIAL_ONBOARDING"
    ADOPTION = "ADOPTION"
    EXPAND = "EXPAND"
    RENEW = "RENEW"
    LOST = "LOST"


@describe_values(
    UNKNOWN="Not assessed yet.",
    RED="In trouble: the relationship or the renewal is at risk and needs action now.",
    YELLOW="Concerns that the team is watching.",
    GREEN="Healthy and on track.",
)
class PerceivedHealth(StrEnum):
    UNKNOWN = "UNKNOWN"
    RED = "RED"
    YELLOW = "YELLOW"
    GREEN = "GREEN"


@describe_values(
    NEW="Created, not started.",
    IN_PROGRESS="Being worked on.",
    PAUSED="On hold by decision; expected to resume.",
    BLOCKED="Cannot progress until something outside it is resolved.",
    CLOSED="Done. Closing an initiative cancels its open plays.",
    CANCELED="Stopped without being done.",
)
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


@describe_values(
    NOT_STARTED="Work has not begun.",
    ON_TRACK="Expected to meet its due date and goal.",
    AT_RISK="Likely to miss its due date or goal without intervention.",
    PAUSED="On hold.",
    COMPLETED="Finished.",
    CANCELED="Abandoned.",
)
class Progress(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


@describe_values(
    CRITICAL="Rank 1, the highest. A case is CRITICAL when both impact and urgency are HIGH.",
    HIGH="Rank 2. A case: HIGH impact with MEDIUM urgency, or MEDIUM impact with HIGH urgency.",
    MODERATE="Rank 3. A case: impact and urgency both MEDIUM, or one HIGH and the other LOW.",
    LOW="Rank 4. A case: MEDIUM impact with LOW urgency, or LOW impact with MEDIUM urgency.",
    VERY_LOW="Rank 5, the lowest. A case: impact and urgency both LOW.",
)
class Priority(IntEnum):
    """Stored as its rank so that ordering by priority is ordering by a small integer."""

    CRITICAL = 1
    HIGH = 2
    MODERATE = 3
    LOW = 4
    VERY_LOW = 5


@describe_values(
    MEETING="A scheduled meeting with the customer.",
    CALL="A phone or video call.",
    EMAIL="An email exchange.",
    BUSINESS_REVIEW="A business review of outcomes and value with the customer's stakeholders.",
    WORKSHOP="A working session with the customer, for example to define goals or train users.",
)
class TouchpointType(StrEnum):
    MEETING = "MEETING"
    CALL = "CALL"
    EMAIL = "EMAIL"
    BUSINESS_REVIEW = "BUSINESS_REVIEW"
    WORKSHOP = "WORKSHOP"


@describe_values(
    COMMENT="An additional comment: communication the customer may read.",
    WORK_NOTE="A work note: internal communication, never shown to a contact.",
    STATE_CHANGE="The record moved to another state.",
    FIELD_CHANGE="Other fields of the record changed.",
    ATTACHMENT="A file was attached to the record.",
    EMAIL="An email sent or received about the record.",
    DISCUSSION=(
        "A discussion was started about the record; only its participants and the internal "
        "success roles read it."
    ),
    OPENED="The record was created (opened).",
    ASSIGNMENT="The record was assigned to someone else, or unassigned.",
    VISIBILITY_CHANGE=(
        "Who among the customers sees the record changed: visible to customer, or its "
        "contact filter."
    ),
    TOUCHPOINT_HELD="The touchpoint took place (it was closed).",
    HEALTH_REFRESHED="The engagement's health score was recomputed (Refresh health).",
    PLAY_LAUNCHED="A success play was launched from the engagement or a record under it.",
    CONTRACT_ADDED="A contract of the account was added (signed).",
)
class ActivityKind(StrEnum):
    """What an activity-stream entry records. The kinds after DISCUSSION name the events of
    the customer timeline (domain/timeline.py decides which one a write journals)."""

    COMMENT = "COMMENT"
    WORK_NOTE = "WORK_NOTE"
    STATE_CHANGE = "STATE_CHANGE"
    FIELD_CHANGE = "FIELD_CHANGE"
    ATTACHMENT = "ATTACHMENT"
    EMAIL = "EMAIL"
    # A discussion started about the record: read only by its participants and the internal
    # success roles (access/rows.activities), never by contacts.
    DISCUSSION = "DISCUSSION"
    OPENED = "OPENED"
    ASSIGNMENT = "ASSIGNMENT"
    VISIBILITY_CHANGE = "VISIBILITY_CHANGE"
    TOUCHPOINT_HELD = "TOUCHPOINT_HELD"
    HEALTH_REFRESHED = "HEALTH_REFRESHED"
    PLAY_LAUNCHED = "PLAY_LAUNCHED"
    CONTRACT_ADDED = "CONTRACT_ADDED"


@describe_values(
    PUBLIC="Anyone may read it, including every contact.",
    CUSTOMERS="Written for customers and partners; every contact may read it.",
    INTERNAL="Employees only; it never reaches a contact, even when shared on a record.",
)
class ArticleAudience(StrEnum):
    """Who may read a knowledge article: internal-only articles never reach a contact."""

    PUBLIC = "PUBLIC"
    CUSTOMERS = "CUSTOMERS"
    INTERNAL = "INTERNAL"


@describe_values(
    ENGAGEMENT="An engagement.",
    SUCCESS_INITIATIVE="A success initiative.",
    SUCCESS_CASE="A success case (customer play).",
    SUCCESS_TASK="A success task.",
    TOUCHPOINT="A touchpoint.",
    CASE="A customer service case.",
    PROJECT="A customer project.",
    PROJECT_TASK="A project task.",
    SUCCESS_OBJECTIVE="A success objective (blueprint).",
    INTERNAL_PLAY="An internal play.",
    INTERNAL_PLAY_TASK="An internal play task.",
    RISK_SIGNAL="A risk signal.",
    SUCCESS_PLAY="A success play.",
    CONTRACT="A contract.",
    REQUEST="A request raised on behalf of a customer.",
    WORK_ORDER="A work order (field-service work for a case or a project).",
)
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
    CONTRACT = "contract"
    REQUEST = "request"
    WORK_ORDER = "work_order"


@describe_values(
    PENDING="Planned, not started.",
    OPEN="Ready to start.",
    WORK_IN_PROGRESS="Under way; recording an actual start moves a task here.",
    CLOSED_COMPLETE="Finished as planned; completing a task sets it.",
    CLOSED_INCOMPLETE="Closed without being finished.",
    CANCELED="Called off.",
)
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
