"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeAlias

import strawberry

from csm_graphql.access.viewer import Viewer
from csm_graphql.graphql.loaders import Loaders
from csm_graphql.repositories.database import Database
from csm_graphql.settings import Settings
from csm_graphql.throttle import Charge


@dataclass(slots=True)
class Context:
    settings: Settings
    db: Database
    viewer: Viewer
    loaders: Loaders
    request_id: str | None = None
    # One "today" per request, so that daysRemaining agrees across a response.
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    # The request's clock, e.g. for SLA percentages: one instant per response.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The rate limit's charge the fast path took before handing this request on (its points
    # and the charge): the general path counts it instead of charging again.
    prepaid: tuple[int, Charge] | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        db: Database,
        viewer: Viewer,
        request_id: str | None = None,
        prepaid: tuple[int, Charge] | None = None,
    ) -> Context:
        return cls(settings, db, viewer, Loaders(db, viewer), request_id, prepaid=prepaid)


# What resolvers receive: ``info.context`` is typed, so loaders and the viewer are checked.
Info: TypeAlias = strawberry.Info[Context, None]
