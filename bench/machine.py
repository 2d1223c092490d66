"""What the benchmark ran on, and CPU accounting read from /proc (Linux only).

Nothing here reads the hostname: result files are shared, so they name the machine by its
hardware only.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cores: int
    ram_gib: float
    python: str
    kernel: str

    @property
    def label(self) -> str:
        """A hostname-free file-name label, e.g. ``2c-amd-epyc``."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.cpu_model.lower()).strip("-") or "unknown-cpu"
        return f"{self.cores}c-{slug}"


def describe() -> Machine:
    return Machine(
        cpu_model=_cpu_model(),
        cores=os.cpu_count() or 1,
        ram_gib=_ram_gib(),
        python=sys.version.split()[0],
        kernel=platform.release(),
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2  # the value is in KiB
    except OSError:
        pass
    return 0.0


def process_tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU of ``root_pid`` and all its live descendants.

    The server is a uvicorn supervisor with worker children; ``cutime`` would only count
    children that have exited, so we walk the live tree instead.
    """
    stats = _all_process_stats()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, pending = 0.0, [root_pid]
    while pending:
        pid = pending.pop()
        if pid in stats:
            total += stats[pid][1]
        pending.extend(children.get(pid, ()))
    return total


def all_process_cpu() -> dict[int, float]:
    """pid -> user + system CPU seconds, for every process we can read."""
    return {pid: seconds for pid, (_, seconds) in _all_process_stats().items()}


def _all_process_stats() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds) for every process we can read."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # exited while we looked, or not ours to read
        # The command name may contain spaces and parentheses: split after the last ")".
        fields = raw[raw.rfind(")") + 2 :].split()
        ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
        stats[int(entry.name)] = (ppid, (utime + stime) / _CLOCK_TICKS)
    return stats


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all cores since boot, from the first line of /proc/stat."""
    try:
        fields = [
            int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        ]
    except OSError:
        return (0, 0)
    # user nice system idle iowait irq softirq steal; guest time is already inside user.
    total = sum(fields[:8])
    idle = fields[3] + fields[4]
    return (total - idle, total)


TCP_LISTEN, TCP_ESTABLISHED = "0A", "01"  # /proc/net/tcp's state codes


def tcp_sockets(port: int, state: str) -> set[str]:
    """Inodes of the local TCP sockets on ``port`` in ``state`` (IPv4 and IPv6)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    """Inodes of the sockets process ``pid`` holds open (empty when not ours to read)."""
    inodes: set[str] = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in descriptors:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def children(pid: int) -> list[int]:
    """Live child pids of ``pid``."""
    return [child for child, (ppid, _) in _all_process_stats().items() if ppid == pid]
