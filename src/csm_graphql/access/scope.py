"""List scopes of the portal: "All ..." and "My ..." lists."""

from __future__ import annotations

from enum import StrEnum

from csm_graphql.domain.descriptions import describe_values


@describe_values(
    ALL='Every record the viewer may see (the "All ..." lists).',
    MINE=(
        "Only the viewer's own. For an employee: assigned to them. For a contact: success "
        "records whose contact filter names them (case managers only: a success customer has "
        "no My lists, so its MINE success lists are empty), project tasks assigned to them, "
        "cases they are the contact of."
    ),
)
class ListScope(StrEnum):
    ALL = "ALL"
    MINE = "MINE"
