"""The vocabularies of the engagement workspace (DOMAIN.md section 2), stored as text or as a
small rank, exposed as GraphQL enums. Formulas live in health.py, weeks.py, blueprint.py and
adoption.py."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Probability(IntEnum):
    """A risk signal's probability, stored as its rank so that it sorts (VERY_HIGH first)."""

    VERY_HIGH = 1
    HIGH = 2
    MODERATE = 3
    LOW = 4
    VERY_LOW = 5


class RiskState(StrEnum):
    NEW = "NEW"
    ACTIVE = "ACTIVE"
    CANCELED = "CANCELED"
    CLOSED = "CLOSED"

    @property
    def is_open(self) -> bool:
        return self in {RiskState.NEW, RiskState.ACTIVE}


class RiskScope(StrEnum):
    ONBOARDING = "ONBOARDING"
    ADOPTION = "ADOPTION"
    EXPANSION = "EXPANSION"
    RENEWAL = "RENEWAL"


class UsagePlan(IntEnum):
    """A sold product's activation status, stored as a rank: ACTIVATED sorts first."""

    ACTIVATED = 1
    PLANNED = 2
    NO_PLAN = 3
    DEACTIVATED = 4


class Criticality(IntEnum):
    """Customer priority and business criticality of a sold product, CRITICAL first."""

    CRITICAL = 1
    HIGH = 2
    MODERATE = 3
    NICE_TO_HAVE = 4
    NOT_REQUIRED = 5


class TeamRole(StrEnum):
    """Which engagement team an employee belongs to."""

    SQUAD = "SQUAD"
    ACCOUNT_TEAM = "ACCOUNT_TEAM"


class PlaySource(StrEnum):
    """What a success play was launched from."""

    ENGAGEMENT = "ENGAGEMENT"
    OBJECTIVE = "OBJECTIVE"
    INITIATIVE = "INITIATIVE"
    TOUCHPOINT = "TOUCHPOINT"
    INTERNAL_PLAY = "INTERNAL_PLAY"
    RISK_SIGNAL = "RISK_SIGNAL"


class WorkItemKind(StrEnum):
    """The record kinds that make up an engagement's work items."""

    INTERNAL_PLAY = "INTERNAL_PLAY"
    INTERNAL_PLAY_TASK = "INTERNAL_PLAY_TASK"
    SUCCESS_CASE = "SUCCESS_CASE"
    SUCCESS_INITIATIVE = "SUCCESS_INITIATIVE"
    SUCCESS_TASK = "SUCCESS_TASK"


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
