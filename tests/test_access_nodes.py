"""`node` and `nodes`: not visible looks exactly like not there (ACCESS.md, "Behaviours that hold
everywhere"), and visible records resolve with their type and nested engagement.

Every "invisible" id here is first shown to be real: an internal agent fetches it through the API.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.expectations import ALL, RECORD_LISTS, TYPENAMES, Record, Snapshot, global_id
from tests.support import GraphQLClient

AGENT = "agent@csm.example"

NODE_FIELDS = """
  __typename
  id
  ... on SuccessInitiative { number shortDescription }
  ... on SuccessCase { number subject }
  ... on SuccessTask { number shortDescription }
  ... on Touchpoint { number shortDescription }
  ... on Engagement { number name }
"""
NODE = "query One($id: ID!) { node(id: $id) { " + NODE_FIELDS + " } }"
NODES = "query Many($ids: [ID!]!) { nodes(ids: $ids) { " + NODE_FIELDS + " } }"

NESTED = """
query Nested($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on SuccessInitiative { number engagement { id number account { id name } } }
    ... on SuccessCase { number engagement { id number account { id name } } account { id } }
    ... on Touchpoint { number engagement { id number account { id name } } }
    ... on Engagement { number account { id name } }
  }
}
"""


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


MISSING = global_id("SuccessCase", 999999999)
MALFORMED = {
    "bangs": "!!!",
    "empty": "",
    "very-long": "A" * 5000,
    "long-digits": _b64("SuccessCase:" + "9" * 600),
    "non-numeric": _b64("SuccessCase:abc"),
    "unknown-type": _b64("Widget:1"),
    "missing-engagement": global_id("Engagement", 999999999),
    "missing-task": global_id("SuccessTask", 999999999),
}


@dataclass(frozen=True)
class Target:
    type_name: str
    record: Record

    @property
    def id(self) -> str:
        return global_id(self.type_name, self.record.id)


@pytest.fixture(scope="module")
async def snapshot(engine: AsyncEngine) -> Snapshot:
    return await Snapshot.load(engine)


def _externally_shown(snapshot: Snapshot, list_name: str, record: Record) -> bool:
    """Visible to a success contact of its account (for a task: its parent too)."""
    if not record.visible_to_customer:
        return False
    if list_name != "successTasks":
        return True
    if record.initiative_id is not None:
        return snapshot.records["successInitiatives"][record.initiative_id].visible_to_customer
    return snapshot.records["successCases"][record.success_case_id].visible_to_customer  # type: ignore[index]


def invisible_targets(snapshot: Snapshot, email: str) -> dict[str, Target]:
    """Real records ``email`` must not see, by reason."""
    who = snapshot.principal(email)
    targets: dict[str, Target] = {}
    mine = who.accounts or {snapshot.account_named("Acme Corp")}
    for list_name in RECORD_LISTS:
        type_name = TYPENAMES[list_name]
        # Visible to the customers of another account: only the account stands in the way.
        targets[f"other-account-{type_name}"] = Target(
            type_name,
            snapshot.pick(
                list_name,
                lambda r, ln=list_name: (
                    r.account_id not in mine  # type: ignore[misc]
                    and _externally_shown(snapshot, ln, r)
                ),
            ),
        )
        # My own account's record that is not shown to customers.
        targets[f"hidden-{type_name}"] = Target(
            type_name,
            snapshot.pick(list_name, lambda r: r.account_id in mine and not r.visible_to_customer),
        )
    # A task shown to customers, of my account, under a parent that is not.
    targets["task-under-hidden-parent"] = Target(
        "SuccessTask",
        snapshot.pick(
            "successTasks",
            lambda r: (
                r.account_id in mine
                and r.visible_to_customer
                and not _externally_shown(snapshot, "successTasks", r)
            ),
        ),
    )
    targets["other-account-Engagement"] = Target(
        "Engagement",
        next(e for _, e in sorted(snapshot.engagements.items()) if e.account_id not in mine),
    )
    # Whatever the viewer is, none of these may be in its visible sets.
    for name, target in targets.items():
        list_name = next(k for k, v in TYPENAMES.items() if v == target.type_name)
        assert target.record.id not in snapshot.visible_ids(who, list_name, ALL), name
    return targets


def visible_targets(snapshot: Snapshot, email: str) -> list[Target]:
    """One visible record of each kind (lowest id), for a success viewer."""
    who = snapshot.principal(email)
    found = []
    for list_name in (*RECORD_LISTS, "engagements"):
        ids = snapshot.visible_ids(who, list_name, ALL)
        assert ids, (email, list_name)
        table = snapshot.engagements if list_name == "engagements" else snapshot.records[list_name]
        found.append(Target(TYPENAMES[list_name], table[min(ids)]))
    return found


async def _body(client: GraphQLClient, query: str, variables: dict[str, Any], email: str) -> Any:
    response = await client.post(query, variables, as_=email)
    return response.status_code, response.json()


async def _assert_like_missing(client: GraphQLClient, email: str, bad_id: str) -> None:
    missing_node, bad_node, missing_nodes, bad_nodes = await asyncio.gather(
        _body(client, NODE, {"id": MISSING}, email),
        _body(client, NODE, {"id": bad_id}, email),
        _body(client, NODES, {"ids": [MISSING]}, email),
        _body(client, NODES, {"ids": [bad_id]}, email),
    )
    assert missing_node[0] == missing_nodes[0] == 200
    assert missing_node[1]["data"] == {"node": None}
    assert missing_nodes[1]["data"] == {"nodes": [None]}
    # Whole bodies, cost report included: nothing tells a hidden record from a missing one.
    assert bad_node == missing_node
    assert bad_nodes == missing_nodes


PERSONAS_DENIED = [
    "success@acme.example",
    "manager@acme.example",
    "multi@initech.example",
    "customer@acme.example",  # a contact without a success role sees nothing at all
    "caseagent@csm.example",  # an internal role without success access sees nothing either
]
INVISIBLE_CASES = [
    *(f"other-account-{t}" for t in ("SuccessInitiative", "SuccessCase", "SuccessTask")),
    "other-account-Touchpoint",
    "other-account-Engagement",
    *(f"hidden-{t}" for t in ("SuccessInitiative", "SuccessCase", "SuccessTask", "Touchpoint")),
    "task-under-hidden-parent",
]


async def test_invisible_ids_are_real(client: GraphQLClient, snapshot: Snapshot) -> None:
    """The agent fetches every id used below through the API: they name existing records."""
    targets = {
        f"{email}/{name}": target
        for email in PERSONAS_DENIED
        for name, target in invisible_targets(snapshot, email).items()
    }
    unique = {t.id: t for t in targets.values()}
    # Found in the agent's own lists, then fetched by id.
    for target in unique.values():
        list_name = next(k for k, v in TYPENAMES.items() if v == target.type_name)
        if list_name == "engagements":
            filter_ = {"account": global_id("Account", target.record.account_id)}
            query = (
                "query($f: EngagementFilter) { l: engagements(first: 100, filter: $f)"
                " { nodes { id number } } }"
            )
        else:
            filter_ = {"engagement": global_id("Engagement", target.record.engagement_id)}  # type: ignore[arg-type]
            query = (
                f"query($f: SuccessRecordFilter) {{ l: {list_name}(first: 100, filter: $f)"
                " { nodes { id number } } }"
            )
        listed = (await client.query(query, {"f": filter_}, as_=AGENT))["l"]["nodes"]
        assert {"id": target.id, "number": target.record.number} in listed
    data = await client.query(NODES, {"ids": list(unique)}, as_=AGENT)
    assert [(n["__typename"], n["id"], n["number"]) for n in data["nodes"]] == [
        (t.type_name, t.id, t.record.number) for t in unique.values()
    ]


@pytest.mark.parametrize("case", INVISIBLE_CASES)
@pytest.mark.parametrize("email", PERSONAS_DENIED)
async def test_invisible_record_looks_missing(
    client: GraphQLClient, snapshot: Snapshot, email: str, case: str
) -> None:
    target = invisible_targets(snapshot, email)[case]
    await _assert_like_missing(client, email, target.id)


@pytest.mark.parametrize("email", ["success@acme.example", "customer@acme.example", AGENT])
@pytest.mark.parametrize("case", list(MALFORMED))
async def test_malformed_and_missing_ids_look_missing(
    client: GraphQLClient, email: str, case: str
) -> None:
    await _assert_like_missing(client, email, MALFORMED[case])


@pytest.mark.parametrize("email", ["customer@acme.example", "caseagent@csm.example"])
async def test_visible_to_customers_is_not_enough_without_a_success_role(
    client: GraphQLClient, snapshot: Snapshot, email: str
) -> None:
    """Records a success customer of Acme sees are null for Acme's plain customer and for an
    internal case agent, exactly like missing ones."""
    for target in visible_targets(snapshot, "success@acme.example"):
        await _assert_like_missing(client, email, target.id)


@pytest.mark.parametrize(
    "email", ["success@acme.example", "manager@acme.example", "multi@initech.example", AGENT]
)
async def test_visible_records_resolve(
    client: GraphQLClient, snapshot: Snapshot, email: str
) -> None:
    visible = visible_targets(snapshot, email)
    hidden = invisible_targets(snapshot, email)["hidden-SuccessCase"] if email != AGENT else None
    for target in visible:
        node = (await client.query(NODE, {"id": target.id}, as_=email))["node"]
        assert node is not None, target
        assert node["__typename"] == target.type_name
        assert node["id"] == target.id
        assert node["number"] == target.record.number
    # nodes keeps order and puts null exactly where a record is not visible (or not there).
    ids = [t.id for t in visible]
    mixed = [ids[0], hidden.id if hidden else MISSING, "!!!", *ids[1:]]
    nodes = (await client.query(NODES, {"ids": mixed}, as_=email))["nodes"]
    assert nodes[1] is None
    assert nodes[2] is None
    assert [n["number"] for n in (nodes[0], *nodes[3:])] == [t.record.number for t in visible]
    assert [n["__typename"] for n in (nodes[0], *nodes[3:])] == [t.type_name for t in visible]


@pytest.mark.parametrize(
    "email", ["success@acme.example", "manager@acme.example", "multi@initech.example", AGENT]
)
async def test_nested_engagement_and_account_resolve(
    client: GraphQLClient, snapshot: Snapshot, email: str
) -> None:
    who = snapshot.principal(email)
    targets = [t for t in visible_targets(snapshot, email) if t.type_name != "SuccessTask"]
    if not who.internal:
        # Every visible record of the related account resolves too, not just the own one.
        for list_name in ("successCases", "touchpoints"):
            for record in snapshot.visible_records(who, list_name, ALL):
                targets.append(Target(TYPENAMES[list_name], record))
    nodes = (await client.query(NESTED, {"ids": [t.id for t in targets]}, as_=email))["nodes"]
    assert len(nodes) == len(targets)
    for target, node in zip(targets, nodes, strict=True):
        assert node is not None, target
        assert node["__typename"] == target.type_name
        assert node["number"] == target.record.number
        account_id = global_id("Account", target.record.account_id)
        if target.type_name == "Engagement":
            assert node["account"]["id"] == account_id
            continue
        engagement = node["engagement"]
        assert engagement is not None, target
        assert engagement["id"] == global_id("Engagement", target.record.engagement_id)  # type: ignore[arg-type]
        assert engagement["number"] == snapshot.engagements[target.record.engagement_id].number  # type: ignore[index]
        assert engagement["account"]["id"] == account_id
        assert engagement["account"]["name"] == snapshot.accounts[target.record.account_id]["name"]
        if target.type_name == "SuccessCase":
            assert node["account"] == {"id": account_id}


@pytest.mark.parametrize(
    "email", ["success@acme.example", "manager@acme.example", "multi@initech.example"]
)
async def test_people_and_accounts_a_contact_may_not_see_look_missing(
    client: GraphQLClient, snapshot: Snapshot, email: str
) -> None:
    """Employees are internal (`users` is empty for contacts) and a contact's accounts are its
    own: another account, or any user, by id looks missing."""
    who = snapshot.principal(email)
    foreign = min(a for a in snapshot.accounts if a not in who.accounts)
    ids = [global_id("Account", foreign)] + [global_id("User", u) for u in sorted(snapshot.users)]
    # The ids are real: the agent resolves every one of them.
    agent = await client.query(NODES, {"ids": ids}, as_=AGENT)
    assert [node["id"] if node else None for node in agent["nodes"]] == ids
    for bad_id in ids:
        await _assert_like_missing(client, email, bad_id)
    # Its own accounts do resolve.
    for account_id in sorted(who.accounts):
        node = await client.query(NODE, {"id": global_id("Account", account_id)}, as_=email)
        assert node["node"] == {"__typename": "Account", "id": global_id("Account", account_id)}
