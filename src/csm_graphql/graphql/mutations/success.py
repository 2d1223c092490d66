"""Customer-success records' mutations (issue 11): thin resolvers over services/success*.py.

Initiatives, success cases, success tasks and touchpoints share one write side, so the changes
common to all four take the record's global id and answer the record as a ``SuccessRecord``.
Every payload's record is read back after the commit through the viewer's row rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry

from csm_graphql.domain.success_lifecycle import SuccessAction
from csm_graphql.graphql.context import Info
from csm_graphql.graphql.ids import from_global_id
from csm_graphql.graphql.mutations.common import UserError, perform, reload
from csm_graphql.graphql.mutations.success_io import (
    AddSuccessRecordCommentPayload,
    AddSuccessRecordWorkNotePayload,
    CreateSuccessInitiativeInput,
    CreateSuccessInitiativePayload,
    CreateSuccessTaskInput,
    CreateSuccessTaskPayload,
    SuccessRecordPayload,
    UpdateSuccessRecordInput,
)
from csm_graphql.graphql.mutations.workspace_io import optional_id
from csm_graphql.graphql.types.records import Activity
from csm_graphql.graphql.types.success import (
    SuccessCase,
    SuccessInitiative,
    SuccessTask,
    Touchpoint,
)
from csm_graphql.repositories import entities
from csm_graphql.repositories.database import Row
from csm_graphql.repositories.entities import Entity
from csm_graphql.services import success, success_audience, success_comments
from csm_graphql.services.errors import UserErrorCode
from csm_graphql.services.success_kinds import (
    INITIATIVE,
    SUCCESS_CASE,
    TASK,
    TOUCHPOINT,
    SuccessKind,
)
from csm_graphql.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class _Kind:
    service: SuccessKind
    entity: Entity
    build: Callable[[Row], Any]


# Global id type -> the record kind, how to read it back and build it.
KINDS = {
    "SuccessInitiative": _Kind(INITIATIVE, entities.SUCCESS_INITIATIVE, SuccessInitiative.from_row),
    "SuccessCase": _Kind(SUCCESS_CASE, entities.SUCCESS_CASE, SuccessCase.from_row),
    "SuccessTask": _Kind(TASK, entities.SUCCESS_TASK, SuccessTask.from_row),
    "Touchpoint": _Kind(TOUCHPOINT, entities.TOUCHPOINT, Touchpoint.from_row),
}

RecordId = Annotated[
    strawberry.ID,
    strawberry.argument(description="A SuccessInitiative, SuccessCase, SuccessTask or Touchpoint."),
]
ExpectedVersion = Annotated[
    int, strawberry.argument(description="The version as last read (optimistic lock).")
]
Body = Annotated[str, strawberry.argument(description="The text (1 to 4000 characters).")]
Change = Callable[[UnitOfWork, SuccessKind, int], Awaitable[Row]]
Entry = Callable[[UnitOfWork, SuccessKind, int], Awaitable[tuple[Row, int]]]


def _kind_of(global_id: strawberry.ID, field: str) -> tuple[_Kind, int] | UserError:
    """The kind and database id a global id names; any other id is NOT_FOUND, as a missing
    record is."""
    decoded = from_global_id(global_id)
    kind = KINDS.get(decoded[0]) if decoded else None
    if decoded is None or kind is None:
        return UserError(
            code=UserErrorCode.NOT_FOUND, message="No success record with this id.", field=[field]
        )
    return kind, decoded[1]


def _assignee(global_id: strawberry.ID | None, creator: int | None) -> int | None:
    """Omitted: the creator; null: nobody; any other id that is not a User's names nobody who
    exists (0), which is refused as an invalid assignee."""
    if global_id is strawberry.UNSET:
        return creator
    return optional_id(global_id, "User")


def _draft(
    input: CreateSuccessInitiativeInput | CreateSuccessTaskInput, creator: int | None
) -> success.Draft:
    """What both creates take from their input: the new record's own fields."""
    return success.Draft(
        input.short_description,
        input.description,
        input.priority,
        input.due_date,
        input.visible_to_customer,
        _assignee(input.assigned_to, creator),
    )


async def _read_back(info: Info, kind: _Kind, row: Row) -> Any:
    found = await reload(info, kind.entity, row["id"])
    return kind.build(found) if found else None


async def _change(info: Info, global_id: strawberry.ID, change: Change) -> SuccessRecordPayload:
    target = _kind_of(global_id, "id")
    if isinstance(target, UserError):
        return SuccessRecordPayload(record=None, user_errors=[target])
    kind, record_id = target
    outcome = await perform(info, lambda work: change(work, kind.service, record_id))
    if not outcome.ok or outcome.value is None:
        return SuccessRecordPayload(record=None, user_errors=outcome.user_errors)
    return SuccessRecordPayload(record=await _read_back(info, kind, outcome.value), user_errors=[])


async def _entry(
    info: Info, global_id: strawberry.ID, entry: Entry
) -> tuple[Any, Activity | None, list[UserError]]:
    target = _kind_of(global_id, "recordId")
    if isinstance(target, UserError):
        return None, None, [target]
    kind, record_id = target
    outcome = await perform(info, lambda work: entry(work, kind.service, record_id))
    if not outcome.ok or outcome.value is None:
        return None, None, outcome.user_errors
    row, activity_id = outcome.value
    activity = await reload(info, entities.ACTIVITY, activity_id)
    record = await _read_back(info, kind, row)
    return record, (Activity.from_row(activity) if activity else None), []


@strawberry.type(
    description="Customer-success record changes (initiatives, cases, tasks, touchpoints)."
)
class SuccessMutations:
    @strawberry.mutation(
        description="Create a success initiative on an engagement, or serving one of its "
        "objectives (success agents and admins)."
    )
    async def create_success_initiative(
        self, info: Info, input: CreateSuccessInitiativeInput
    ) -> CreateSuccessInitiativePayload:
        decoded = from_global_id(input.parent_id)
        parent_type, parent = decoded if decoded else (None, None)
        engagement = parent if parent_type == "Engagement" else None
        objective = parent if parent_type == "SuccessObjective" else None
        draft = _draft(input, info.context.viewer.user_id)
        outcome = await perform(
            info, lambda work: success.create_initiative(work, engagement, objective, draft)
        )
        if not outcome.ok or outcome.value is None:
            return CreateSuccessInitiativePayload(initiative=None, user_errors=outcome.user_errors)
        initiative = await _read_back(info, KINDS["SuccessInitiative"], outcome.value)
        return CreateSuccessInitiativePayload(initiative=initiative, user_errors=[])

    @strawberry.mutation(
        description="Create a success task under an initiative (planned) or a success case "
        "(unplanned) (success agents and admins)."
    )
    async def create_success_task(
        self, info: Info, input: CreateSuccessTaskInput
    ) -> CreateSuccessTaskPayload:
        decoded = from_global_id(input.parent_id)
        parent = KINDS.get(decoded[0]) if decoded else None
        parent_kind = parent.service if parent else TASK  # not a parent kind: NOT_FOUND
        parent_id = decoded[1] if decoded else None
        draft = _draft(input, info.context.viewer.user_id)
        outcome = await perform(
            info, lambda work: success.create_task(work, parent_kind, parent_id, draft)
        )
        if not outcome.ok or outcome.value is None:
            return CreateSuccessTaskPayload(task=None, user_errors=outcome.user_errors)
        task = await _read_back(info, KINDS["SuccessTask"], outcome.value)
        return CreateSuccessTaskPayload(task=task, user_errors=[])

    @strawberry.mutation(
        description="Change an open success record's details (expectedVersion: a stale version "
        "is a STALE_VERSION user error and nothing changes)."
    )
    async def update_success_record(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        input: Annotated[UpdateSuccessRecordInput, strawberry.argument(description="Changes.")],
    ) -> SuccessRecordPayload:
        values = input.values()
        return await _change(
            info,
            id,
            lambda work, kind, record: success.update_record(
                work, kind, record, expected_version, values
            ),
        )

    @strawberry.mutation(
        description="Move a success record through its state machine. An action its state does "
        "not allow is INVALID_STATE and changes nothing; CLOSED and CANCELED are final. Closing "
        "an initiative cancels its open plays."
    )
    async def transition_success_record(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        action: Annotated[SuccessAction, strawberry.argument(description="The move.")],
    ) -> SuccessRecordPayload:
        return await _change(
            info,
            id,
            lambda work, kind, record: success.transition_record(
                work, kind, record, expected_version, action
            ),
        )

    @strawberry.mutation(
        description="Assign an open success record to a success agent or admin, or to nobody "
        "(null); the new assignee is notified."
    )
    async def assign_success_record(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        assigned_to: Annotated[
            strawberry.ID | None, strawberry.argument(description="A User id; null: nobody.")
        ],
    ) -> SuccessRecordPayload:
        user = optional_id(assigned_to, "User")
        return await _change(
            info,
            id,
            lambda work, kind, record: success_audience.assign(
                work, kind, record, expected_version, user
            ),
        )

    @strawberry.mutation(
        description="Show a success record to the customers of its account, or hide it; it "
        "appears in, or leaves, their lists at once."
    )
    async def set_success_record_visibility(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        visible_to_customer: Annotated[
            bool, strawberry.argument(description="Shown in the customer portal.")
        ],
    ) -> SuccessRecordPayload:
        return await _change(
            info,
            id,
            lambda work, kind, record: success_audience.set_visibility(
                work, kind, record, expected_version, visible_to_customer
            ),
        )

    @strawberry.mutation(
        description="Add a contact of the record's account to its contact filter (its My lists)."
    )
    async def add_success_record_contact(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        contact_id: Annotated[strawberry.ID, strawberry.argument(description="The contact.")],
    ) -> SuccessRecordPayload:
        contact = optional_id(contact_id, "Contact")
        return await _change(
            info,
            id,
            lambda work, kind, record: success_audience.add_contact(
                work, kind, record, expected_version, contact
            ),
        )

    @strawberry.mutation(
        description="Remove a contact from the record's contact filter (its `contact` too, if "
        "it is that)."
    )
    async def remove_success_record_contact(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        contact_id: Annotated[strawberry.ID, strawberry.argument(description="The contact.")],
    ) -> SuccessRecordPayload:
        contact = optional_id(contact_id, "Contact")
        return await _change(
            info,
            id,
            lambda work, kind, record: success_audience.remove_contact(
                work, kind, record, expected_version, contact
            ),
        )

    @strawberry.mutation(
        description="Add an additional comment (customer-visible) to an open success record "
        "(success agents and admins; ACCESS.md gives contacts no success-record writes)."
    )
    async def add_success_record_comment(
        self, info: Info, record_id: RecordId, body: Body
    ) -> AddSuccessRecordCommentPayload:
        record, comment, errors = await _entry(
            info,
            record_id,
            lambda work, kind, record: success_comments.add_comment(work, kind, record, body),
        )
        return AddSuccessRecordCommentPayload(record=record, comment=comment, user_errors=errors)

    @strawberry.mutation(
        description="Add a work note (internal) to an open success record (success agents and "
        "admins)."
    )
    async def add_success_record_work_note(
        self, info: Info, record_id: RecordId, body: Body
    ) -> AddSuccessRecordWorkNotePayload:
        record, note, errors = await _entry(
            info,
            record_id,
            lambda work, kind, record: success_comments.add_work_note(work, kind, record, body),
        )
        return AddSuccessRecordWorkNotePayload(record=record, work_note=note, user_errors=errors)
