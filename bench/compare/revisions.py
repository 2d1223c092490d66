"""A revision of csm-graphql, checked out and installed outside the repository.

Each revision gets a detached ``git worktree`` and a virtual environment of its own under a
cache directory (default ``$XDG_CACHE_HOME/csm-graphql-bench/compare/<commit>``), so no copy
of old code is ever committed and the working tree is left alone. The package is installed
the way it is deployed (``pip install <worktree>``, not editable), with the dependency
versions of the interpreter running the benchmark as constraints: the two revisions then run
on the same Strawberry, SQLAlchemy and uvicorn, and the ratio measures the project's code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent.parent


class RevisionError(RuntimeError):
    """A revision cannot be resolved, checked out or installed; the message says why."""


@dataclass(frozen=True)
class Revision:
    label: str  # "before" or "after"
    ref: str  # as given on the command line
    commit: str  # full hash
    subject: str
    date: str  # committer date, ISO 8601
    source: Path | None = None  # its worktree, once checked out
    python: str | None = None  # its venv's interpreter, once installed

    @property
    def short(self) -> str:
        return self.commit[:8]


def _git(*args: str, repository: Path = REPOSITORY) -> str:
    completed = subprocess.run(
        ["git", "-C", str(repository), *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RevisionError(f"`git {' '.join(args)}` failed: {completed.stderr.strip()}")
    return completed.stdout.strip()


def resolve(label: str, ref: str, repository: Path = REPOSITORY) -> Revision:
    """The commit ``ref`` names (a hash, a branch, ``HEAD``...)."""
    commit = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", repository=repository)
    subject, date = _git("show", "-s", "--format=%s%n%cI", commit, repository=repository).split(
        "\n", 1
    )
    return Revision(label, ref, commit, subject, date)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "csm-graphql-bench" / "compare"


def constraints() -> str:
    """This interpreter's installed distributions as pip constraints (the project itself
    left out), so every revision's venv gets the same library versions."""
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise RevisionError(f"pip freeze failed: {completed.stderr.strip()}")
    return pinned(completed.stdout)


def pinned(freeze: str) -> str:
    """The ``name==version`` lines of a ``pip freeze`` output, without csm-graphql itself
    (each revision installs its own) and without direct references (``@ file://``)."""
    keep = []
    for line in freeze.splitlines():
        name = line.split("==", 1)[0].strip().lower().replace("_", "-")
        if "==" in line and not line.startswith("-") and name != "csm-graphql":
            keep.append(line.strip())
    return "\n".join(keep) + "\n"


def install(revision: Revision, root: Path, constraint_text: str) -> Revision:
    """Check out ``revision`` under ``root/<commit>`` and install it into its own venv there;
    both are reused on later runs (a commit never changes)."""
    home = root / revision.commit[:12]
    source, venv = home / "source", home / "venv"
    home.mkdir(parents=True, exist_ok=True)
    if not (source / "pyproject.toml").exists():
        print(f"{revision.label}: git worktree {revision.short} -> {source}", file=sys.stderr)
        _git("worktree", "prune")  # a cache directory deleted by hand leaves a stale entry
        _git("worktree", "add", "--detach", "--force", str(source), revision.commit)
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    constraints_file = home / "constraints.txt"
    if not stamp.exists() or constraints_file.read_text() != constraint_text:
        print(f"{revision.label}: installing {revision.short} into {venv} ...", file=sys.stderr)
        constraints_file.write_text(constraint_text)
        _run([sys.executable, "-m", "venv", "--clear", str(venv)])
        _run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        _run(
            [str(python), "-m", "pip", "install", "--quiet",
             "--constraint", str(constraints_file), str(source)]
        )  # fmt: skip
        stamp.write_text(revision.commit + "\n")
    return Revision(
        revision.label, revision.ref, revision.commit, revision.subject, revision.date,
        source, str(python),
    )  # fmt: skip


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RevisionError(
            f"`{' '.join(command)}` exited {completed.returncode}:\n"
            f"{(completed.stderr or completed.stdout).strip()[-3000:]}"
        )
