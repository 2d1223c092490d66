"""One account's engagements and the success records under them, drawn from ``cards``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

from csm_graphql.demo import vocabulary
from csm_graphql.demo.cards import (
    ASSIGNEES,
    ENGAGEMENT_STAGES,
    ENGAGEMENT_STATES,
    FUTURE_TOUCHPOINT_STATES,
    GENERATED_ACCESS,
    GENERATED_SHAPE,
    GENERATED_TASK_ACCESS,
    HEALTH,
    PAST_TOUCHPOINT_STATES,
    PERSONA_ACCESS,
    PERSONA_SHAPES,
    PERSONA_TASK_ACCESS,
    PRIORITIES,
    STATES,
    Access,
    Listed,
    Parent,
    TaskAccess,
    Who,
    progress_for,
)
from csm_graphql.demo.directory import BASE_AGENTS, Directory, SuccessAccount
from csm_graphql.demo.journal import Journal
from csm_graphql.demo.sampling import Clock, Deck
from csm_graphql.demo.writer import Row, RowSink
from csm_graphql.domain.enums import WorkState
from csm_graphql.tables import (
    engagements,
    success_case_contacts,
    success_cases,
    success_initiative_contacts,
    success_initiatives,
    success_task_contacts,
    success_tasks,
    touchpoint_contacts,
    touchpoints,
)


@dataclass
class _Engagement:
    id: int
    created_at: datetime
    initiatives: list[tuple[int, bool]] = field(default_factory=list)  # (id, visible)
    closed_initiatives: set[int] = field(default_factory=set)
    success_cases: list[tuple[int, bool]] = field(default_factory=list)


INTERNAL_SUBJECT_SHARE = 0.2


@dataclass(frozen=True)
class _ContactFilter:
    """An access card made concrete: visibility, the contact and the explicit contact list."""

    visible: bool
    contact_id: int | None
    listed: list[int]


class _KindDecks:
    """The decks of one record kind in one account, so each kind covers every value."""

    def __init__(
        self, rng: random.Random, access: tuple[Any, ...], templates: tuple[Any, ...]
    ) -> None:
        self.access = Deck(rng, access)
        self.state = Deck(rng, STATES)
        self.priority = Deck(rng, PRIORITIES)
        self.template = Deck(rng, templates)


def closed_initiatives_case_state(state: WorkState) -> WorkState:
    """The state a success case under a closed initiative is left in: an open one was
    canceled when the initiative closed."""
    return state if not state.is_open else WorkState.CANCELED


class AccountGraph:
    """Builds one account's engagements, records, contact lists and journals."""

    def __init__(
        self,
        sink: RowSink,
        clock: Clock,
        rng: random.Random,
        directory: Directory,
        account: SuccessAccount,
    ) -> None:
        self.sink, self.clock, self.rng, self.account = sink, clock, rng, account
        self.directory = directory
        persona = account.key in PERSONA_SHAPES
        self.shape = PERSONA_SHAPES.get(account.key, GENERATED_SHAPE)
        access = PERSONA_ACCESS if persona else GENERATED_ACCESS
        task_access = PERSONA_TASK_ACCESS if persona else GENERATED_TASK_ACCESS
        self.initiatives = _KindDecks(rng, access, vocabulary.INITIATIVE_TEMPLATES)
        self.success_cases = _KindDecks(rng, access, vocabulary.SUCCESS_CASE_TEMPLATES)
        self.tasks = _KindDecks(rng, task_access, vocabulary.SUCCESS_TASK_TEMPLATES)
        self.touchpoints = _KindDecks(rng, access, vocabulary.TOUCHPOINT_TEMPLATES)
        self.assignees = Deck(rng, ASSIGNEES)
        # Persona accounts only use the agents that exist at every scale: same rows at any scale.
        self.agents = directory.agents[:BASE_AGENTS] if persona else directory.agents
        self.others = {focus: account.others_than(focus) for focus in account.focus}
        actors = [*directory.persona_agents, *self.agents]
        self.journal = Journal(sink, clock, rng, directory, account, actors)
        # What the workspace generator builds on: (engagement id, created at), in order.
        self.engagements: list[tuple[int, datetime]] = []

    def build(self) -> None:
        built: list[int] = []
        for index in range(self.rng.randint(*self.shape.engagements)):
            parent = self._engagement_parent(index, built)
            engagement = self._engagement(parent)
            built.append(engagement.id)
            self.engagements.append((engagement.id, engagement.created_at))
            self._records(engagement)

    def _engagement_parent(self, index: int, built: list[int]) -> int | None:
        """Persona accounts always nest their second engagement; others sometimes nest."""
        if index == 1 and self.account.key in PERSONA_SHAPES:
            return built[0]
        if built and self.rng.random() < 0.4:
            return self.rng.choice(built)
        return None

    def _engagement(self, parent_id: int | None) -> _Engagement:
        rng, clock = self.rng, self.clock
        created = clock.days_ago(rng, 90, 720)
        go_live = (
            None if rng.random() < 0.1 else clock.anchor + timedelta(days=rng.randint(-540, 120))
        )
        renewal = None
        if go_live and rng.random() < 0.85:
            renewal = go_live + timedelta(days=365 * rng.randint(1, 3))
        cents = None if rng.random() < 0.1 else rng.randrange(1_000_000, 250_000_000, 100)
        theme = rng.choice(vocabulary.ENGAGEMENT_THEMES)
        row = {
            "name": f"{self.account.name} {theme} {clock.anchor.year + rng.randint(-1, 1)}",
            "account_id": self.account.id,
            "state": rng.choice(ENGAGEMENT_STATES).value,
            "stage": rng.choice(ENGAGEMENT_STAGES).value,
            "contract_value": None if cents is None else Decimal(cents).scaleb(-2),
            "go_live_date": go_live,
            "renewal_date": renewal,
            "parent_id": parent_id,
            "perceived_health": rng.choice(HEALTH).value,
            "created_at": created,
            "updated_at": clock.between(rng, created),
        }
        engagement = _Engagement(self.sink.add(engagements, row), created)
        self.journal.engagement(engagement.id, created)
        return engagement

    def _records(self, engagement: _Engagement) -> None:
        rng, shape = self.rng, self.shape
        for _ in range(rng.randint(*shape.initiatives)):
            self._initiative(engagement)
        for _ in range(rng.randint(*shape.success_cases)):
            self._success_case(engagement)
        for _ in range(rng.randint(*shape.success_tasks)):
            self._task(engagement)
        for _ in range(rng.randint(*shape.touchpoints)):
            self._touchpoint(engagement)

    def _initiative(self, engagement: _Engagement) -> None:
        decks = self.initiatives
        _card, contacts = self._draw(decks)
        subject = self._subject(decks.template.draw(), contacts)
        row = self._record(engagement, decks, contacts, subject)
        row["progress"] = progress_for(self.rng, row["state"])
        record_id = self._add(success_initiatives, success_initiative_contacts, row, contacts)
        engagement.initiatives.append((record_id, contacts.visible))
        if row["state"] == WorkState.CLOSED.value:
            engagement.closed_initiatives.add(record_id)

    def _success_case(self, engagement: _Engagement) -> None:
        rng, decks = self.rng, self.success_cases
        _card, contacts = self._draw(decks)
        product_id, product = rng.choice(self.directory.products)
        has_product = rng.random() >= 0.15
        name = product if has_product else None
        subject = self._subject(decks.template.draw(), contacts, name)
        row = self._record(engagement, decks, contacts, subject, name)
        row["product_id"] = product_id if has_product else None
        under = bool(engagement.initiatives) and rng.random() < 0.55
        row["initiative_id"] = rng.choice(engagement.initiatives)[0] if under else None
        if row["initiative_id"] in engagement.closed_initiatives:
            # Closing an initiative cancels its open success cases (services/success.py).
            row["state"] = closed_initiatives_case_state(WorkState(row["state"])).value
        record_id = self._add(success_cases, success_case_contacts, row, contacts)
        engagement.success_cases.append((record_id, contacts.visible))
        self.journal.success_case(record_id, row["created_at"], contacts.visible)

    def _task(self, engagement: _Engagement) -> None:
        rng, decks = self.rng, self.tasks
        card, contacts = self._draw(decks)
        subject = self._subject(decks.template.draw(), contacts)
        row = self._record(engagement, decks, contacts, subject)
        row["progress"] = progress_for(rng, row["state"])
        kind, parent_id = self._task_parent(engagement, card)
        row["initiative_id"] = parent_id if kind is Parent.INITIATIVE else None
        row["success_case_id"] = parent_id if kind is Parent.SUCCESS_CASE else None
        record_id = self._add(success_tasks, success_task_contacts, row, contacts)
        self.journal.success_task(record_id, row["created_at"])

    def _task_parent(self, engagement: _Engagement, card: TaskAccess) -> tuple[Parent, int]:
        """A parent of the card's kind and visibility, else the nearest there is.

        Every engagement has initiatives, so falling back to them always finds a parent.
        """
        kind, pool = card.parent, engagement.success_cases
        if kind is Parent.INITIATIVE or not pool:
            kind, pool = Parent.INITIATIVE, engagement.initiatives
        matching = [record_id for record_id, visible in pool if visible == card.parent_visible]
        return kind, self.rng.choice(matching or [record_id for record_id, _ in pool])

    def _touchpoint(self, engagement: _Engagement) -> None:
        rng, clock, decks = self.rng, self.clock, self.touchpoints
        _card, contacts = self._draw(decks)
        template, kind = decks.template.draw()
        row = self._record(engagement, decks, contacts, self._subject(template, contacts))
        scheduled = None if rng.random() < 0.05 else clock.scheduled_at(rng)
        row["type"] = kind
        row["scheduled_at"] = scheduled
        row["due_date"] = scheduled.date() if scheduled else None
        # The state follows the schedule instead of the state deck: past meetings are mostly
        # done, future ones mostly open, and "upcoming" still has both sides (future but
        # canceled, past but still open).
        past = scheduled is not None and scheduled < clock.now
        row["state"] = rng.choice(
            PAST_TOUCHPOINT_STATES if past else FUTURE_TOUCHPOINT_STATES
        ).value
        self._add(touchpoints, touchpoint_contacts, row, contacts)

    def _subject(self, template: str, contacts: _ContactFilter, product: str | None = None) -> str:
        """Some hidden records get internal wording, so a search word ("churn") can exist in
        an account and still find nothing for its customers."""
        if not contacts.visible and self.rng.random() < INTERNAL_SUBJECT_SHARE:
            template = self.rng.choice(vocabulary.INTERNAL_SUBJECTS)
        return vocabulary.fill(template, self.rng, product)

    def _record(
        self,
        engagement: _Engagement,
        decks: _KindDecks,
        contacts: _ContactFilter,
        short_description: str,
        product: str | None = None,
    ) -> Row:
        """The columns every success record shares."""
        rng, clock = self.rng, self.clock
        created = clock.between(rng, engagement.created_at)
        state: WorkState = decks.state.draw()
        return {
            "engagement_id": engagement.id,
            "account_id": self.account.id,
            "short_description": short_description,
            "description": vocabulary.description(rng, product) if rng.random() < 0.85 else None,
            "state": state.value,
            "priority": int(decks.priority.draw()),
            "due_date": clock.due_date(rng),
            "assigned_to_id": self._assignee(),
            "visible_to_customer": contacts.visible,
            "contact_id": contacts.contact_id,
            "created_at": created,
            "updated_at": clock.between(rng, created),
        }

    def _assignee(self) -> int | None:
        card = self.assignees.draw()
        if card == "nobody":
            return None
        if card == "other":
            return self.rng.choice(self.agents)
        return self.directory.user_ids[card]

    def _draw(self, decks: _KindDecks) -> tuple[Any, _ContactFilter]:
        """Draw an access card and make it concrete for this pass's focus contact.

        Each pass through the deck centres on the next focus contact, so on Acme both
        success@ and manager@ get every combination.
        """
        card = decks.access.draw()
        access: Access = card.access if isinstance(card, TaskAccess) else card
        focus = self.account.focus[(decks.access.rounds - 1) % len(self.account.focus)]
        others = self.others[focus]
        contact_id = None
        if access.contact is Who.FOCUS:
            contact_id = focus
        elif access.contact is Who.OTHER and others:
            contact_id = self.rng.choice(others)
        return card, _ContactFilter(access.visible, contact_id, self._listed(access, focus))

    def _listed(self, access: Access, focus: int) -> list[int]:
        others = self.others[focus]
        if access.listed is Listed.FOCUS:
            colleague = [self.rng.choice(others)] if others and self.rng.random() < 0.3 else []
            return [focus, *colleague]
        if access.listed is Listed.OTHERS and others:
            return self.rng.sample(others, min(len(others), self.rng.randint(1, 2)))
        return []

    def _add(self, table: Table, list_table: Table, row: Row, contacts: _ContactFilter) -> int:
        """Insert a record and its explicit contact list."""
        record_id = self.sink.add(table, row)
        for contact_id in contacts.listed:
            self.sink.add(list_table, {"record_id": record_id, "contact_id": contact_id})
        return record_id
