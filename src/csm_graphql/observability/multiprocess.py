"""The directory prometheus-client's multiprocess mode keeps every worker's metrics in.

``serve --workers N`` (N > 1) needs it set before any worker starts, since prometheus-client
decides at import whether values live in memory or in files, and empty at each start, since
files left by an earlier run would be counted again. The CLI calls :func:`prepare` before
uvicorn starts the workers and :func:`release` when it stops them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@dataclass(frozen=True, slots=True)
class MetricsDirectory:
    path: Path
    # Made by us (a temporary directory, removed at exit) or given by the operator (emptied
    # at start, left in place).
    owned: bool


def prepare(workers: int) -> MetricsDirectory | None:
    """Set up the directory for ``workers`` processes; None for one (metrics in memory)."""
    given = os.environ.get(VARIABLE)
    if workers <= 1 and not given:
        return None
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return MetricsDirectory(path, owned=False)
    path = Path(tempfile.mkdtemp(prefix="csm-graphql-metrics-"))
    os.environ[VARIABLE] = str(path)  # inherited by every worker uvicorn starts
    return MetricsDirectory(path, owned=True)


def release(directory: MetricsDirectory | None) -> None:
    if directory is not None and directory.owned:
        shutil.rmtree(directory.path, ignore_errors=True)
