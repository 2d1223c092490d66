"""What each root list's filter input means, as a repositories filter value (whose conditions
are SQL in repositories/filters.py), and the search's argument checks: one function per list,
which the resolvers (graphql/queries.py) and the compiled reads (graphql/compiled/) both call,
so that a filter or a refusal cannot mean two things on the two paths. Kept apart from
queries.py, which imports every root type, so the compiler can import it without a cycle."""

from __future__ import annotations

from typing import Any

from csm_graphql.errors import BadUserInput
from csm_graphql.repositories.filters import Filter
from csm_graphql.settings import Limits


def converted_filter(filter: Any) -> Filter | None:
    """Lookup, engagement, project and case filters: the input's own value."""
    return filter.to_value() if filter else None


def project_task_filter(filter: Any) -> Filter | None:
    return filter.to_task_filter() if filter else None


def check_search(text: str, first: int, limits: Limits) -> None:
    """The search's arguments, refused as the compiled reads refuse them too."""
    if not 0 <= first <= limits.max_first:
        raise BadUserInput(f"first must be between 0 and {limits.max_first}.", field="first")
    if not text.strip() or len(text) > 200 or "\x00" in text:
        raise BadUserInput("text must be 1 to 200 characters, without NUL.", field="text")
