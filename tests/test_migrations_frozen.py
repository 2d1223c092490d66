"""Revisions never import the live application: what they run is frozen beside them
(migrations/_frozen.py), so a database migrated years later goes through the same steps."""

from __future__ import annotations

import ast
from pathlib import Path

from csm_graphql.db.migrate import MIGRATIONS

# env.py is Alembic's environment, not a step: it compares against today's tables (autogenerate)
# and connects with today's settings, on purpose.
ENVIRONMENT = MIGRATIONS / "env.py"


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def _live(module: str) -> bool:
    inside = module == "csm_graphql.migrations" or module.startswith("csm_graphql.migrations.")
    return (module == "csm_graphql" or module.startswith("csm_graphql.")) and not inside


def test_no_migration_imports_application_code() -> None:
    steps = [path for path in MIGRATIONS.rglob("*.py") if path != ENVIRONMENT]
    assert len(steps) > 10
    offending = {
        path.relative_to(MIGRATIONS).as_posix(): sorted(filter(_live, _imported_modules(path)))
        for path in steps
    }
    offending = {name: modules for name, modules in offending.items() if modules}
    assert offending == {}, (
        "migrations import live application code: freeze what they need in "
        "migrations/_frozen.py (import it as csm_graphql.migrations._frozen)"
    )


def test_the_rule_sees_an_offending_import(tmp_path: Path) -> None:
    """The check above reads both import forms, and lets the migrations package through."""
    step = tmp_path / "9999_example.py"
    step.write_text(
        "import csm_graphql.domain.sla\n"
        "from csm_graphql.db import migration_ops\n"
        "from csm_graphql.migrations._frozen import add_record_types\n"
        "import sqlalchemy as sa\n"
    )
    assert sorted(filter(_live, _imported_modules(step))) == [
        "csm_graphql.db",
        "csm_graphql.domain.sla",
    ]
