"""The canonical workload: who asks (personas) and what they ask (bench/queries.py).

Every request is checked once, parsed properly, before it is measured: a benchmark that
silently measures 401s or resolver errors is worse than none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from bench.driver import RequestSpec
from bench.queries import CANDIDATE_CASE, CANDIDATE_CASES

QUERY_NAMES: tuple[str, ...] = ("portal", "detail", "search", "cases", "dashboard")


@dataclass(frozen=True)
class Persona:
    label: str
    email: str
    # The queries this persona's answers are non-empty for (a benchmark measures content).
    queries: tuple[str, ...] = QUERY_NAMES


# One internal user with a broad scope, one external contact whose scope is filtered hard:
# the access rules cost different amounts of SQL for each. success@acme sees no service
# cases, so the case list is measured for a case manager (child accounts) instead.
AGENT = Persona("agent", "agent@csm.example")
CUSTOMER = Persona("customer", "success@acme.example", ("portal", "detail", "search", "dashboard"))
CASE_MANAGER = Persona("case_manager", "manager@acme.example", ("cases",))
PERSONAS: tuple[Persona, ...] = (AGENT, CUSTOMER, CASE_MANAGER)

HEALTHZ = RequestSpec("GET", "/healthz")


class WorkloadError(RuntimeError):
    """A canonical request does not answer cleanly; measuring it would measure an error."""


def graphql_request(token: str, query: str, variables: dict[str, Any] | None = None) -> RequestSpec:
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    return RequestSpec("POST", "/graphql", orjson.dumps(payload), headers)


async def fetch(session: aiohttp.ClientSession, base_url: str, spec: RequestSpec) -> Any:
    """Send once and return the parsed ``data``; raise unless 200 with no ``errors``."""
    async with session.request(
        spec.method, base_url + spec.path, data=spec.body, headers=spec.headers
    ) as response:
        status, body = response.status, await response.read()
    document = orjson.loads(body) if body else None
    if status != 200 or not isinstance(document, dict) or document.get("errors"):
        raise WorkloadError(f"HTTP {status}: {body[:500].decode(errors='replace')}")
    return document.get("data")


def _portal_rows(data: Any) -> int:
    return len(data["engagements"]["nodes"])


def _detail_rows(data: Any) -> int:
    return 1 if data.get("node") and data["node"].get("number") else 0


def _search_rows(data: Any) -> int:
    return sum(group["totalCount"] for group in data["search"].values())


# How to tell, per query, that an answer has content (not just that it did not fail).
ROW_COUNTERS: dict[str, Callable[[Any], int]] = {
    "portal": _portal_rows,
    "detail": _detail_rows,
    "search": _search_rows,
    "dashboard": _portal_rows,
    "cases": lambda data: len(data["cases"]["nodes"]),
    "healthz": lambda data: 1,
}


async def pick_case(session: aiohttp.ClientSession, base_url: str, token: str) -> tuple[str, str]:
    """(global id, number) of the best-populated success case among the persona's first 20."""
    data = await fetch(session, base_url, graphql_request(token, CANDIDATE_CASES))
    nodes = data["successCases"]["nodes"]
    if not nodes:
        raise WorkloadError("the persona sees no success cases: nothing to run the detail on")
    best = max(nodes, key=_weight)
    return best["id"], best["number"]


async def pick_shared_case(
    session: aiohttp.ClientSession, base_url: str, tokens: Sequence[str]
) -> tuple[str, str]:
    """(global id, number) of the success case every persona's detail cell reads: among the
    personas' first 20 each, those every persona sees, the best-populated as the most
    restricted persona sees it. One record for all, so that the personas' detail cells
    differ by the access rules' cost, not by which record each reads."""
    candidates: dict[str, str] = {}
    for token in tokens:
        data = await fetch(session, base_url, graphql_request(token, CANDIDATE_CASES))
        candidates.update((node["id"], node["number"]) for node in data["successCases"]["nodes"])
    weights: dict[str, int] = {}
    for case_id in candidates:
        ask = {"id": case_id}
        seen = [
            await fetch(session, base_url, graphql_request(token, CANDIDATE_CASE, ask))
            for token in tokens
        ]
        if all(data["node"] for data in seen):
            weights[case_id] = min(_weight(data["node"]) for data in seen)
    if not weights:
        raise WorkloadError("no success case is visible to every persona: no shared detail")
    best = max(weights, key=lambda case_id: (weights[case_id], case_id))
    return best, candidates[best]


def _weight(node: dict[str, Any]) -> int:
    return sum(node[name]["totalCount"] for name in ("tasks", "activities", "attachments"))


async def verify(
    session: aiohttp.ClientSession, base_url: str, name: str, spec: RequestSpec
) -> None:
    """Raise unless ``spec`` answers 200, without errors, with non-empty data."""
    if spec.method == "GET":
        async with session.get(base_url + spec.path) as response:
            if response.status != 200:
                raise WorkloadError(f"{spec.path}: HTTP {response.status}")
        return
    data = await fetch(session, base_url, spec)
    if not data or ROW_COUNTERS[name](data) == 0:
        raise WorkloadError(f"{name}: the answer is empty: {data!r:.300}")
