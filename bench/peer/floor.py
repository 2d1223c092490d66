"""The SQL floor: the portal's exact JSON from one hand-written statement, run with pgbench.

pgbench is PostgreSQL's own load generator (C, libpq, no HTTP, no GraphQL), so its
transactions per second are what PostgreSQL alone can do for this answer on this machine:
the ceiling any GraphQL server answering the portal could reach.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.cpu import CpuUsage
from bench.driver import CellResult
from bench.machine import machine_cpu_ticks
from bench.server import ServerError

PORTAL_FLOOR_SQL = Path(__file__).resolve().parent / "portal_floor.sql"


def statement() -> str:
    """The portal floor statement (one statement, no trailing semicolon)."""
    lines = [
        line for line in PORTAL_FLOOR_SQL.read_text().splitlines() if not line.startswith("--")
    ]
    return "\n".join(lines).strip().rstrip(";")


def pgbench() -> str:
    found = shutil.which("pgbench")
    if found is None:
        raise ServerError("pgbench is not on PATH (Debian: apt-get install postgresql-client)")
    return found


def run_floor(
    url: str, *, concurrency: int, threads: int, duration: float, warmup: float
) -> CellResult:
    """``pgbench -n -f portal_floor.sql -c C -j J -T N``, latencies from its per-transaction
    log (``-l``), after an unrecorded warm-up of the same shape."""
    binary = pgbench()
    base = [binary, "-n", "-f", str(PORTAL_FLOOR_SQL), "-c", str(concurrency), "-j", str(threads)]
    if warmup > 0:
        _pgbench([*base, "-T", str(max(1, round(warmup))), url])
    seconds = max(1, round(duration))
    with tempfile.TemporaryDirectory(prefix="csm-bench-pgbench-") as logs:
        prefix = str(Path(logs) / "floor")
        before = machine_cpu_ticks()
        started = time.perf_counter()
        output = _pgbench([*base, "-T", str(seconds), "-l", "--log-prefix", prefix, url])
        elapsed = time.perf_counter() - started
        after = machine_cpu_ticks()
        latencies = sorted(_latencies_ms(Path(logs)))
    tps = _tps(output)
    busy, total = after[0] - before[0], after[1] - before[1]
    nan = float("nan")
    return CellResult(
        requests=len(latencies),
        errors=_failed(output),
        # pgbench's own window (it excludes connection set-up), so req/s is its tps.
        elapsed=len(latencies) / tps if tps else elapsed,
        latencies_ms=latencies,
        cpu=CpuUsage(
            driver=nan, server=nan, postgres=nan, machine=100 * busy / total if total else nan
        ),
        first_error=None,
    )


def _pgbench(command: list[str]) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise ServerError(f"pgbench failed:\n{completed.stderr.strip()}")
    return completed.stdout


def _latencies_ms(directory: Path) -> list[float]:
    """Per-transaction latencies: the third field of each pgbench log line, in microseconds."""
    latencies: list[float] = []
    for path in directory.iterdir():
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[2].isdigit():
                latencies.append(int(fields[2]) / 1000)
    return latencies


def _tps(output: str) -> float:
    for line in output.splitlines():
        if line.startswith("tps = "):
            return float(line.split()[2])
    return 0.0


def _failed(output: str) -> int:
    for line in output.splitlines():
        if line.startswith("number of failed transactions:"):
            return int(line.split(":", 1)[1].split()[0])
    return 0
