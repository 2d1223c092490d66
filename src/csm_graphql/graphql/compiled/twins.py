"""SQL twins of computed fields: the same value as the Python function, computed in the
statement, so that a compiled read need not fall back for it.

Keyed by the function's qualified name, as ``producers.PythonFunction`` records it; a computed
field without a twin here sends its operation to the resolvers. Each twin is held equal to its
function by the differential tests (tests/test_compiled_reads.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from csm_graphql.access.fields import may_read_resolution_notes
from csm_graphql.access.viewer import Viewer
from csm_graphql.repositories.compiled import ColumnRef, RequestValues, days_until, when_flag

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

Twin = Callable[[ColumnRef, RequestValues], "ColumnElement[Any]"]

TWINS: dict[str, Twin] = {
    # domain.dates.days_remaining(due_date, context.today)
    "csm_graphql.graphql.types.work_fields._days_remaining": (
        lambda column, values: days_until(column("due_date"), values)
    ),
}


def _resolution_notes(viewer: Viewer) -> Twin:
    """``Case.resolutionNotes``, the one row-dependent field rule, compiled from the rule
    itself: ``may_read_resolution_notes(viewer, shared)`` is asked for both values of the
    row's ``share_resolution_notes`` (the plan is made per viewer kind and roles), and the
    answer becomes the column, null, or a CASE on the row's flag."""
    when_shared = may_read_resolution_notes(viewer, True)
    when_not_shared = may_read_resolution_notes(viewer, False)

    def twin(column: ColumnRef, values: RequestValues) -> ColumnElement[Any]:
        return when_flag(
            column("resolution_notes"),
            column("share_resolution_notes"),
            when_set=when_shared,
            when_unset=when_not_shared,
        )

    return twin


# Twins whose SQL depends on what the field rules see of the viewer (its kind and roles).
VIEWER_TWINS: dict[str, Callable[[Viewer], Twin]] = {
    "csm_graphql.graphql.types.cases._resolution_notes": _resolution_notes,
}

__all__ = ["TWINS", "VIEWER_TWINS", "Twin"]
