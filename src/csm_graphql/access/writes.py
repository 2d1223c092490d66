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


def manages_projects(viewer: Viewer) -> bool:
    """Add or remove a project's contacts."""
    return viewer.works_projects
