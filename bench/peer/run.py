"""One interleaved run: csm-graphql (resolvers, then compiled reads), PostGraphile v5 and the
SQL floor, on the same database and rows, for the internal agent. See bench/README.md.

Run from the repository root: ``python -m bench.peer``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson

from bench import database
from bench.arguments import names_from, positive_ints
from bench.cpu import CpuMeter
from bench.driver import RequestSpec, run_cell
from bench.machine import describe
from bench.peer import documents, floor, postgraphile
from bench.peer.report import PeerRow, PeerRun, console_header, console_row, render
from bench.queries import CASES, DETAIL, PORTAL
from bench.run import code_version, server_env
from bench.server import ServerError, cli, running_server
from bench.workload import AGENT, WorkloadError, fetch, graphql_request, pick_case

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
QUERIES = ("portal", "cases", "detail")
PROJECT_DOCUMENTS = {"portal": PORTAL, "cases": CASES, "detail": DETAIL}
# The systems, in the order they take turns within a cell.
RESOLVERS, COMPILED, PEER, FLOOR = (
    "csm-graphql",
    "csm-graphql compiled",
    "PostGraphile",
    "SQL floor",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("--scale", type=int, default=10, help="demo data scale (as bench.run)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the demo data")
    parser.add_argument("--database-url", help="benchmark this database (it will be re-seeded)")
    parser.add_argument(
        "--reuse-data", action="store_true", help="skip seeding when the data is already there"
    )
    parser.add_argument("--workers", type=positive_ints, default=[1, 2], help="process counts")
    parser.add_argument("--concurrency", type=positive_ints, default=[8], help="e.g. 8")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds per cell")
    parser.add_argument("--requests-cap", type=int, default=20_000, help="per cell")
    parser.add_argument("--queries", type=names_from(QUERIES), default=list(QUERIES))
    parser.add_argument(
        "--pgbench-threads", type=int, default=2, help="pgbench -j for the SQL floor"
    )
    parser.add_argument("--output", type=Path, help="markdown results file")
    args = parser.parse_args(argv)
    if args.scale < 1 or args.duration < 1 or args.warmup < 0 or args.requests_cap < 1:
        parser.error("--scale, --requests-cap >= 1, --duration >= 1, --warmup >= 0")
    return args


@dataclass(frozen=True)
class Target:
    """A running server of one system, and the request it answers for each query."""

    system: str
    workers: int
    base_url: str
    pid: int
    application_name: str  # of its PostgreSQL connections, to read their CPU
    specs: dict[str, RequestSpec]


def peer_request(query: str, variables: dict[str, Any] | None = None) -> RequestSpec:
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    return RequestSpec(
        "POST", "/graphql", orjson.dumps(payload), {"content-type": "application/json"}
    )


class Backends:
    """The pids of PostgreSQL backends by application name (bench.database.BackendWatcher
    knows only csm-graphql's name)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    def of(self, application_name: str) -> Callable[[], Awaitable[list[int]]]:
        async def pids() -> list[int]:
            rows = await self.connection.fetch(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = $1",
                application_name,
            )
            return [row["pid"] for row in rows]

        return pids


async def agent_specs(
    base_url: str, token: str, queries: list[str]
) -> tuple[dict[str, RequestSpec], dict[str, RequestSpec], str]:
    """The project's and PostGraphile's request for each query, and the detail's case number.
    The detail case is the agent's best-populated of its first 20 (as bench.run picks it)."""
    project = {
        name: graphql_request(token, PROJECT_DOCUMENTS[name])
        for name in queries
        if name != "detail"
    }
    peer = {name: peer_request(documents.DOCUMENTS[name]) for name in queries if name != "detail"}
    number = ""
    if "detail" in queries:
        async with aiohttp.ClientSession() as session:
            case_id, number = await pick_case(session, base_url, token)
        project["detail"] = graphql_request(token, DETAIL, {"id": case_id})
        peer["detail"] = peer_request(documents.DETAIL, {"rowId": str(documents.row_id(case_id))})
    return project, peer, number


async def verify(url: str, targets: list[Target], queries: list[str]) -> None:
    """Before anything is measured: every system answers every query with the same records
    and values (PostGraphile's after the name mapping of bench/peer/documents.py), and the
    SQL floor returns exactly the project's portal data."""
    async with aiohttp.ClientSession() as session:
        for query in queries:
            answers = [
                (target, await fetch(session, target.base_url, target.specs[query]))
                for target in targets
            ]
            reference_target, reference = answers[0]
            for target, data in answers[1:]:
                if target.system == PEER:
                    found = documents.difference(query, reference, data)
                else:
                    found = documents.first_difference(
                        documents.comparable(query, reference),
                        documents.comparable(query, data),
                        "",
                    )
                if found:
                    raise WorkloadError(
                        f"{query}: {target.system} x{target.workers} differs from "
                        f"{reference_target.system} x{reference_target.workers}: {found}"
                    )
            if query == "portal":
                connection = await asyncpg.connect(url)
                try:
                    text = await connection.fetchval(floor.statement())
                finally:
                    await connection.close()
                if json.loads(text) != reference:
                    raise WorkloadError(
                        "portal: the SQL floor's JSON differs from csm-graphql's data"
                    )
            print(
                f"verified {query}: {len(answers)} servers answer the same records", file=sys.stderr
            )


async def measure(
    url: str,
    targets: list[Target],
    args: argparse.Namespace,
    rows: list[PeerRow],
    save: Callable[[], None],
) -> None:
    """Cells take turns: for each query and concurrency, each worker count, every system back
    to back (and the floor after them for the portal), so the rows compared in a ratio were
    measured seconds apart under the same background load."""
    watcher = await asyncpg.connect(url)
    backends = Backends(watcher)
    try:
        for query in args.queries:
            for concurrency in args.concurrency:
                for workers in args.workers:
                    for target in (t for t in targets if t.workers == workers):
                        result = await run_cell(
                            target.base_url, target.specs[query], concurrency=concurrency,
                            duration=args.duration, warmup=args.warmup, cap=args.requests_cap,
                            meter=CpuMeter(target.pid, backends.of(target.application_name)),
                        )  # fmt: skip
                        rows.append(PeerRow(target.system, workers, query, concurrency, result))
                        print(console_row(rows[-1]), flush=True)
                        save()
                    if query == "portal":
                        result = await asyncio.to_thread(
                            floor.run_floor, url, concurrency=concurrency,
                            threads=args.pgbench_threads, duration=args.duration,
                            warmup=args.warmup,
                        )  # fmt: skip
                        rows.append(PeerRow(FLOOR, workers, query, concurrency, result))
                        print(console_row(rows[-1]), flush=True)
                        save()
    finally:
        await watcher.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    machine = describe()
    args.output = args.output or RESULTS_DIR / f"{started:%Y-%m-%d}-{machine.label}-peer.md"
    floor.pgbench()  # fail early, before seeding, when it is missing
    installation = postgraphile.install()
    url = asyncio.run(database.resolve_database(args.database_url))
    env = server_env(url)
    dataset = asyncio.run(
        database.prepare(url, env, scale=args.scale, seed=args.seed, reuse=args.reuse_data)
    )
    asyncio.run(_create_relations(url))
    token = cli(["token", AGENT.email], env).strip()
    command = shlex.join(["python", "-m", "bench.peer", *(sys.argv[1:] if argv is None else argv)])
    run = PeerRun(
        started=started, machine=machine, dataset=dataset, command=command, code=code_version(),
        duration=args.duration, warmup=args.warmup, cap=args.requests_cap,
        postgraphile=installation.version, node=postgraphile.node_version(installation),
        pgbench_threads=args.pgbench_threads, load_before=os.getloadavg(),
    )  # fmt: skip
    logs = Path(tempfile.mkdtemp(prefix="csm-bench-peer-"))
    rows: list[PeerRow] = []

    def save(complete: bool = False) -> None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(render(run, rows, complete=complete))

    print(console_header(), flush=True)
    complete = False
    try:
        with contextlib.ExitStack() as stack:  # stops every server, whatever happens
            targets: list[Target] = []
            for workers in args.workers:
                for system, compiled in ((RESOLVERS, "off"), (COMPILED, "on")):
                    server_environment = {**env, "CSM_COMPILED_READS": compiled}
                    log = logs / f"{'compiled' if compiled == '1' else 'resolvers'}-{workers}w.log"
                    server = stack.enter_context(running_server(server_environment, workers, log))
                    targets.append(
                        Target(system, workers, server.base_url, server.pid, "csm-graphql", {})
                    )
                peer = stack.enter_context(
                    postgraphile.running_peer(
                        installation, url, workers, logs / f"peer-{workers}w.log"
                    )
                )
                targets.append(
                    Target(
                        PEER, workers, peer.base_url, peer.pid, postgraphile.APPLICATION_NAME, {}
                    )
                )
            project, peer_specs, number = asyncio.run(
                agent_specs(targets[0].base_url, token, args.queries)
            )
            run.detail_case = number
            targets = [
                Target(
                    t.system,
                    t.workers,
                    t.base_url,
                    t.pid,
                    t.application_name,
                    peer_specs if t.system == PEER else project,
                )
                for t in targets
            ]
            asyncio.run(verify(url, targets, args.queries))
            asyncio.run(measure(url, targets, args, rows, save))
        complete = True
    finally:
        run.load_after = os.getloadavg()
        if rows:
            save(complete)
            print(f"results: {args.output} (server logs: {logs})", file=sys.stderr)
    return 0


async def _create_relations(url: str) -> None:
    """bench/peer/relations.sql: PostGraphile's computed columns for the polymorphic lists."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(postgraphile.RELATIONS_SQL.read_text())
    finally:
        await connection.close()


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def entry() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return main()
    except (ServerError, WorkloadError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the servers were stopped", file=sys.stderr)
        return 130
