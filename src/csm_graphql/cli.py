"""``csm-graphql``: serve | check | db upgrade | seed | token | schema export/check."""

from __future__ import annotations

import argparse
import asyncio
import logging.config
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csm_graphql.settings import ENVIRONMENT_VARIABLES, Settings, SettingsError

if TYPE_CHECKING:  # the CLI imports heavy modules only for the command it runs
    from sqlalchemy.ext.asyncio import AsyncEngine


async def _with_engine(settings: Settings, work: Callable[..., Awaitable[int]]) -> int:
    from csm_graphql.db import create_engine, database_url

    engine = create_engine(database_url(settings), settings)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


async def _upgrade(engine: AsyncEngine, revision: str = "head") -> int:
    from csm_graphql.db.migrate import upgrade

    await upgrade(engine, revision)
    print(f"database migrated to {revision}", file=sys.stderr)
    return 0


async def _seed(
    engine: AsyncEngine, scale: int, seed: int, anchor: date | None, *, if_empty: bool = False
) -> int:
    from sqlalchemy import func, select

    from csm_graphql import tables
    from csm_graphql.db.migrate import upgrade
    from csm_graphql.demo.seed import seed as seed_demo

    await upgrade(engine)
    async with engine.begin() as connection:
        if if_empty and await connection.scalar(select(func.count()).select_from(tables.accounts)):
            print("demo data already present", file=sys.stderr)
            return 0
        summary = await seed_demo(connection, scale=scale, seed=seed, anchor=anchor)
    counts = ", ".join(f"{name} {count}" for name, count in sorted(summary.counts.items()))
    print(f"seeded (scale {scale}, seed {seed}): {counts}", file=sys.stderr)
    return 0


# PostgreSQL's "relation does not exist": the database was never migrated.
_UNDEFINED_TABLE = "42P01"


async def _token(engine: AsyncEngine, email: str, ttl: int | None, settings: Settings) -> int:
    from sqlalchemy.exc import ProgrammingError

    from csm_graphql.auth import issue_token
    from csm_graphql.repositories.database import Database
    from csm_graphql.repositories.principals import find_principal

    try:
        principal = await find_principal(Database(engine), email)
    except ProgrammingError as error:
        if getattr(error.orig, "sqlstate", None) != _UNDEFINED_TABLE:
            raise
        where = engine.url.render_as_string(hide_password=True)
        if settings.database_url is None:
            where += f" (the embedded PostgreSQL in {settings.data_dir})"
        print(
            f"the database {where} has no tables yet: run `csm-graphql seed` (demo data) or "
            "`csm-graphql db upgrade`, then ask again",
            file=sys.stderr,
        )
        return 1
    if principal is None:
        print(f"no user or contact has the email {email!r}", file=sys.stderr)
        return 1
    print(issue_token(settings, *principal, ttl=ttl))
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn
    from uvicorn.config import LOG_LEVELS

    from csm_graphql.db import database_url
    from csm_graphql.observability import multiprocess
    from csm_graphql.observability.logs import log_config

    # uvicorn applies this in every worker; this process's own lines (migrations, the
    # embedded server) get the same format.
    logging_config = log_config(
        settings.log_format_or_default, LOG_LEVELS[args.log_level], access_log=args.access_log
    )
    logging.config.dictConfig(logging_config)

    # Resolve the database once, here: with the embedded server this starts it before the
    # workers fork, and every worker then connects to the same URL.
    embedded = settings.database_url is None
    url = database_url(settings)
    os.environ["CSM_DATABASE_URL"] = url
    settings = replace(settings, database_url=url)
    if args.demo:
        asyncio.run(
            _with_engine(settings, lambda engine: _seed(engine, 1, 42, None, if_empty=True))
        )
    elif args.migrate:
        asyncio.run(_with_engine(settings, _upgrade))
    print(f"GraphQL at http://{args.host}:{args.port}/graphql", file=sys.stderr)
    # Several workers: /metrics aggregates them all through files in this directory.
    metrics_directory = multiprocess.prepare(args.workers)
    # uvicorn re-raises the signal that stopped it once it has shut down; as an exception,
    # not a bare kill, it lets the finally below stop the embedded server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config: dict[str, Any] = {
        "app": "csm_graphql.app:create_app",
        "factory": True,
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "log_config": logging_config,
        # Ours (csm_graphql.access) replaces uvicorn's: it carries the request id.
        "access_log": False,
        # The app trusts forwarded headers itself, from CSM_FORWARDED_ALLOW_IPS only.
        "proxy_headers": False,
    }
    try:
        if args.workers > 1:
            # Not uvicorn's --workers: connections are dealt to the workers in turn, so a
            # client's few keep-alive connections are spread evenly (serving.py, issue 10).
            from csm_graphql.serving import ServingError, serve

            try:
                return serve(config, args.host, args.port, args.workers)
            except ServingError as error:
                print(f"serve: {error}", file=sys.stderr)
                return 1
        uvicorn.run(**config)
    except KeyboardInterrupt:
        pass
    finally:
        multiprocess.release(metrics_directory)
        if embedded:
            from csm_graphql.db.embedded import stop_embedded

            stop_embedded(settings.data_dir)
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("csm-graphql")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


class _WithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's default in its help, except flags and options that default to nothing."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False:
            return action.help or ""
        return super()._get_help_string(action) or ""


def _parser() -> argparse.ArgumentParser:
    formatter = _WithDefaults
    parser = argparse.ArgumentParser(
        prog="csm-graphql",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Settings come from the environment (README.md, Configuration):\n  "
        + "\n  ".join(ENVIRONMENT_VARIABLES),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server", formatter_class=formatter)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; connections are dealt to them in turn",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug", "trace"],
        help="the server's log level",
    )
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="one log line per request: method, path, status, duration, request id (default: on)",
    )
    serve.add_argument("--migrate", action="store_true", help="run migrations before serving")
    serve.add_argument(
        "--demo", action="store_true", help="migrate and load demo data if the database is empty"
    )

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    upgrade = db.add_parser("upgrade", help="apply migrations (Alembic)", formatter_class=formatter)
    upgrade.add_argument("revision", nargs="?", default="head", help="the revision to reach")

    seed = commands.add_parser(
        "seed", help="replace all data with deterministic demo data", formatter_class=formatter
    )
    seed.add_argument("--scale", type=int, default=1, help="1: a demo; 100: ~100k success cases")
    seed.add_argument("--seed", type=int, default=42, help="same seed, same data")
    seed.add_argument(
        "--anchor",
        type=date.fromisoformat,
        default=None,
        help="'today' of the data, YYYY-MM-DD (default: the real today)",
    )

    token = commands.add_parser(
        "token", help="print a bearer token (development)", formatter_class=formatter
    )
    token.add_argument("email", help="a user's or contact's email")
    token.add_argument(
        "--ttl", type=int, default=None, help="lifetime in seconds (default: CSM_TOKEN_TTL_SECONDS)"
    )

    commands.add_parser(
        "check",
        help="check the CSM_* settings as serve would, and exit (0: the server would start)",
    )

    schema = commands.add_parser("schema", help="the GraphQL schema").add_subparsers(
        dest="schema_command", required=True
    )
    schema.add_parser("export", help="print the SDL")
    check = schema.add_parser(
        "check", help="fail if a file differs from the served SDL", formatter_class=formatter
    )
    check.add_argument(
        "path", nargs="?", default="schema.graphql", type=Path, help="the SDL file to compare"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from csm_graphql.graphql.schema import sdl

        if args.schema_command == "export":
            sys.stdout.write(sdl())
            return 0
        if args.path.read_text() != sdl():
            print(
                f"{args.path} differs from the served schema: run `csm-graphql schema export`",
                file=sys.stderr,
            )
            return 1
        return 0
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if args.command == "check":
        print(f"configuration ok ({settings.environment})", file=sys.stderr)
        return 0
    if args.command == "serve":
        return _serve(settings, args)
    if args.command == "db":
        return asyncio.run(_with_engine(settings, lambda engine: _upgrade(engine, args.revision)))
    if args.command == "seed":
        if args.scale < 1:
            print("--scale must be at least 1", file=sys.stderr)
            return 2
        return asyncio.run(
            _with_engine(settings, lambda engine: _seed(engine, args.scale, args.seed, args.anchor))
        )
    if args.command == "token":
        return asyncio.run(
            _with_engine(settings, lambda engine: _token(engine, args.email, args.ttl, settings))
        )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
