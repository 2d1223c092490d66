"""Results as a console table (printed cell by cell) and as a markdown file."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bench.database import Dataset
from bench.driver import CellResult
from bench.machine import Machine

NOISE_NOTE = (
    "The machine is shared and noisy (other jobs run beside the benchmark, and the load "
    "generator, the server and PostgreSQL all share its cores), so these figures are "
    "indicative: compare ratios within this file (workers 2 vs 1, agent vs customer, query vs "
    "query), not absolute numbers across machines or runs."
)

HEADERS = (
    "workers", "persona", "query", "conc", "requests", "req/s", "p50 ms", "p99 ms",
    "errors", "driver CPU%", "server CPU%", "postgres CPU%", "machine CPU%",
)  # fmt: skip
# Right-align the numbers in both renderings.
_NUMERIC = {0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
_WIDTHS = (7, 8, 7, 4, 8, 8, 8, 8, 6, 11, 11, 13, 12)


@dataclass(frozen=True)
class Row:
    workers: int
    persona: str  # "-" for the unauthenticated /healthz ceiling
    query: str
    concurrency: int
    result: CellResult


@dataclass
class RunInfo:
    started: datetime
    machine: Machine
    dataset: Dataset
    command: str
    code: str  # commit under test, and whether the tree differs from it
    duration: float
    warmup: float
    cap: int
    detail_cases: dict[str, str] = field(default_factory=dict)  # persona -> case number


def _number(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def cells(row: Row) -> list[str]:
    r = row.result
    return [
        str(row.workers),
        row.persona,
        row.query,
        str(row.concurrency),
        f"{r.requests:,}",
        _number(r.rps),
        _number(r.percentile(50)),
        _number(r.percentile(99)),
        str(r.errors),
        _number(r.cpu.driver, 0),
        _number(r.cpu.server, 0),
        _number(r.cpu.postgres, 0),
        _number(r.cpu.machine, 0),
    ]


def console_header() -> str:
    return _console_line(list(HEADERS))


def console_row(row: Row) -> str:
    return _console_line(cells(row))


def _console_line(values: list[str]) -> str:
    return "  ".join(
        value.rjust(width) if index in _NUMERIC else value.ljust(width)
        for index, (value, width) in enumerate(zip(values, _WIDTHS, strict=True))
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    rule = ["---:" if index in numeric else "---" for index in range(len(header))]
    lines = [header, rule, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def render(info: RunInfo, rows: Sequence[Row], *, complete: bool) -> str:
    parts = [
        f"# csm-graphql load benchmark, {info.started:%Y-%m-%d}",
        f"> {NOISE_NOTE}",
        "" if complete else "> **Incomplete run**: it stopped before every cell was measured.",
        _machine_section(info),
        _dataset_section(info.dataset),
        _method_section(info),
        "## Results\n\n"
        "requests: successful answers measured (after the warm-up); req/s: requests / measured "
        "seconds; p50/p99: latency of successful requests; errors: non-200 answers, GraphQL "
        "`errors` and transport failures. CPU: the driver, the server (uvicorn supervisor and "
        "workers) and the server's PostgreSQL backends in % of one core; machine: every "
        "process, in % of all cores (the remainder is PostgreSQL's other processes and "
        "other tenants). Each cell ran against every server back to back, so rows that differ "
        "only in workers were measured under the same background load.\n\n"
        + markdown_table(HEADERS, [cells(row) for row in rows], _NUMERIC),
        _scaling_section(rows),
        _errors_section(rows),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _machine_section(info: RunInfo) -> str:
    m, d = info.machine, info.dataset
    return (
        "## Machine\n\n"
        f"- Date: {info.started:%Y-%m-%d %H:%M} UTC\n"
        f"- CPU: {m.cpu_model}, {m.cores} cores\n"
        f"- RAM: {m.ram_gib:.1f} GiB\n"
        f"- Python {m.python}, PostgreSQL {d.postgres_version}, Linux {m.kernel}"
    )


def _dataset_section(d: Dataset) -> str:
    how = "reused from an earlier run" if d.reused else "seeded by this run"
    counts = markdown_table(
        ["table", "rows"], [[name, f"{count:,}"] for name, count in d.row_counts.items()], {1}
    )
    return (
        f"## Data set\n\nScale {d.scale}, seed {d.seed}: {how} "
        f"(`csm-graphql seed` took {d.seed_seconds:.1f} s).\n\n{counts}"
    )


def _method_section(info: RunInfo) -> str:
    cases = ", ".join(f"{persona}: {number}" for persona, number in info.detail_cases.items())
    return (
        "## Method\n\n"
        f"- Command: `{info.command}`\n"
        f"- Code: {info.code}; migration head {info.dataset.revision}\n"
        "- Server: `csm-graphql serve --workers W` on 127.0.0.1 with `CSM_ENV=production` and a "
        "random `CSM_SECRET_KEY`; tokens from `csm-graphql token` with the same key.\n"
        "- Driver: a separate process, asyncio + aiohttp, one keep-alive session per cell with a "
        "connector limit equal to the concurrency, closed loop (each of `conc` workers sends "
        "its next request when the previous answer is read).\n"
        f"- Per cell: {info.warmup:g} s warm-up (not recorded), then {info.duration:g} s "
        f"measured, capped at {info.cap:,} requests.\n"
        "- Personas: agent = agent@csm.example (internal customer_success_agent), customer = "
        "success@acme.example (external customer_success_customer); `-` = no token.\n"
        "- Queries: portal (engagements > initiatives > success cases), detail (one success "
        f"case with tasks, activities, attachments, articles; the same record for every persona, "
        f"the best-populated that all of them see: {cases or 'n/a'}), search "
        '("adoption" over four sources), dashboard (20 engagements with 12-week health and '
        "adoption series and indicators), healthz (GET /healthz, a ceiling for the HTTP stack)."
    )


def _scaling_section(rows: Sequence[Row]) -> str:
    """req/s with 2 workers over req/s with 1, per (persona, query, concurrency)."""
    by_key = {(r.workers, r.persona, r.query, r.concurrency): r.result.rps for r in rows}
    lines = []
    for row in rows:
        if row.workers != 1:
            continue
        two = by_key.get((2, row.persona, row.query, row.concurrency))
        if two is None or not row.result.rps:
            continue
        ratio = two / row.result.rps
        lines.append([row.persona, row.query, str(row.concurrency), f"{ratio:.2f}"])
    if not lines:
        return ""
    table = markdown_table(["persona", "query", "conc", "req/s ratio"], lines, {2, 3})
    return f"## Scaling: 2 workers vs 1\n\n{table}"


def _errors_section(rows: Sequence[Row]) -> str:
    failed = [row for row in rows if row.result.errors]
    if not failed:
        return "## Errors\n\nNone."
    lines = [
        f"- workers {r.workers}, {r.persona} {r.query} conc {r.concurrency}: "
        f"{r.result.errors} errors; first: `{r.result.first_error}`"
        for r in failed
    ]
    return "## Errors\n\n" + "\n".join(lines)
