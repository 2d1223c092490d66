"""How evenly ``serve --workers N`` shares the requests between its workers (issue 10).

Each run opens ``--concurrency`` fresh keep-alive connections (as one bench cell does) and
drives them for ``--duration`` seconds. Per worker pid, it reads the connections the worker
holds halfway through (/proc) and the requests it answered (its own Prometheus file in
``PROMETHEUS_MULTIPROC_DIR``): shares per worker, not throughput, which a loaded machine
moves. Keep-alive connections stay with the worker that accepted them, so the share is decided
at accept time.

    python -m bench.workers --database-url postgresql://postgres@127.0.0.1:5432/csm_bench
    python -m bench.workers --python /path/to/other/venv/bin/python   # another install's CLI

The database must be migrated and seeded (``python -m bench.run`` or ``bench.compare`` do it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.cpu import CpuMeter
from bench.driver import run_cell
from bench.machine import TCP_ESTABLISHED, children, socket_inodes, tcp_sockets
from bench.queries import PORTAL
from bench.run import server_env
from bench.server import cli, running_server
from bench.workload import AGENT, graphql_request

REQUEST_HISTOGRAM = "csm_graphql_request_duration_seconds"


def requests_per_pid(directory: Path) -> Counter[int]:
    """/graphql requests answered so far, per worker pid, from the workers' Prometheus files
    (a histogram's buckets are stored per bucket there: their sum is the count)."""
    from prometheus_client.mmap_dict import MmapedDict

    counts: Counter[int] = Counter()
    for path in directory.glob("histogram_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            metric, sample = json.loads(key)[:2]
            if metric == REQUEST_HISTOGRAM and sample.endswith("_bucket"):
                counts[pid] += round(value)
    return counts


def connections_per_pid(server_pid: int, port: int) -> list[int]:
    """Established connections each worker (a child of ``server_pid``) holds on ``port``,
    largest first (the multiprocessing resource tracker holds none and is left out)."""
    established = tcp_sockets(port, TCP_ESTABLISHED)
    counts = [len(socket_inodes(pid) & established) for pid in children(server_pid)]
    return sorted((count for count in counts if count), reverse=True)


def shares(before: Counter[int], after: Counter[int], workers: int) -> list[int]:
    """Requests per worker during one run, largest first, padded with zeros to ``workers``
    (a worker that answered nothing may have no file at all)."""
    counts = sorted((after[pid] - before.get(pid, 0) for pid in after), reverse=True)
    counts = [count for count in counts if count > 0]
    return counts + [0] * max(0, workers - len(counts))


def summary(runs: Sequence[Sequence[int]]) -> str:
    """Idle-worker runs, and the busiest worker's share of each run (median, range)."""
    busiest = [run[0] / sum(run) for run in runs if sum(run)]
    idle = sum(1 for run in runs if sum(run) and min(run) == 0)
    if not busiest:
        return "no requests counted"
    return (
        f"{len(runs)} runs: a worker idle in {idle}; busiest worker's share median "
        f"{statistics.median(busiest):.0%}, range {min(busiest):.0%}-{max(busiest):.0%}"
    )


async def _runs(base_url: str, pid: int, directory: Path, args: argparse.Namespace,
                token: str) -> tuple[list[list[int]], list[list[int]]]:  # fmt: skip
    spec = graphql_request(token, PORTAL)  # /graphql: the requests the workers count

    async def no_backends() -> list[int]:
        return []

    async def connections() -> list[int]:
        await asyncio.sleep(args.duration / 2)  # every connection is open by then
        held = connections_per_pid(pid, int(base_url.rsplit(":", 1)[1]))
        return held + [0] * args.workers

    results, held = [], []
    for number in range(1, args.runs + 1):
        before = requests_per_pid(directory)
        _, connected = await asyncio.gather(
            run_cell(
                base_url, spec, concurrency=args.concurrency, duration=args.duration, warmup=0,
                cap=10**9, meter=CpuMeter(pid, no_backends),
            ),
            connections(),
        )  # fmt: skip
        run = shares(before, requests_per_pid(directory), args.workers)
        results.append(run)
        held.append(connected[: args.workers])
        print(
            f"run {number:2}: requests per worker {run}, connections per worker {held[-1]}",
            flush=True,
        )
    return results, held


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/csm_bench")
    parser.add_argument(
        "--python", help="the interpreter whose csm-graphql serves (default: this one)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per run")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="csm-bench-workers-"))
    # Metrics on (production turns them off by default): each worker writes its own file.
    env = {
        **server_env(args.database_url),
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "CSM_METRICS": "on",
    }
    token = cli(["token", AGENT.email], env, python=args.python).strip()
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(
            running_server(env, args.workers, directory / "server.log", python=args.python)
        )
        runs, held = asyncio.run(_runs(server.base_url, server.pid, directory, args, token))
    print(f"requests: {summary(runs)}")
    print(f"connections: {summary(held)}")
    return 0


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinding stops the server


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupt)
    sys.exit(main())
