"""SQL twins of computed fields: the same value as the Python function, computed in the
statement, so that a compiled read need not fall back for it.

Keyed by the function's qualified name, as ``producers.PythonFunction`` records it; a computed
field without a twin here sends its operation to the resolvers. Each twin is held equal to its
function by the differential tests (tests/test_compiled_reads.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement

from csm_graphql.repositories.compiled import ColumnRef, RequestValues, days_until

Twin = Callable[[ColumnRef, RequestValues], ColumnElement[Any]]

TWINS: dict[str, Twin] = {
    # domain.dates.days_remaining(due_date, context.today)
    "csm_graphql.graphql.types.work_fields._days_remaining": (
        lambda column, values: days_until(column("due_date"), values)
    ),
}

__all__ = ["TWINS", "Twin"]
