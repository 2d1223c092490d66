"""The engagement workspace of each demo engagement: health, blueprint, internal work, risks,
adoption, team, contracts and discussions; plus the global health definition and templates.

Drawn from its own generator per account (``child_rng(seed, "workspace", key)``), so adding it
left the rest of the demo data unchanged. Every internal-only rule has rows on both sides: the
persona accounts' engagements (which contacts see) carry all of it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from csm_graphql.demo import vocabulary
from csm_graphql.demo.directory import Directory, SuccessAccount
from csm_graphql.demo.sampling import Clock, Deck
from csm_graphql.demo.writer import RowSink
from csm_graphql.domain import health
from csm_graphql.domain.blueprint import ClosureCode
from csm_graphql.domain.enums import ActivityKind, ObjectiveState, RecordType, WorkState
from csm_graphql.domain.timeline import created_kind
from csm_graphql.domain.weeks import last_weeks
from csm_graphql.domain.workspace import (
    Criticality,
    PlaySource,
    Probability,
    RiskScope,
    RiskState,
    TeamRole,
    TemplateTarget,
    UsagePlan,
)
from csm_graphql.tables import (
    activities,
    adoption_scores,
    attachments,
    contracts,
    discussion_messages,
    discussion_participants,
    discussions,
    email_templates,
    engagement_contacts,
    engagement_users,
    form_templates,
    health_definitions,
    health_indicator_definitions,
    health_indicators,
    health_snapshots,
    internal_play_tasks,
    internal_plays,
    product_adoption_roadmaps,
    risk_signals,
    sold_products,
    success_objectives,
    success_plays,
)

MAX, MIN = health.Direction.MAXIMIZE, health.Direction.MINIMIZE
# (metric, target, weight, direction): the global definition, and the override some get.
GLOBAL_INDICATORS = (
    ("Weekly active users", 500, 40, MAX),
    ("Open P1 incidents", 2, 30, MIN),
    ("Licences in use (%)", 90, 20, MAX),
    ("Days since last executive review", 90, 10, MIN),
)
OVERRIDE_INDICATORS = (
    ("Automated workflows live", 25, 50, MAX),
    ("Average resolution time (h)", 8, 50, MIN),
)
OVERRIDE_SHARE = 0.2
HISTORY_WEEKS = 16
MISSING_WEEK_SHARE = 0.15

OBJECTIVES = (
    "Reduce onboarding time for new hires",
    "Consolidate tooling onto one platform",
    "Raise self-service adoption in the service desk",
    "Automate quarter-end reporting",
    "Improve customer satisfaction score",
)
INTERNAL_PLAYS = (
    "Prepare renewal strategy",
    "Executive sponsor mapping",
    "Churn-risk mitigation plan",
    "Expansion opportunity review",
)
INTERNAL_TASKS = ("Draft account plan", "Align with sales", "Collect usage evidence", "Book QBR")
RISKS = (
    ("Executive sponsor left the company", RiskScope.RENEWAL),
    ("Low adoption of the core module", RiskScope.ADOPTION),
    ("Go-live slipping by a quarter", RiskScope.ONBOARDING),
    ("Budget freeze announced", RiskScope.EXPANSION),
    ("Competitor evaluation underway", RiskScope.RENEWAL),
)
PLAYS = (
    ("Adoption", "Enablement", "Run a training webinar"),
    ("Risk", "Escalation", "Executive alignment call"),
    ("Renewal", "Value", "Build the value realisation report"),
)
EMAIL_TEMPLATES = (
    ("Quarterly business review invitation", TemplateTarget.ENGAGEMENT),
    ("Renewal reminder", TemplateTarget.ENGAGEMENT),
    ("Success plan follow-up", TemplateTarget.SUCCESS_CASE),
    ("Risk escalation notice", TemplateTarget.RISK_SIGNAL),
)
FORM_TEMPLATES = (
    ("Health check questionnaire", TemplateTarget.ENGAGEMENT),
    ("Go-live readiness checklist", TemplateTarget.ENGAGEMENT),
    ("Play retrospective", TemplateTarget.SUCCESS_CASE),
)
CLOSURE_NOTES = "Reviewed with the customer; outcome recorded in the success plan."


@dataclass(frozen=True)
class BuiltEngagement:
    """What the workspace needs of an engagement the success graph built."""

    id: int
    created_at: datetime


@dataclass
class Catalogue:
    """The global health definition's indicator ids, for the engagements that use it."""

    global_indicators: list[tuple[int, tuple[str, int, int, health.Direction]]]


def build_catalogue(sink: RowSink, clock: Clock) -> Catalogue:
    """The global health definition and the email and form templates."""
    created = clock.now - timedelta(days=400)
    times = {"created_at": created, "updated_at": created}
    definition = sink.add(
        health_definitions,
        {
            "name": "Standard health",
            "engagement_id": None,
            "account_id": None,
            "green_from": Decimal(70),
            "yellow_from": Decimal(40),
            **times,
        },
    )
    indicators = [
        (_indicator_definition(sink, definition, spec, times), spec) for spec in GLOBAL_INDICATORS
    ]
    for name, target in EMAIL_TEMPLATES:
        body = f"Hello {{contact}},\n\n{name} for {{engagement}}.\n\nKind regards,\n{{agent}}"
        sink.add(
            email_templates,
            {"name": name, "applies_to": target.value, "subject": name, "body": body, **times},
        )
    for name, target in FORM_TEMPLATES:
        fields = [{"label": "Summary", "type": "text"}, {"label": "Score", "type": "number"}]
        sink.add(
            form_templates,
            {
                "name": name,
                "applies_to": target.value,
                "description": f"{name} form.",
                "fields": json.dumps(fields),
                **times,
            },
        )
    return Catalogue(indicators)


def _indicator_definition(
    sink: RowSink, definition: int, spec: tuple[str, int, int, health.Direction], times: dict
) -> int:
    metric, target, weight, direction = spec
    row = {
        "definition_id": definition,
        "metric": metric,
        "target": Decimal(target),
        "weight": weight,
        "direction": direction.value,
        **times,
    }
    return sink.add(health_indicator_definitions, row)


class WorkspaceGraph:
    """The workspace records of one account's engagements."""

    def __init__(
        self,
        sink: RowSink,
        clock: Clock,
        rng: random.Random,
        directory: Directory,
        account: SuccessAccount,
        catalogue: Catalogue,
        agents: list[int],
    ) -> None:
        self.sink, self.clock, self.rng = sink, clock, rng
        self.directory, self.account, self.catalogue = directory, account, catalogue
        self.agents = [*directory.persona_agents, *agents]
        self.work_states = Deck(rng, tuple(WorkState))
        self.objective_states = Deck(rng, tuple(ObjectiveState))
        self.risk_states = Deck(rng, tuple(RiskState))
        self.closures = Deck(rng, tuple(ClosureCode))
        self.plans = Deck(rng, tuple(UsagePlan))
        self.criticality = Deck(rng, tuple(Criticality))
        self.probability = Deck(rng, tuple(Probability))

    def build(self, engagements: list[BuiltEngagement]) -> None:
        for engagement in engagements:
            self._engagement(engagement)

    def _times(self, since: datetime) -> dict[str, datetime]:
        created = self.clock.between(self.rng, since)
        return {"created_at": created, "updated_at": self.clock.between(self.rng, created)}

    def _journal(
        self,
        record_type: RecordType,
        record_id: int,
        kind: ActivityKind,
        at: datetime,
        *,
        actor: int | None = None,
        body: str | None = None,
        changes: dict[str, object] | None = None,
    ) -> None:
        """An entry of the customer timeline, as the service that writes such a record
        journals it (domain/timeline.py); draws nothing, so no other demo row moves."""
        self.sink.add(
            activities,
            {
                "record_type": record_type.value,
                "record_id": record_id,
                "account_id": self.account.id,
                "kind": kind.value,
                "actor_user_id": actor,
                "actor_contact_id": None,
                "at": at,
                "body": body,
                "changes": None if changes is None else json.dumps(changes, sort_keys=True),
            },
        )

    def _journal_created(
        self, record_type: RecordType, record_id: int, row: Mapping[str, object]
    ) -> None:
        at = row["created_at"]
        assert isinstance(at, datetime)
        actor = row.get("assigned_to_id")
        self._journal(
            record_type,
            record_id,
            created_kind(record_type),
            at,
            actor=actor if isinstance(actor, int) else None,
        )

    def _engagement(self, e: BuiltEngagement) -> None:
        self._health(e)
        self._objectives(e)
        self._internal_plays(e)
        risks = self._risks(e)
        self._success_plays(e, risks)
        self._adoption(e)
        self._team(e)
        self._contracts(e)
        self._discussion(e)
        self._attachments(e)

    # -- health -----------------------------------------------------------------------------------

    def _health(self, e: BuiltEngagement) -> None:
        rng, sink = self.rng, self.sink
        indicators = self.catalogue.global_indicators
        if rng.random() < OVERRIDE_SHARE:
            times = self._times(e.created_at)
            definition = sink.add(
                health_definitions,
                {
                    "name": "Engagement-specific health",
                    "engagement_id": e.id,
                    "account_id": self.account.id,
                    "green_from": Decimal(75),
                    "yellow_from": Decimal(50),
                    **times,
                },
            )
            indicators = [
                (_indicator_definition(sink, definition, spec, times), spec)
                for spec in OVERRIDE_INDICATORS
            ]
        measured = []
        for definition_id, (metric, target, weight, direction) in indicators:
            actual = None if rng.random() < 0.1 else round(target * rng.uniform(0.3, 1.4), 1)
            measured.append(health.Indicator(metric, target, weight, direction, actual))
            row = {
                "engagement_id": e.id,
                "account_id": self.account.id,
                "indicator_definition_id": definition_id,
                "actual": None if actual is None else Decimal(str(actual)),
                "measured_at": None if actual is None else self.clock.now - timedelta(days=2),
                **self._times(e.created_at),
            }
            sink.add(health_indicators, row)
        current = health.score(measured) or 0.0
        bands = health.ColourBands()
        # History drifts towards today's score; some weeks were never snapshotted.
        for back, monday in enumerate(reversed(last_weeks(self.clock.anchor, HISTORY_WEEKS))):
            if back and rng.random() < MISSING_WEEK_SHARE:
                continue
            value = current if back == 0 else min(100.0, max(0.0, current + rng.uniform(-15, 15)))
            at = datetime.combine(monday, datetime.min.time(), self.clock.now.tzinfo)
            if back == 0:
                # This week's point was written by a Refresh health, which the timeline shows.
                self._journal(
                    RecordType.ENGAGEMENT,
                    e.id,
                    ActivityKind.HEALTH_REFRESHED,
                    at,
                    actor=self.agents[0],
                    changes={
                        "score": {"to": round(value, 2)},
                        "colour": {"to": bands.colour(value).value},
                    },
                )
            sink.add(
                health_snapshots,
                {
                    "engagement_id": e.id,
                    "account_id": self.account.id,
                    "week_start": monday,
                    "score": round(value, 2),
                    "colour": bands.colour(value).value,
                    "created_at": at,
                    "updated_at": at,
                },
            )

    # -- blueprint, internal work, risks ----------------------------------------------------------

    def _closure(self, state: str) -> dict[str, str | None]:
        closed = state in {"CLOSED", "CANCELED"}
        code = (
            (ClosureCode.CANCELED if state == "CANCELED" else self.closures.draw())
            if closed
            else None
        )
        return {
            "closure_code": code.value if code else None,
            "closure_notes": CLOSURE_NOTES if closed else None,
        }

    def _objectives(self, e: BuiltEngagement) -> None:
        for _ in range(self.rng.randint(2, 4)):
            state = self.objective_states.draw().value
            row = {
                "engagement_id": e.id,
                "account_id": self.account.id,
                "short_description": self.rng.choice(OBJECTIVES),
                "description": None,
                "state": state,
                "due_date": self.clock.due_date(self.rng),
                **self._closure(state),
                **self._times(e.created_at),
            }
            objective = self.sink.add(success_objectives, row)
            self._journal_created(RecordType.SUCCESS_OBJECTIVE, objective, row)

    def _work(self, e: BuiltEngagement, text: str) -> dict[str, object]:
        state = self.work_states.draw().value
        return {
            "engagement_id": e.id,
            "account_id": self.account.id,
            "short_description": text,
            "description": None,
            "state": state,
            "priority": self.rng.randint(1, 5),
            "due_date": self.clock.due_date(self.rng),
            "assigned_to_id": self.rng.choice(self.agents),
            **self._closure(state),
            **self._times(e.created_at),
        }

    def _internal_plays(self, e: BuiltEngagement) -> None:
        for _ in range(self.rng.randint(1, 3)):
            play_row = self._work(e, self.rng.choice(INTERNAL_PLAYS))
            play = self.sink.add(internal_plays, play_row)
            self._journal_created(RecordType.INTERNAL_PLAY, play, play_row)
            for _ in range(self.rng.randint(0, 3)):
                row = self._work(e, self.rng.choice(INTERNAL_TASKS))
                task = self.sink.add(internal_play_tasks, {**row, "internal_play_id": play})
                self._journal_created(RecordType.INTERNAL_PLAY_TASK, task, row)

    def _risks(self, e: BuiltEngagement) -> list[int]:
        found = []
        for _ in range(self.rng.randint(1, 4)):
            text, scope = self.rng.choice(RISKS)
            row = {
                "engagement_id": e.id,
                "account_id": self.account.id,
                "short_description": text,
                "description": None,
                "probability": int(self.probability.draw()),
                "priority": self.rng.randint(1, 5),
                "state": self.risk_states.draw().value,
                "scope": scope.value,
                "due_date": self.clock.due_date(self.rng),
                "assigned_to_id": self.rng.choice(self.agents),
                **self._times(e.created_at),
            }
            risk = self.sink.add(risk_signals, row)
            self._journal_created(RecordType.RISK_SIGNAL, risk, row)
            found.append(risk)
        return found

    def _success_plays(self, e: BuiltEngagement, risks: list[int]) -> None:
        """Some risks are addressed by a play launched from them; others stay unaddressed."""
        for risk in risks[: self.rng.randint(0, len(risks))]:
            category, subcategory, activity = self.rng.choice(PLAYS)
            row = {
                "engagement_id": e.id,
                "account_id": self.account.id,
                "category": category,
                "subcategory": subcategory,
                "activity": activity,
                "state": self.work_states.draw().value,
                "source_type": PlaySource.RISK_SIGNAL.value,
                "source_id": risk,
                **self._times(e.created_at),
            }
            play = self.sink.add(success_plays, row)
            self._journal_created(RecordType.SUCCESS_PLAY, play, row)

    # -- adoption ---------------------------------------------------------------------------------

    def _adoption(self, e: BuiltEngagement) -> None:
        rng = self.rng
        chosen = rng.sample(self.directory.products, rng.randint(2, 5))
        weeks = last_weeks(self.clock.anchor, HISTORY_WEEKS)
        for product_id, name in chosen:
            plan = self.plans.draw()
            scored = plan in {UsagePlan.ACTIVATED, UsagePlan.DEACTIVATED} or rng.random() < 0.3
            level = rng.uniform(10, 95)
            history: list[tuple[date, float]] = []
            if scored:
                for monday in weeks:
                    if rng.random() < MISSING_WEEK_SHARE:
                        continue
                    level = min(100.0, max(0.0, level + rng.uniform(-8, 8)))
                    history.append((monday, round(level, 1)))
            latest = history[-1][1] if history else None
            row = {
                "engagement_id": e.id,
                "account_id": self.account.id,
                "product_id": product_id,
                "usage_plan": int(plan),
                "customer_priority": int(self.criticality.draw()),
                "business_criticality": int(self.criticality.draw()),
                "adoption_score": latest,
                "usage_detail": f"{name}: {rng.randint(5, 900)} active users last week.",
                **self._times(e.created_at),
            }
            sold = self.sink.add(sold_products, row)
            for monday, score in history:
                self.sink.add(
                    adoption_scores,
                    {
                        "sold_product_id": sold,
                        "week_start": monday,
                        "engagement_id": e.id,
                        "account_id": self.account.id,
                        "score": score,
                    },
                )
            if rng.random() < 0.5:
                start = self.clock.anchor + timedelta(days=rng.randint(-90, 60))
                self.sink.add(
                    product_adoption_roadmaps,
                    {
                        "engagement_id": e.id,
                        "account_id": self.account.id,
                        "sold_product_id": sold,
                        "name": f"{name} adoption roadmap",
                        "milestone": "Department-wide rollout",
                        "planned_start": start,
                        "planned_end": start + timedelta(days=rng.randint(30, 180)),
                        "target_score": float(rng.choice((60, 70, 80))),
                        **self._times(e.created_at),
                    },
                )

    # -- team, contracts, discussions -------------------------------------------------------------

    def _team(self, e: BuiltEngagement) -> None:
        rng, account = self.rng, self.account
        contacts = [*account.focus, *account.others]
        for contact in rng.sample(contacts, min(len(contacts), rng.randint(1, 3))):
            self.sink.add(
                engagement_contacts,
                {
                    "engagement_id": e.id,
                    "account_id": account.id,
                    "contact_id": contact,
                    "role": "Stakeholder",
                },
            )
        squad = rng.sample(self.agents, 3)
        for team, members in ((TeamRole.SQUAD, squad), (TeamRole.ACCOUNT_TEAM, squad[:1])):
            for user in members:
                self.sink.add(
                    engagement_users,
                    {
                        "engagement_id": e.id,
                        "account_id": account.id,
                        "user_id": user,
                        "team": team.value,
                        "role": "Account executive" if team is TeamRole.ACCOUNT_TEAM else "CSM",
                    },
                )

    def _contracts(self, e: BuiltEngagement) -> None:
        for index in range(self.rng.randint(1, 2)):
            start = self.clock.anchor - timedelta(days=self.rng.randint(30, 700))
            end = start + timedelta(days=365 * self.rng.randint(1, 3))
            row = {
                "name": f"{self.account.name} subscription {index + 1}",
                "account_id": self.account.id,
                "engagement_id": e.id,
                "value": Decimal(self.rng.randrange(2_000_000, 90_000_000, 100)).scaleb(-2),
                "start_date": start,
                "end_date": end,
                "active": end >= self.clock.anchor,
                **self._times(e.created_at),
            }
            contract = self.sink.add(contracts, row)
            created = row["created_at"]
            assert isinstance(created, datetime)
            self._journal(
                RecordType.CONTRACT,
                contract,
                ActivityKind.CONTRACT_ADDED,
                created,
                changes={"name": row["name"], "value": str(row["value"])},
            )

    def _attachments(self, e: BuiltEngagement) -> None:
        """Files on the engagement itself (the side panel's attachments)."""
        for _ in range(self.rng.randint(0, 2)):
            file_name, content_type = self.rng.choice(vocabulary.ATTACHMENTS)
            at = self.clock.between(self.rng, e.created_at)
            row = {
                "record_type": RecordType.ENGAGEMENT.value,
                "record_id": e.id,
                "account_id": self.account.id,
                "file_name": file_name,
                "content_type": content_type,
                "size_bytes": self.rng.randint(8_000, 5_000_000),
                "uploaded_by_user_id": self.rng.choice(self.agents),
                "uploaded_by_contact_id": None,
                "created_at": at,
                "updated_at": at,
            }
            self.sink.add(attachments, row)

    def _discussion(self, e: BuiltEngagement) -> None:
        if self.rng.random() < 0.4:
            return
        times = self._times(e.created_at)
        starter, other = self.rng.sample(self.agents, 2)
        discussion = self.sink.add(
            discussions,
            {
                "engagement_id": e.id,
                "account_id": self.account.id,
                "record_type": "engagement",
                "record_id": e.id,
                "subject": "Renewal approach",
                "started_by_id": starter,
                **times,
            },
        )
        for user in (starter, other):
            self.sink.add(discussion_participants, {"discussion_id": discussion, "user_id": user})
        # Its timeline entry, as startDiscussion writes it (services/discussions.py).
        self._journal(
            RecordType.ENGAGEMENT,
            e.id,
            ActivityKind.DISCUSSION,
            times["created_at"],
            actor=starter,
            body="Renewal approach",
            changes={"discussionId": discussion},
        )
        for index, author in enumerate((starter, other)):
            # The replies follow within hours, but never after now.
            at = min(times["created_at"] + timedelta(hours=index + 1), self.clock.now)
            self.sink.add(
                discussion_messages,
                {
                    "discussion_id": discussion,
                    "account_id": self.account.id,
                    "author_id": author,
                    "at": at,
                    "body": "Let us align on the renewal approach before the QBR."
                    if index == 0
                    else "Agreed; I will draft the value report.",
                },
            )
