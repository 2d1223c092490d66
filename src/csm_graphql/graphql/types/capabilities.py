"""``viewer { capabilities }``: which lists and actions a portal should offer this viewer.

Built from ``access.capabilities`` (itself the read and write rules asked without a record), so
a portal that hides what is false here hides exactly what would come back empty or refused.
"""

from __future__ import annotations

import dataclasses

import strawberry

from csm_graphql.access import capabilities as access
from csm_graphql.graphql.permissions import field_rules


@field_rules
@strawberry.type(description='Whether the "All ..." and "My ..." lists of a kind can hold rows.')
class ListAvailability:
    all: bool = strawberry.field(description="scope: ALL can return records.")
    mine: bool = strawberry.field(
        description="scope: MINE can return records (false: a My list would always be empty, "
        "so a portal should not offer it)."
    )


@field_rules
@strawberry.type(description="The actions a portal may offer; each false one would be refused.")
class ViewerActions:
    maintain_success_records: bool = strawberry.field(
        description="Create success initiatives and tasks; update, assign, transition, show or "
        "hide success records and keep their contact filter."
    )
    comment_on_success_records: bool = strawberry.field(
        description="addSuccessRecordComment: an additional (customer-visible) comment."
    )
    add_success_work_notes: bool = strawberry.field(
        description="addSuccessRecordWorkNote: an internal work note."
    )
    work_engagements: bool = strawberry.field(
        description="The engagement workspace's writes: touchpoints, risks, plays, success "
        "cases, health, objectives, discussions."
    )
    create_cases: bool = strawberry.field(description="createCase for one of its accounts.")
    create_cases_for_other_contacts: bool = strawberry.field(
        description="createCase on behalf of another contact."
    )
    comment_on_cases: bool = strawberry.field(
        description="addCaseComment and addCaseAttachment on the cases it sees."
    )
    add_case_work_notes: bool = strawberry.field(description="addWorkNote on a case.")
    work_cases: bool = strawberry.field(
        description="The agent's case actions: accept, update, transitions, related records."
    )

    @classmethod
    def of(cls, actions: access.Actions) -> ViewerActions:
        # The same names as access.Actions: one field per action, nothing renamed.
        return cls(**dataclasses.asdict(actions))


@field_rules
@strawberry.type(description="Which lists and actions the viewer has, for a portal to show.")
class ViewerCapabilities:
    success_lists: ListAvailability = strawberry.field(
        description="The success lists: initiatives, success cases, tasks, touchpoints."
    )
    actions: ViewerActions = strawberry.field(description="What the viewer may do.")

    @classmethod
    def of(cls, capabilities: access.Capabilities) -> ViewerCapabilities:
        lists = capabilities.success_lists
        return cls(
            success_lists=ListAvailability(all=lists.all, mine=lists.mine),
            actions=ViewerActions.of(capabilities.actions),
        )
