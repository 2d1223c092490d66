"""The load generator: a closed-loop asyncio + aiohttp driver.

It runs in the benchmark's own process, never in the server's. ``concurrency`` workers share
one ``ClientSession`` whose connector holds exactly ``concurrency`` keep-alive connections;
each worker sends its next request as soon as the previous answer has been read (closed loop),
so the offered load adapts to the server instead of queueing unboundedly.

Alongside latencies it records its own CPU time, the server process tree's and the whole
machine's, so a reader can tell whether the driver (rather than the server) was the limit.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field

import aiohttp

from bench.cpu import CpuMeter, CpuUsage, usage

# Generous: a request slower than this is an error worth seeing, not a latency sample.
REQUEST_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class RequestSpec:
    """One canonical request, encoded once so the hot loop does no JSON work."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    """What the workers of one phase (warm-up or measurement) observed."""

    issued: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    first_error: str | None = None

    def fail(self, reason: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = reason


@dataclass(frozen=True)
class CellResult:
    requests: int
    errors: int
    elapsed: float
    latencies_ms: list[float]  # sorted
    cpu: CpuUsage
    first_error: str | None

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in ms (NaN when nothing succeeded)."""
        if not self.latencies_ms:
            return math.nan
        rank = max(1, math.ceil(p / 100 * len(self.latencies_ms)))
        return self.latencies_ms[rank - 1]


def is_success(status: int, body: bytes) -> bool:
    """A 200 without a GraphQL ``errors`` member. A byte search keeps the loop cheap; the
    responses were parsed and checked properly once before measuring."""
    return status == 200 and b'"errors"' not in body


async def _worker(
    session: aiohttp.ClientSession,
    url: str,
    spec: RequestSpec,
    deadline: float,
    cap: int,
    tally: Tally,
) -> None:
    while time.perf_counter() < deadline and tally.issued < cap:
        tally.issued += 1  # single-threaded event loop: no lock needed
        started = time.perf_counter()
        try:
            async with session.request(
                spec.method, url, data=spec.body, headers=spec.headers
            ) as response:
                body = await response.read()  # read fully so the connection is reused
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            tally.fail(f"{type(error).__name__}: {error}")
            continue
        if is_success(status, body):
            tally.latencies.append(time.perf_counter() - started)
        else:
            tally.fail(f"HTTP {status}: {body[:200]!r}")


async def _phase(
    session: aiohttp.ClientSession,
    url: str,
    spec: RequestSpec,
    concurrency: int,
    seconds: float,
    cap: int,
) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(_worker(session, url, spec, deadline, cap, tally) for _ in range(concurrency))
    )
    return tally


async def run_cell(
    base_url: str,
    spec: RequestSpec,
    *,
    concurrency: int,
    duration: float,
    warmup: float,
    cap: int,
    meter: CpuMeter,
) -> CellResult:
    """Warm up, then measure one (request, concurrency) cell."""
    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    url = base_url + spec.path
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # Warm-up opens the connections and lets workers fill caches and pools; not recorded.
        await _phase(session, url, spec, concurrency, warmup, cap)
        before = await meter.snapshot()
        started = time.perf_counter()
        tally = await _phase(session, url, spec, concurrency, duration, cap)
        elapsed = time.perf_counter() - started
        after = await meter.snapshot()
    return CellResult(
        requests=len(tally.latencies),
        errors=tally.errors,
        elapsed=elapsed,
        latencies_ms=sorted(seconds * 1000 for seconds in tally.latencies),
        cpu=usage(before, after),
        first_error=tally.first_error,
    )
