"""What the viewer may do, as a portal needs to know it before it draws a page.

Nothing here is a rule of its own: every answer is one of the functions that decide the reads
(rows.py) and the writes (writes.py, case_writes.py), asked without a record, so that the page a
portal shows and the answers the API gives cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from csm_graphql.access import case_writes, rows, writes
from csm_graphql.access.viewer import Viewer


@dataclass(frozen=True, slots=True)
class Lists:
    """Whether the "All ..." and the "My ..." lists of a kind of record can hold anything."""

    all: bool
    mine: bool


@dataclass(frozen=True, slots=True)
class Actions:
    maintain_success_records: bool
    comment_on_success_records: bool
    add_success_work_notes: bool
    work_engagements: bool
    create_cases: bool
    create_cases_for_other_contacts: bool
    comment_on_cases: bool
    add_case_work_notes: bool
    work_cases: bool


@dataclass(frozen=True, slots=True)
class Capabilities:
    success_lists: Lists
    actions: Actions


def capabilities(viewer: Viewer) -> Capabilities:
    return Capabilities(
        success_lists=Lists(
            all=rows.has_success_lists(viewer), mine=rows.has_my_success_lists(viewer)
        ),
        actions=Actions(
            maintain_success_records=writes.works_success_records(viewer),
            comment_on_success_records=writes.comments_on_success_records(viewer),
            add_success_work_notes=writes.writes_success_work_notes(viewer),
            work_engagements=writes.works_engagements(viewer),
            create_cases=case_writes.creates_cases(viewer),
            create_cases_for_other_contacts=case_writes.creates_for_other_contacts(viewer),
            comment_on_cases=case_writes.comments_on_cases(viewer),
            add_case_work_notes=case_writes.writes_work_notes(viewer),
            work_cases=case_writes.works_cases(viewer),
        ),
    )
