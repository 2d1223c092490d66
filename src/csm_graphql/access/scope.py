"""List scopes of the portal: "All ..." and "My ..." lists."""

from __future__ import annotations

from enum import StrEnum


class ListScope(StrEnum):
    ALL = "ALL"
    MINE = "MINE"
