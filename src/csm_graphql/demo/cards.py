"""The distributions the demo draws from, as cards for ``Deck``.

The access-relevant columns of a success record (visibleToCustomer, its contact, its explicit
contact list, a task's parent) are cards of every combination. A persona account draws from the
balanced decks, so with a few dozen records per kind it holds records on both sides of every
rule in ACCESS.md "Customer success records"; a generated account draws from weighted decks
(about 60% visible) that look like ordinary data.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from enum import Enum

from csm_graphql.demo.sampling import weighted
from csm_graphql.domain.enums import (
    EngagementStage,
    EngagementState,
    PerceivedHealth,
    Priority,
    Progress,
    WorkState,
)


class Who(Enum):
    """Who a record's ``contact`` is."""

    FOCUS = "focus"  # this deck pass's focus contact (a persona on persona accounts)
    OTHER = "other"  # another contact of the account
    NOBODY = "nobody"


class Listed(Enum):
    """What a record's explicit contact list holds."""

    FOCUS = "focus"  # the focus contact (maybe with a colleague)
    OTHERS = "others"  # one or two other contacts
    EMPTY = "empty"


class Parent(Enum):
    INITIATIVE = "initiative"
    SUCCESS_CASE = "success_case"


@dataclass(frozen=True)
class Access:
    visible: bool
    contact: Who
    listed: Listed


@dataclass(frozen=True)
class TaskAccess:
    access: Access
    parent: Parent
    parent_visible: bool  # so visible tasks under invisible parents (and vice versa) exist


def _access_cards(
    visible: tuple[bool, ...], who: tuple[Who, ...], listed: tuple[Listed, ...]
) -> tuple[Access, ...]:
    return tuple(Access(*combo) for combo in itertools.product(visible, who, listed))


def _task_cards(access: tuple[Access, ...]) -> tuple[TaskAccess, ...]:
    parents = itertools.product(Parent, (True, False))
    return tuple(TaskAccess(a, *p) for a, p in itertools.product(access, tuple(parents)))


PERSONA_ACCESS = _access_cards((True, False), tuple(Who), tuple(Listed))
GENERATED_ACCESS = _access_cards(
    weighted((True, 3), (False, 2)),
    weighted((Who.FOCUS, 1), (Who.OTHER, 2), (Who.NOBODY, 1)),
    weighted((Listed.FOCUS, 1), (Listed.OTHERS, 1), (Listed.EMPTY, 2)),
)
PERSONA_TASK_ACCESS = _task_cards(PERSONA_ACCESS)
GENERATED_TASK_ACCESS = _task_cards(GENERATED_ACCESS)

STATES = weighted(
    (WorkState.NEW, 2),
    (WorkState.IN_PROGRESS, 3),
    (WorkState.PAUSED, 1),
    (WorkState.BLOCKED, 1),
    (WorkState.CLOSED, 2),
    (WorkState.CANCELED, 1),
)
PRIORITIES = weighted(
    (Priority.CRITICAL, 1),
    (Priority.HIGH, 2),
    (Priority.MODERATE, 3),
    (Priority.LOW, 2),
    (Priority.VERY_LOW, 1),
)
# Who records are assigned to: the success personas (so scope MINE finds something for each),
# other agents, or nobody yet.
# Success records are assigned to those who may work them (a success agent or an admin, as
# assignSuccessRecord requires); the viewer persona is never an assignee.
ASSIGNEES = weighted(("agent", 3), ("admin", 1), ("other", 4), ("nobody", 2))


@dataclass(frozen=True)
class Shape:
    """How many records an account gets: (low, high) per engagement, inclusive."""

    engagements: tuple[int, int]
    initiatives: tuple[int, int]
    success_cases: tuple[int, int]
    success_tasks: tuple[int, int]
    touchpoints: tuple[int, int]


# Persona accounts are small enough to page through in a test, and large enough to go through
# each deck once per focus persona: Acme's two (success@ and manager@) need two full passes,
# i.e. at least 36 initiatives, success cases and touchpoints and 144 tasks.
PERSONA_SHAPES = {
    "acme": Shape((3, 3), (12, 14), (16, 22), (50, 60), (12, 14)),
    "acme_europe": Shape((2, 2), (4, 6), (8, 12), (15, 30), (4, 6)),
    "initech": Shape((2, 2), (5, 7), (10, 14), (20, 35), (5, 7)),
    "umbrella": Shape((2, 2), (5, 7), (9, 12), (20, 35), (5, 7)),
}
GENERATED_SHAPE = Shape((1, 3), (3, 10), (6, 22), (12, 50), (2, 8))


def progress_for(rng: random.Random, state: str) -> str:
    """Progress that agrees with the state (a closed record is completed, and so on)."""
    if state == WorkState.IN_PROGRESS:
        return rng.choice((Progress.ON_TRACK, Progress.ON_TRACK, Progress.AT_RISK)).value
    return PROGRESS_BY_STATE[WorkState(state)].value


PROGRESS_BY_STATE = {
    WorkState.NEW: Progress.NOT_STARTED,
    WorkState.PAUSED: Progress.PAUSED,
    WorkState.BLOCKED: Progress.AT_RISK,
    WorkState.CLOSED: Progress.COMPLETED,
    WorkState.CANCELED: Progress.CANCELED,
}
ENGAGEMENT_STATES = weighted(
    (EngagementState.NEW, 1),
    (EngagementState.DEFINE, 1),
    (EngagementState.IN_PROGRESS, 4),
    (EngagementState.CANCELED, 1),
    (EngagementState.CLOSED, 1),
)
ENGAGEMENT_STAGES = weighted(
    (EngagementStage.INITIAL_ONBOARDING, 2),
    (EngagementStage.ADOPTION, 3),
    (EngagementStage.EXPAND, 2),
    (EngagementStage.RENEW, 2),
    (EngagementStage.LOST, 1),
)
HEALTH = weighted(
    (PerceivedHealth.UNKNOWN, 1),
    (PerceivedHealth.RED, 1),
    (PerceivedHealth.YELLOW, 2),
    (PerceivedHealth.GREEN, 3),
)
PAST_TOUCHPOINT_STATES = weighted(
    (WorkState.CLOSED, 7), (WorkState.CANCELED, 2), (WorkState.IN_PROGRESS, 1)
)
FUTURE_TOUCHPOINT_STATES = weighted(
    (WorkState.NEW, 6), (WorkState.IN_PROGRESS, 2), (WorkState.CANCELED, 1), (WorkState.PAUSED, 1)
)
