"""The peer comparison's results: a console line per cell and a markdown file with every
cell, the ratios to PostGraphile and to the SQL floor, and the machine."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from bench.database import Dataset
from bench.driver import CellResult
from bench.machine import Machine
from bench.report import NOISE_NOTE

PEER, FLOOR = "PostGraphile", "SQL floor"
HEADERS = (
    "system", "workers", "query", "conc", "requests", "req/s", "p50 ms", "p99 ms", "errors",
    "server CPU%", "postgres CPU%", "machine CPU%",
)  # fmt: skip
_WIDTHS = (20, 7, 6, 4, 8, 8, 8, 8, 6, 11, 13, 12)


@dataclass(frozen=True)
class PeerRow:
    system: str
    workers: int
    query: str
    concurrency: int
    result: CellResult


@dataclass
class PeerRun:
    started: datetime
    machine: Machine
    dataset: Dataset
    command: str
    code: str
    duration: float
    warmup: float
    cap: int
    postgraphile: str
    node: str
    pgbench_threads: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] | None = None
    detail_case: str = ""


def _number(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def cells(row: PeerRow) -> list[str]:
    r = row.result
    return [
        row.system,
        str(row.workers),
        row.query,
        str(row.concurrency),
        f"{r.requests:,}",
        _number(r.rps),
        _number(r.percentile(50)),
        _number(r.percentile(99)),
        str(r.errors),
        _number(r.cpu.server, 0),
        _number(r.cpu.postgres, 0),
        _number(r.cpu.machine, 0),
    ]


def console_header() -> str:
    return "  ".join(
        h.rjust(w) if i else h.ljust(w)
        for i, (h, w) in enumerate(zip(HEADERS, _WIDTHS, strict=True))
    )


def console_row(row: PeerRow) -> str:
    values = cells(row)
    return "  ".join(
        v.rjust(w) if i else v.ljust(w)
        for i, (v, w) in enumerate(zip(values, _WIDTHS, strict=True))
    )


def _ratio(value: float, reference: float | None) -> str:
    if reference is None or not reference or math.isnan(value):
        return "-"
    return f"{value / reference:.2f}"


def _find(rows: list[PeerRow], system: str, workers: int, query: str, conc: int) -> PeerRow | None:
    for row in rows:
        if (row.system, row.workers, row.query, row.concurrency) == (system, workers, query, conc):
            return row
    return None


def summary(rows: list[PeerRow]) -> list[str]:
    """One line per (workers, query, conc): each system's req/s, p50 and p99, and its ratio
    to PostGraphile's req/s and to the floor's."""
    lines = [
        "| workers | query | conc | system | req/s | p50 ms | p99 ms "
        "| x PostGraphile | x SQL floor |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        peer = _find(rows, PEER, row.workers, row.query, row.concurrency)
        floor = _find(rows, FLOOR, row.workers, row.query, row.concurrency)
        r = row.result
        lines.append(
            f"| {row.workers} | {row.query} | {row.concurrency} | {row.system} | {_number(r.rps)} "
            f"| {_number(r.percentile(50))} | {_number(r.percentile(99))} "
            f"| {_ratio(r.rps, peer.result.rps if peer else None)} "
            f"| {_ratio(r.rps, floor.result.rps if floor else None)} |"
        )
    return lines


def render(run: PeerRun, rows: list[PeerRow], *, complete: bool) -> str:
    m, d = run.machine, run.dataset
    load_after = ", ".join(f"{x:.2f}" for x in run.load_after) if run.load_after else "n/a"
    out = [
        f"# Peer comparison, {run.started:%Y-%m-%d %H:%M} UTC",
        "",
        f"> {NOISE_NOTE}",
        "",
    ]
    if not complete:
        out += ["**Incomplete run**: the rows below are those measured before it stopped.", ""]
    out += [
        "## Summary (agent persona)",
        "",
        *summary(rows),
        "",
        "## Every cell",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|---|" + "---:|" * (len(HEADERS) - 1),
        *("| " + " | ".join(cells(row)) + " |" for row in rows),
        "",
        "## Machine",
        "",
        f"- CPU: {m.cpu_model}, {m.cores} cores, {m.ram_gib:.1f} GiB RAM, kernel {m.kernel}",
        f"- Load average (1, 5, 15 min) at the start: "
        f"{', '.join(f'{x:.2f}' for x in run.load_before)}; at the end: {load_after}",
        f"- Python {m.python}, Node {run.node}, PostGraphile {run.postgraphile}, "
        f"PostgreSQL {d.postgres_version}",
        "",
        "## Method",
        "",
        f"- Command: `{run.command}`",
        f"- Code under test: {run.code}; migration head {d.revision}",
        f"- Data: scale {d.scale}, seed {d.seed} ({d.row_counts.get('success_cases', 0):,} "
        f"success cases, {d.row_counts.get('cases', 0):,} cases, "
        f"{d.row_counts.get('activities', 0):,} activities)" + (" (reused)" if d.reused else ""),
        f"- Per cell: {run.warmup:g} s warm-up, {run.duration:g} s measured, at most "
        f"{run.cap:,} requests; the systems take turns cell by cell.",
        "- Persona: the internal agent (agent@csm.example, customer_success_agent). PostGraphile "
        "has no notion of csm-graphql's viewer rules; it connects as the benchmark's database "
        "user and serves every row, which is what the agent sees of these records.",
        "- csm-graphql: `csm-graphql serve --workers W` in production mode, "
        "`CSM_COMPILED_READS` off (`csm-graphql`) and on (`csm-graphql compiled`).",
        "- PostGraphile: v5, Amber preset, `NODE_ENV=production`, W processes (node:cluster "
        "sharing one socket, as uvicorn's workers do), a pool of `CSM_DB_POOL_SIZE` "
        "(default 20) connections per process, like csm-graphql.",
        f"- SQL floor (portal only): `pgbench -n -f bench/peer/portal_floor.sql -c C "
        f"-j {run.pgbench_threads} -T N`, the project's exact portal JSON from one statement, "
        "no HTTP; its rows repeat the same measurement next to each worker count.",
        "- Before measuring, every server's answer was checked equal to csm-graphql's "
        "(PostGraphile's after the name mapping in bench/peer/documents.py; computed fields "
        "left out), and the floor's JSON equal to the portal's data.",
        f"- Detail query: success case {run.detail_case or 'n/a'}.",
        "",
    ]
    return "\n".join(out)
