"""``serve --workers 2``: the supervisor holds the one listening socket and deals the
connections to the workers in turn, so a client's keep-alive connections are split evenly
(issue 10). The real CLI on a loopback port, bounded in time; Linux's /proc tells which
process holds which socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from csm_graphql.serving import ServingError, listening_socket, serve
from tests.conftest import create_database, drop_database
from tests.test_cli import COMMAND, REPO, _environment, _free_port, cli
from tests.test_metrics_workers import _pids_with_histograms

LISTEN, ESTABLISHED = "0A", "01"


@pytest.fixture(scope="module")
async def migrated_url(server_url: str) -> AsyncIterator[str]:
    url = await create_database(server_url, prefix="csm_serve_workers")
    try:
        upgraded = await cli("db", "upgrade", CSM_DATABASE_URL=url)
        assert upgraded.code == 0, upgraded.stderr
        yield url
    finally:
        await drop_database(server_url, url)


def _sockets(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets on local ``port`` in ``state`` (/proc/net/tcp's hex code)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _holders(inodes: set[str]) -> dict[int, set[str]]:
    """pid -> which of ``inodes`` its descriptors hold."""
    held: dict[int, set[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        held.setdefault(int(entry.name), set()).add(target[8:-1])
    return held


def _children(pid: int) -> set[int]:
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                raw = (entry / "stat").read_text()
                if int(raw[raw.rfind(")") + 2 :].split()[1]) == pid:
                    children.add(int(entry.name))
    return children


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


async def test_two_workers_are_dealt_connections_in_turn(migrated_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_exec(
        *COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
        "--log-level", "warning", "--no-access-log",
        cwd=REPO,
        env=_environment(
            CSM_DATABASE_URL=migrated_url, CSM_ENV="test",
            PROMETHEUS_MULTIPROC_DIR=str(directory),
        ),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not _sockets(port, LISTEN):
            assert process.returncode is None, "the server exited early"
            assert time.monotonic() < deadline, "the server did not start"
            await asyncio.sleep(0.2)
        # One listening socket, the supervisor's; no worker listens.
        listening = _sockets(port, LISTEN)
        assert len(listening) == 1
        assert set(_holders(listening)) == {process.pid}

        # 8 keep-alive connections opened at once, as a bench cell opens them (nothing is
        # accepted before both workers serve): each worker holds exactly 4 of them, every
        # time; with a socket per worker the kernel split them 4-4 in a quarter of the runs.
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=30))
                for _ in range(8)
            ]
            await asyncio.gather(*(_probe(http) for http in clients))
            held = _holders(_sockets(port, ESTABLISHED))
            workers = set(held)
            assert workers <= _children(process.pid), "the supervisor kept a connection"
            assert sorted(len(inodes) for inodes in held.values()) == [4, 4], held
            # Each connection keeps its worker: more requests on them change nothing.
            await asyncio.gather(*(_probe(http) for http in clients))
        answered = _pids_with_histograms(directory)
        assert {int(pid) for pid in answered} == workers, "one worker answered nothing"
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        assert process.stderr is not None
        errors = (await process.stderr.read()).decode()
    assert "Traceback" not in errors, errors
    # SIGTERM stopped the workers too, and the port is free again.
    assert process.returncode == 0, errors
    assert not _alive(workers)
    assert not _sockets(port, LISTEN)


async def _probe(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "query Probe { __typename }"})
    assert response.status_code == 401  # counted all the same: outcome "refused"


def test_an_address_in_use_is_refused_before_any_worker_starts() -> None:
    # Another listening socket on the port: the supervisor refuses before starting workers.
    with contextlib.closing(listening_socket("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        with pytest.raises(ServingError, match=f"cannot bind 127.0.0.1:{port}"):
            serve({"app": "csm_graphql.app:create_app", "factory": True}, "127.0.0.1", port, 2)
