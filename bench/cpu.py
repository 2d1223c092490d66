"""Where the CPU went during a measured cell: driver, server, PostgreSQL, whole machine.

On a small shared machine the load generator, the server and PostgreSQL compete for the same
cores, so requests/s alone cannot say who the bottleneck was. Snapshots before and after each
cell split the time between them; what remains of the machine's busy time is other tenants.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.machine import all_process_cpu, machine_cpu_ticks, process_tree_cpu_seconds


@dataclass(frozen=True)
class CpuSnapshot:
    wall: float
    driver: float  # this process
    server: float  # uvicorn supervisor + workers
    postgres: dict[int, float] | None  # backend pid -> seconds; None when not observable
    machine: tuple[int, int]  # (busy, total) jiffies


@dataclass(frozen=True)
class CpuUsage:
    """Percent of one core for each party, percent of all cores for the machine."""

    driver: float
    server: float
    postgres: float
    machine: float


class CpuMeter:
    def __init__(self, server_pid: int, postgres_pids: Callable[[], Awaitable[list[int]]]) -> None:
        self.server_pid = server_pid
        self.postgres_pids = postgres_pids

    async def snapshot(self) -> CpuSnapshot:
        pids = await self.postgres_pids()
        cpu = all_process_cpu()
        # PostgreSQL on another machine (or in a container): its pids are not ours to read.
        # (A backend that exited between the query and the read is simply skipped.)
        local = any(pid in cpu for pid in pids)
        postgres = {pid: cpu[pid] for pid in pids if pid in cpu} if local else None
        return CpuSnapshot(
            wall=time.perf_counter(),
            driver=time.process_time(),
            server=process_tree_cpu_seconds(self.server_pid),
            postgres=postgres,
            machine=machine_cpu_ticks(),
        )


def usage(before: CpuSnapshot, after: CpuSnapshot) -> CpuUsage:
    wall = after.wall - before.wall
    busy, total = (after.machine[0] - before.machine[0], after.machine[1] - before.machine[1])
    return CpuUsage(
        driver=100 * (after.driver - before.driver) / wall,
        server=100 * (after.server - before.server) / wall,
        postgres=_postgres_percent(before, after, wall),
        machine=100 * busy / total if total else math.nan,
    )


def _postgres_percent(before: CpuSnapshot, after: CpuSnapshot, wall: float) -> float:
    if before.postgres is None or after.postgres is None:
        return math.nan
    # A backend the pool opened mid-cell started from zero; one it closed is lost (rare:
    # pools keep their connections between cells).
    seconds = sum(cpu - before.postgres.get(pid, 0.0) for pid, cpu in after.postgres.items())
    return 100 * seconds / wall
