"""Idempotency keys (issue 8): a mutation sent again with the same ``Idempotency-Key`` writes
once and answers the first response; concurrently too. Against the writable database, over
HTTP through the whole app."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.graphql import idempotency as http_idempotency
from csm_graphql.graphql.mutations import common as mutation_common
from csm_graphql.services import cases as case_service
from csm_graphql.services import idempotency as key_service
from csm_graphql.services.idempotency import ClaimLost
from tests.expectations import global_id
from tests.support import GraphQLClient

CUSTOMER = "customer@acme.example"
ADMIN = "admin@acme.example"  # another contact of Acme, who may open cases too
AGENT = "caseagent@csm.example"

CREATE = """mutation($input: CreateCaseInput!) { createCase(input: $input) {
  case { id number shortDescription } userErrors { code field message } } }"""
COMMENT = """mutation($id: ID!, $body: String!) { addCaseComment(caseId: $id, body: $body) {
  comment { kind body } userErrors { code field message } } }"""
VIEWER = "query { viewer { email } }"


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), params)


async def _execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(sql), params)


async def _cases_titled(engine: AsyncEngine, title: str) -> int:
    return int(
        await _scalar(engine, "SELECT count(*) FROM cases WHERE short_description = :t", t=title)
    )


async def _keys_named(engine: AsyncEngine, key: str) -> int:
    return int(await _scalar(engine, "SELECT count(*) FROM idempotency_keys WHERE key = :k", k=key))


@pytest.fixture(scope="module")
async def acme(write_engine: AsyncEngine) -> str:
    account_id = await _scalar(write_engine, "SELECT id FROM accounts WHERE name = 'Acme Corp'")
    return global_id("Account", account_id)


def _title() -> str:
    """A case title no other test uses, so counting cases by it counts this test's writes."""
    return f"Idempotency {uuid.uuid4().hex}"


def _key() -> str:
    return str(uuid.uuid4())


async def _send(
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    *,
    as_: str,
    key: str | bytes | None,
    extra: list[tuple[str, str]] | None = None,
) -> httpx.Response:
    headers: list[tuple[str, str | bytes]] = [("Authorization", f"Bearer {client.token(as_)}")]
    if key is not None:
        headers.append(("Idempotency-Key", key))
    headers.extend(extra or [])
    return await client.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def _create(
    client: GraphQLClient, acme: str, title: str, *, key: str | bytes | None, as_: str = CUSTOMER
) -> httpx.Response:
    variables = {"input": {"accountId": acme, "shortDescription": title}}
    return await _send(client, CREATE, variables, as_=as_, key=key)


def _replayed(response: httpx.Response) -> bool:
    return response.headers.get("idempotent-replayed") == "true"


def _code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


# -- one key, one write --------------------------------------------------------------------


async def test_a_create_sent_twice_with_one_key_writes_once_and_replays_the_first_answer(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    title, key = _title(), _key()
    first = await _create(write_client, acme, title, key=key)
    again = await _create(write_client, acme, title, key=key)

    assert first.status_code == again.status_code == 200
    payload = first.json()["data"]["createCase"]
    assert payload["userErrors"] == []
    assert payload["case"]["shortDescription"] == title
    assert again.content == first.content  # byte for byte: the same case id and number
    assert (_replayed(first), _replayed(again)) == (False, True)
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert await _cases_titled(write_engine, title) == 1


async def test_ten_concurrent_duplicates_write_once_and_all_answer_the_first_payload(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    acme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first request is held inside its transaction (the cases table is locked) until
    the nine others have each found its claim in progress; only then is it let go."""
    title, key = _title(), _key()
    waiting: set[asyncio.Task[Any]] = set()
    all_waiting = asyncio.Event()
    find_key = http_idempotency.find_key

    async def observed_find_key(*args: Any) -> Any:
        record = await find_key(*args)
        task = asyncio.current_task()
        if record is not None and record.response is None and task is not None:
            waiting.add(task)
            if len(waiting) == 9:
                all_waiting.set()
        return record

    monkeypatch.setattr(http_idempotency, "find_key", observed_find_key)
    async with write_engine.connect() as blocker:
        await blocker.execute(text("LOCK TABLE cases IN SHARE ROW EXCLUSIVE MODE"))
        sent = asyncio.gather(*(_create(write_client, acme, title, key=key) for _ in range(10)))
        # A guard against a hang, not a measurement: the event comes within milliseconds.
        await asyncio.wait_for(all_waiting.wait(), timeout=30)
        assert await _cases_titled(write_engine, title) == 0
        await blocker.rollback()
    responses = await sent

    assert [r.status_code for r in responses] == [200] * 10
    assert len({r.content for r in responses}) == 1
    assert responses[0].json()["data"]["createCase"]["case"]["shortDescription"] == title
    assert sorted(_replayed(r) for r in responses) == [False] + [True] * 9
    assert await _cases_titled(write_engine, title) == 1
    assert len(waiting) == 9


async def test_the_same_key_with_another_input_is_refused_and_changes_nothing(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    key, title, other = _key(), _title(), _title()
    first = await _create(write_client, acme, title, key=key)
    stored = await _scalar(
        write_engine, "SELECT response_body FROM idempotency_keys WHERE key = :k", k=key
    )

    refused = await _create(write_client, acme, other, key=key)

    assert refused.status_code == 422
    assert _code(refused) == "IDEMPOTENCY_KEY_REUSED"
    assert refused.json()["data"] is None
    assert await _cases_titled(write_engine, other) == 0
    # The first answer stays the key's answer.
    assert stored == first.content
    again = await _create(write_client, acme, title, key=key)
    assert (again.content, _replayed(again)) == (first.content, True)


async def test_another_operation_name_or_document_under_one_key_is_another_request(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    key, title = _key(), _title()
    variables = {"input": {"accountId": acme, "shortDescription": title}}
    named = CREATE.replace("mutation(", "mutation Open(", 1)
    await _send(write_client, named, variables, as_=CUSTOMER, key=key)
    reworded = await _send(
        write_client, named.replace("number ", ""), variables, as_=CUSTOMER, key=key
    )
    assert (reworded.status_code, _code(reworded)) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert await _cases_titled(write_engine, title) == 1


async def test_keys_belong_to_the_principal_that_sent_them(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    key, title = _key(), _title()
    mine = await _create(write_client, acme, title, key=key, as_=CUSTOMER)
    theirs = await _create(write_client, acme, title, key=key, as_=ADMIN)

    assert not _replayed(theirs)
    ids = {r.json()["data"]["createCase"]["case"]["id"] for r in (mine, theirs)}
    assert len(ids) == 2
    assert await _cases_titled(write_engine, title) == 2
    scopes = await _scalar(
        write_engine,
        "SELECT count(DISTINCT (principal_kind, principal_id)) FROM idempotency_keys "
        "WHERE key = :k",
        k=key,
    )
    assert scopes == 2


async def test_an_expired_key_runs_again(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    key, title = _key(), _title()
    first = await _create(write_client, acme, title, key=key)
    await _execute(
        write_engine,
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours', "
        "expires_at = now() - interval '1 hour' WHERE key = :k",
        k=key,
    )

    second = await _create(write_client, acme, title, key=key)

    assert not _replayed(second)
    assert second.content != first.content  # a new case
    assert await _cases_titled(write_engine, title) == 2
    stored = await _scalar(
        write_engine,
        "SELECT response_body FROM idempotency_keys WHERE key = :k AND expires_at > now()",
        k=key,
    )
    assert stored == second.content


async def test_keys_live_for_the_configured_time_and_expired_ones_are_swept(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    stale, key = _key(), _key()
    _, admin_id = write_client.principals[ADMIN]
    await _execute(
        write_engine,
        "INSERT INTO idempotency_keys (principal_kind, principal_id, key, fingerprint, claim, "
        "locked_until, expires_at) VALUES ('CONTACT', :p, :k, '\\x00', gen_random_uuid(), "
        "now() - interval '2 days', now() - interval '1 day')",
        p=admin_id,
        k=stale,
    )
    await _create(write_client, acme, _title(), key=key)

    assert await _keys_named(write_engine, stale) == 0
    lifetime = await _scalar(
        write_engine,
        "SELECT extract(epoch FROM expires_at - created_at) FROM idempotency_keys WHERE key = :k",
        k=key,
    )
    assert lifetime == write_client.settings.idempotency_ttl_seconds == 24 * 3600


# -- comments and notes ----------------------------------------------------------------------


async def test_a_comment_sent_twice_with_one_key_is_added_once(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    created = await _create(write_client, acme, _title(), key=None)
    case_id = created.json()["data"]["createCase"]["case"]["id"]
    body, key = f"Here is the log {uuid.uuid4().hex}", _key()
    variables = {"id": case_id, "body": body}

    first, again = [
        await _send(write_client, COMMENT, variables, as_=CUSTOMER, key=key) for _ in range(2)
    ]

    assert first.json()["data"]["addCaseComment"]["comment"] == {"kind": "COMMENT", "body": body}
    assert (again.content, _replayed(again)) == (first.content, True)
    count = await _scalar(write_engine, "SELECT count(*) FROM activities WHERE body = :b", b=body)
    assert count == 1


# -- what is kept, what is released ----------------------------------------------------------


async def test_an_answer_with_user_errors_is_kept(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    """A refusal in the payload is the mutation's answer: a retry gets it again."""
    key, title = _key(), _title()
    first = await _create(write_client, acme, title, key=key, as_="success@acme.example")
    assert [e["code"] for e in first.json()["data"]["createCase"]["userErrors"]] == ["FORBIDDEN"]

    again = await _create(write_client, acme, title, key=key, as_="success@acme.example")

    assert (again.content, _replayed(again)) == (first.content, True)
    assert await _cases_titled(write_engine, title) == 0


async def test_a_refused_document_releases_its_key(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    """Nothing ran, so nothing binds the key: the corrected request runs under it."""
    key, title = _key(), _title()
    variables = {"input": {"accountId": acme, "shortDescription": title}}
    broken = await _send(
        write_client, CREATE.replace("number", "nmber"), variables, as_=CUSTOMER, key=key
    )
    assert _code(broken) == "GRAPHQL_VALIDATION_FAILED"
    assert await _keys_named(write_engine, key) == 0

    fixed = await _create(write_client, acme, title, key=key)

    assert not _replayed(fixed)
    assert fixed.json()["data"]["createCase"]["userErrors"] == []
    assert await _cases_titled(write_engine, title) == 1


async def test_an_unexpected_error_before_the_commit_releases_the_key(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    acme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, title = _key(), _title()
    create_case = case_service.create_case

    async def fails_after_writing(*args: Any) -> Any:
        await create_case(*args)
        raise RuntimeError("the service broke before its transaction committed")

    monkeypatch.setattr(case_service, "create_case", fails_after_writing)
    failed = await _create(write_client, acme, title, key=key)
    assert _code(failed) == "INTERNAL_SERVER_ERROR"
    assert await _cases_titled(write_engine, title) == 0
    assert await _keys_named(write_engine, key) == 0

    monkeypatch.undo()
    retried = await _create(write_client, acme, title, key=key)
    assert not _replayed(retried)
    assert await _cases_titled(write_engine, title) == 1


async def test_an_error_after_the_commit_is_kept_and_never_runs_again(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    acme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The case was written but its payload could not be read back: the error is the first
    answer, and a retry must not open a second case."""
    key, title = _key(), _title()

    async def unreadable(*args: Any) -> Any:
        raise RuntimeError("the read-back failed after the commit")

    monkeypatch.setattr(mutation_common, "reload", unreadable)
    failed = await _create(write_client, acme, title, key=key)
    monkeypatch.undo()
    assert _code(failed) == "INTERNAL_SERVER_ERROR"

    retried = await _create(write_client, acme, title, key=key)

    assert (retried.content, _replayed(retried)) == (failed.content, True)
    assert await _cases_titled(write_engine, title) == 1


async def test_a_response_lost_after_the_commit_is_a_coded_conflict(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    acme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As if the server died between the commit and storing the answer, then the claim
    lapsed: retries are told, and nothing runs again."""
    key, title = _key(), _title()

    async def server_died(*args: Any) -> None:
        raise OSError("connection lost")

    monkeypatch.setattr(http_idempotency, "store_response", server_died)
    first = await _create(write_client, acme, title, key=key)
    monkeypatch.undo()
    assert first.json()["data"]["createCase"]["userErrors"] == []
    await _execute(
        write_engine, "UPDATE idempotency_keys SET locked_until = now() WHERE key = :k", k=key
    )

    retried = await _create(write_client, acme, title, key=key)

    assert (retried.status_code, _code(retried)) == (409, "IDEMPOTENCY_RESPONSE_LOST")
    assert await _cases_titled(write_engine, title) == 1


async def test_a_lapsed_claim_that_wrote_nothing_is_taken_over(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    """A run that died before writing (and so never released its key) blocks nobody once
    its claim lapses, whatever it was sent with."""
    key, title = _key(), _title()
    _, customer_id = write_client.principals[CUSTOMER]
    await _execute(
        write_engine,
        "INSERT INTO idempotency_keys (principal_kind, principal_id, key, fingerprint, claim, "
        "locked_until, expires_at) VALUES ('CONTACT', :p, :k, '\\x00', gen_random_uuid(), "
        "now() - interval '1 second', now() + interval '1 day')",
        p=customer_id,
        k=key,
    )

    response = await _create(write_client, acme, title, key=key)

    assert response.json()["data"]["createCase"]["userErrors"] == []
    assert await _cases_titled(write_engine, title) == 1


async def test_a_run_that_lost_its_claim_cannot_commit(
    write_client: GraphQLClient,
    write_engine: AsyncEngine,
    acme: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The written mark is a fence: if another run took the key over mid-run, this run's
    transaction rolls back instead of writing a second time."""
    key, title = _key(), _title()
    mark_written = key_service.mark_written
    raised: list[BaseException] = []

    async def taken_over_first(connection: Any) -> None:
        await _execute(
            write_engine,
            "UPDATE idempotency_keys SET claim = gen_random_uuid() WHERE key = :k",
            k=key,
        )
        try:
            await mark_written(connection)
        except ClaimLost as error:
            raised.append(error)
            raise

    monkeypatch.setattr(key_service, "mark_written", taken_over_first)
    response = await _create(write_client, acme, title, key=key)

    assert _code(response) == "INTERNAL_SERVER_ERROR"
    assert len(raised) == 1
    assert await _cases_titled(write_engine, title) == 0


# -- what the header applies to --------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "",
        "x" * 256,
        "two words",
        "tab\there",
        "cl\u00e9".encode(),
    ],
    ids=["empty", "too-long", "space", "tab", "non-ascii"],
)
async def test_a_malformed_key_is_refused_and_nothing_runs(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str, key: str | bytes
) -> None:
    title = _title()
    response = await _create(write_client, acme, title, key=key)
    assert response.status_code == 400
    assert _code(response) == "BAD_REQUEST"
    assert await _cases_titled(write_engine, title) == 0


async def test_two_keys_on_one_request_are_refused(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    title = _title()
    variables = {"input": {"accountId": acme, "shortDescription": title}}
    response = await _send(
        write_client,
        CREATE,
        variables,
        as_=CUSTOMER,
        key=_key(),
        extra=[("Idempotency-Key", _key())],
    )
    assert (response.status_code, _code(response)) == (400, "BAD_REQUEST")
    assert await _cases_titled(write_engine, title) == 0


async def test_the_longest_key_is_accepted(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    key, title = "k" * 254 + uuid.uuid4().hex[:1], _title()
    first, again = [await _create(write_client, acme, title, key=key) for _ in range(2)]
    assert (again.content, _replayed(again)) == (first.content, True)
    assert await _cases_titled(write_engine, title) == 1


async def test_requests_without_the_header_are_unaffected(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    title = _title()
    before = await _scalar(write_engine, "SELECT count(*) FROM idempotency_keys")
    first, again = [await _create(write_client, acme, title, key=None) for _ in range(2)]

    assert not _replayed(first)
    assert not _replayed(again)
    assert first.content != again.content
    assert await _cases_titled(write_engine, title) == 2
    assert await _scalar(write_engine, "SELECT count(*) FROM idempotency_keys") == before


async def test_a_query_with_a_key_runs_as_usual_and_leaves_no_record(
    write_client: GraphQLClient, write_engine: AsyncEngine
) -> None:
    key = _key()
    response = await _send(write_client, VIEWER, {}, as_=AGENT, key=key)
    assert response.json()["data"] == {"viewer": {"email": AGENT}}
    assert not _replayed(response)
    assert await _keys_named(write_engine, key) == 0


async def test_a_batch_with_a_key_is_refused(
    write_client: GraphQLClient, write_engine: AsyncEngine, acme: str
) -> None:
    """A key covers one operation; a batch under one key would replay as a whole."""
    title = _title()
    variables = {"input": {"accountId": acme, "shortDescription": title}}
    operation = {"query": CREATE, "variables": variables}
    headers = {
        "Authorization": f"Bearer {write_client.token(CUSTOMER)}",
        "Idempotency-Key": _key(),
    }
    response = await write_client.http.post(
        "/graphql", json=[operation, operation], headers=headers
    )
    assert (response.status_code, _code(response)) == (400, "BAD_REQUEST")
    assert await _cases_titled(write_engine, title) == 0
