"""``viewer { capabilities }`` per persona: the lists and actions ACCESS.md gives each role.

The expected values are written from ACCESS.md here (not from ``csm_graphql.access``), and the
list flags are checked against what the lists return: a portal that trusts them shows a My list
exactly when it can hold something.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.demo.personas import PERSONAS
from tests.expectations import RECORD_LISTS, global_id
from tests.support import GraphQLClient

QUERY = """
{ viewer { capabilities {
  successLists { all mine }
  actions {
    maintainSuccessRecords commentOnSuccessRecords addSuccessWorkNotes workEngagements
    createCases createCasesForOtherContacts commentOnCases addCaseWorkNotes workCases
  }
} } }
"""

SUCCESS_WRITER = {
    "maintainSuccessRecords": True,
    "commentOnSuccessRecords": True,
    "addSuccessWorkNotes": True,
    "workEngagements": True,
}
CASE_AGENT = {
    "createCases": True,
    "createCasesForOtherContacts": True,
    "commentOnCases": True,
    "addCaseWorkNotes": True,
    "workCases": True,
}
# External case roles raise and comment on cases of their accounts; the admins and the case
# manager also on behalf of another contact.
CASE_CONTACT = {"createCases": True, "commentOnCases": True}
CASE_ACCOUNT_CONTACT = {**CASE_CONTACT, "createCasesForOtherContacts": True}
PROXY = {"createCases": True, "createCasesForOtherContacts": True, "commentOnCases": True}

# email -> (All lists, My lists, the actions that are true)
EXPECTED: dict[str, tuple[bool, bool, dict[str, bool]]] = {
    "agent@csm.example": (True, True, SUCCESS_WRITER),
    "viewer@csm.example": (True, True, {}),
    "admin@csm.example": (True, True, {**SUCCESS_WRITER, **CASE_AGENT}),
    "caseagent@csm.example": (False, False, CASE_AGENT),
    "proxy@csm.example": (False, False, PROXY),
    "success@acme.example": (True, False, {}),
    "manager@acme.example": (True, True, CASE_ACCOUNT_CONTACT),
    "multi@initech.example": (True, False, {}),
    "customer@acme.example": (False, False, CASE_CONTACT),
    "admin@acme.example": (False, False, CASE_ACCOUNT_CONTACT),
    "partner@globex.example": (False, False, CASE_CONTACT),
    "partneradmin@globex.example": (False, False, CASE_ACCOUNT_CONTACT),
}
ACTIONS = (
    "maintainSuccessRecords",
    "commentOnSuccessRecords",
    "addSuccessWorkNotes",
    "workEngagements",
    "createCases",
    "createCasesForOtherContacts",
    "commentOnCases",
    "addCaseWorkNotes",
    "workCases",
)


def test_every_persona_is_expected() -> None:
    assert sorted(EXPECTED) == sorted(p.email for p in PERSONAS)


@pytest.mark.parametrize("email", sorted(EXPECTED))
async def test_capabilities_per_persona(client: GraphQLClient, email: str) -> None:
    all_lists, my_lists, actions = EXPECTED[email]
    data = await client.query(QUERY, as_=email)
    assert data["viewer"]["capabilities"] == {
        "successLists": {"all": all_lists, "mine": my_lists},
        "actions": {name: actions.get(name, False) for name in ACTIONS},
    }


async def _total(client: GraphQLClient, email: str, list_name: str, scope: str) -> Any:
    query = f"query($s: ListScope!) {{ l: {list_name}(scope: $s, first: 1) {{ totalCount }} }}"
    return (await client.query(query, {"s": scope}, as_=email))["l"]["totalCount"]


@pytest.mark.parametrize("email", sorted(EXPECTED))
async def test_list_flags_match_what_the_lists_return(client: GraphQLClient, email: str) -> None:
    """A list flagged false is empty in every success list; one flagged true holds records in
    each (the demo gives every success persona records on both sides), except the viewer
    persona's My lists: ACCESS.md grants them (assigned to me), but the API assigns success
    records only to those who may work them, so the demo assigns the viewer nothing."""
    flags = (await client.query(QUERY, as_=email))["viewer"]["capabilities"]["successLists"]
    for list_name in RECORD_LISTS:
        for scope, flag in (("ALL", flags["all"]), ("MINE", flags["mine"])):
            total = await _total(client, email, list_name, scope)
            if (email, scope) == ("viewer@csm.example", "MINE"):
                assert flag, (email, list_name, scope)
                assert total == 0, (email, list_name, scope, total)
                continue
            assert (total > 0) is flag, (email, list_name, scope, total)


# -- the action flags agree with what the write side does ----------------------------------------

COMMENT = """mutation($id: ID!) { addSuccessRecordComment(recordId: $id, body: "Noted.") {
  userErrors { code } } }"""
WORK_NOTE = """mutation($id: ID!) { addSuccessRecordWorkNote(recordId: $id, body: "Internal.") {
  userErrors { code } } }"""
WRITERS = [
    "agent@csm.example",
    "viewer@csm.example",
    "admin@csm.example",
    "caseagent@csm.example",
    "success@acme.example",
    "manager@acme.example",
    "customer@acme.example",
]


async def _codes(client: GraphQLClient, query: str, record: str, email: str) -> list[str]:
    data = await client.query(query, {"id": record}, as_=email)
    return [error["code"] for error in next(iter(data.values()))["userErrors"]]


@pytest.mark.parametrize("email", WRITERS)
async def test_comment_and_work_note_flags_match_the_write_side(
    write_client: GraphQLClient, write_engine: AsyncEngine, email: str
) -> None:
    # An open, customer-visible Acme success case: every Acme success persona sees it.
    async with write_engine.connect() as connection:
        record_id = (
            await connection.execute(
                text(
                    "SELECT s.id FROM success_cases s JOIN accounts a ON a.id = s.account_id"
                    " WHERE a.name = 'Acme Corp' AND s.visible_to_customer"
                    " AND s.state NOT IN ('CLOSED', 'CANCELED') ORDER BY s.id LIMIT 1"
                )
            )
        ).scalar_one()
    record = global_id("SuccessCase", record_id)
    actions = (await write_client.query(QUERY, as_=email))["viewer"]["capabilities"]["actions"]
    for query, flag in (
        (COMMENT, actions["commentOnSuccessRecords"]),
        (WORK_NOTE, actions["addSuccessWorkNotes"]),
    ):
        codes = await _codes(write_client, query, record, email)
        if flag:
            assert codes == [], (email, codes)
        else:
            # Refused: FORBIDDEN where the record is visible, NOT_FOUND where it is not.
            assert codes, email
            assert set(codes) <= {"FORBIDDEN", "NOT_FOUND"}, (email, codes)
