"""The migrations live in the top-level migrations/ folder, ship inside the wheel as
csm_graphql.migrations, and answer plain `alembic` commands from the repository root."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from csm_graphql.db.migrate import MIGRATIONS, head_revision
from tests.conftest import create_database, drop_database

REPO = Path(__file__).resolve().parents[1]
ALEMBIC = Path(sys.executable).with_name("alembic")


def _declared_packages() -> set[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(config["packages"])


def _source_packages() -> set[str]:
    """Every folder of src/ holding Python modules, as a dotted package name."""
    src = REPO / "src"
    return {
        ".".join(path.parent.relative_to(src).parts)
        for path in src.glob("csm_graphql/**/*.py")
        if "__pycache__" not in path.parts
    }


def _revision_files() -> set[str]:
    return {
        path.name
        for path in (REPO / "migrations" / "versions").glob("*.py")
        if re.match(r"\d{4}_", path.name)
    }


def test_pyproject_lists_every_package_of_src() -> None:
    missing = _source_packages() - _declared_packages()
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


def test_the_package_migrates_from_the_top_level_folder() -> None:
    assert MIGRATIONS == REPO / "migrations"
    assert not (REPO / "src" / "csm_graphql" / "migrations").exists()
    assert _revision_files()


async def _run(*command: str, seconds: float = 240, **env: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CSM_")}
    environment.update(env)
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=REPO,
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail(f"{' '.join(command)} did not finish in {seconds} s")
    assert process.returncode is not None
    return process.returncode, output.decode()


def test_the_wheel_ships_the_migrations(tmp_path: Path) -> None:
    """`pip wheel .` (what the Dockerfile's `pip install` builds) holds every revision, the
    Alembic environment and its template under csm_graphql/migrations/."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", ".", "-w", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("csm_graphql-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        name.removeprefix("csm_graphql/migrations/versions/")
        for name in names
        if name.startswith("csm_graphql/migrations/versions/")
    }
    assert _revision_files() <= shipped
    assert {
        "csm_graphql/migrations/__init__.py",
        "csm_graphql/migrations/env.py",
        "csm_graphql/migrations/script.py.mako",
        "csm_graphql/db/migrate.py",
        "csm_graphql/explorer/graphiql.html",
        "csm_graphql/py.typed",
    } <= names
    # Nothing of the repository's top level leaks in as a package of its own.
    assert not any(name.startswith(("migrations/", "tests/")) for name in names)


@pytest.fixture
async def scratch_url(server_url: str) -> AsyncIterator[str]:
    url = await create_database(server_url, prefix="csm_alembic")
    yield url
    await drop_database(server_url, url)


async def test_plain_alembic_works_from_the_repository_root(scratch_url: str) -> None:
    """alembic.ini at the root: `alembic history`, `upgrade head` and `current` against the
    database CSM_DATABASE_URL names, as `csm-graphql db upgrade` would."""
    assert ALEMBIC.exists(), "alembic's command is installed with the package"
    code, history = await _run(str(ALEMBIC), "history")
    assert code == 0, history
    head = head_revision()
    assert head is not None
    assert f"-> {head} (head)" in history

    code, output = await _run(str(ALEMBIC), "upgrade", "head", CSM_DATABASE_URL=scratch_url)
    assert code == 0, output
    code, current = await _run(str(ALEMBIC), "current", CSM_DATABASE_URL=scratch_url)
    assert code == 0, current
    assert f"{head} (head)" in current
