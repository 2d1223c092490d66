"""Which kind of activity-stream entry a write journals: the events of the customer timeline.

The seed's customer timeline shows a record's events by what happened (opened, assigned,
touchpoint held, play launched, ...), not as generic field changes. Every service that journals
a created or changed record asks these two functions, so the stream, the timeline's kind filter
and the demo data use one vocabulary:

    a record created                       OPENED (a success play: PLAY_LAUNCHED;
                                            a contract: CONTRACT_ADDED)
    its state changed                      STATE_CHANGE (a touchpoint closed: TOUCHPOINT_HELD)
    its assignee changed                   ASSIGNMENT
    only who of the customers sees it      VISIBILITY_CHANGE
    anything else                          FIELD_CHANGE

Comments, work notes, attachments, emails, discussions and health refreshes are written under
their own kinds by the services that write them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csm_graphql.domain.enums import ActivityKind, RecordType, WorkState

# The columns that name who works a record (users or, on project tasks, contacts).
ASSIGNEE_FIELDS = frozenset({"assigned_to_id", "assigned_contact_id"})
# What decides which customers see a success record (the change names the contact filter so).
VISIBILITY_FIELDS = frozenset({"visible_to_customer", "contact_id", "contactFilter"})

_CREATED: Mapping[RecordType, ActivityKind] = {
    RecordType.SUCCESS_PLAY: ActivityKind.PLAY_LAUNCHED,
    RecordType.CONTRACT: ActivityKind.CONTRACT_ADDED,
}


def created_kind(record_type: RecordType) -> ActivityKind:
    """The kind of the entry that journals a new record of ``record_type``."""
    return _CREATED.get(record_type, ActivityKind.OPENED)


def change_kind(record_type: RecordType, changes: Mapping[str, Any]) -> ActivityKind:
    """The kind of the entry that journals ``changes`` (``{field: {"from": .., "to": ..}}``)
    to a record of ``record_type``."""
    if "state" in changes:
        state = changes["state"]
        target = state.get("to") if isinstance(state, Mapping) else None
        if record_type is RecordType.TOUCHPOINT and target == WorkState.CLOSED.value:
            return ActivityKind.TOUCHPOINT_HELD
        return ActivityKind.STATE_CHANGE
    fields = set(changes)
    # An assignment that also shows the record (a project task given to a contact) is still
    # an assignment.
    if fields & ASSIGNEE_FIELDS:
        return ActivityKind.ASSIGNMENT
    if fields and fields <= VISIBILITY_FIELDS:
        return ActivityKind.VISIBILITY_CHANGE
    return ActivityKind.FIELD_CHANGE


__all__ = ["ASSIGNEE_FIELDS", "VISIBILITY_FIELDS", "change_kind", "created_kind"]
