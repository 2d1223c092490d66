"""The system under test as subprocesses: the ``csm-graphql`` CLI and a ``serve`` process.

Everything goes through the CLI, exactly as an operator would run it, so the benchmark also
exercises the deployment path (production settings, migrations, token issuance).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.machine import TCP_LISTEN, socket_inodes, tcp_sockets

# This interpreter (so the venv's package), whatever is or is not on PATH.
_CLI = (sys.executable, "-m", "csm_graphql.cli")
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 20.0


class ServerError(RuntimeError):
    """A CLI command or the server failed; the message carries its output."""


def cli(
    args: list[str],
    env: Mapping[str, str],
    *,
    timeout: float | None = None,
    python: str | None = None,
) -> str:
    """Run ``csm-graphql ARGS`` with this interpreter (so the venv's package), or with
    ``python`` (another revision's venv, bench.compare), and return stdout; raise with stderr
    on failure."""
    completed = subprocess.run(
        [*_command(python), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise ServerError(
            f"`csm-graphql {' '.join(args)}` exited {completed.returncode}:\n"
            f"{completed.stderr.strip() or completed.stdout.strip()}"
        )
    # The CLI reports progress on stderr; echo it so the operator sees seed counts.
    if completed.stderr.strip():
        print(completed.stderr.strip(), file=sys.stderr)
    return completed.stdout


def _command(python: str | None) -> tuple[str, ...]:
    return _CLI if python is None else (python, *_CLI[1:])


@dataclass(frozen=True)
class ServerInfo:
    base_url: str
    pid: int  # the uvicorn supervisor; its workers are its children


def free_port() -> int:
    """A port nothing listens on right now (the tiny race before the server binds is fine
    on a loopback-only benchmark)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(
    env: Mapping[str, str],
    workers: int,
    log_path: Path,
    *,
    python: str | None = None,
) -> Iterator[ServerInfo]:
    """Start ``csm-graphql serve`` (with ``python``'s package when given), wait for /readyz,
    and always stop it on the way out (errors and Ctrl-C included)."""
    port = free_port()
    command = [*_command(python), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: a terminal Ctrl-C reaches only us, and we shut the server
            # down in order; on a hung shutdown we can kill exactly the group we created.
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_ready(process, base_url, log_path)
            if workers > 1:
                _wait_listening(process, port, workers, log_path)
            yield ServerInfo(base_url, process.pid)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"the server exited with {process.returncode} before it was ready:\n"
                f"{_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass  # not listening yet, or 503 while the database is not ready
        time.sleep(0.2)
    raise ServerError(
        f"/readyz did not answer 200 within {READY_TIMEOUT_SECONDS:.0f}s:\n{_tail(log_path)}"
    )


def _wait_listening(
    process: subprocess.Popen[bytes], port: int, workers: int, log_path: Path
) -> None:
    """With a socket per worker (SO_REUSEPORT, the CLI from issue 10 until connections were
    dealt in turn; an older revision under bench.compare), /readyz answers as soon as one
    worker listens, and connections opened before the others listen all go to it and stay
    there: wait until every worker listens. When the supervisor holds the one listening
    socket (uvicorn's own --workers, or the CLI now, which deals nothing before every worker
    serves) there is nothing to wait for."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        listening = tcp_sockets(port, TCP_LISTEN)
        if len(listening) >= workers or listening & socket_inodes(process.pid):
            return
        if process.poll() is not None:
            raise ServerError(f"the server exited with {process.returncode}:\n{_tail(log_path)}")
        time.sleep(0.2)
    raise ServerError(
        f"{workers} workers did not all listen within {READY_TIMEOUT_SECONDS:.0f}s:\n"
        f"{_tail(log_path)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn then stops its workers gracefully); SIGKILL the group on timeout."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"
