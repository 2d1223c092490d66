"""What hangs off the records of one account: activities, attachments and shared articles.

Work notes and comments are both common on visible and invisible success cases, and internal
articles are shared on visible ones, so "work notes / internal articles never reach a contact"
has rows on both sides.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

from csm_graphql.demo import vocabulary
from csm_graphql.demo.directory import Directory, SuccessAccount
from csm_graphql.demo.sampling import Clock, Deck, weighted
from csm_graphql.demo.writer import RowSink
from csm_graphql.domain.enums import ActivityKind, PerceivedHealth, RecordType, WorkState
from csm_graphql.tables import activities, attachments, success_case_articles

CASE_ACTIVITY_KINDS = weighted(
    (ActivityKind.COMMENT, 4), (ActivityKind.WORK_NOTE, 4), (ActivityKind.STATE_CHANGE, 2)
)
ENGAGEMENT_ACTIVITY_KINDS = weighted(
    (ActivityKind.WORK_NOTE, 2), (ActivityKind.COMMENT, 1), (ActivityKind.FIELD_CHANGE, 1)
)
# How many of each per success case: index = count, value = weight.
CASE_ACTIVITY_COUNTS = (2, 3, 3, 3, 3, 2, 2)  # 0..6 activities
CASE_ATTACHMENT_COUNTS = (10, 5, 3, 2)  # 0..3 attachments
CASE_ARTICLE_COUNTS = (10, 7, 3)  # 0..2 shared articles
TASK_ACTIVITY_SHARE = 0.3


class Journal:
    """Writes the activity stream, attachments and article shares of one account's records."""

    def __init__(
        self,
        sink: RowSink,
        clock: Clock,
        rng: random.Random,
        directory: Directory,
        account: SuccessAccount,
        users: list[int],
    ) -> None:
        self.sink, self.clock, self.rng, self.account = sink, clock, rng, account
        self.users = users
        self.contacts = [*account.focus, *account.others]
        self.case_kinds = Deck(rng, CASE_ACTIVITY_KINDS)
        self.engagement_kinds = Deck(rng, ENGAGEMENT_ACTIVITY_KINDS)
        self.articles = Deck(rng, directory.articles)

    def engagement(self, record_id: int, created: datetime) -> None:
        for at in self.clock.series(self.rng, created, self.rng.randint(1, 3)):
            kind: ActivityKind = self.engagement_kinds.draw()
            self._activity(RecordType.ENGAGEMENT, record_id, kind, at)

    def success_case(self, record_id: int, created: datetime, visible: bool) -> None:
        rng = self.rng
        count = _count(rng, CASE_ACTIVITY_COUNTS)
        state = WorkState.NEW
        for at in self.clock.series(rng, created, count):
            kind: ActivityKind = self.case_kinds.draw()
            state = self._activity(RecordType.SUCCESS_CASE, record_id, kind, at, state)
        for _ in range(_count(rng, CASE_ATTACHMENT_COUNTS)):
            self._attachment(RecordType.SUCCESS_CASE, record_id, created)
        shared = {self.articles.draw() for _ in range(_count(rng, CASE_ARTICLE_COUNTS))}
        for article_id in sorted(shared):
            row = {
                "success_case_id": record_id,
                "article_id": article_id,
                "shared_at": self.clock.between(rng, created),
            }
            self.sink.add(success_case_articles, row)

    def success_task(self, record_id: int, created: datetime) -> None:
        if self.rng.random() >= TASK_ACTIVITY_SHARE:
            return
        for at in self.clock.series(self.rng, created, self.rng.randint(1, 2)):
            kind = self.rng.choice((ActivityKind.COMMENT, ActivityKind.WORK_NOTE))
            self._activity(RecordType.SUCCESS_TASK, record_id, kind, at)

    def _activity(
        self,
        record_type: RecordType,
        record_id: int,
        kind: ActivityKind,
        at: datetime,
        state: WorkState = WorkState.NEW,
    ) -> WorkState:
        """Append one activity; returns the record's state after it (for STATE_CHANGE)."""
        rng = self.rng
        body: str | None = None
        changes: dict[str, Any] | None = None
        if kind is ActivityKind.COMMENT:
            body = vocabulary.fill(rng.choice(vocabulary.COMMENTS), rng)
        elif kind is ActivityKind.WORK_NOTE:
            body = vocabulary.fill(rng.choice(vocabulary.WORK_NOTES), rng)
        elif kind is ActivityKind.STATE_CHANGE:
            after = rng.choice([s for s in WorkState if s is not state])
            changes, state = {"state": {"from": state.value, "to": after.value}}, after
        else:
            old, new = rng.sample(list(PerceivedHealth), 2)
            changes = {"perceived_health": {"from": old.value, "to": new.value}}
        # Only comments come from customers; notes and changes are made by employees.
        by_contact = kind is ActivityKind.COMMENT and rng.random() < 0.5
        row = {
            "record_type": record_type.value,
            "record_id": record_id,
            "account_id": self.account.id,
            "kind": kind.value,
            "actor_user_id": None if by_contact else rng.choice(self.users),
            "actor_contact_id": rng.choice(self.contacts) if by_contact else None,
            "at": at,
            "body": body,
            "changes": None if changes is None else json.dumps(changes, sort_keys=True),
        }
        self.sink.add(activities, row)
        return state

    def _attachment(self, record_type: RecordType, record_id: int, created: datetime) -> None:
        rng = self.rng
        file_name, content_type = rng.choice(vocabulary.ATTACHMENTS)
        by_contact = rng.random() < 0.5
        at = self.clock.between(rng, created)
        row = {
            "record_type": record_type.value,
            "record_id": record_id,
            "account_id": self.account.id,
            "file_name": file_name,
            "content_type": content_type,
            "size_bytes": rng.randint(8_000, 5_000_000),
            "uploaded_by_user_id": None if by_contact else rng.choice(self.users),
            "uploaded_by_contact_id": rng.choice(self.contacts) if by_contact else None,
            "created_at": at,
            "updated_at": at,
        }
        self.sink.add(attachments, row)


def _count(rng: random.Random, weights: tuple[int, ...]) -> int:
    return rng.choices(range(len(weights)), weights=weights)[0]
