"""What every mutation shares: the UserError type, running a service, reading back the result.

A resolver stays thin: it decodes ids, calls :func:`perform` with a service function (or
:func:`changed` / :func:`entry_added`, which also read the result back), and builds its
payload from the :class:`Outcome`. The record in a payload is read back after the commit
through :func:`reload`, that is through the same visibility rules as any query (ACCESS.md: "a
mutation payload is filtered like a query").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

import strawberry

from csm_graphql.graphql.context import Info
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.repositories import reads
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity
from csm_graphql.services import errors
from csm_graphql.services.unit_of_work import UnitOfWork, unit_of_work

if TYPE_CHECKING:
    from csm_graphql.graphql.declared import Declared

T = TypeVar("T")
D = TypeVar("D", bound="Declared")
E = TypeVar("E", bound="Declared")

# The service vocabulary is the GraphQL enum (registering returns the same class).
strawberry.enum(errors.UserErrorCode, description="Why a mutation refused it; nothing changed.")


@strawberry.type(
    description="A problem with a mutation's input or its record; nothing was written."
)
class UserError:
    code: errors.UserErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="What went wrong, for people.")
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, when one is."
    )

    @classmethod
    def of(cls, error: errors.UserError) -> UserError:
        return cls(code=error.code, message=error.message, field=list(error.field) or None)


@dataclass(slots=True)
class Outcome(Generic[T]):
    """The service's result, or the user errors that refused it (then ``value`` is None)."""

    value: T | None = None
    user_errors: list[UserError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.user_errors


async def perform(info: Info, action: Callable[[UnitOfWork], Awaitable[T]]) -> Outcome[T]:
    """Run ``action`` in one transaction as the request's viewer.

    A UserError rolls everything back and becomes the payload's ``userErrors``; any other
    exception propagates (masked as an unexpected error). After a commit the request's loaders
    are replaced, so that the payload, and any later mutation of the same request, read the
    committed state rather than rows cached before the change.
    """
    context = info.context
    try:
        async with unit_of_work(
            context.db, context.viewer, context.request_id, context.today
        ) as work:
            value = await action(work)
    except errors.UserError as error:
        return Outcome(user_errors=[UserError.of(error)])
    except errors.UserErrors as refused:
        return Outcome(user_errors=[UserError.of(error) for error in refused.errors])
    context.loaders = Loaders(context.db, context.viewer)
    return Outcome(value)


async def reload(info: Info, entity: Entity, record_id: int | None) -> Row | None:
    """The record as the viewer may now see it (None when the viewer may not)."""
    if record_id is None:
        return None
    found = await reads.by_ids(info.context.db, entity, info.context.viewer, [record_id])
    return found.get(record_id)


async def reloaded(info: Info, shown_as: type[D], record_id: int | None) -> D | None:
    """:func:`reload`, built by the declared type that shows the record."""
    row = await reload(info, shown_as.row_entity, record_id)
    return shown_as.from_row(row) if row is not None else None


async def changed(
    info: Info, change: Callable[[UnitOfWork], Awaitable[Row]], shown_as: type[D]
) -> tuple[D | None, list[UserError]]:
    """Change one record (``change`` returns its row); the record as the actor now reads
    it, or the refusal."""
    outcome = await perform(info, change)
    if not outcome.ok or outcome.value is None:
        return None, outcome.user_errors
    return await reloaded(info, shown_as, outcome.value["id"]), []


async def entry_added(
    info: Info,
    change: Callable[[UnitOfWork], Awaitable[tuple[Row, int]]],
    shown_as: type[D],
    entry: type[E],
) -> tuple[D | None, E | None, list[UserError]]:
    """Add an entry under a record (a journal entry, a file: ``change`` returns the record's
    row and the entry's id); both as the actor now reads them, or the refusal."""
    outcome = await perform(info, change)
    if not outcome.ok or outcome.value is None:
        return None, None, outcome.user_errors
    row, entry_id = outcome.value
    return await reloaded(info, shown_as, row["id"]), await reloaded(info, entry, entry_id), []
