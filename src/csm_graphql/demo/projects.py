"""Customer projects of the demo: hand-made projects around the personas, so that every rule of
ACCESS.md "Customer projects" has records on both sides, and generated ones that scale.

Persona projects (contacts in brackets):

* Acme "Data platform rollout" [customer@, admin@acme, partner@globex]: tasks assigned to each of
  them, to the case agent, unassigned, and one hidden from customers.
* Acme "Support portal migration" [manager@, success@acme]: customer@ and admin@ see none of it.
* Acme Europe "EU data residency" [nobody]: no external viewer sees it.
* Initech "Onboarding" [partneradmin@globex, multi@initech].
* Umbrella Health "Clinical analytics" [multi@initech, through its contact relationship].
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from csm_graphql.demo import personas, vocabulary
from csm_graphql.demo.directory import Directory
from csm_graphql.demo.sampling import Clock, child_rng
from csm_graphql.demo.writer import RowSink
from csm_graphql.domain.enums import ActivityKind, ProjectState, RecordType
from csm_graphql.tables import (
    activities,
    project_change_requests,
    project_contacts,
    project_issues,
    project_tasks,
    projects,
)

# One in this many generated customer accounts runs a project.
GENERATED_PROJECT_EVERY = 3

# Who a persona task is assigned to: a persona contact key, "case_agent", or None.
Assignee = str | None


@dataclass(frozen=True)
class TaskCard:
    short_description: str
    state: ProjectState
    assignee: Assignee
    visible: bool


@dataclass(frozen=True)
class ProjectCard:
    account: str
    name: str
    state: ProjectState
    contacts: tuple[str, ...]
    tasks: tuple[TaskCard, ...]


_PENDING, _OPEN, _WIP, _DONE = (
    ProjectState.PENDING,
    ProjectState.OPEN,
    ProjectState.WORK_IN_PROGRESS,
    ProjectState.CLOSED_COMPLETE,
)

PERSONA_PROJECTS: tuple[ProjectCard, ...] = (
    ProjectCard(
        "acme",
        "Data platform rollout",
        _WIP,
        ("customer", "customer_admin", "partner"),
        (
            TaskCard("Provide sandbox credentials", _OPEN, "customer", True),
            TaskCard("Validate the data export", _PENDING, "customer", True),
            TaskCard("Configure the partner connector", _WIP, "partner", True),
            TaskCard("Sign off the rollout plan", _DONE, "customer_admin", True),
            TaskCard("Provision production tenant", _WIP, "case_agent", True),
            TaskCard("Review internal capacity plan", _OPEN, "case_agent", False),
            TaskCard("Schedule end-user training", _PENDING, None, True),
        ),
    ),
    ProjectCard(
        "acme",
        "Support portal migration",
        _OPEN,
        ("case_manager", "success_customer"),
        (
            TaskCard("Map case categories", _OPEN, "case_manager", True),
            TaskCard("Migrate knowledge articles", _PENDING, "case_agent", True),
            TaskCard("Decommission the old portal", _PENDING, "case_agent", False),
        ),
    ),
    ProjectCard(
        "acme_europe",
        "EU data residency",
        _PENDING,
        (),
        (
            TaskCard("Choose the EU region", _OPEN, "case_agent", True),
            TaskCard("Legal review", _PENDING, None, False),
        ),
    ),
    ProjectCard(
        "initech",
        "Onboarding",
        _WIP,
        ("partner_admin", "multi_account"),
        (
            TaskCard("Import the user directory", _WIP, "multi_account", True),
            TaskCard("Partner go-live checklist", _OPEN, "partner_admin", True),
            TaskCard("Internal handover notes", _OPEN, "case_agent", False),
        ),
    ),
    ProjectCard(
        "umbrella",
        "Clinical analytics",
        _OPEN,
        ("multi_account",),
        (
            TaskCard("Nominate data stewards", _OPEN, "multi_account", True),
            TaskCard("Prepare the analytics workspace", _PENDING, "case_agent", True),
        ),
    ),
)

GENERATED_TASKS = (
    "Kick-off workshop",
    "Collect requirements",
    "Set up single sign-on",
    "Load historical data",
    "User acceptance testing",
    "Train administrators",
    "Go-live readiness review",
    "Hypercare handover",
)


class ProjectGraph:
    def __init__(self, sink: RowSink, clock: Clock, seed: int, directory: Directory) -> None:
        self.sink, self.clock, self.seed, self.directory = sink, clock, seed, directory
        self.case_agent = directory.user_ids[personas.CASE_AGENT.key]

    def build(self) -> None:
        for index, card in enumerate(PERSONA_PROJECTS):
            self._persona_project(child_rng(self.seed, "projects", index), card)
        generated = [a for a in self.directory.success_accounts if a.key.startswith("generated")]
        for account in generated[::GENERATED_PROJECT_EVERY]:
            rng = child_rng(self.seed, "projects", account.key)
            contacts = [account.focus[0], *account.others[:1]]
            self._generated_project(rng, account.id, account.name, contacts)

    def _persona_project(self, rng: random.Random, card: ProjectCard) -> None:
        account_id = self.directory.account_ids[card.account]
        contacts = [self.directory.contact_ids[key] for key in card.contacts]
        project_id, start = self._project(rng, account_id, card.name, card.state, contacts)
        visible = []
        for task in card.tasks:
            contact = self.directory.contact_ids.get(task.assignee or "")
            user = self.case_agent if task.assignee == "case_agent" else None
            task_id = self._task(rng, project_id, account_id, start, task, contact, user, contacts)
            if task.visible or contact is not None:
                visible.append(task_id)
        self._register(account_id, project_id, visible)
        self._raised_for_cases(rng, project_id, account_id, card.name)

    def _generated_project(
        self, rng: random.Random, account_id: int, name: str, contacts: list[int]
    ) -> None:
        title = f"{name} {rng.choice(('rollout', 'migration', 'upgrade', 'expansion'))}"
        state = rng.choice((_PENDING, _OPEN, _WIP, _WIP))
        project_id, start = self._project(rng, account_id, title, state, contacts)
        shown = []
        for description in rng.sample(GENERATED_TASKS, rng.randint(3, 6)):
            contact = rng.choice(contacts) if rng.random() < 0.4 else None
            user = None if contact else rng.choice((self.case_agent, None))
            visible = contact is not None or rng.random() < 0.6
            task_state = rng.choice((_PENDING, _OPEN, _WIP, _DONE))
            card = TaskCard(description, task_state, None, visible)
            task_id = self._task(rng, project_id, account_id, start, card, contact, user, contacts)
            if visible:
                shown.append(task_id)
        self._register(account_id, project_id, shown)
        if rng.random() < 0.5:
            self._raised_for_cases(rng, project_id, account_id, title)

    def _register(self, account_id: int, project_id: int, visible_tasks: list[int]) -> None:
        self.directory.projects.setdefault(account_id, []).append(
            (project_id, tuple(visible_tasks))
        )

    def _project(
        self,
        rng: random.Random,
        account_id: int,
        name: str,
        state: ProjectState,
        contacts: list[int],
    ) -> tuple[int, date]:
        created = self.clock.days_ago(rng, 60, 200)
        start = created.date() + timedelta(days=rng.randint(5, 30))
        end = start + timedelta(days=rng.randint(60, 240))
        started = state in (_WIP, _DONE)
        project_id = self.sink.add(
            projects,
            {
                "name": name,
                "description": f"{name}: {vocabulary.fill(rng.choice(vocabulary.COMMENTS), rng)}",
                "account_id": account_id,
                "state": state.value,
                "planned_start": start,
                "planned_end": end,
                "actual_start": start if started else None,
                "actual_end": None,
                "created_at": created,
                "updated_at": self.clock.between(rng, created),
            },
        )
        for contact_id in contacts:
            self.sink.add(project_contacts, {"project_id": project_id, "contact_id": contact_id})
        return project_id, start

    def _task(
        self,
        rng: random.Random,
        project_id: int,
        account_id: int,
        start: date,
        card: TaskCard,
        contact: int | None,
        user: int | None,
        project_contact_ids: list[int],
    ) -> int:
        planned_start = start + timedelta(days=rng.randint(0, 40))
        planned_end = planned_start + timedelta(days=rng.randint(3, 30))
        started = card.state in (_WIP, _DONE)
        actual_start = planned_start if started else None
        actual_end = planned_end if card.state is _DONE else None
        created = datetime.combine(start, datetime.min.time(), tzinfo=self.clock.now.tzinfo)
        created = min(created, self.clock.now - timedelta(days=1))
        task_id = self.sink.add(
            project_tasks,
            {
                "project_id": project_id,
                "account_id": account_id,
                "short_description": card.short_description,
                "description": f"{card.short_description}. Owner confirms in the portal.",
                "state": card.state.value,
                "planned_start": planned_start,
                "planned_end": planned_end,
                "actual_start": actual_start,
                "actual_end": actual_end,
                "assigned_contact_id": contact,
                "assigned_to_id": user,
                # A task assigned to a contact is always visible to customers (DOMAIN.md).
                "visible_to_customer": card.visible or contact is not None,
                "created_at": created,
                "updated_at": self.clock.between(rng, created),
            },
        )
        self._journal(rng, task_id, account_id, created, project_contact_ids, contact)
        return task_id

    def _journal(
        self,
        rng: random.Random,
        task_id: int,
        account_id: int,
        created: datetime,
        contacts: list[int],
        assignee: int | None,
    ) -> None:
        """A comment or two (from the assignee or the case agent) and a work note."""
        kinds = [ActivityKind.COMMENT] * rng.randint(1, 2) + [ActivityKind.WORK_NOTE]
        for kind, at in zip(kinds, self.clock.series(rng, created, len(kinds)), strict=True):
            by_contact = kind is ActivityKind.COMMENT and bool(contacts) and rng.random() < 0.5
            texts = vocabulary.COMMENTS if kind is ActivityKind.COMMENT else vocabulary.WORK_NOTES
            self.sink.add(
                activities,
                {
                    "record_type": RecordType.PROJECT_TASK.value,
                    "record_id": task_id,
                    "account_id": account_id,
                    "kind": kind.value,
                    "actor_user_id": None if by_contact else self.case_agent,
                    "actor_contact_id": (assignee or rng.choice(contacts)) if by_contact else None,
                    "at": at,
                    "body": vocabulary.fill(rng.choice(texts), rng),
                    "changes": None,
                },
            )

    def _raised_for_cases(
        self, rng: random.Random, project_id: int, account_id: int, name: str
    ) -> None:
        raised = self.clock.days_ago(rng, 1, 50)
        common = {
            "project_id": project_id,
            "account_id": account_id,
            "case_id": None,
            "created_at": raised,
            "updated_at": raised,
        }
        self.sink.add(
            project_change_requests,
            {
                **common,
                "short_description": f"Extend {name} scope",
                "description": "Raised from a customer case.",
                "state": ProjectState.OPEN.value,
            },
        )
        self.sink.add(
            project_issues,
            {
                **common,
                "short_description": f"{name}: blocked on customer input",
                "description": "Raised from a customer case.",
                "state": rng.choice((_OPEN, _WIP)).value,
            },
        )


async def link_raised_records(conn: AsyncConnection) -> None:
    """Change requests and issues are raised for a case: once the cases exist, each points at
    the first case raised for its project (left empty where a project has none)."""
    for table in ("project_change_requests", "project_issues"):
        await conn.execute(
            text(
                f"UPDATE {table} raised SET case_id = (SELECT min(c.id) FROM cases c"
                " WHERE c.project_id = raised.project_id)"
            )
        )
