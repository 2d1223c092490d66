"""An embedded PostgreSQL for machines that have none (development, demos and tests).

``pgserver`` ships PostgreSQL binaries inside a wheel; we start one on a Unix socket under a data
directory and create the application database in it. Production never uses this (settings
refuse to start without ``CSM_DATABASE_URL`` there).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from types import ModuleType

from csm_graphql.settings import SettingsError

log = logging.getLogger(__name__)

DATABASE_NAME = "csm"
# pgserver's record of the processes using a server (an implementation detail we rely on).
HANDLE_LIST = ".handle_pids.json"


def _pgserver() -> ModuleType:
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and falls
            # back to a sane directory; that is not worth failing a run over.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            import pgserver  # imported late: only machines without a database URL need it
    except ImportError as error:
        raise SettingsError(
            "CSM_DATABASE_URL is not set and the embedded PostgreSQL is not installed: "
            "set CSM_DATABASE_URL, or pip install 'csm-graphql[embedded]'"
        ) from error
    return pgserver


def start_embedded(
    data_dir: Path, *, database: str = DATABASE_NAME, temporary: bool = False
) -> str:
    """Start (or reuse) the embedded server under ``data_dir`` and return a libpq URL.

    ``temporary`` deletes the data directory when the process exits (for test runs).
    """
    pgdata = data_dir / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_users(pgdata)
    server = _pgserver().get_server(pgdata, cleanup_mode="delete" if temporary else "stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in the embedded PostgreSQL at %s", database, pgdata)
    return str(server.get_uri(database))


def stop_embedded(data_dir: Path) -> None:
    """Stop the embedded server under ``data_dir`` unless another live process still uses it
    (its data stays for the next start)."""
    _forget_dead_users(data_dir / "pgdata")
    _pgserver().get_server(data_dir / "pgdata", cleanup_mode="stop").cleanup()


def _forget_dead_users(pgdata: Path) -> None:
    """pgserver stops the server when the last process using it lets go, counting users in a
    list of process ids; a process that was killed never removes its id, and the server would
    then run forever. Drop ids of processes that no longer exist."""
    users = pgdata / HANDLE_LIST
    # The same inter-process lock pgserver holds while it reads and writes the list.
    with _pgserver().postgres_server.PostgresServer._lock:
        try:
            pids = json.loads(users.read_text())
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
        if alive != pids:
            users.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
