"""Working a request (issue 12: DOMAIN.md "Request" lists state changes, comments and
attachments): the lifecycle table of domain/request_lifecycle.py, ``transitionRequest``,
``addRequestComment`` / ``addRequestWorkNote`` / ``addRequestAttachment`` and the request's
streams, for the right and the wrong roles. Refusals write nothing (no change, no activity,
no audit row); a request the actor may not see is NOT_FOUND exactly like a missing one.

Each test has a database of its own (``isolated``) holding only what its ``World`` creates,
so it asserts exact counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from csm_graphql.domain.cases import RequestState
from csm_graphql.domain.request_lifecycle import (
    TRANSITIONS,
    InvalidRequestTransition,
    RequestAction,
    next_request_state,
)
from tests.expectations import decode_global_id, global_id
from tests.factories import Isolated, Row

MISSING = 987_654_321

CREATE = """mutation($input: CreateRequestInput!) { createRequest(input: $input) {
  request { id version } userErrors { code field message } } }"""
TRANSITION = """mutation($id: ID!, $v: Int!, $action: RequestAction!) {
  transitionRequest(id: $id, expectedVersion: $v, action: $action) {
    request { id state version } userErrors { code field message } } }"""
COMMENT = """mutation($id: ID!, $body: String!) { addRequestComment(requestId: $id, body: $body) {
  request { id } comment { id kind body } userErrors { code field message } } }"""
WORK_NOTE = """mutation($id: ID!, $body: String!) {
  addRequestWorkNote(requestId: $id, body: $body) {
    request { id } workNote { id kind body } userErrors { code field message } } }"""
ATTACH = """mutation($id: ID!, $name: String!, $size: Int!) {
  addRequestAttachment(requestId: $id, fileName: $name, contentType: "text/plain",
                       sizeBytes: $size) {
    request { id } attachment { id fileName sizeBytes } userErrors { code field message } } }"""
STREAMS = """query($id: ID!) { node(id: $id) { ... on Request {
  activities(first: 50) { nodes { id kind body } }
  comments(first: 50) { nodes { id kind body } }
  attachments(first: 50) { nodes { id fileName } } } } }"""
WORK_NOTES = """query($id: ID!) { node(id: $id) { ... on Request {
  workNotes(first: 50) { nodes { id body } } } } }"""
NODE = "query($id: ID!) { node(id: $id) { id } }"

# Every (state, action) pair and whether the table allows it: the table both ways.
ALLOWED = {
    (RequestState.SUBMITTED, RequestAction.START): RequestState.IN_PROGRESS,
    (RequestState.IN_PROGRESS, RequestAction.FULFILL): RequestState.FULFILLED,
    (RequestState.FULFILLED, RequestAction.CLOSE): RequestState.CLOSED,
    (RequestState.SUBMITTED, RequestAction.CANCEL): RequestState.CANCELED,
    (RequestState.IN_PROGRESS, RequestAction.CANCEL): RequestState.CANCELED,
}
PAIRS = [(state, action) for state in RequestState for action in RequestAction]
# How to bring a new request into each state through the API.
PATH = {
    RequestState.SUBMITTED: (),
    RequestState.IN_PROGRESS: (RequestAction.START,),
    RequestState.FULFILLED: (RequestAction.START, RequestAction.FULFILL),
    RequestState.CLOSED: (RequestAction.START, RequestAction.FULFILL, RequestAction.CLOSE),
    RequestState.CANCELED: (RequestAction.CANCEL,),
}


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_the_table_allows_exactly_the_documented_transitions(
    state: RequestState, action: RequestAction
) -> None:
    if (state, action) in ALLOWED:
        assert next_request_state(state, action) is ALLOWED[state, action]
    else:
        with pytest.raises(InvalidRequestTransition):
            next_request_state(state, action)
    assert {(s, a) for a, t in TRANSITIONS.items() for s in t.sources} == set(ALLOWED)


@dataclass
class World:
    own: Isolated
    customer: Row
    colleague: Row
    acme_admin: Row
    umbrella_contact: Row
    proxy: Row
    agent: Row
    success_agent: Row
    request_id: str

    async def ask(self, query: str, who: Row, **variables: Any) -> dict[str, Any]:
        data: dict[str, Any] = await self.own.client.query(query, variables, as_=who["email"])
        return data

    async def state(self) -> tuple[str, int]:
        [row] = await self.own.make.rows(
            "SELECT state, version FROM requests WHERE id = :id", id=self.db_id
        )
        return row["state"], row["version"]

    @property
    def db_id(self) -> int:
        return decode_global_id(self.request_id)[1]

    async def written(self) -> tuple[int, int, int]:
        """Activities, attachments and audit rows on requests."""
        return (
            await self.own.count("activities", "record_type = 'request'"),
            await self.own.count("attachments", "record_type = 'request'"),
            await self.own.count("audit_log", "record_type = 'request'"),
        )

    async def transition(self, who: Row, action: RequestAction, version: int) -> dict[str, Any]:
        data = await self.ask(TRANSITION, who, id=self.request_id, v=version, action=action.value)
        result: dict[str, Any] = data["transitionRequest"]
        return result

    async def reach(self, state: RequestState) -> None:
        for action in PATH[state]:
            _, version = await self.state()
            assert (await self.transition(self.agent, action, version))["userErrors"] == []
        assert (await self.state())[0] == state.value


@pytest.fixture
async def world(isolated: Isolated) -> World:
    make = isolated.make
    acme, umbrella = await make.account("Acme"), await make.account("Umbrella")
    customer = await make.contact(acme, "customer")
    proxy = await make.user("proxy_contact")
    data = await isolated.client.query(
        CREATE,
        {
            "input": {
                "accountId": global_id("Account", acme["id"]),
                "contactId": global_id("Contact", customer["id"]),
                "shortDescription": "Two more licences",
            }
        },
        as_=proxy["email"],
    )
    assert data["createRequest"]["userErrors"] == []
    return World(
        own=isolated,
        customer=customer,
        colleague=await make.contact(acme, "customer"),
        acme_admin=await make.contact(acme, "customer_admin"),
        umbrella_contact=await make.contact(umbrella, "customer"),
        proxy=proxy,
        agent=await make.user("case_agent"),
        success_agent=await make.user("customer_success_agent"),
        request_id=data["createRequest"]["request"]["id"],
    )


def _codes(result: dict[str, Any]) -> list[str]:
    return [error["code"] for error in result["userErrors"]]


async def test_create_request_journals_it_as_opened(world: World) -> None:
    entries = await world.own.make.rows(
        "SELECT kind, changes, actor_user_id FROM activities WHERE record_type = 'request'"
    )
    assert [(e["kind"], e["actor_user_id"]) for e in entries] == [("OPENED", world.proxy["id"])]
    assert entries[0]["changes"] == {"number": "CSR0000001"}
    data = await world.ask(STREAMS, world.customer, id=world.request_id)
    assert [n["kind"] for n in data["node"]["activities"]["nodes"]] == ["OPENED"]


@pytest.mark.parametrize(("state", "action"), PAIRS)
async def test_every_transition_through_the_api(
    world: World, state: RequestState, action: RequestAction
) -> None:
    await world.reach(state)
    _, version = await world.state()
    before = await world.written()
    result = await world.transition(world.agent, action, version)
    if (state, action) in ALLOWED:
        target = ALLOWED[state, action]
        assert result["userErrors"] == []
        assert result["request"]["state"] == target.value
        assert result["request"]["version"] == version + 1
        assert await world.state() == (target.value, version + 1)
        entries = await world.own.make.rows(
            "SELECT kind, changes FROM activities WHERE record_type = 'request' "
            "ORDER BY id DESC LIMIT 1"
        )
        assert entries[0]["kind"] == "STATE_CHANGE"
        assert entries[0]["changes"] == {"state": {"from": state.value, "to": target.value}}
        audit = await world.own.make.rows(
            "SELECT action FROM audit_log WHERE record_type = 'request' ORDER BY id DESC LIMIT 1"
        )
        assert audit[0]["action"] == f"request.{action.value.lower()}"
        assert await world.written() == (before[0] + 1, 0, before[2] + 1)
    else:
        assert result["request"] is None
        assert _codes(result) == ["INVALID_STATE"]
        assert await world.state() == (state.value, version)
        assert await world.written() == before


async def test_a_stale_version_changes_nothing(world: World) -> None:
    before = await world.written()
    result = await world.transition(world.agent, RequestAction.START, 7)
    assert _codes(result) == ["STALE_VERSION"]
    assert await world.state() == ("SUBMITTED", 1)
    assert await world.written() == before


async def test_only_agents_work_a_request(world: World) -> None:
    """Those who see it but do not work cases are FORBIDDEN; those who do not see it, and a
    missing request, NOT_FOUND; nothing changes either way."""
    before = await world.written()
    for who in (world.customer, world.acme_admin, world.proxy, world.success_agent):
        result = await world.transition(who, RequestAction.START, 1)
        assert _codes(result) == ["FORBIDDEN"], who["email"]
    for who in (world.colleague, world.umbrella_contact):
        result = await world.transition(who, RequestAction.START, 1)
        assert _codes(result) == ["NOT_FOUND"], who["email"]
    data = await world.ask(
        TRANSITION, world.agent, id=global_id("Request", MISSING), v=1, action="START"
    )
    assert _codes(data["transitionRequest"]) == ["NOT_FOUND"]
    assert await world.state() == ("SUBMITTED", 1)
    assert await world.written() == before


async def test_comments_and_work_notes_follow_the_case_rules(world: World) -> None:
    said = await world.ask(COMMENT, world.customer, id=world.request_id, body=" When? ")
    assert said["addRequestComment"]["userErrors"] == []
    assert said["addRequestComment"]["comment"]["body"] == "When?"
    by_proxy = await world.ask(COMMENT, world.proxy, id=world.request_id, body="Chasing it.")
    assert by_proxy["addRequestComment"]["userErrors"] == []
    noted = await world.ask(WORK_NOTE, world.agent, id=world.request_id, body="Licence PO #42")
    assert noted["addRequestWorkNote"]["userErrors"] == []
    assert noted["addRequestWorkNote"]["workNote"]["kind"] == "WORK_NOTE"

    comments = ["Chasing it.", "When?"]  # newest first
    for who in (world.customer, world.acme_admin, world.proxy, world.agent):
        data = (await world.ask(STREAMS, who, id=world.request_id))["node"]
        assert [n["body"] for n in data["comments"]["nodes"]] == comments, who["email"]
        kinds = [n["kind"] for n in data["activities"]["nodes"]]
        # Contacts and proxy contacts never receive a work note (ACCESS.md).
        internal = who is world.agent
        assert ("WORK_NOTE" in kinds) is internal, who["email"]
        notes = (await world.ask(WORK_NOTES, who, id=world.request_id))["node"]["workNotes"]
        if internal:
            assert [n["body"] for n in notes["nodes"]] == ["Licence PO #42"]
        elif who is world.proxy:
            assert notes == {"nodes": []}  # an internal field, but never a work note for it
        else:
            assert notes is None  # an internal field: null for contacts
    # The work note by id: only for those its stream shows it to.
    note_id = noted["addRequestWorkNote"]["workNote"]["id"]
    assert (await world.ask(NODE, world.agent, id=note_id))["node"] == {"id": note_id}
    for who in (world.customer, world.proxy, world.umbrella_contact):
        assert (await world.ask(NODE, who, id=note_id))["node"] is None
    comment_id = said["addRequestComment"]["comment"]["id"]
    assert (await world.ask(NODE, world.acme_admin, id=comment_id))["node"] == {"id": comment_id}
    assert (await world.ask(NODE, world.umbrella_contact, id=comment_id))["node"] is None


async def test_wrong_roles_may_not_comment_or_note(world: World) -> None:
    before = await world.written()
    for who in (world.customer, world.proxy, world.success_agent):
        data = await world.ask(WORK_NOTE, who, id=world.request_id, body="x")
        assert _codes(data["addRequestWorkNote"]) == ["FORBIDDEN"], who["email"]
    data = await world.ask(COMMENT, world.success_agent, id=world.request_id, body="x")
    assert _codes(data["addRequestComment"]) == ["FORBIDDEN"]
    for who in (world.colleague, world.umbrella_contact):
        for query, field in ((COMMENT, "addRequestComment"), (WORK_NOTE, "addRequestWorkNote")):
            data = await world.ask(query, who, id=world.request_id, body="x")
            assert _codes(data[field]) == ["NOT_FOUND"], who["email"]
    missing = global_id("Request", MISSING)
    data = await world.ask(COMMENT, world.agent, id=missing, body="x")
    assert _codes(data["addRequestComment"]) == ["NOT_FOUND"]
    data = await world.ask(COMMENT, world.customer, id=world.request_id, body="   ")
    assert _codes(data["addRequestComment"]) == ["BAD_USER_INPUT"]
    assert await world.written() == before


async def test_attachments_follow_the_comment_rules(world: World) -> None:
    data = await world.ask(ATTACH, world.customer, id=world.request_id, name="po.txt", size=12)
    result = data["addRequestAttachment"]
    assert result["userErrors"] == []
    assert result["attachment"]["fileName"] == "po.txt"
    attachment_id = result["attachment"]["id"]
    for who in (world.customer, world.acme_admin, world.proxy, world.agent):
        streams = (await world.ask(STREAMS, who, id=world.request_id))["node"]
        assert [n["id"] for n in streams["attachments"]["nodes"]] == [attachment_id]
        kinds = [n["kind"] for n in streams["activities"]["nodes"]]
        assert kinds[0] == "ATTACHMENT", who["email"]
        assert (await world.ask(NODE, who, id=attachment_id))["node"] == {"id": attachment_id}
    for who in (world.colleague, world.umbrella_contact):
        assert (await world.ask(NODE, who, id=attachment_id))["node"] is None

    before = await world.written()
    data = await world.ask(ATTACH, world.success_agent, id=world.request_id, name="a", size=1)
    assert _codes(data["addRequestAttachment"]) == ["FORBIDDEN"]
    data = await world.ask(ATTACH, world.umbrella_contact, id=world.request_id, name="a", size=1)
    assert _codes(data["addRequestAttachment"]) == ["NOT_FOUND"]
    data = await world.ask(ATTACH, world.customer, id=world.request_id, name="a", size=-1)
    assert _codes(data["addRequestAttachment"]) == ["BAD_USER_INPUT"]
    assert await world.written() == before


async def test_a_closed_or_canceled_request_accepts_nothing(world: World) -> None:
    await world.reach(RequestState.CANCELED)
    before = await world.written()
    data = await world.ask(COMMENT, world.customer, id=world.request_id, body="Still there?")
    assert _codes(data["addRequestComment"]) == ["INVALID_STATE"]
    data = await world.ask(WORK_NOTE, world.agent, id=world.request_id, body="x")
    assert _codes(data["addRequestWorkNote"]) == ["INVALID_STATE"]
    data = await world.ask(ATTACH, world.customer, id=world.request_id, name="a", size=1)
    assert _codes(data["addRequestAttachment"]) == ["INVALID_STATE"]
    assert await world.written() == before
