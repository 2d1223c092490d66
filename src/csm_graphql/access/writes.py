"""Write policies: who may change what, as pure functions of the viewer and the record's row.

Row visibility is checked first, in SQL (``services.records.load_for_update`` with a predicate
from rows.py), so these functions only ever see records the viewer may see; a record it may not
see has already failed as NOT_FOUND. A False here becomes a FORBIDDEN user error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping

from csm_graphql.access.viewer import Viewer

Row = Mapping[str, Any] | RowMapping

# -- customer projects (ACCESS.md "Customer projects") -------------------------------------------


def works_on_project_task(viewer: Viewer, task: Row) -> bool:
    """Update actual dates, comment on, or complete a task: project workers on any task; an
    external viewer on a visible task assigned to it."""
    if viewer.works_projects:
        return True
    return viewer.is_external and task["assigned_contact_id"] == viewer.id


def edits_project_tasks(viewer: Viewer) -> bool:
    """Change any other field of a task, or who it is assigned to: project workers only
    (projects are read-only externally)."""
    return viewer.works_projects


def raises_cases_for_project(viewer: Viewer, project: Row) -> bool:
    """ACCESS.md: cases for a project only for projects of my accounts that I can see (seeing
    it was checked in SQL); a partner contact on a served customer's project may not."""
    return viewer.is_internal or project["account_id"] in viewer.account_ids


def manages_projects(viewer: Viewer) -> bool:
    """Add or remove a project's contacts."""
    return viewer.works_projects


# -- the engagement workspace (issue 4) ---------------------------------------------------------


def works_engagements(viewer: Viewer) -> bool:
    """Create, change, launch or refresh anything of the workspace: customer_success_agent and
    admin (customer_success_viewer reads only; contacts and other employees write nothing)."""
    return viewer.writes_success_records


def posts_to_discussion(viewer: Viewer, participant_ids: set[int]) -> bool:
    """Post to a discussion: its participants and the success writers."""
    return viewer.writes_success_records or (viewer.is_internal and viewer.id in participant_ids)


# -- customer-success records (issue 11) ----------------------------------------------------------
# ACCESS.md: customer_success_agent "reads and writes all customer-success data", admin does
# everything, customer_success_viewer "writes nothing". It grants contacts no write on success
# records (comments included: its comment rule is the Cases section's), so they write nothing.


def works_success_records(viewer: Viewer) -> bool:
    """Create, change, assign, move, show or hide a success record, or change its contact
    filter."""
    return viewer.writes_success_records


def comments_on_success_records(viewer: Viewer) -> bool:
    """Add an additional comment (customer-visible) to a success record."""
    return viewer.writes_success_records


def writes_success_work_notes(viewer: Viewer) -> bool:
    """Add a work note (internal) to a success record."""
    return viewer.writes_success_records and viewer.reads_work_notes
