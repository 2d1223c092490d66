"""The embedded PostgreSQL: started on demand, stopped by its last user, even when an earlier
user was killed without saying goodbye."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from csm_graphql.db.embedded import HANDLE_LIST, start_embedded, stop_embedded


def _server_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A directory of this test's own, outside pytest's shared base directory: pytest sessions
    running side by side prune each other's old directories there, under a running server."""
    with tempfile.TemporaryDirectory(prefix="csm-embedded-test-") as path:
        yield Path(path)


def test_a_killed_user_does_not_keep_the_server_alive(data_dir: Path) -> None:
    # A child process starts the server and is killed: its id stays in pgserver's list.
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from csm_graphql.db.embedded import start_embedded; "
            f"start_embedded(Path({str(data_dir)!r})); print('up', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    with child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "up"
        finally:
            child.kill()
            child.wait(timeout=10)
    pgdata = data_dir / "pgdata"
    assert child.pid in json.loads((pgdata / HANDLE_LIST).read_text())
    assert _server_running(pgdata)

    try:
        url = start_embedded(data_dir)
        assert url.startswith("postgresql://")
        stop_embedded(data_dir)
        assert not _server_running(pgdata)
    finally:
        if _server_running(pgdata):  # never leave a server behind, even when failing
            os.kill(int((pgdata / "postmaster.pid").read_text().split()[0]), signal.SIGTERM)
