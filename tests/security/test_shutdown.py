"""SIGTERM with mutations in flight: the server stops taking requests, finishes the ones it
has, and exits; every mutation is either wholly written and answered, or not written at all.

The mutations are held in flight deterministically: a transaction of the test's own locks the
case they write to, so they wait on PostgreSQL until the test lets go, after the signal.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from csm_graphql.access.viewer import PrincipalKind
from csm_graphql.auth import issue_token
from csm_graphql.graphql.ids import to_global_id
from csm_graphql.settings import Settings
from tests.test_cli import COMMAND, REPO, _environment, _free_port

IN_FLIGHT = 5
NOTE = "Written while the server was asked to stop."
ADD_WORK_NOTE = """
mutation Note($caseId: ID!, $body: String!) {
  addWorkNote(caseId: $caseId, body: $body) { workNote { id } userErrors { code } }
}
"""


async def _open_case_and_agent(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        case_id = await connection.scalar(
            text("SELECT id FROM cases WHERE state IN ('NEW', 'OPEN') ORDER BY id LIMIT 1")
        )
        agent_id = await connection.scalar(
            text("SELECT id FROM users WHERE email = 'caseagent@csm.example'")
        )
    return case_id, agent_id


async def _waiting_on_locks(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = 'csm-graphql' AND wait_event_type = 'Lock'"
            )
        )


async def _notes(engine: AsyncEngine, case_id: int) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(
            text(
                "SELECT count(*) FROM activities"
                " WHERE record_type = 'case' AND record_id = :case_id AND body = :body"
            ),
            {"case_id": case_id, "body": NOTE},
        )


async def _until(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.1)


async def test_sigterm_finishes_mutations_in_flight(
    write_engine: AsyncEngine, write_database_url: str
) -> None:
    case_id, agent_id = await _open_case_and_agent(write_engine)
    token = issue_token(Settings(), PrincipalKind.USER, agent_id)
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        *COMMAND,
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
        cwd=REPO,
        env=_environment(CSM_DATABASE_URL=write_database_url, CSM_ENV="test"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    variables = {"caseId": to_global_id("Case", case_id), "body": NOTE}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:

            async def ready() -> bool:
                assert server.returncode is None, "the server exited early"
                try:
                    return (await http.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await _until(ready, 30, "the server did not become ready")
            before = await _notes(write_engine, case_id)
            async with write_engine.connect() as locker:
                lock = await locker.begin()
                await locker.execute(
                    text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id}
                )
                requests = [
                    asyncio.create_task(
                        http.post(
                            "/graphql",
                            json={"query": ADD_WORK_NOTE, "variables": variables},
                            headers=headers,
                        )
                    )
                    for _ in range(IN_FLIGHT)
                ]

                async def all_waiting() -> bool:
                    return await _waiting_on_locks(write_engine) == IN_FLIGHT

                await _until(all_waiting, 20, "the mutations did not reach the lock")
                server.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.5)
                # Stopping, not stopped: the mutations still wait, the server still runs.
                assert server.returncode is None
                assert not any(request.done() for request in requests)
                await lock.rollback()
            responses = await asyncio.gather(*requests)
        code = await asyncio.wait_for(server.wait(), 20)
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
    assert code == 0
    for response in responses:
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["addWorkNote"]
        assert payload["userErrors"] == []
        assert payload["workNote"]["id"]
    # Each answered mutation was written once, whole; nothing else was.
    assert await _notes(write_engine, case_id) == before + IN_FLIGHT
