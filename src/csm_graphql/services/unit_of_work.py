"""One mutation, one transaction: the unit of work every service writes through.

The audit row, the activity journal entry and the notification outbox rows of a change are
written on the same connection as the change itself, so they commit with it or not at all
(ARCHITECTURE.md: "one transaction per mutation, the audit row is in it"). So is the mark
that a request sent with an idempotency key wrote (services/idempotency.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import CursorResult, Executable, RowMapping, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from csm_graphql import tables as t
from csm_graphql.access.viewer import Viewer
from csm_graphql.domain.enums import ActivityKind
from csm_graphql.repositories.database import Database
from csm_graphql.services import idempotency


@dataclass(slots=True)
class UnitOfWork:
    connection: AsyncConnection
    viewer: Viewer
    request_id: str | None = None
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    async def execute(self, statement: Executable) -> CursorResult[Any]:
        return await self.connection.execute(statement)

    async def rows(self, statement: Executable) -> Sequence[RowMapping]:
        return (await self.connection.execute(statement)).mappings().all()

    async def first(self, statement: Executable) -> RowMapping | None:
        return (await self.connection.execute(statement)).mappings().first()

    async def scalar(self, statement: Executable) -> Any:
        return await self.connection.scalar(statement)

    async def audit(
        self,
        action: str,
        record_type: str,
        record_id: int | None,
        changes: Mapping[str, Any] | None = None,
        *,
        on_behalf_of_contact_id: int | None = None,
    ) -> None:
        """Who did what to which record, for the audit trail (ACCESS.md: every write)."""
        await self.execute(
            insert(t.audit_log).values(
                actor_user_id=self.viewer.user_id,
                actor_contact_id=self.viewer.contact_id,
                on_behalf_of_contact_id=on_behalf_of_contact_id,
                record_type=str(record_type),
                record_id=record_id,
                action=action,
                changes=jsonable(changes) if changes is not None else None,
                request_id=self.request_id,
            )
        )

    async def record_activity(
        self,
        record_type: str,
        record_id: int,
        account_id: int | None,
        kind: ActivityKind,
        body: str | None = None,
        changes: Mapping[str, Any] | None = None,
        *,
        author: tuple[int | None, int | None] | None = None,
    ) -> int:
        """Append to the record's activity journal, with the viewer as its actor, or with
        ``author`` (user id, contact id) when the entry is someone else's words (an email
        the gateway hands over is its sender's)."""
        actor_user_id, actor_contact_id = author or (self.viewer.user_id, self.viewer.contact_id)
        activity_id: int = await self.scalar(
            insert(t.activities)
            .values(
                record_type=str(record_type),
                record_id=record_id,
                account_id=account_id,
                kind=kind.value,
                actor_user_id=actor_user_id,
                actor_contact_id=actor_contact_id,
                body=body,
                changes=jsonable(changes) if changes is not None else None,
            )
            .returning(t.activities.c.id)
        )
        return activity_id

    async def notify(
        self,
        event: str,
        record_type: str,
        record_id: int,
        *,
        user_ids: Iterable[int | None] = (),
        contact_ids: Iterable[int | None] = (),
        payload: Mapping[str, Any] | None = None,
    ) -> int:
        """Queue one outbox event per distinct recipient; returns how many were queued.

        The payload goes to every recipient given, so callers pass only what all of them may
        read, and never a work note to an external recipient. The actor is not notified of
        their own change.
        """
        users = _distinct(user_ids) - _distinct([self.viewer.user_id])
        contacts = _distinct(contact_ids) - _distinct([self.viewer.contact_id])
        common = {
            "event": event,
            "record_type": str(record_type),
            "record_id": record_id,
            "payload": jsonable(payload or {}),
            "request_id": self.request_id,
        }
        recipients = [
            {**common, "recipient_user_id": user_id, "recipient_contact_id": None}
            for user_id in sorted(users)
        ] + [
            {**common, "recipient_user_id": None, "recipient_contact_id": contact_id}
            for contact_id in sorted(contacts)
        ]
        if recipients:
            await self.connection.execute(insert(t.notifications), recipients)
        return len(recipients)


def _distinct(ids: Iterable[int | None]) -> set[int]:
    return {i for i in ids if i is not None}


@asynccontextmanager
async def unit_of_work(
    db: Database, viewer: Viewer, request_id: str | None = None, today: date | None = None
) -> AsyncIterator[UnitOfWork]:
    """A transaction that commits when the block ends normally and rolls back on any
    exception, a :class:`~csm_graphql.services.errors.UserError` included."""
    async with db.engine.begin() as connection:
        work = UnitOfWork(connection, viewer, request_id)
        if today is not None:
            work.today = today
        yield work
        # Last, so that the row lock it takes is held only for the commit.
        await idempotency.mark_written(connection)


def jsonable(value: Any) -> Any:
    """Values as JSON can hold them: dates as ISO text, decimals as text (exact), enums by
    value, containers recursively."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value
