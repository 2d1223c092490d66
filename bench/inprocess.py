"""CPU per request inside one process: the whole ASGI app (middleware, authentication,
GraphQL, the access log) driven without a socket, optionally under cProfile.

Load on a shared machine moves requests/s a lot; the CPU this process spends per request moves
much less, so it is the figure to compare before and after a change to the request path:

    python -m bench.inprocess --database-url postgresql://postgres@127.0.0.1:5432/csm_bench
    python -m bench.inprocess --queries portal --profile tottime --lines 40

The database must be migrated and seeded already (``python -m bench.run`` does both). The
settings are the benchmark's: production, compiled reads on, no rate limit, JSON access log
(written to /dev/null).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging.config
import os
import pstats
import time
from typing import Any

import orjson

from bench.queries import CANDIDATE_CASES, CASES, DASHBOARD, DETAIL, PORTAL, SEARCH

Call = Any  # the Starlette app; typed loosely so this module imports nothing at load time


async def call_app(app: Call, token: str, query: str, variables: dict[str, Any] | None) -> Any:
    """One POST /graphql through the whole ASGI app, no socket: the parsed answer (raises
    unless 200 without errors)."""
    body = orjson.dumps({"query": query, "variables": variables or {}})
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"authorization", b"Bearer " + token.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    answer = orjson.loads(b"".join(message.get("body", b"") for message in sent[1:]))
    if sent[0]["status"] != 200 or "errors" in answer:
        raise RuntimeError(f"{sent[0]['status']}: {answer}")
    return answer


async def main(arguments: argparse.Namespace, log_stream: io.TextIOBase) -> None:
    os.environ.update(
        {
            "CSM_ENV": "production",
            "CSM_SECRET_KEY": "b" * 48,
            "CSM_COMPILED_READS": arguments.compiled,
            "CSM_RATE_LIMIT_CAPACITY": "0",
            "CSM_DATABASE_URL": arguments.database_url,
        }
    )
    from csm_graphql.app import create_app
    from csm_graphql.auth import issue_token
    from csm_graphql.db import create_engine, database_url
    from csm_graphql.observability.logs import log_config
    from csm_graphql.repositories.database import Database
    from csm_graphql.repositories.principals import find_principal
    from csm_graphql.settings import Settings

    logging.config.dictConfig(log_config("json", "INFO"))
    logging.getLogger().handlers[0].stream = log_stream  # type: ignore[attr-defined]
    settings = Settings.from_env()
    engine = create_engine(database_url(settings), settings)
    app = create_app(settings, engine=engine)
    principal = await find_principal(Database(engine), arguments.persona)
    if principal is None:
        raise SystemExit(f"no principal {arguments.persona}: seed the database first")
    token = issue_token(settings, *principal)
    candidates = await call_app(app, token, CANDIDATE_CASES, None)
    case_id = candidates["data"]["successCases"]["nodes"][0]["id"]
    documents = {"portal": (PORTAL, None), "detail": (DETAIL, {"id": case_id})}
    documents["cases"] = (CASES, None)
    documents["dashboard"] = (DASHBOARD, None)
    documents["search"] = (SEARCH, None)
    for name in arguments.queries.split(","):
        query, variables = documents[name]
        for _ in range(arguments.warmup):
            await call_app(app, token, query, variables)
        profile = cProfile.Profile(time.process_time) if arguments.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.enable()
        for _ in range(arguments.requests):
            await call_app(app, token, query, variables)
        if profile is not None:
            profile.disable()
        cpu = (time.process_time() - cpu) / arguments.requests * 1000
        wall = (time.perf_counter() - wall) / arguments.requests * 1000
        print(f"{name}: {cpu:.2f} ms CPU per request in this process, {wall:.2f} ms wall")
        if profile is not None:
            report = io.StringIO()
            stats = pstats.Stats(profile, stream=report).sort_stats(arguments.profile)
            stats.print_stats(arguments.lines)
            print(report.getvalue())
    await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/csm_bench")
    parser.add_argument("--queries", default="portal,detail,cases")
    parser.add_argument("--persona", default="agent@csm.example")
    parser.add_argument("--compiled", default="on", choices=["on", "off"])
    parser.add_argument("--requests", type=int, default=300, help="measured requests per query")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured requests first")
    parser.add_argument(
        "--profile", choices=["tottime", "cumulative"], help="profile the measured requests"
    )
    parser.add_argument("--lines", type=int, default=40, help="profile lines to print")
    return parser


if __name__ == "__main__":
    with open(os.devnull, "w") as devnull:
        asyncio.run(main(_parser().parse_args(), devnull))
