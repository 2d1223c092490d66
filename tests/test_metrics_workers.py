"""With ``serve --workers N``, /metrics counts every worker's requests, whichever worker
answers the scrape: the real CLI, two workers, a loopback port, bounded in time."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from csm_graphql.observability import multiprocess
from tests.conftest import create_database, drop_database
from tests.test_cli import COMMAND, REPO, _environment, _free_port, cli

COUNT = re.compile(r"^csm_graphql_request_duration_seconds_count\{[^}]*\} (\S+)$", re.M)


@pytest.fixture(scope="module")
async def migrated_url(server_url: str) -> AsyncIterator[str]:
    url = await create_database(server_url, prefix="csm_workers")
    try:
        upgraded = await cli("db", "upgrade", CSM_DATABASE_URL=url)
        assert upgraded.code == 0, upgraded.stderr
        yield url
    finally:
        await drop_database(server_url, url)


def _requests_counted(exposition: str) -> int:
    return round(sum(float(value) for value in COUNT.findall(exposition)))


def _pids_with_histograms(directory: Path) -> set[str]:
    return {path.stem.rsplit("_", 1)[1] for path in directory.glob("histogram_*.db")}


async def _one_request(base: str) -> None:
    # A connection of its own, so that either worker may accept it.
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        response = await http.post("/graphql", json={"query": "query Probe { __typename }"})
        assert response.status_code == 401  # counted all the same: outcome "refused"


async def test_metrics_aggregate_every_worker(migrated_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "prometheus"
    directory.mkdir()
    # Left by an earlier run: counted again, or an unreadable file, unless cleaned at start.
    (directory / "counter_99999.db").write_bytes(b"")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_exec(
        *COMMAND,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--log-level",
        "warning",
        "--no-access-log",
        cwd=REPO,
        env=_environment(
            CSM_DATABASE_URL=migrated_url,
            CSM_ENV="test",
            PROMETHEUS_MULTIPROC_DIR=str(directory),
        ),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            while True:
                assert process.returncode is None, "the server exited early"
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.2)
        assert not (directory / "counter_99999.db").exists()

        # Until both workers have answered some (the kernel chooses who accepts).
        sent = 0
        while len(_pids_with_histograms(directory)) < 2:
            assert time.monotonic() < deadline, "the requests all reached one worker"
            await asyncio.gather(*(_one_request(base) for _ in range(10)))
            sent += 10

        # Every scrape, whichever worker answers it, counts every request.
        for _ in range(8):
            async with httpx.AsyncClient(base_url=base, timeout=5) as http:
                scrape = await http.get("/metrics")
            assert scrape.status_code == 200
            assert _requests_counted(scrape.text) == sent
            assert "csm_graphql_db_pool_size" in scrape.text
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        assert process.stderr is not None
        errors = (await process.stderr.read()).decode()
    assert "Traceback" not in errors, errors
    # The operator's directory stays (emptied at the next start), the workers' files in it.
    assert directory.is_dir()


def test_the_cli_owns_a_temporary_directory_for_several_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Empty counts as unset; monkeypatch restores the variable's absence afterwards.
    monkeypatch.setenv(multiprocess.VARIABLE, "")
    assert multiprocess.prepare(1) is None
    assert os.environ[multiprocess.VARIABLE] == ""
    prepared = multiprocess.prepare(2)
    assert prepared is not None
    assert prepared.owned
    assert os.environ[multiprocess.VARIABLE] == str(prepared.path)
    assert prepared.path.is_dir()
    assert not any(prepared.path.iterdir())
    multiprocess.release(prepared)
    assert not prepared.path.exists()
