"""The explorer's HTML page: GraphiQL from the vendored assets, and the persona picker in
development."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import orjson

from csm_graphql.explorer import assets, personas
from csm_graphql.settings import Settings

TEMPLATE = Path(__file__).parent / "graphiql.html"

# The README's first example, so that a newcomer's first Ctrl-Enter shows the portal.
DEFAULT_QUERY = """\
# Runs as the persona chosen above. Ctrl-Enter runs it;
# the Docs pane describes every type, field and value.
query Portal {
  engagements(first: 1, orderBy: {field: NUMBER, direction: DESC}) {
    totalCount
    nodes {
      number name stage goLiveDate perceivedHealth contractValue
      account { name }
      initiatives(first: 3) {
        totalCount
        nodes {
          number shortDescription progress dueDate assignedTo { name }
          successCases(first: 3) { totalCount nodes { id number subject state daysRemaining } }
        }
      }
    }
  }
}
"""


def _assets() -> dict[str, str]:
    return {
        "react_js": assets.url("react", "react.production.min.js"),
        "react_dom_js": assets.url("react-dom", "react-dom.production.min.js"),
        "graphiql_js": assets.url("graphiql", "graphiql.min.js"),
        "graphiql_css": assets.url("graphiql", "graphiql.min.css"),
        "explorer_js": assets.url("@graphiql/plugin-explorer", "index.umd.js"),
        "explorer_css": assets.url("@graphiql/plugin-explorer", "style.css"),
    }


def _config(settings: Settings, graphql_path: str) -> str:
    picker = (
        {"list": personas.PERSONAS_PATH, "token": personas.TOKEN_PATH}
        if settings.development
        else None
    )
    config = {"graphqlPath": graphql_path, "personas": picker, "defaultQuery": DEFAULT_QUERY}
    # Inside <script>, "</" could end the element early; \u003c is the same JSON string.
    return orjson.dumps(config).decode().replace("<", "\\u003c")


@cache
def render_page(settings: Settings, graphql_path: str = "/graphql") -> str:
    values = {**_assets(), "config": _config(settings, graphql_path)}
    return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match[1]], TEMPLATE.read_text())
