"""bench.compare (issue 9's before/after run): the arguments, the ratio arithmetic, the
verdict and the report, on made-up cells.
The measurement itself needs two installed revisions and minutes of load: it is run by hand
(bench/README.md), not here."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.compare import revisions
from bench.compare.report import (
    AFTER_COMPILED,
    AFTER_RESOLVERS,
    BEFORE,
    CompareRow,
    CompareRun,
    Spread,
    compare,
    console_summary,
    cpu_ms_per_request,
    datasets_section,
    render,
    total_ms,
)
from bench.compare.run import interleaved, parse_args, system_env
from bench.cpu import CpuUsage
from bench.database import Dataset
from bench.driver import CellResult
from bench.machine import Machine


def _result(rps: float, server_percent: float, postgres_percent: float = 20.0) -> CellResult:
    """A 10 s cell answering ``rps`` requests a second at the given CPU shares."""
    requests = round(rps * 10)
    return CellResult(
        requests=requests,
        errors=0,
        elapsed=10.0,
        latencies_ms=sorted(1000 / rps * (1 + i % 3) for i in range(requests)),
        cpu=CpuUsage(driver=5.0, server=server_percent, postgres=postgres_percent, machine=80.0),
        first_error=None,
    )


def _row(round_number: int, system: str, result: CellResult, query: str = "portal") -> CompareRow:
    return CompareRow(round_number, system, 1, "agent", query, 8, result)


def _dataset(success_cases: int, revision: str, **extra: int) -> Dataset:
    return Dataset(
        scale=1, seed=42, reused=False, seed_seconds=5.0,
        row_counts={"success_cases": success_cases, "engagements": 70, "users": 30, **extra},
        postgres_version="15.10", revision=revision,
    )  # fmt: skip


def test_defaults_compare_main_when_issue_9_was_filed_with_head() -> None:
    args = parse_args([])
    assert (args.before, args.after) == ("20a6d4e", "HEAD")
    assert args.workers == [1]
    assert args.concurrency == [8]
    assert args.rounds == 3
    assert args.queries == ["portal", "detail", "search", "cases", "dashboard"]


def test_arguments_are_parsed_and_refused() -> None:
    args = parse_args(
        ["--before", "abc", "--after", "main", "--workers", "1,2", "--queries", "portal,cases",
         "--rounds", "1", "--duration", "2", "--tolerance", "0.1", "--output", "/tmp/x.md"]
    )  # fmt: skip
    assert (args.before, args.after, args.workers) == ("abc", "main", [1, 2])
    assert args.queries == ["portal", "cases"]
    assert args.tolerance == 0.1
    assert args.output == Path("/tmp/x.md")
    for wrong in (["--queries", "nope"], ["--rounds", "0"], ["--tolerance", "1"],
                  ["--duration", "0"], ["--workers", "0"]):  # fmt: skip
        with pytest.raises(SystemExit):
            parse_args(wrong)


def test_only_the_after_resolver_path_sets_compiled_reads() -> None:
    base = {"CSM_COMPILED_READS": "on", "CSM_ENV": "production"}
    assert system_env(base, AFTER_RESOLVERS)["CSM_COMPILED_READS"] == "off"
    assert "CSM_COMPILED_READS" not in system_env(base, AFTER_COMPILED)
    assert "CSM_COMPILED_READS" not in system_env(base, BEFORE)
    assert base["CSM_COMPILED_READS"] == "on"  # the caller's mapping is left alone


def test_the_systems_take_turns_in_alternating_order() -> None:
    systems = ["a", "b", "c"]
    assert interleaved(systems, 0) == ["a", "b", "c"]  # type: ignore[arg-type]
    assert interleaved(systems, 1) == ["c", "b", "a"]  # type: ignore[arg-type]


def test_cpu_per_request_from_a_share_of_a_core() -> None:
    # 50% of a core for 10 s is 5 s of CPU; over 100 requests, 50 ms each.
    assert cpu_ms_per_request(50.0, 10.0, 100) == pytest.approx(50.0)
    assert math.isnan(cpu_ms_per_request(50.0, 10.0, 0))
    assert math.isnan(cpu_ms_per_request(math.nan, 10.0, 100))
    # PostgreSQL not observable: the server's CPU alone.
    result = _result(100, server_percent=80, postgres_percent=math.nan)
    assert total_ms(result) == pytest.approx(8.0)
    assert total_ms(_result(100, server_percent=80, postgres_percent=20)) == pytest.approx(10.0)


def test_ratios_are_paired_by_round() -> None:
    rows = [
        _row(1, BEFORE, _result(100, 90)),
        _row(1, AFTER_RESOLVERS, _result(110, 90)),
        _row(1, AFTER_COMPILED, _result(400, 100)),
        _row(2, BEFORE, _result(50, 90)),  # a loaded round: both sides slow down
        _row(2, AFTER_RESOLVERS, _result(60, 90)),
        _row(2, AFTER_COMPILED, _result(200, 100)),
        _row(3, BEFORE, _result(100, 90)),
        _row(3, AFTER_RESOLVERS, _result(115, 90)),
        _row(3, AFTER_COMPILED, _result(300, 100)),
    ]
    resolvers, compiled = compare(rows)
    assert (resolvers.system, compiled.system) == (AFTER_RESOLVERS, AFTER_COMPILED)
    assert resolvers.rps.values == pytest.approx((1.1, 1.2, 1.15))
    assert resolvers.rps.median == pytest.approx(1.15)
    assert (resolvers.rps.low, resolvers.rps.high) == pytest.approx((1.1, 1.2))
    # CPU per request: before (90 + 20)% over 1,000 requests = 1.1 ms; after 1,100 requests.
    assert resolvers.cpu.values[0] == pytest.approx(1000 / 1100)
    assert compiled.rps.median == pytest.approx(4.0)
    # Rounds 1 and 2 at 4x the requests per second, round 3 at 3x: the median is 4x's.
    assert compiled.cpu.median == pytest.approx((120 / 4000) / (110 / 1000))
    assert resolvers.verdict(0.05) == "better"
    assert compiled.verdict(0.05) == "better"


def test_the_verdict_needs_every_round_to_agree() -> None:
    def verdict(cpu: list[float], rps: list[float]) -> str:
        comparison = compare(
            [_row(n, BEFORE, _result(100, 100, 0)) for n in (1, 2)]
            + [_row(n, AFTER_RESOLVERS, _result(100 * r, 100 * c * r, 0))
               for n, (c, r) in enumerate(zip(cpu, rps, strict=True), start=1)]
        )[0]  # fmt: skip
        return comparison.verdict(0.05)

    assert verdict([1.2, 1.1], [1.0, 1.0]) == "regression"  # costlier in both rounds
    assert verdict([1.2, 0.98], [1.0, 1.0]) == "same"  # the rounds disagree: noise
    assert verdict([1.0, 1.0], [0.8, 0.9]) == "regression"  # slower in both rounds
    assert verdict([0.8, 0.9], [1.0, 1.0]) == "better"
    assert verdict([1.03, 0.97], [1.02, 0.99]) == "same"


def test_a_cell_measured_on_one_side_only_is_not_compared() -> None:
    rows = [_row(1, BEFORE, _result(100, 90)), _row(1, AFTER_COMPILED, _result(300, 90))]
    rows.append(_row(1, AFTER_RESOLVERS, _result(90, 90), query="cases"))
    assert [(c.system, c.query) for c in compare(rows)] == [(AFTER_COMPILED, "portal")]


def test_spread_text() -> None:
    assert Spread.of([1.0, 1.2, 0.9]).text() == "1.00 (0.90-1.20)"
    assert Spread.of([0.5]).text() == "0.50"
    assert Spread.of([math.nan]).text() == "n/a"


def test_data_sets_report_each_revisions_rows() -> None:
    text = datasets_section(
        {
            "before": _dataset(1_000, "0012", cases=0, widgets=3),
            "after": _dataset(1_050, "0015", cases=400, widgets=4, requests=36),
        }
    )
    assert "| success_cases | 1,000 | 1,050 | 1.050 |" in text
    assert "| cases | 0 | 400 | n/a |" in text
    assert "| engagements | 70 | 70 | 1.000 |" in text
    assert "Other tables whose counts differ: widgets. Only in after: requests." in text
    assert "migration head 0012" in text
    assert "migration head 0015" in text


def test_the_report_gives_revisions_ratios_and_every_cell() -> None:
    before = revisions.Revision("before", "20a6d4e", "20a6d4e" + "0" * 33, "Old", "2026-11-23")
    after = revisions.Revision("after", "HEAD", "012f74f" + "1" * 33, "New", "2026-12-06")
    rows = [
        _row(1, BEFORE, _result(100, 90)),
        _row(1, AFTER_RESOLVERS, _result(100, 90)),
        _row(1, AFTER_COMPILED, _result(300, 90)),
    ]
    run = CompareRun(
        started=datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
        machine=Machine("Some CPU", 2, 4.0, "3.11.2", "6.1"),
        command="python -m bench.compare --scale 1", before=before, after=after,
        datasets={"before": _dataset(1_000, "0012"), "after": _dataset(1_000, "0015")},
        duration=10, warmup=2, cap=20_000, rounds=1, tolerance=0.05, load_before=(1, 1, 1),
        skipped=["customer search: before x1: HTTP 400"],
    )  # fmt: skip
    text = render(run, rows, complete=True)
    assert "20a6d4e0 vs 012f74f1" in text
    assert "- **before**: `20a6d4e0` (2026-11-23) Old" in text
    summary_line = next(
        line for line in text.splitlines() if line.startswith("| agent | portal | 8 | 1 | after c")
    )
    # 3x the requests at the same CPU: a third of the CPU per request.
    assert "| 3.00 |" in summary_line
    assert "| 0.33 |" in summary_line
    assert summary_line.endswith("| better |")
    assert "Not measured: customer search: before x1: HTTP 400" in text
    assert "Incomplete run" not in text
    assert "Incomplete run" in render(run, rows, complete=False)
    assert "after compiled" in console_summary(rows, 0.05)


def test_pinned_keeps_versions_and_leaves_the_project_out() -> None:
    freeze = (
        "aiohttp==3.11.0\ncsm-graphql==0.1.0\ncsm_graphql==0.1.0\n-e git+x#egg=y\nfoo @ file:///x\n"
    )
    assert revisions.pinned(freeze) == "aiohttp==3.11.0\n"


def test_a_revision_resolves_to_its_commit() -> None:
    head = revisions.resolve("after", "HEAD")
    assert len(head.commit) == 40
    assert head.short == head.commit[:8]
    assert head.subject
    assert head.date
    with pytest.raises(revisions.RevisionError):
        revisions.resolve("before", "no-such-revision-anywhere")
