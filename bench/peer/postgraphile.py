"""PostGraphile v5 as a subprocess: installed from npm into a cache directory, served on a
free loopback port with the same number of processes as the csm-graphql server it is
compared with.

The Node project is pinned exactly (bench/peer/package.json and its lock file, installed
with ``npm ci``), Node 22 included: PostGraphile v5 needs Node >= 22, and the ``node``
package from the npm registry provides it whatever Node the machine has. Nothing of it is
written into the repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.server import ServerError, free_port

HERE = Path(__file__).resolve().parent
# What the cache directory needs from this one: the pinned project and the server.
PROJECT_FILES = ("package.json", "package-lock.json", "graphile.config.mjs", "serve.mjs")
RELATIONS_SQL = HERE / "relations.sql"
# PostGraphile's connections carry this name, so their PostgreSQL CPU can be told apart.
APPLICATION_NAME = "csm-graphql-bench-peer"
READY_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0
# Per process, like csm-graphql's pool per worker (CSM_DB_POOL_SIZE, default 20).
POOL_SIZE = os.environ.get("CSM_DB_POOL_SIZE", "20")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "csm-graphql-bench" / "peer"


@dataclass(frozen=True)
class Installation:
    directory: Path
    node: Path  # Node 22 from the npm registry
    version: str  # PostGraphile's


def install(directory: Path | None = None) -> Installation:
    """``npm ci`` the pinned project into ``directory`` unless the same lock file is already
    installed there; copy the server files every time (they are small and may have changed)."""
    directory = directory or cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = directory / ".installed-lock.sha256"
    wanted = hashlib.sha256(lock).hexdigest()
    for name in PROJECT_FILES:
        shutil.copyfile(HERE / name, directory / name)
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        if npm is None:
            raise ServerError("npm is not on PATH: it is needed once to install PostGraphile")
        print(f"installing PostGraphile and Node 22 into {directory} (npm ci) ...", file=sys.stderr)
        completed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise ServerError(f"`npm ci` failed in {directory}:\n{completed.stderr.strip()}")
        stamp.write_text(wanted + "\n")
    node = directory / "node_modules" / ".bin" / "node"
    package = directory / "node_modules" / "postgraphile" / "package.json"
    if not node.exists() or not package.exists():
        raise ServerError(f"the install in {directory} is incomplete; delete it and re-run")
    return Installation(directory, node, json.loads(package.read_text())["version"])


def node_version(installation: Installation) -> str:
    completed = subprocess.run(
        [str(installation.node), "--version"], capture_output=True, text=True, check=False
    )
    return completed.stdout.strip() or "unknown"


def peer_url(url: str) -> str:
    """The database URL with PostGraphile's application name."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}application_name={APPLICATION_NAME}"


@dataclass(frozen=True)
class PeerInfo:
    base_url: str
    pid: int  # the cluster primary (or the only process); workers are its children


@contextlib.contextmanager
def running_peer(
    installation: Installation, url: str, workers: int, log_path: Path
) -> Iterator[PeerInfo]:
    """Start PostGraphile (NODE_ENV=production), wait until it answers a GraphQL request,
    and always stop it on the way out."""
    port = free_port()
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "PEER_DATABASE_URL": peer_url(url),
        "PEER_PORT": str(port),
        "PEER_WORKERS": str(workers),
        "PEER_POOL_SIZE": POOL_SIZE,
    }
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(installation.node), "serve.mjs"],
            cwd=installation.directory,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: we stop exactly what we started
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_ready(process, base_url, log_path)
            yield PeerInfo(base_url, process.pid)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    probe = urllib.request.Request(
        base_url + "/graphql",
        data=b'{"query":"{ __typename }"}',
        headers={"content-type": "application/json"},
    )
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"PostGraphile exited with {process.returncode} before it was ready:\n"
                f"{_tail(log_path)}"
            )
        try:
            # Every worker listens (serve.mjs logs "peer ready"), and the port answers.
            if "peer ready" in _tail(log_path):
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return
        except (urllib.error.URLError, OSError):
            pass  # not listening yet (a worker builds the schema before it listens)
        time.sleep(0.3)
    raise ServerError(f"PostGraphile did not answer within {READY_TIMEOUT_SECONDS:.0f}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    # Cluster workers exit with the primary; make sure none is left behind.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
