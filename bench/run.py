"""Load benchmark for csm-graphql: seed, serve, drive four canonical queries, report.

Run from the repository root: ``python -m bench.run`` (or ``python bench/run.py``).
See bench/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # `python bench/run.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import contextlib
import os
import secrets
import shlex
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp

from bench import database, report
from bench.arguments import names_from, positive_ints
from bench.cpu import CpuMeter
from bench.database import BackendWatcher
from bench.driver import RequestSpec, run_cell
from bench.machine import describe
from bench.queries import CASES, DASHBOARD, DETAIL, PORTAL, SEARCH
from bench.report import Row, RunInfo
from bench.server import ServerError, ServerInfo, cli, running_server
from bench.workload import (
    HEALTHZ,
    PERSONAS,
    WorkloadError,
    graphql_request,
    pick_shared_case,
    verify,
)


@dataclass(frozen=True)
class Cell:
    persona: str
    query: str
    spec: RequestSpec


RESULTS_DIR = Path(__file__).resolve().parent / "results"
ALL_QUERIES = ("portal", "detail", "search", "cases", "dashboard", "healthz")


def _switch_list(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    if not values or set(values) - {"on", "off"}:
        raise argparse.ArgumentTypeError("expected on, off or on,off")
    return values


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--scale", type=int, default=10,
        help="demo data scale, about 1,000 success cases per unit (10: ~9.7k cases; 100: "
        "~100k cases, minutes of seeding)",
    )  # fmt: skip
    parser.add_argument(
        "--database-url",
        help="benchmark this database (default: database csm_bench on $CSM_BENCH_SERVER_URL or "
        f"{database.DEFAULT_SERVER_URL}; the embedded PostgreSQL if none answers)",
    )
    parser.add_argument(
        "--reuse-data", action="store_true",
        help="skip seeding when the database already holds this scale's data",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=42, help="seed of the demo data")
    parser.add_argument("--workers", type=positive_ints, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--concurrency", type=positive_ints, default=[1, 8, 32], help="e.g. 1,8,32")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds per cell")
    parser.add_argument(
        "--requests-cap", type=int, default=20_000, help="at most this many requests per cell"
    )
    parser.add_argument(
        "--queries", type=names_from(ALL_QUERIES), default=list(ALL_QUERIES),
        help="subset of portal,detail,search,cases,dashboard,healthz",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, help="markdown results file")
    parser.add_argument(
        "--compiled", type=_switch_list, default=[None],
        help="CSM_COMPILED_READS per server, e.g. on,off: one server each, measured cell by "
        "cell like the workers, rows labelled 'persona [compiled on]' (default: one server, "
        "the environment's setting)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.scale < 1 or args.duration <= 0 or args.warmup < 0 or args.requests_cap < 1:
        parser.error("--scale and --requests-cap must be >= 1, --duration > 0, --warmup >= 0")
    return args


def server_env(url: str) -> dict[str, str]:
    """Production settings, as deployed: a fresh 48-character secret per run, shared by the
    server and the token command so the tokens verify. Rate limiting is off: the bench plays a
    few personas at hundreds of requests a second, which the limiter exists to refuse."""
    return {
        **os.environ,
        "CSM_DATABASE_URL": url,
        "CSM_ENV": "production",
        "CSM_SECRET_KEY": secrets.token_urlsafe(36),
        "CSM_RATE_LIMIT_CAPACITY": "0",
    }


def issue_tokens(env: dict[str, str]) -> dict[str, str]:
    return {p.label: cli(["token", p.email], env).strip() for p in PERSONAS}


async def build_workload(
    server: ServerInfo, tokens: dict[str, str], queries: list[str], info: RunInfo
) -> list[Cell]:
    """The (persona, query, request) cells to measure, in order."""
    cells: list[Cell] = []
    if "healthz" in queries:
        cells.append(Cell("-", "healthz", HEALTHZ))
    async with aiohttp.ClientSession() as session:
        detail = [p for p in PERSONAS if "detail" in p.queries] if "detail" in queries else []
        if detail:
            detail_tokens = [tokens[p.label] for p in detail]
            case_id, number = await pick_shared_case(session, server.base_url, detail_tokens)
        for persona in PERSONAS:
            token = tokens[persona.label]
            specs = {
                "portal": graphql_request(token, PORTAL),
                "search": graphql_request(token, SEARCH),
                "dashboard": graphql_request(token, DASHBOARD),
                "cases": graphql_request(token, CASES),
            }
            if persona in detail:
                info.detail_cases[persona.label] = number
                specs["detail"] = graphql_request(token, DETAIL, {"id": case_id})
            cells.extend(
                Cell(persona.label, name, specs[name])
                for name in queries
                if name != "healthz" and name in persona.queries
            )
    return cells


async def verify_workload(server: ServerInfo, cells: list[Cell]) -> None:
    """Each request once, checked properly, so no cell measures an error path."""
    async with aiohttp.ClientSession() as session:
        for cell in cells:
            try:
                await verify(session, server.base_url, cell.query, cell.spec)
            except WorkloadError as error:
                raise WorkloadError(f"{cell.persona} {cell.query}: {error}") from error


async def measure(
    url: str,
    servers: dict[tuple[int, str | None], ServerInfo],
    tokens: dict[str, str],
    args: argparse.Namespace,
    info: RunInfo,
    rows: list[Row],
) -> None:
    """Every cell against every server, the servers back to back for each cell: on a noisy
    machine, neighbouring measurements share the same background load, so the workers
    comparison stays fair even when the noise drifts over the run."""
    cells = await build_workload(next(iter(servers.values())), tokens, args.queries, info)
    for server in servers.values():
        await verify_workload(server, cells)
    watcher = await BackendWatcher.open(url)
    try:
        for cell in cells:
            for concurrency in args.concurrency:
                for (workers, compiled), server in servers.items():
                    result = await run_cell(
                        server.base_url, cell.spec, concurrency=concurrency,
                        duration=args.duration, warmup=args.warmup, cap=args.requests_cap,
                        meter=CpuMeter(server.pid, watcher.pids),
                    )  # fmt: skip
                    persona = (
                        cell.persona
                        if compiled is None
                        else f"{cell.persona} [compiled {compiled}]"
                    )
                    rows.append(Row(workers, persona, cell.query, concurrency, result))
                    print(report.console_row(rows[-1]), flush=True)
                    write_results(args.output, info, rows, complete=False)  # survive a crash
    finally:
        await watcher.close()


def code_version() -> str:
    """The commit under test, and whether the working tree differs from it: src/ changes
    under other people's hands, so a results file must say what it measured."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        completed = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
        return completed.stdout.strip() if completed.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    changed = len(git("status", "--porcelain", "--", "src").splitlines())
    return f"{commit}" + (f" + uncommitted changes in {changed} src/ paths" if changed else "")


def write_results(path: Path, info: RunInfo, rows: list[Row], *, complete: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.render(info, rows, complete=complete))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    machine = describe()
    args.output = args.output or RESULTS_DIR / f"{started:%Y-%m-%d}-{machine.label}.md"
    url = asyncio.run(database.resolve_database(args.database_url))
    env = server_env(url)
    dataset = asyncio.run(
        database.prepare(url, env, scale=args.scale, seed=args.seed, reuse=args.reuse_data)
    )
    tokens = issue_tokens(env)
    command = shlex.join(["python", "-m", "bench.run", *(sys.argv[1:] if argv is None else argv)])
    info = RunInfo(
        started,
        machine,
        dataset,
        command,
        code_version(),
        args.duration,
        args.warmup,
        args.requests_cap,
    )
    logs = Path(tempfile.mkdtemp(prefix="csm-bench-"))
    rows: list[Row] = []
    complete = False
    print(report.console_header(), flush=True)
    try:
        with contextlib.ExitStack() as servers:  # stops every server, whatever happens
            started_servers = {
                (workers, compiled): servers.enter_context(
                    running_server(
                        env if compiled is None else {**env, "CSM_COMPILED_READS": compiled},
                        workers,
                        logs / f"server-{workers}w{'' if compiled is None else '-' + compiled}.log",
                    )
                )
                for workers in args.workers
                for compiled in args.compiled
            }
            asyncio.run(measure(url, started_servers, tokens, args, info, rows))
        complete = True
    finally:
        if rows:
            write_results(args.output, info, rows, complete=complete)
            print(f"results: {args.output} (server logs: {logs})", file=sys.stderr)
    return 0


def _interrupt(signum: int, _frame: object) -> None:
    # `kill PID` should tidy up like Ctrl-C: unwinding runs the finally blocks that stop
    # the servers (they live in their own sessions and would otherwise outlive us).
    raise KeyboardInterrupt(f"signal {signum}")


def entry() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return main()
    except (ServerError, WorkloadError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(entry())
