"""What each canonical query's statements cost PostgreSQL, in instructions (callgrind).

Requests per second and CPU seconds move with the machine's load and, on a shared VM, with its
speed from one minute to the next (issue 10: the same statement measured 2.4 and 3.7-5 ms of
backend CPU minutes apart). Instructions do not: a backend under ``valgrind --tool=callgrind``
executes the same instructions for the same statement, plan and data, whatever else runs. So
this is the figure to compare two SQL shapes, or two personas' statements, by:

    python -m bench.sqlcost --database-url postgresql://postgres@127.0.0.1:5432/csm_bench
    python -m bench.sqlcost --queries detail --persona success@acme.example

It captures the statements one request of each query sends (in process, compiled reads on,
as ``bench.inprocess`` runs them), copies the database into a throw-away cluster whose
backends run under callgrind, and runs each statement there on two connections that differ
only in how many times they execute it: the difference, per execution, is the statement's
cost with its plan cached (asyncpg prepares it, as the server does). Needs valgrind and the
PostgreSQL server binaries (``pg_config --bindir``); as root, the cluster runs as ``postgres``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event

from bench.database import plain_url
from bench.inprocess import call_app
from bench.queries import CANDIDATE_CASES, CASES, DASHBOARD, DETAIL, PORTAL, SEARCH

PORT = 5499
STARTUP_SECONDS = 120.0
_TOTAL = re.compile(r"^(?:summary|totals): (\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Statement:
    text: str
    parameters: tuple[Any, ...]


async def capture(
    database_url: str, persona: str, queries: list[str]
) -> dict[str, list[Statement]]:
    """The statements one request of each query sends, with their parameters, in order."""
    os.environ.update(
        {
            "CSM_ENV": "production",
            "CSM_SECRET_KEY": "s" * 48,
            "CSM_COMPILED_READS": "on",
            "CSM_RATE_LIMIT_CAPACITY": "0",
            "CSM_DATABASE_URL": database_url,
        }
    )
    from csm_graphql.app import create_app
    from csm_graphql.auth import issue_token
    from csm_graphql.db import create_engine
    from csm_graphql.repositories.database import Database
    from csm_graphql.repositories.principals import find_principal
    from csm_graphql.settings import Settings

    settings = Settings.from_env()
    engine = create_engine(database_url, settings)
    try:
        app = create_app(settings, engine=engine)
        principal = await find_principal(Database(engine), persona)
        if principal is None:
            raise SystemExit(f"no principal {persona}: seed the database first")
        token = issue_token(settings, *principal)
        candidates = await call_app(app, token, CANDIDATE_CASES, None)
        case_id = candidates["data"]["successCases"]["nodes"][0]["id"]
        documents = {
            "portal": (PORTAL, None),
            "detail": (DETAIL, {"id": case_id}),
            "cases": (CASES, None),
            "dashboard": (DASHBOARD, None),
            "search": (SEARCH, None),
        }
        sent: list[Statement] = []

        def record(_conn: Any, _cursor: Any, text: str, parameters: Any, *_: Any) -> None:
            sent.append(Statement(text, tuple(parameters or ())))

        captured: dict[str, list[Statement]] = {}
        for name in queries:
            query, variables = documents[name]
            await call_app(app, token, query, variables)  # caches warm, as in a running server
            event.listen(engine.sync_engine, "before_cursor_execute", record)
            try:
                await call_app(app, token, query, variables)
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", record)
            captured[name], sent = sent, []
        return captured
    finally:
        await engine.dispose()


@contextmanager
def callgrind_cluster(database_url: str) -> Iterator[tuple[str, Path]]:
    """A copy of the database in a new cluster whose backends run under callgrind: its URL
    and the directory the backends' callgrind files are written to (``cg.<pid>``)."""
    bindir = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
    work = Path(tempfile.mkdtemp(prefix="csm-bench-sqlcost-"))
    owner: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if owner:
        shutil.chown(work, "postgres")
    data = work / "data"
    subprocess.run([*owner, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres"], check=True, capture_output=True)  # fmt: skip
    url = f"postgresql://postgres@127.0.0.1:{PORT}/postgres"
    copy = f"postgresql://postgres@127.0.0.1:{PORT}/copy"
    postgres = [str(bindir / "postgres"), "-D", str(data), "-p", str(PORT), "-k", str(work),
                "-c", "autovacuum=off", "-c", "jit=off"]  # fmt: skip
    # The copy is made at full speed; only then do the backends run under callgrind.
    with _server([*owner, *postgres], url):
        subprocess.run(["psql", url, "-qc", "CREATE DATABASE copy"], check=True)
        dump = subprocess.Popen(["pg_dump", "-Fc", plain_url(database_url)], stdout=subprocess.PIPE)
        subprocess.run(["pg_restore", "-d", copy, "--no-owner"], stdin=dump.stdout, check=True)
        if dump.wait() != 0:
            raise RuntimeError("pg_dump failed")
        subprocess.run(["psql", copy, "-qc", "VACUUM (ANALYZE)"], check=True)
    callgrind = ["valgrind", "--tool=callgrind", "--trace-children=yes",
                 f"--callgrind-out-file={work}/cg.%p"]  # fmt: skip
    try:
        with _server([*owner, *callgrind, *postgres], url):
            yield copy, work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def _server(command: list[str], url: str) -> Iterator[None]:
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(url)
        yield
    finally:
        server.terminate()  # SIGTERM: PostgreSQL's smart shutdown
        server.wait(timeout=120)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while subprocess.run(["pg_isready", "-d", url], capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the callgrind'ed PostgreSQL did not start")
        time.sleep(0.5)


async def instructions(url: str, files: Path, statement: Statement, runs: int = 10) -> float:
    """Instructions per execution of a prepared statement (after 8 unmeasured executions,
    by which PostgreSQL has chosen between custom and generic plans)."""
    few = await _executions(url, files, statement, 8)
    many = await _executions(url, files, statement, 8 + runs)
    return (many - few) / runs


async def _executions(url: str, files: Path, statement: Statement, count: int) -> int:
    from csm_graphql.db.engine import server_settings
    from csm_graphql.settings import Settings

    # The app's session settings (its plan cache mode above all): statements cost what they
    # cost the app.
    connection = await asyncpg.connect(url, server_settings=server_settings(Settings()))
    pid = await connection.fetchval("SELECT pg_backend_pid()")
    prepared = await connection.prepare(statement.text)
    for _ in range(count):
        await prepared.fetch(*statement.parameters)
    await connection.close()
    path = files / f"cg.{pid}"  # written when the backend exits
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = _TOTAL.search(path.read_text()) if path.exists() else None
        if found:
            return int(found.group(1))
        await asyncio.sleep(0.1)
    raise RuntimeError(f"no callgrind total in {path}")


async def main(arguments: argparse.Namespace) -> None:
    queries = arguments.queries.split(",")
    captured = await capture(arguments.database_url, arguments.persona, queries)
    with callgrind_cluster(arguments.database_url) as (url, files):
        # The first connections to a new cluster write its shared caches (the relcache
        # init file): unmeasured, so that every measured pair of connections starts alike.
        for statements in captured.values():
            await _executions(url, files, statements[0], 1)
        print(f"persona {arguments.persona}; M instructions per execution (callgrind)")
        for name, statements in captured.items():
            costs = [await instructions(url, files, s) / 1e6 for s in statements]
            each = " + ".join(f"{cost:.3f}" for cost in costs)
            print(f"{name}: {sum(costs):.3f} ({len(costs)} statements: {each})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/csm_bench")
    parser.add_argument("--queries", default="portal,detail,cases")
    parser.add_argument("--persona", default="agent@csm.example")
    return parser


if __name__ == "__main__":
    asyncio.run(main(_parser().parse_args()))
