"""Two revisions of csm-graphql in one interleaved run, as ratios: the before revision, and
the after revision on its resolver path (``CSM_COMPILED_READS=off``) and on its default path.

Run from the repository root: ``python -m bench.compare --before 20a6d4e --after HEAD``.
See bench/README.md ("Before and after").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

from bench import database
from bench.arguments import names_from, positive_ints
from bench.compare import revisions
from bench.compare.report import (
    AFTER_COMPILED,
    AFTER_RESOLVERS,
    BEFORE,
    SYSTEMS,
    CompareRow,
    CompareRun,
    console_header,
    console_row,
    console_summary,
    render,
)
from bench.compare.revisions import Revision, RevisionError
from bench.cpu import CpuMeter
from bench.driver import RequestSpec, run_cell
from bench.machine import describe
from bench.queries import CASES, DASHBOARD, DETAIL, PORTAL, SEARCH
from bench.run import server_env
from bench.server import ServerError, cli, running_server
from bench.workload import HEALTHZ, PERSONAS, WorkloadError, graphql_request, pick_case, verify

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
# main when issue 9 (declared types) was filed: the revision its "no regression" refers to.
DEFAULT_BEFORE = "20a6d4e"
QUERIES = ("portal", "detail", "search", "cases", "dashboard", "healthz")
DEFAULT_QUERIES = ("portal", "detail", "search", "cases", "dashboard")
DOCUMENTS = {"portal": PORTAL, "search": SEARCH, "cases": CASES, "dashboard": DASHBOARD}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument(
        "--before", default=DEFAULT_BEFORE,
        help=f"the reference revision (default {DEFAULT_BEFORE}: main when issue 9 was filed)",
    )  # fmt: skip
    parser.add_argument("--after", default="HEAD", help="the revision under test (default HEAD)")
    parser.add_argument("--scale", type=int, default=10, help="demo data scale (as bench.run)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the demo data")
    parser.add_argument(
        "--reuse-data", action="store_true",
        help="skip seeding a revision's database when it already holds this scale's data",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=positive_ints, default=[1], help="server workers, e.g. 1,2"
    )
    parser.add_argument("--concurrency", type=positive_ints, default=[8], help="e.g. 1,8")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds per cell")
    parser.add_argument("--requests-cap", type=int, default=20_000, help="per cell")
    parser.add_argument(
        "--queries", type=names_from(QUERIES), default=list(DEFAULT_QUERIES),
        help=f"subset of {','.join(QUERIES)} (default: all but healthz)",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="measure every cell this many times; ratios are paired per round (median, range)",
    )  # fmt: skip
    parser.add_argument(
        "--tolerance", type=float, default=0.05,
        help="a cell is a regression when every round is worse by more than this (0.05 = 5%%)",
    )  # fmt: skip
    parser.add_argument(
        "--cache-dir", type=Path, default=None,
        help=f"worktrees and venvs of the revisions (default {revisions.cache_root()})",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, help="markdown results file")
    args = parser.parse_args(argv)
    if args.scale < 1 or args.duration <= 0 or args.warmup < 0 or args.requests_cap < 1:
        parser.error("--scale and --requests-cap must be >= 1, --duration > 0, --warmup >= 0")
    if args.rounds < 1 or not 0 <= args.tolerance < 1:
        parser.error("--rounds must be >= 1 and --tolerance within [0, 1)")
    return args


@dataclass(frozen=True)
class Target:
    """One running server: a system (revision and read path) with its worker count."""

    system: str
    revision: Revision
    workers: int
    base_url: str
    pid: int
    database: str  # its PostgreSQL database, to find its backends


def system_env(base: dict[str, str], system: str) -> dict[str, str]:
    """The server environment of a system: only the after revision's resolver path sets
    CSM_COMPILED_READS; the others serve with their revision's default, whatever the
    caller's environment says."""
    env = {key: value for key, value in base.items() if key != "CSM_COMPILED_READS"}
    if system == AFTER_RESOLVERS:
        env["CSM_COMPILED_READS"] = "off"
    return env


def interleaved(systems: list[Target], turn: int) -> list[Target]:
    """The order the systems take within a cell: reversed every other cell, so none is
    always measured first (right after another system's load) or last."""
    return systems if turn % 2 == 0 else systems[::-1]


def database_name(revision: Revision) -> str:
    return f"csm_compare_{revision.commit[:12]}"


async def revision_database(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the benchmark's PostgreSQL server, created if needed."""
    connection = await asyncpg.connect(server_url, timeout=database.CONNECT_TIMEOUT_SECONDS)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


class Backends:
    """PostgreSQL backend pids of one database's csm-graphql connections."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    def of(self, name: str) -> Callable[[], Awaitable[list[int]]]:
        async def pids() -> list[int]:
            rows = await self.connection.fetch(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = $1 AND application_name = 'csm-graphql'",
                name,
            )
            return [row["pid"] for row in rows]

        return pids


Cell = tuple[str, str]  # (persona label, query)


async def build_specs(
    first_server: Target, tokens: dict[str, str], queries: list[str], run: CompareRun
) -> dict[Cell, RequestSpec]:
    """The request of every (persona, query) cell for one revision: its own tokens, and its
    own detail case (each revision seeded its own rows)."""
    specs: dict[Cell, RequestSpec] = {}
    if "healthz" in queries:
        specs[("-", "healthz")] = HEALTHZ
    async with aiohttp.ClientSession() as session:
        for persona in PERSONAS:
            token = tokens[persona.label]
            for name in queries:
                if name == "healthz" or name not in persona.queries:
                    continue
                if name == "detail":
                    case_id, number = await pick_case(session, first_server.base_url, token)
                    run.detail_cases[f"{first_server.revision.label} {persona.label}"] = number
                    specs[(persona.label, name)] = graphql_request(token, DETAIL, {"id": case_id})
                else:
                    specs[(persona.label, name)] = graphql_request(token, DOCUMENTS[name])
    return specs


async def verify_cells(
    targets: list[Target], specs: dict[str, dict[Cell, RequestSpec]], run: CompareRun
) -> list[Cell]:
    """The cells every system answers cleanly (200, no errors, content): an older revision
    may lack a newer field; such a cell is left out and named in the results, not measured
    on one side only."""
    cells = list(specs[targets[0].revision.label])
    kept = []
    async with aiohttp.ClientSession() as session:
        for cell in cells:
            problems = []
            for target in targets:
                spec = specs[target.revision.label].get(cell)
                if spec is None:
                    problems.append(f"{target.system}: no request")
                    continue
                try:
                    await verify(session, target.base_url, cell[1], spec)
                except WorkloadError as error:
                    problems.append(f"{target.system} x{target.workers}: {error}"[:300])
            if problems:
                run.skipped.append(f"{cell[0]} {cell[1]}: " + "; ".join(problems))
                print(f"not measuring {cell[0]} {cell[1]}: {problems[0]}", file=sys.stderr)
            else:
                kept.append(cell)
    if not kept:
        raise WorkloadError("no query answers cleanly on every system: " + " | ".join(run.skipped))
    return kept


async def measure(
    server_url: str,
    targets: list[Target],
    specs: dict[str, dict[Cell, RequestSpec]],
    cells: list[Cell],
    args: argparse.Namespace,
    rows: list[CompareRow],
    save: Callable[[], None],
) -> None:
    watcher = await asyncpg.connect(server_url, timeout=database.CONNECT_TIMEOUT_SECONDS)
    backends = Backends(watcher)
    turn = 0
    try:
        for round_number in range(1, args.rounds + 1):
            for cell in cells:
                for concurrency in args.concurrency:
                    for workers in args.workers:
                        systems = [t for t in targets if t.workers == workers]
                        for target in interleaved(systems, turn):
                            result = await run_cell(
                                target.base_url, specs[target.revision.label][cell],
                                concurrency=concurrency, duration=args.duration,
                                warmup=args.warmup, cap=args.requests_cap,
                                meter=CpuMeter(target.pid, backends.of(target.database)),
                            )  # fmt: skip
                            rows.append(
                                CompareRow(round_number, target.system, workers, cell[0],
                                           cell[1], concurrency, result)
                            )  # fmt: skip
                            print(console_row(rows[-1]), flush=True)
                            save()
                        turn += 1
    finally:
        await watcher.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    machine = describe()
    args.output = args.output or RESULTS_DIR / f"{started:%Y-%m-%d}-{machine.label}-compare.md"
    before = revisions.resolve("before", args.before)
    after = revisions.resolve("after", args.after)
    if before.commit == after.commit:
        raise RevisionError(f"--before and --after are the same commit ({before.short})")
    cache = args.cache_dir or revisions.cache_root()
    pins = revisions.constraints()
    before, after = (revisions.install(r, cache, pins) for r in (before, after))
    server_url = database.plain_url(
        os.environ.get("CSM_BENCH_SERVER_URL") or database.DEFAULT_SERVER_URL
    )
    envs: dict[str, dict[str, str]] = {}
    datasets = {}
    tokens = {}
    for revision in (before, after):
        url = asyncio.run(revision_database(server_url, database_name(revision)))
        envs[revision.label] = env = server_env(url)
        print(f"{revision.label} ({revision.short}): migrating and seeding", file=sys.stderr)
        datasets[revision.label] = asyncio.run(
            database.prepare(
                url, system_env(env, BEFORE), scale=args.scale, seed=args.seed,
                reuse=args.reuse_data, python=revision.python,
            )
        )  # fmt: skip
        tokens[revision.label] = {
            p.label: cli(["token", p.email], env, python=revision.python).strip() for p in PERSONAS
        }
    command = shlex.join(
        ["python", "-m", "bench.compare", *(sys.argv[1:] if argv is None else argv)]
    )
    run = CompareRun(
        started=started, machine=machine, command=command, before=before, after=after,
        datasets=datasets, duration=args.duration, warmup=args.warmup, cap=args.requests_cap,
        rounds=args.rounds, tolerance=args.tolerance, load_before=os.getloadavg(),
    )  # fmt: skip
    logs = Path(tempfile.mkdtemp(prefix="csm-bench-compare-"))
    rows: list[CompareRow] = []

    def save(complete: bool = False) -> None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(render(run, rows, complete=complete))

    revision_of = {BEFORE: before, AFTER_RESOLVERS: after, AFTER_COMPILED: after}
    complete = False
    try:
        with contextlib.ExitStack() as stack:  # stops every server, whatever happens
            targets = []
            for workers in args.workers:
                for system in SYSTEMS:
                    revision = revision_of[system]
                    slug = system.replace(" ", "-")
                    server = stack.enter_context(
                        running_server(
                            system_env(envs[revision.label], system), workers,
                            logs / f"{slug}-{workers}w.log", python=revision.python,
                        )
                    )  # fmt: skip
                    targets.append(
                        Target(system, revision, workers, server.base_url, server.pid,
                               database_name(revision))
                    )  # fmt: skip
            specs = {
                revision.label: asyncio.run(
                    build_specs(
                        next(t for t in targets if t.revision is revision),
                        tokens[revision.label],
                        args.queries,
                        run,
                    )
                )
                for revision in (before, after)
            }
            cells = asyncio.run(verify_cells(targets, specs, run))
            print(console_header(), flush=True)
            asyncio.run(measure(server_url, targets, specs, cells, args, rows, save))
        complete = True
    finally:
        run.load_after = os.getloadavg()
        if rows:
            save(complete)
            print("\n" + console_summary(rows, args.tolerance), flush=True)
            print(f"results: {args.output} (server logs: {logs})", file=sys.stderr)
    return 0


def _interrupt(signum: int, _frame: object) -> None:
    # `kill PID` tidies up like Ctrl-C: unwinding stops the servers (own sessions).
    raise KeyboardInterrupt(f"signal {signum}")


def entry() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return main()
    except (ServerError, WorkloadError, RevisionError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the servers were stopped", file=sys.stderr)
        return 130
