"""Customer service demo data: the catalogue around cases, then each account's cases.

Drawn after the customer-success graph from generators of its own, so adding cases changes
no row of the success graph. The named accounts get enough cases, in a fixed rotation, that
every rule of ACCESS.md "Cases" has records on both sides for its persona:

- contact / opened-by rotate independently over the account's contacts (personas first), so
  ``customer@acme`` and ``partner@globex`` have cases they are the contact of, cases they only
  opened, and cases of their account that are neither;
- one case in four is raised by the proxy persona (``internalContact``), some with no contact;
- Acme Europe and Acme Americas (Acme's children) have cases that the case manager sees and
  the Acme customer admin does not; Globex serves Acme and Initech, not Umbrella;
- resolved and closed cases alternate ``shareResolutionNotes``; every case has at least one
  additional comment and one work note (work notes carry the word "kerberos", which no
  comment or case text uses, so search leaks show);
- related records of every kind, knowledge links (internal articles too), child cases across
  accounts, work orders and interactions;
- each case is opened at a time that fits its state and carries the SLAs that apply to it
  (its priority's; Acme's premium entitlement adds one of its own), run through its events as
  the service would (demo/case_timeline.py), so breached, running, paused, completed and
  canceled SLAs all occur at their definitions' true durations.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from csm_graphql.demo import personas
from csm_graphql.demo.case_setup import Setup, add_premium_sla, build_setup
from csm_graphql.demo.case_timeline import CaseTimeline, draw_timeline
from csm_graphql.demo.directory import Directory
from csm_graphql.demo.sampling import Clock, child_rng
from csm_graphql.demo.writer import RowSink
from csm_graphql.domain.cases import (
    CaseChannel,
    CaseState,
    Impact,
    InteractionChannel,
    InteractionState,
    RelatedRecordKind,
    ResolutionCode,
    Urgency,
    WorkOrderState,
    priority,
)
from csm_graphql.domain.enums import ActivityKind, Priority, RecordType
from csm_graphql.domain.sla import planned_end
from csm_graphql.tables import (
    activities,
    assets,
    attachments,
    case_articles,
    case_informed_users,
    case_related_records,
    cases,
    contracts,
    entitlements,
    interactions,
    task_slas,
    work_orders,
)

# Cases per named account (enough for every rotation to meet every contact); generated
# accounts get a few each.
NAMED_CASES = {
    "acme": 24,
    "acme_europe": 10,
    "acme_americas": 8,
    "initech": 12,
    "umbrella": 10,
    "globex": 12,
}
GENERATED_CASES = (3, 7)
# The account whose entitlement comes with an SLA definition of its own (case_setup.py).
PREMIUM_ACCOUNT = "acme"
WORK_NOTE_WORD = "kerberos"

SUBJECTS = (
    "Cannot log in to {product}",
    "{product} is slow for the {dept} team",
    "Error when exporting reports from {product}",
    "Licence count wrong for {product}",
    "Integration with {system} fails",
    "Request for a new {product} environment",
    "Data missing after the {product} upgrade",
    "Printer in {dept} offline",
)
COMMENTS = (
    "Thanks, we will try this and report back.",
    "The problem is still there this morning.",
    "Attached a screenshot of the error message.",
    "Could you give us an update on this?",
)
WORK_NOTES = (
    "Checked the logs: {word} ticket expiry on the gateway.",
    "Escalated to the platform team; suspect {word} configuration drift.",
    "Reproduced in staging with a fresh {word} keytab.",
)
RESOLUTION_NOTES = (
    "Reset the user's credentials and cleared the session cache.",
    "Applied the vendor patch; the export works again.",
    "Corrected the licence allocation on the contract.",
)
STATES = (
    CaseState.NEW,
    CaseState.OPEN,
    CaseState.OPEN,
    CaseState.AWAITING_INFO,
    CaseState.RESOLVED,
    CaseState.CLOSED,
    CaseState.CANCELED,
)


def build_cases(sink: RowSink, clock: Clock, seed: int, directory: Directory) -> None:
    setup = build_setup(sink, clock, child_rng(seed, "case-setup"), directory)
    named_first_case: dict[str, int] = {}
    for spec in personas.ACCOUNTS:
        contacts = _named_account_contacts(directory, spec.key)
        builder = _AccountCases(
            sink, clock, child_rng(seed, "cases", spec.key), directory, setup,
            directory.account_ids[spec.key], contacts, premium=spec.key == PREMIUM_ACCOUNT,
        )  # fmt: skip
        # Acme Europe's first case is a child of an Acme case: the parent is visible to Acme's
        # admin, the child only to the case manager (descendant accounts).
        cross_parent = named_first_case.get("acme") if spec.key == "acme_europe" else None
        first = builder.build(NAMED_CASES[spec.key], cross_parent=cross_parent)
        named_first_case[spec.key] = first
    named = {directory.account_ids[spec.key] for spec in personas.ACCOUNTS}
    for account in directory.success_accounts:
        if account.id in named:
            continue
        rng = child_rng(seed, "cases", account.key)
        contacts = [*account.focus, *account.others]
        builder = _AccountCases(sink, clock, rng, directory, setup, account.id, contacts)
        builder.build(rng.randint(*GENERATED_CASES))


def _named_account_contacts(directory: Directory, key: str) -> list[int]:
    """Persona contacts of the account first (in persona order), then the others."""
    own = [
        directory.contact_ids[p.key]
        for p in personas.PERSONAS
        if p.kind == "CONTACT" and p.account == key
    ]
    return [*own, *directory.named_contacts[key]]


class _AccountCases:
    """One account's contract, assets, entitlement and cases with everything under them."""

    def __init__(
        self,
        sink: RowSink,
        clock: Clock,
        rng: random.Random,
        directory: Directory,
        setup: Setup,
        account_id: int,
        contacts: list[int],
        *,
        premium: bool = False,
    ) -> None:
        self.sink, self.clock, self.rng = sink, clock, rng
        self.premium = premium
        self.directory, self.setup = directory, setup
        self.account_id = account_id
        self.contacts = contacts
        self.proxy = directory.user_ids[personas.PROXY.key]
        self.case_ids: list[int] = []

    # -- the account's service set-up ------------------------------------------------------

    def _account_records(self) -> tuple[int, list[tuple[int, int]], int]:
        rng, clock = self.rng, self.clock
        created = clock.days_ago(rng, 500, 700)
        start = created.date()
        contract = self.sink.add(
            contracts,
            {
                "name": "Support and maintenance",
                "account_id": self.account_id,
                "engagement_id": None,
                "value": Decimal(rng.randrange(20_000, 400_000, 500)),
                "start_date": start,
                "end_date": start + timedelta(days=3 * 365),
                "active": True,
                "created_at": created,
                "updated_at": created,
            },
        )
        owned: list[tuple[int, int]] = []  # (asset id, product id)
        for model_id, product_id in rng.sample(self.setup.product_models, 2):
            installed = clock.between(rng, created)
            asset = self.sink.add(
                assets,
                {
                    "name": f"Install {len(owned) + 1}",
                    "account_id": self.account_id,
                    "product_model_id": model_id,
                    "serial_number": f"SN-{rng.randrange(10**7, 10**8)}",
                    "installed_on": installed.date(),
                    "created_at": installed,
                    "updated_at": installed,
                },
            )
            owned.append((asset, product_id))
        entitlement = self.sink.add(
            entitlements,
            {
                "name": "Premium support",
                "account_id": self.account_id,
                "product_id": None,
                "contract_id": contract,
                "schedule_id": rng.choice(self.setup.schedules),
                "start_date": start,
                "end_date": start + timedelta(days=3 * 365),
                "active": True,
                "created_at": created,
                "updated_at": created,
            },
        )
        if self.premium:
            add_premium_sla(self.sink, self.setup, entitlement, created)
        return contract, owned, entitlement

    # -- cases -------------------------------------------------------------------------------

    def build(self, count: int, cross_parent: int | None = None) -> int:
        """Writes ``count`` cases; returns the first case's id."""
        contract, owned, entitlement = self._account_records()
        rng, contacts = self.rng, self.contacts
        for index in range(count):
            # Rotations of different lengths, so contact x opener x proxy combinations all
            # come up in an account with enough cases.
            contact: int | None = contacts[index % len(contacts)]
            proxy = index % 4 == 2
            if index % 5 == 4:
                contact = None  # a consumer case, or (with a proxy) internal contact only
            opened_by_contact: int | None = None
            opened_by_user: int | None = None
            if proxy:
                opened_by_user = self.proxy
            elif index % 3 == 0 and contact is not None:
                opened_by_contact = contact
            elif index % 3 == 1 or contact is None:
                opened_by_contact = contacts[(index - 1) % len(contacts)]
            else:
                opened_by_user = rng.choice(self.setup.agents)
            parent = None
            if index == 0 and cross_parent is not None:
                parent = cross_parent
            elif index % 6 == 5:
                parent = self.case_ids[index - 3]
            asset, product = owned[index % len(owned)]
            case_id = self._case(
                index, contact, opened_by_contact, opened_by_user, proxy, parent,
                asset if index % 2 == 0 else None, product, contract, entitlement,
            )  # fmt: skip
            self.case_ids.append(case_id)
        return self.case_ids[0]

    def _case(
        self,
        index: int,
        contact: int | None,
        opened_by_contact: int | None,
        opened_by_user: int | None,
        proxy: bool,
        parent: int | None,
        asset: int | None,
        product: int,
        contract: int,
        entitlement: int | None,
    ) -> int:
        rng = self.rng
        state = STATES[(index + rng.randrange(len(STATES))) % len(STATES)]
        timeline = draw_timeline(rng, self.clock.now, state)
        created = timeline.opened
        impact, urgency = Impact(rng.randint(1, 3)), Urgency(rng.randint(1, 3))
        resolved = state in {CaseState.RESOLVED, CaseState.CLOSED}
        if index % 3 == 1:
            entitlement = None
        assigned = None if state is CaseState.NEW else rng.choice(self.setup.assignees)
        if index % 7 == 3:
            assigned = None
        subject = rng.choice(SUBJECTS).format(
            product=rng.choice(self.directory.products)[1],
            dept=rng.choice(("Finance", "HR", "Sales", "IT")),
            system=rng.choice(("SAP", "Salesforce", "Okta")),
        )
        consumer = None
        if contact is None and not proxy:
            consumer = ("Jordan Consumer", "jordan.consumer@mail.example")
        case_id = self.sink.add(
            cases,
            {
                "channel": list(CaseChannel)[index % len(CaseChannel)].value,
                "account_id": self.account_id,
                "contact_id": contact,
                "consumer_name": consumer[0] if consumer else None,
                "consumer_email": consumer[1] if consumer else None,
                "internal_contact_id": self.proxy if proxy else None,
                "opened_by_user_id": opened_by_user,
                "opened_by_contact_id": opened_by_contact,
                "asset_id": asset,
                "product_id": product,
                "category": rng.choice(("Question", "Issue", "Request", None)),
                "impact": impact.value,
                "urgency": urgency.value,
                "share_resolution_notes": resolved and index % 2 == 0,
                "state": state.value,
                "support_group_id": rng.choice(self.setup.support_groups) if assigned else None,
                "assigned_to_id": assigned,
                "contract_id": contract if index % 3 != 2 else None,
                "entitlement_id": entitlement,
                "parent_id": parent,
                **self._project_of(index),
                "short_description": subject,
                "description": "Reported through the portal. Steps to reproduce are attached.",
                "resolution_code": rng.choice(list(ResolutionCode)).value if resolved else None,
                "resolution_notes": rng.choice(RESOLUTION_NOTES) if resolved else None,
                "closed_at": timeline.ended if state.is_final else None,
                "created_at": created,
                "updated_at": timeline.last,
                "version": 1 + rng.randint(0, 3),
            },
        )
        self._journal(case_id, created, contact, index)
        self._slas(case_id, timeline, priority(impact, urgency), entitlement)
        self._related(case_id, created, index)
        if index % 3 == 0:
            for user_id in rng.sample(self.setup.agents[2:], 2):
                sink_row = {"case_id": case_id, "user_id": user_id}
                self.sink.add(case_informed_users, sink_row)
        return case_id

    def _project_of(self, index: int) -> dict[str, int | None]:
        """Every fifth case (from the second) is raised for one of the account's projects, every
        other one of those for a customer-visible task of it. Chosen by position, not drawn,
        so the rest of the data does not move."""
        projects = self.directory.projects.get(self.account_id)
        if not projects or index % 5 != 1:
            return {"project_id": None, "project_task_id": None}
        project_id, tasks = projects[(index // 5) % len(projects)]
        task_id = tasks[(index // 10) % len(tasks)] if tasks and index % 10 == 1 else None
        return {"project_id": project_id, "project_task_id": task_id}

    def _journal(self, case_id: int, created: datetime, contact: int | None, index: int) -> None:
        rng = self.rng
        kinds = [ActivityKind.COMMENT, ActivityKind.WORK_NOTE]
        kinds += rng.choices([ActivityKind.COMMENT, ActivityKind.WORK_NOTE], k=rng.randint(0, 5))
        for at, kind in zip(self.clock.series(rng, created, len(kinds)), kinds, strict=True):
            by_contact = kind is ActivityKind.COMMENT and contact is not None and rng.random() < 0.5
            if kind is ActivityKind.COMMENT:
                body = rng.choice(COMMENTS)
            else:
                body = rng.choice(WORK_NOTES).format(word=WORK_NOTE_WORD)
            self.sink.add(
                activities,
                {
                    "record_type": RecordType.CASE.value,
                    "record_id": case_id,
                    "account_id": self.account_id,
                    "kind": kind.value,
                    "actor_user_id": None if by_contact else rng.choice(self.setup.agents),
                    "actor_contact_id": contact if by_contact else None,
                    "at": at,
                    "body": body,
                    "changes": None,
                },
            )
        if index % 2 == 0:
            at = self.clock.between(rng, created)
            self.sink.add(
                attachments,
                {
                    "record_type": RecordType.CASE.value,
                    "record_id": case_id,
                    "account_id": self.account_id,
                    "file_name": rng.choice(("error.png", "logs.zip", "export.csv")),
                    "content_type": "application/octet-stream",
                    "size_bytes": rng.randint(1_000, 2_000_000),
                    "uploaded_by_user_id": rng.choice(self.setup.agents),
                    "uploaded_by_contact_id": None,
                    "created_at": at,
                    "updated_at": at,
                },
            )

    def _slas(
        self,
        case_id: int,
        timeline: CaseTimeline,
        case_priority: Priority,
        entitlement: int | None,
    ) -> None:
        """The SLAs of every definition that applies to the case, as the service would have
        run them through the case's events (demo/case_timeline.py)."""
        for definition in self.setup.sla_definitions:
            if not definition.applies(int(case_priority), entitlement):
                continue
            course = timeline.sla(definition.target, definition.hours)
            start = timeline.opened
            self.sink.add(
                task_slas,
                {
                    "case_id": case_id,
                    "account_id": self.account_id,
                    "sla_definition_id": definition.id,
                    "stage": course.stage.value,
                    "start_at": start,
                    "planned_end_at": planned_end(start, definition.minutes, definition.hours),
                    "paused_seconds": course.paused_seconds,
                    "paused_at": course.paused_at,
                    "stopped_at": course.stopped_at,
                    "created_at": start,
                    "updated_at": max(start, course.paused_at or start, course.stopped_at or start),
                },
            )

    def _related(self, case_id: int, created: datetime, index: int) -> None:
        rng, clock = self.rng, self.clock
        if index % 3 == 0:
            kinds = list(RelatedRecordKind)
            kind = kinds[(index // 3) % len(kinds)]
            at = clock.between(rng, created)
            self.sink.add(
                case_related_records,
                {
                    "case_id": case_id,
                    "account_id": self.account_id,
                    "kind": kind.value,
                    "short_description": f"{kind.value.title()} raised from the case",
                    "state": "NEW",
                    "opened_by_user_id": rng.choice(self.setup.agents),
                    "created_at": at,
                    "updated_at": at,
                },
            )
        for article in rng.sample(self.directory.articles, index % 3):
            row = {"case_id": case_id, "article_id": article}
            self.sink.add(case_articles, {**row, "linked_at": clock.between(rng, created)})
        if index % 4 == 2:
            at = clock.between(rng, created)
            technician = rng.choice(self.setup.agents)
            scheduled = at + timedelta(days=rng.randint(1, 10))
            work_order_id = self.sink.add(
                work_orders,
                {
                    "case_id": case_id,
                    # A project case's field work belongs to the project as well.
                    "project_id": self._project_of(index)["project_id"],
                    "account_id": self.account_id,
                    "short_description": "On-site visit",
                    "state": list(WorkOrderState)[index % len(WorkOrderState)].value,
                    "assigned_to_id": technician,
                    "scheduled_at": scheduled,
                    "created_at": at,
                    "updated_at": at,
                },
            )
            if index % 8 == 2:
                # The technician's site report on every other work order; drawn without the
                # random stream, so the rest of the demo stays what it was.
                self.sink.add(
                    attachments,
                    {
                        "record_type": RecordType.WORK_ORDER.value,
                        "record_id": work_order_id,
                        "account_id": self.account_id,
                        "file_name": "site-report.pdf",
                        "content_type": "application/pdf",
                        "size_bytes": 50_000 + index,
                        "uploaded_by_user_id": technician,
                        "uploaded_by_contact_id": None,
                        "created_at": at,
                        "updated_at": at,
                    },
                )
        if index % 5 == 0:
            at = clock.between(rng, created - timedelta(hours=1), created)
            self.sink.add(
                interactions,
                {
                    "channel": InteractionChannel.CHAT.value,
                    "state": InteractionState.CLOSED_COMPLETE.value,
                    "opened_for_user_id": self.proxy if index % 2 == 0 else None,
                    "account_id": self.account_id,
                    "contact_id": self.contacts[0],
                    "case_id": case_id,
                    "assigned_to_id": rng.choice(self.setup.agents),
                    "short_description": "Chat before the case",
                    "created_at": at,
                    "updated_at": at,
                },
            )


__all__ = ["WORK_NOTE_WORD", "build_cases"]
