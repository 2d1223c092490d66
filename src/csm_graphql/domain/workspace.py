"""The vocabularies of the engagement workspace (DOMAIN.md section 2), stored as text or as a
small rank, exposed as GraphQL enums. Formulas live in health.py, weeks.py, blueprint.py and
adoption.py."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from csm_graphql.domain.descriptions import describe_values


@describe_values(
    VERY_HIGH="Almost certain to happen (rank 1).",
    HIGH="Likely to happen (rank 2).",
    MODERATE="As likely as not (rank 3).",
    LOW="Unlikely (rank 4).",
    VERY_LOW="Remote (rank 5).",
)
class Probability(IntEnum):
    """A risk signal's probability, stored as its rank so that it sorts (VERY_HIGH first)."""

    VERY_HIGH = 1
    HIGH = 2
    MODERATE = 3
    LOW = 4
    VERY_LOW = 5


@describe_values(
    NEW="Raised, not yet worked on; open.",
    ACTIVE="Being mitigated; open.",
    CANCELED="Withdrawn: it was not a real risk.",
    CLOSED="Mitigated, or no longer relevant.",
)
class RiskState(StrEnum):
    NEW = "NEW"
    ACTIVE = "ACTIVE"
    CANCELED = "CANCELED"
    CLOSED = "CLOSED"

    @property
    def is_open(self) -> bool:
        return self in {RiskState.NEW, RiskState.ACTIVE}


@describe_values(
    ONBOARDING="Threatens onboarding and go-live.",
    ADOPTION="Threatens the use of what was sold.",
    EXPANSION="Threatens growth: more products, users or departments.",
    RENEWAL="Threatens the renewal of the contract.",
)
class RiskScope(StrEnum):
    ONBOARDING = "ONBOARDING"
    ADOPTION = "ADOPTION"
    EXPANSION = "EXPANSION"
    RENEWAL = "RENEWAL"


@describe_values(
    ACTIVATED="In use: the product is switched on for the customer.",
    PLANNED="Sold, with its activation planned.",
    NO_PLAN="Sold, with no plan to activate it yet.",
    DEACTIVATED="Was in use and has been switched off.",
)
class UsagePlan(IntEnum):
    """A sold product's activation status, stored as a rank: ACTIVATED sorts first."""

    ACTIVATED = 1
    PLANNED = 2
    NO_PLAN = 3
    DEACTIVATED = 4


@describe_values(
    CRITICAL="The customer cannot operate without it (rank 1).",
    HIGH="Important to the customer's goals (rank 2).",
    MODERATE="Useful to the customer (rank 3).",
    NICE_TO_HAVE="Optional for the customer (rank 4).",
    NOT_REQUIRED="Not needed by the customer (rank 5).",
)
class Criticality(IntEnum):
    """Customer priority and business criticality of a sold product, CRITICAL first."""

    CRITICAL = 1
    HIGH = 2
    MODERATE = 3
    NICE_TO_HAVE = 4
    NOT_REQUIRED = 5


@describe_values(
    SQUAD="The squad: employees who do the success work of the engagement.",
    ACCOUNT_TEAM="The account team: employees who own the relationship with the account.",
)
class TeamRole(StrEnum):
    """Which engagement team an employee belongs to."""

    SQUAD = "SQUAD"
    ACCOUNT_TEAM = "ACCOUNT_TEAM"


@describe_values(
    ENGAGEMENT="Launched from the engagement itself.",
    OBJECTIVE="Launched from a success objective of the engagement's blueprint.",
    INITIATIVE="Launched from a success initiative; closing the initiative cancels the play.",
    TOUCHPOINT="Launched from a touchpoint, for example as a follow-up.",
    INTERNAL_PLAY="Launched from an internal play.",
    RISK_SIGNAL="Launched from a risk signal to mitigate it; the risk then counts as addressed.",
)
class PlaySource(StrEnum):
    """What a success play was launched from."""

    ENGAGEMENT = "ENGAGEMENT"
    OBJECTIVE = "OBJECTIVE"
    INITIATIVE = "INITIATIVE"
    TOUCHPOINT = "TOUCHPOINT"
    INTERNAL_PLAY = "INTERNAL_PLAY"
    RISK_SIGNAL = "RISK_SIGNAL"


@describe_values(
    INTERNAL_PLAY="An internal play: internal-only work on the engagement.",
    INTERNAL_PLAY_TASK="A task of an internal play.",
    SUCCESS_CASE="A success case (a customer play).",
    SUCCESS_INITIATIVE="A success initiative of the engagement.",
    SUCCESS_TASK="A success task: planned under an initiative, or unplanned under a success case.",
)
class WorkItemKind(StrEnum):
    """The record kinds that make up an engagement's work items."""

    INTERNAL_PLAY = "INTERNAL_PLAY"
    INTERNAL_PLAY_TASK = "INTERNAL_PLAY_TASK"
    SUCCESS_CASE = "SUCCESS_CASE"
    SUCCESS_INITIATIVE = "SUCCESS_INITIATIVE"
    SUCCESS_TASK = "SUCCESS_TASK"


@describe_values(
    ENGAGEMENT="Engagements: for example a business-review invitation or a renewal reminder.",
    SUCCESS_CASE="Success cases: for example a success-plan follow-up.",
    RISK_SIGNAL="Risk signals: for example a risk escalation notice.",
)
class TemplateTarget(StrEnum):
    """The records an email or form template applies to."""

    ENGAGEMENT = "ENGAGEMENT"
    SUCCESS_CASE = "SUCCESS_CASE"
    RISK_SIGNAL = "RISK_SIGNAL"


def has_cycle(parents: dict[int, int | None], child: int, parent: int | None) -> bool:
    """Whether making ``parent`` the parent of ``child`` closes a loop, given every other
    record's current parent (``parents``): walking up from ``parent`` reaches ``child``."""
    seen: set[int] = set()
    current = parent
    while current is not None:
        if current == child:
            return True
        if current in seen:  # an existing loop elsewhere: not ours to report, but stop
            return False
        seen.add(current)
        current = parents.get(current)
    return False
