"""The explorer: GraphiQL served from this package, so it works without internet.

``assets.py`` serves the vendored build (``vendor/``, pinned in ``vendor/vendor.json``,
rewritten by ``scripts/update-graphiql``); ``page.py`` renders the page that loads it; and
``personas.py`` is the development-only persona picker's backend. ``routes(settings, db)`` is
what the application mounts: nothing at all in production.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from csm_graphql.explorer import assets, personas
from csm_graphql.explorer.page import render_page
from csm_graphql.repositories.database import Database
from csm_graphql.settings import Settings


def routes(settings: Settings, db: Database) -> list[BaseRoute]:
    """The explorer's assets where GraphiQL is served; the token endpoints in development."""
    found: list[BaseRoute] = []
    if settings.graphiql:
        found.append(assets.route())
    if settings.development:
        found.extend(personas.routes(settings, db))
    return found


__all__ = ["render_page", "routes"]
