"""Why a request did not take the compiled path: a bounded category for metrics labels.

``NotCompilable`` carries free text (which field, which argument), useful in a debug log and
the development debug extension but not as a metrics label, where every distinct value is a
time series kept forever. The category is one of :class:`FallbackReason`: a refusal raised
with an explicit category keeps it; one raised with text only is sorted by its wording (the
planner's messages follow a few patterns), and anything unrecognised is ``OTHER``.
"""

from __future__ import annotations

import re
from enum import StrEnum

from csm_graphql.domain.descriptions import describe_values


@describe_values(
    MUTATION="A mutation or subscription: only queries are compiled.",
    INTROSPECTION="An introspection field (__schema, __type).",
    DIRECTIVE="A directive on the operation, a field or a fragment.",
    ROOT_FIELD="A root field the compiler does not know.",
    FIELD_WITHOUT_SQL="A field (or its type) without an SQL producer.",
    COMPUTED_FIELD="A field computed in Python without an SQL twin.",
    FILTER="A list filter.",
    ARGUMENT_REFUSED="An argument the resolvers refuse in their own words (cursor, page size, "
    "ordering).",
    SELECTION="A selection the compiler leaves to the resolvers (a key selected twice, an "
    "unknown fragment, a wide object).",
    OPERATION="No operation to run, or variables that do not coerce.",
    FINISHER="A field computed in Python could not patch its values into the compiled answer.",
    OTHER="Anything else.",
)
class FallbackReason(StrEnum):
    MUTATION = "mutation"
    INTROSPECTION = "introspection"
    DIRECTIVE = "directive"
    ROOT_FIELD = "root_field"
    FIELD_WITHOUT_SQL = "field_without_sql"
    COMPUTED_FIELD = "computed_field"
    FILTER = "filter"
    ARGUMENT_REFUSED = "argument_refused"
    SELECTION = "selection"
    OPERATION = "operation"
    FINISHER = "finisher"  # a field computed in Python could not finish the compiled answer
    OTHER = "other"


# The planner's wordings, first match wins (plan.py raises these).
_WORDINGS: tuple[tuple[str, FallbackReason], ...] = (
    (r"^a (mutation|subscription)$", FallbackReason.MUTATION),
    (r"^root field __", FallbackReason.INTROSPECTION),
    (r"^directives$", FallbackReason.DIRECTIVE),
    (r"^root field ", FallbackReason.ROOT_FIELD),
    (
        r"^(first out of range|ordering refused|arguments: |arguments refused: |too many ids)",
        FallbackReason.ARGUMENT_REFUSED,
    ),
    (r"filter", FallbackReason.FILTER),
    (r"is computed in Python$", FallbackReason.COMPUTED_FIELD),
    (
        r"(key selected twice|unknown fragment|^selection |more than \d+ fields)",
        FallbackReason.SELECTION,
    ),
    (r"^(no operation|variables do not coerce)", FallbackReason.OPERATION),
    (
        r"(is not declared|not compiled yet|link table|is not a connection)",
        FallbackReason.FIELD_WITHOUT_SQL,
    ),
    (r"(with arguments|denied and not nullable|an enum without)", FallbackReason.FIELD_WITHOUT_SQL),
    (r"^\w+\.\w+$", FallbackReason.FIELD_WITHOUT_SQL),  # Type.field of a connection
)
_PATTERNS = tuple((re.compile(pattern), reason) for pattern, reason in _WORDINGS)


def classify(detail: str) -> FallbackReason:
    """The category of a refusal worded ``detail``."""
    for pattern, reason in _PATTERNS:
        if pattern.search(detail):
            return reason
    return FallbackReason.OTHER


__all__ = ["FallbackReason", "classify"]
