"""PostGraphile's documents for the benchmark's queries, and the name mapping that makes its
answers comparable with csm-graphql's.

No dependencies beyond the standard library, so tests can check the mapping without Node.
PostGraphile v5 (Amber preset) names things after the database; csm-graphql names them after
the domain. Each ``to_project_*`` function turns a PostGraphile ``data`` into the shape of this
project's ``data`` for the same query (bench/queries.py), so the two can be compared as JSON
values. What each mapping does, and why:

- **Ids.** csm-graphql's ``id`` is ``base64("Type:rowId")`` without padding; PostGraphile's
  ``id`` is its own node id, so the documents ask for ``rowId`` and the mapping encodes it the
  project's way (:func:`project_id`).
- **Relations.** Foreign keys are composite here (``(engagement_id, account_id)``), so
  PostGraphile calls the lists ``successInitiativesByEngagementIdAndAccountId`` and the
  to-ones ``accountByAccountId``; renamed to ``initiatives``, ``account`` and so on. A
  success case has no foreign key to its account of its own (the composite key to its
  engagement carries the account id), so the detail reads the account through the
  engagement, one join more than the project.
- **Orderings.** PostGraphile lists default to the primary key; the documents pass the
  project's default orderings explicitly, id as the tie-break: engagements by number,
  initiatives, success cases and tasks by due date (PostgreSQL's ascending order puts
  nulls last, as the project's ``coalesce(due_date, 'infinity')`` does), cases by number
  descending, SLAs by creation, shared articles by share time descending.
- **Polymorphic lists.** Activities and attachments point at their record by
  ``(record_type, record_id)``, with no foreign key; bench/peer/relations.sql gives
  PostGraphile computed columns (``activities``, ``attachments``) that return them newest
  first, as the project does.
- **Values.** ``state``/``stage``/``kind`` are stored lowercase or as text and served as
  upper-case enum names by the project; ``priority`` is stored as its rank (1 = CRITICAL);
  ``subject`` is the ``short_description`` column; ``actorName`` is the acting user's name,
  else the acting contact's; ``sizeBytes`` is a ``BigInt``, which PostGraphile serves as a
  string. Timestamps are compared as instants (the two servers format
  them differently).
- **Computed fields** are not columns: ``daysRemaining`` (from the due date and today) and
  the SLA's ``plannedEnd``, ``breached`` and ``percentElapsed`` (working-hours arithmetic in
  Python, from the clock). PostGraphile fetches the stored inputs they derive from
  (``startAt``, ``plannedEndAt``, ``pausedSeconds``, ``pausedAt``, ``stoppedAt``, the
  definition's ``durationMinutes``), so it does comparable database work, and the
  comparison leaves these fields out (:data:`COMPUTED`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

# Internal agent persona: PostGraphile connects as the benchmark's database user, without
# row-level security, so it returns every row: what the agent (customer_success_agent, who
# reads all success records, all cases and every activity) sees of these records.

PORTAL = """
query PeerPortal {
  allEngagements(first: 20, orderBy: [NUMBER_ASC, ROW_ID_ASC]) { nodes {
    rowId number name stage accountByAccountId { rowId name }
    successInitiativesByEngagementIdAndAccountId(first: 10, orderBy: [DUE_DATE_ASC, ROW_ID_ASC]) {
      nodes { rowId number shortDescription state priority dueDate
        successCasesByInitiativeIdAndEngagementId(first: 5, orderBy: [DUE_DATE_ASC, ROW_ID_ASC]) {
          nodes { rowId number shortDescription state dueDate } } } } } }
}"""

CASES = """
query PeerCaseList {
  allCases(first: 20, orderBy: [NUMBER_DESC, ROW_ID_DESC]) { totalCount nodes {
    rowId number state priority shortDescription updatedAt
    contactByContactId { name } accountByAccountId { name } productByProductId { name }
    taskSlasByCaseIdAndAccountId(first: 5, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) { nodes {
      stage startAt plannedEndAt pausedSeconds pausedAt stoppedAt
      slaDefinitionBySlaDefinitionId { name durationMinutes } } }
    activities(first: 5) { nodes { kind at body
      userByActorUserId { name } contactByActorContactId { name } } } } }
}"""

DETAIL = """
query PeerSuccessCaseDetail($rowId: BigInt!) {
  successCaseByRowId(rowId: $rowId) { number state shortDescription dueDate description
    engagementByEngagementIdAndAccountId { accountByAccountId { name } }
    productByProductId { name }
    successTasksBySuccessCaseIdAndEngagementId(first: 20, orderBy: [DUE_DATE_ASC, ROW_ID_ASC]) {
      nodes { number shortDescription state dueDate } }
    activities(first: 20) { nodes { kind at body
      userByActorUserId { name } contactByActorContactId { name } } }
    attachments(first: 10) { nodes { fileName sizeBytes } }
    successCaseArticlesBySuccessCaseId(first: 5, orderBy: [SHARED_AT_DESC, ARTICLE_ID_DESC]) {
      nodes { knowledgeArticleByArticleId { number title } } } }
}"""

DOCUMENTS = {"portal": PORTAL, "cases": CASES, "detail": DETAIL}

# Fields the project computes in Python (no column holds them): left out of the comparison.
COMPUTED: dict[str, frozenset[str]] = {
    "detail": frozenset({"daysRemaining"}),
    "cases": frozenset({"plannedEnd", "breached", "percentElapsed"}),
    "portal": frozenset(),
}

PRIORITIES = {1: "CRITICAL", 2: "HIGH", 3: "MODERATE", 4: "LOW", 5: "VERY_LOW"}


def project_id(type_name: str, row_id: int | str) -> str:
    """The project's global id: unpadded base64 of ``Type:rowId`` (graphql/ids.py)."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode().rstrip("=")


def row_id(global_id: str) -> int:
    """The row id inside one of the project's global ids."""
    padded = global_id + "=" * (-len(global_id) % 4)
    return int(base64.b64decode(padded).decode().rsplit(":", 1)[1])


def enum_name(value: str | None) -> str | None:
    return None if value is None else value.upper()


def instant(value: str | None) -> datetime | None:
    """A timestamp as an instant, whichever way the server formatted it."""
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _names(record: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if record is None else {"name": record["name"]}


def _actor_name(activity: dict[str, Any]) -> str | None:
    user, contact = activity["userByActorUserId"], activity["contactByActorContactId"]
    return (user or {}).get("name") or (contact or {}).get("name")


def _activity(activity: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": enum_name(activity["kind"]),
        "at": instant(activity["at"]),
        "body": activity["body"],
        "actorName": _actor_name(activity),
    }


def portal(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "engagements": {
            "nodes": [
                {
                    "id": project_id("Engagement", engagement["rowId"]),
                    "number": engagement["number"],
                    "name": engagement["name"],
                    "stage": enum_name(engagement["stage"]),
                    "account": {
                        "id": project_id("Account", engagement["accountByAccountId"]["rowId"]),
                        "name": engagement["accountByAccountId"]["name"],
                    },
                    "initiatives": {
                        "nodes": [
                            _initiative(initiative)
                            for initiative in engagement[
                                "successInitiativesByEngagementIdAndAccountId"
                            ]["nodes"]
                        ]
                    },
                }
                for engagement in data["allEngagements"]["nodes"]
            ]
        }
    }


def _initiative(initiative: dict[str, Any]) -> dict[str, Any]:
    cases = initiative["successCasesByInitiativeIdAndEngagementId"]["nodes"]
    return {
        "id": project_id("SuccessInitiative", initiative["rowId"]),
        "number": initiative["number"],
        "shortDescription": initiative["shortDescription"],
        "state": enum_name(initiative["state"]),
        "priority": PRIORITIES[initiative["priority"]],
        "dueDate": initiative["dueDate"],
        "successCases": {
            "nodes": [
                {
                    "id": project_id("SuccessCase", case["rowId"]),
                    "number": case["number"],
                    "subject": case["shortDescription"],
                    "state": enum_name(case["state"]),
                    "dueDate": case["dueDate"],
                }
                for case in cases
            ]
        },
    }


def cases(data: dict[str, Any]) -> dict[str, Any]:
    page = data["allCases"]
    return {
        "cases": {
            "totalCount": page["totalCount"],
            "nodes": [
                {
                    "id": project_id("Case", case["rowId"]),
                    "number": case["number"],
                    "state": enum_name(case["state"]),
                    "priority": PRIORITIES[case["priority"]],
                    "shortDescription": case["shortDescription"],
                    "updatedAt": instant(case["updatedAt"]),
                    "contact": _names(case["contactByContactId"]),
                    "account": _names(case["accountByAccountId"]),
                    "product": _names(case["productByProductId"]),
                    "slas": {
                        "nodes": [
                            {
                                "name": sla["slaDefinitionBySlaDefinitionId"]["name"],
                                "stage": enum_name(sla["stage"]),
                            }
                            for sla in case["taskSlasByCaseIdAndAccountId"]["nodes"]
                        ]
                    },
                    "activities": {"nodes": [_activity(a) for a in case["activities"]["nodes"]]},
                }
                for case in page["nodes"]
            ],
        }
    }


def detail(data: dict[str, Any]) -> dict[str, Any]:
    case = data["successCaseByRowId"]
    articles = case["successCaseArticlesBySuccessCaseId"]["nodes"]
    return {
        "node": {
            "number": case["number"],
            "state": enum_name(case["state"]),
            "subject": case["shortDescription"],
            "dueDate": case["dueDate"],
            "description": case["description"],
            "account": _names(case["engagementByEngagementIdAndAccountId"]["accountByAccountId"]),
            "product": _names(case["productByProductId"]),
            "tasks": {
                "nodes": [
                    {
                        "number": task["number"],
                        "shortDescription": task["shortDescription"],
                        "state": enum_name(task["state"]),
                        "dueDate": task["dueDate"],
                    }
                    for task in case["successTasksBySuccessCaseIdAndEngagementId"]["nodes"]
                ]
            },
            "activities": {"nodes": [_activity(a) for a in case["activities"]["nodes"]]},
            "attachments": {
                "nodes": [
                    {"fileName": item["fileName"], "sizeBytes": int(item["sizeBytes"])}
                    for item in case["attachments"]["nodes"]
                ]
            },
            "sharedArticles": {
                "nodes": [
                    {
                        "number": link["knowledgeArticleByArticleId"]["number"],
                        "title": link["knowledgeArticleByArticleId"]["title"],
                    }
                    for link in articles
                ]
            },
        }
    }


TO_PROJECT: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "portal": portal,
    "cases": cases,
    "detail": detail,
}

# Project fields that hold timestamps: compared as instants, like the mapped peer values.
_TIMESTAMPS = frozenset({"at", "updatedAt"})


def comparable(query: str, project_data: Any) -> Any:
    """The project's ``data`` with its computed fields dropped and timestamps parsed, ready
    to compare with the mapped PostGraphile answer."""
    dropped = COMPUTED[query]

    def walk(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items() if k not in dropped}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if key in _TIMESTAMPS and isinstance(value, str):
            return instant(value)
        return value

    return walk(project_data)


def difference(query: str, project_data: Any, peer_data: Any) -> str | None:
    """None when the two answers hold the same records and values; else where they first
    differ (a path and both values)."""
    return first_difference(comparable(query, project_data), TO_PROJECT[query](peer_data), "")


def first_difference(left: Any, right: Any, path: str) -> str | None:
    if isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            return f"{path or '.'}: keys {sorted(left)} != {sorted(right)}"
        for key in left:
            found = first_difference(left[key], right[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path}: {len(left)} items != {len(right)}"
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if left == right else f"{path}: {left!r} != {right!r}"
