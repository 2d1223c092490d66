"""Before/after ratios and their rendering (console and markdown). Pure: no I/O here, so
tests/test_bench_compare.py checks the arithmetic and the text without running servers."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bench.compare.revisions import Revision
from bench.database import Dataset
from bench.driver import CellResult
from bench.machine import Machine
from bench.report import markdown_table

# The systems, in the order they take turns within a cell (reversed every other cell).
BEFORE = "before"
AFTER_RESOLVERS = "after resolvers"
AFTER_COMPILED = "after compiled"
SYSTEMS = (BEFORE, AFTER_RESOLVERS, AFTER_COMPILED)
# The after systems and what each is compared with (both with the before revision).
COMPARISONS = ((AFTER_RESOLVERS, BEFORE), (AFTER_COMPILED, BEFORE))

# The tables the canonical queries read, first in the data-set section.
MAIN_TABLES = (
    "accounts", "engagements", "success_initiatives", "success_cases", "success_tasks",
    "activities", "attachments", "success_case_articles", "touchpoints", "cases", "task_slas",
    "health_indicators", "health_snapshots", "adoption_scores", "contacts", "users",
)  # fmt: skip

NOISE_NOTE = (
    "Both revisions ran in this one run, cell by cell back to back (the order reversed every "
    "other cell), so each ratio compares measurements seconds apart under the same background "
    "load. On a shared machine req/s follow the other tenants' load; CPU per request (the "
    "server's process tree and its PostgreSQL backends, read from /proc over the measured "
    "window) moves much less: prefer it."
)


@dataclass(frozen=True)
class CompareRow:
    round: int  # 1-based
    system: str
    workers: int
    persona: str
    query: str
    concurrency: int
    result: CellResult

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.persona, self.query, self.concurrency, self.workers)


def cpu_ms_per_request(percent_of_a_core: float, elapsed: float, requests: int) -> float:
    """CPU milliseconds per answered request, from a CPU share over the measured window."""
    if not requests or math.isnan(percent_of_a_core):
        return math.nan
    return percent_of_a_core / 100 * elapsed / requests * 1000


def server_ms(result: CellResult) -> float:
    return cpu_ms_per_request(result.cpu.server, result.elapsed, result.requests)


def postgres_ms(result: CellResult) -> float:
    return cpu_ms_per_request(result.cpu.postgres, result.elapsed, result.requests)


def total_ms(result: CellResult) -> float:
    """Server plus PostgreSQL CPU per request: compiled reads move work from Python into
    PostgreSQL, so only the sum compares the two paths fairly. The server's alone when
    PostgreSQL's backends are not observable (not local)."""
    postgres = postgres_ms(result)
    return server_ms(result) + (0.0 if math.isnan(postgres) else postgres)


@dataclass(frozen=True)
class Spread:
    """A ratio over the rounds: its median and its range (one value when one round)."""

    median: float
    low: float
    high: float
    values: tuple[float, ...] = field(default=())

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        finite = [value for value in values if not math.isnan(value)]
        if not finite:
            return cls(math.nan, math.nan, math.nan, ())
        return cls(statistics.median(finite), min(finite), max(finite), tuple(finite))

    def text(self) -> str:
        if math.isnan(self.median):
            return "n/a"
        if len(self.values) < 2:
            return f"{self.median:.2f}"
        return f"{self.median:.2f} ({self.low:.2f}-{self.high:.2f})"


def ratio(numerator: float, denominator: float) -> float:
    if math.isnan(numerator) or math.isnan(denominator) or not denominator:
        return math.nan
    return numerator / denominator


@dataclass(frozen=True)
class Comparison:
    """One (persona, query, concurrency, workers) cell: a system against the before
    revision, paired round by round."""

    persona: str
    query: str
    concurrency: int
    workers: int
    system: str
    rps: Spread  # after / before: above 1 is faster
    cpu: Spread  # after / before, total CPU per request: below 1 is cheaper
    p50: Spread  # after / before: below 1 is quicker

    def verdict(self, tolerance: float) -> str:
        """``regression`` when every round says the after revision costs more CPU per
        request, or answers fewer requests per second, by more than ``tolerance``;
        ``better`` when every round says the opposite; else ``same`` (within the noise)."""
        if math.isnan(self.cpu.median) and math.isnan(self.rps.median):
            return "n/a"
        worse = (not math.isnan(self.cpu.low) and self.cpu.low > 1 + tolerance) or (
            not math.isnan(self.rps.high) and self.rps.high < 1 - tolerance
        )
        if worse:
            return "regression"
        better = (not math.isnan(self.cpu.high) and self.cpu.high < 1 - tolerance) and (
            math.isnan(self.rps.low) or self.rps.low >= 1 - tolerance
        )
        return "better" if better else "same"


def compare(rows: Sequence[CompareRow]) -> list[Comparison]:
    """Each after system against the before revision, cell by cell, in measurement order."""
    by_cell = {(row.key, row.system, row.round): row.result for row in rows}
    keys = list(dict.fromkeys(row.key for row in rows))
    rounds = sorted({row.round for row in rows})
    comparisons = []
    for key in keys:
        for system, reference in COMPARISONS:
            pairs = [
                (by_cell[(key, system, n)], by_cell[(key, reference, n)])
                for n in rounds
                if (key, system, n) in by_cell and (key, reference, n) in by_cell
            ]
            if not pairs:
                continue
            persona, query, concurrency, workers = key
            comparisons.append(
                Comparison(
                    persona,
                    query,
                    concurrency,
                    workers,
                    system,
                    rps=Spread.of([ratio(a.rps, b.rps) for a, b in pairs]),
                    cpu=Spread.of([ratio(total_ms(a), total_ms(b)) for a, b in pairs]),
                    p50=Spread.of([ratio(a.percentile(50), b.percentile(50)) for a, b in pairs]),
                )
            )
    return comparisons


def _number(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def _median(values: Sequence[float]) -> float:
    finite = [value for value in values if not math.isnan(value)]
    return statistics.median(finite) if finite else math.nan


CONSOLE_HEADERS = (
    "round", "system", "w", "persona", "query", "conc", "req/s", "p50 ms", "p99 ms", "errors",
    "server ms/req", "pg ms/req", "machine CPU%",
)  # fmt: skip
_CONSOLE_WIDTHS = (5, 15, 2, 12, 9, 4, 8, 7, 7, 6, 13, 9, 12)
_CONSOLE_TEXT = {1, 3, 4}


def row_cells(row: CompareRow) -> list[str]:
    r = row.result
    return [
        str(row.round),
        row.system,
        str(row.workers),
        row.persona,
        row.query,
        str(row.concurrency),
        _number(r.rps),
        _number(r.percentile(50)),
        _number(r.percentile(99)),
        str(r.errors),
        _number(server_ms(r), 2),
        _number(postgres_ms(r), 2),
        _number(r.cpu.machine, 0),
    ]


def console_header() -> str:
    return _console_line(list(CONSOLE_HEADERS))


def console_row(row: CompareRow) -> str:
    return _console_line(row_cells(row))


def _console_line(values: list[str]) -> str:
    return "  ".join(
        value.ljust(width) if index in _CONSOLE_TEXT else value.rjust(width)
        for index, (value, width) in enumerate(zip(values, _CONSOLE_WIDTHS, strict=True))
    )


SUMMARY_HEADERS = (
    "persona", "query", "conc", "w", "system", "req/s", "before req/s", "req/s ratio",
    "CPU ms/req", "before CPU ms/req", "CPU ratio", "p50 ratio", "verdict",
)  # fmt: skip


def summary_lines(rows: Sequence[CompareRow], tolerance: float) -> list[list[str]]:
    """One line per comparison: medians over the rounds of each side, the paired ratios."""
    lines = []
    for c in compare(rows):
        mine = [r.result for r in rows if r.key == _key(c) and r.system == c.system]
        before = [r.result for r in rows if r.key == _key(c) and r.system == BEFORE]
        lines.append(
            [
                c.persona, c.query, str(c.concurrency), str(c.workers), c.system,
                _number(_median([r.rps for r in mine])),
                _number(_median([r.rps for r in before])),
                c.rps.text(),
                _number(_median([total_ms(r) for r in mine]), 2),
                _number(_median([total_ms(r) for r in before]), 2),
                c.cpu.text(),
                c.p50.text(),
                c.verdict(tolerance),
            ]
        )  # fmt: skip
    return lines


def _key(c: Comparison) -> tuple[str, str, int, int]:
    return (c.persona, c.query, c.concurrency, c.workers)


def console_summary(rows: Sequence[CompareRow], tolerance: float) -> str:
    lines = summary_lines(rows, tolerance)
    widths = [
        max(len(str(line[i])) for line in [list(SUMMARY_HEADERS), *lines])
        for i in range(len(SUMMARY_HEADERS))
    ]
    return "\n".join(
        "  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True))
        for line in [list(SUMMARY_HEADERS), *lines]
    )


@dataclass
class CompareRun:
    started: datetime
    machine: Machine
    command: str
    before: Revision
    after: Revision
    datasets: dict[str, Dataset]  # revision label -> its data set
    duration: float
    warmup: float
    cap: int
    rounds: int
    tolerance: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] | None = None
    detail_cases: dict[str, str] = field(default_factory=dict)  # "before agent" -> number
    skipped: list[str] = field(default_factory=list)  # cells not measured, and why


def render(run: CompareRun, rows: Sequence[CompareRow], *, complete: bool) -> str:
    parts = [
        f"# csm-graphql before and after, {run.started:%Y-%m-%d}: "
        f"{run.before.short} vs {run.after.short}",
        f"> {NOISE_NOTE}",
        "" if complete else "> **Incomplete run**: it stopped before every cell was measured.",
        _revisions_section(run),
        _summary_section(run, rows),
        datasets_section(run.datasets),
        _machine_section(run),
        _method_section(run),
        "## Every cell\n\n"
        + markdown_table(
            CONSOLE_HEADERS, [row_cells(row) for row in rows], set(range(13)) - _CONSOLE_TEXT
        ),
        _errors_section(rows),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _revisions_section(run: CompareRun) -> str:
    lines = [
        f"- **{r.label}**: `{r.short}` ({r.date}) {r.subject}" for r in (run.before, run.after)
    ]
    return (
        "## Revisions\n\n"
        + "\n".join(lines)
        + "\n\nSystems: **before** = the before revision as it serves by default; **after "
        "resolvers** = the after revision with `CSM_COMPILED_READS=off` (the resolver path, "
        "what the before revision has); **after compiled** = the after revision as it serves "
        "by default."
    )


def _summary_section(run: CompareRun, rows: Sequence[CompareRow]) -> str:
    lines = summary_lines(rows, run.tolerance)
    if not lines:
        return "## Summary\n\nNo cell was measured on both revisions."
    numeric = {2, 3, 5, 6, 7, 8, 9, 10, 11}
    rounds = f"{run.rounds} rounds" if run.rounds > 1 else "one round"
    return (
        "## Summary\n\n"
        f"Ratios are after / before, paired within each round ({rounds}): the median, and "
        "the range over the rounds in brackets. req/s ratio above 1 is faster; CPU ratio "
        "(server + PostgreSQL CPU per request) below 1 is cheaper. Verdict: `regression` when "
        f"every round is worse by more than {run.tolerance:.0%} (CPU per request up, or req/s "
        "down), `better` when every round's CPU per request is lower by more than that, "
        "else `same`.\n\n" + markdown_table(SUMMARY_HEADERS, lines, numeric)
    )


def datasets_section(datasets: dict[str, Dataset]) -> str:
    """Per-revision row counts: each revision seeded its own database with its own
    generator (same scale and seed), so the rows can differ slightly between them."""
    labels = list(datasets)
    counts = {label: d.row_counts for label, d in datasets.items()}
    tables = [t for t in MAIN_TABLES if any(t in c for c in counts.values())]
    lines = []
    for table in tables:
        values = [counts[label].get(table) for label in labels]
        line = [table, *(f"{v:,}" if v is not None else "-" for v in values)]
        if len(values) == 2 and values[0] and values[1] is not None:
            line.append(f"{values[1] / values[0]:.3f}")
        elif len(values) == 2:
            line.append("n/a")
        lines.append(line)
    header = ["table", *labels, *(["after / before"] if len(labels) == 2 else [])]
    numeric = set(range(1, len(header)))
    others = sorted({t for c in counts.values() for t in c} - set(MAIN_TABLES))
    shared = [t for t in others if all(t in c for c in counts.values())]
    differing = [t for t in shared if len({c[t] for c in counts.values()}) > 1]
    only = {
        label: sorted(t for t in c if not all(t in other for other in counts.values()))
        for label, c in counts.items()
    }
    described = "; ".join(
        f"**{label}**: scale {d.scale}, seed {d.seed}, migration head {d.revision}, "
        f"{'reused' if d.reused else f'seeded in {d.seed_seconds:.1f} s'}"
        for label, d in datasets.items()
    )
    note = (
        f"Other tables whose counts differ: {', '.join(differing)}."
        if differing
        else "The other tables' counts are equal."
    ) + "".join(
        f" Only in {label}: {', '.join(tables)}." for label, tables in only.items() if tables
    )
    return (
        "## Data sets\n\n"
        "Each revision migrated and seeded its own database with its own `csm-graphql db "
        "upgrade` and `seed`: the generator changed between revisions, so rows can differ "
        f"slightly. {described}.\n\n" + markdown_table(header, lines, numeric) + f"\n\n{note}"
    )


def _machine_section(run: CompareRun) -> str:
    m = run.machine
    load = ", ".join(f"{value:.2f}" for value in run.load_before)
    end = ", ".join(f"{value:.2f}" for value in run.load_after) if run.load_after else "n/a"
    postgres = {d.postgres_version for d in run.datasets.values()}
    return (
        "## Machine\n\n"
        f"- Date: {run.started:%Y-%m-%d %H:%M} UTC\n"
        f"- CPU: {m.cpu_model}, {m.cores} cores; RAM {m.ram_gib:.1f} GiB\n"
        f"- Python {m.python}, PostgreSQL {', '.join(sorted(postgres))}, Linux {m.kernel}\n"
        f"- Load average at start: {load}; at end: {end}"
    )


def _method_section(run: CompareRun) -> str:
    cases = ", ".join(f"{who}: {number}" for who, number in run.detail_cases.items())
    skipped = "".join(f"\n- Not measured: {reason}" for reason in run.skipped)
    return (
        "## Method\n\n"
        f"- Command: `{run.command}`\n"
        "- Each revision: a detached `git worktree` and a venv of its own in a cache "
        "directory, `pip install <worktree>` with the benchmark interpreter's library versions "
        "as constraints; its own database (`csm_compare_<commit>`), migrated and seeded by its "
        "own CLI; its own `csm-graphql serve --workers W` (production settings, random secret, "
        "tokens from its own `csm-graphql token`).\n"
        f"- Per cell: {run.warmup:g} s warm-up, then {run.duration:g} s measured (at most "
        f"{run.cap:,} requests), the three systems back to back; {run.rounds} round(s) of "
        "every cell.\n"
        "- CPU per request: the server's process tree and the PostgreSQL backends of its "
        "database (`application_name = csm-graphql`; the two after servers share one database, "
        "the idle one's backends add nothing) over the measured window, divided by the "
        f"answered requests.\n- Detail cases (the best-populated of the persona's first 20, per "
        f"database): {cases or 'n/a'}" + skipped
    )


def _errors_section(rows: Sequence[CompareRow]) -> str:
    failed = [row for row in rows if row.result.errors]
    if not failed:
        return "## Errors\n\nNone."
    return "## Errors\n\n" + "\n".join(
        f"- round {r.round}, {r.system} x{r.workers}, {r.persona} {r.query} c={r.concurrency}: "
        f"{r.result.errors} errors; first: `{r.result.first_error}`"
        for r in failed
    )
