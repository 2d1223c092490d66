"""SQL lives in repositories: the GraphQL layer builds no SQL, so it does not import
sqlalchemy at run time (a type named under ``if TYPE_CHECKING:`` is allowed: it builds
nothing). Filters become SQL in ``repositories/filters.py``; rows are ``repositories.database.Row``.

Services build no SELECT either: every read a write makes (a lock included) is a repository
function called with the write's UnitOfWork. Services still build their writes (INSERT, UPDATE,
DELETE), whose WHERE clauses take the row rules of ``access.rows``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import csm_graphql.graphql
import csm_graphql.services

GRAPHQL = Path(csm_graphql.graphql.__file__).parent
SERVICES = Path(csm_graphql.services.__file__).parent

# What may still import it, and why. The list only shrinks.
# (None left: the compiled reads' SQL twins build their SQL with repositories/compiled.py's
# helpers, and the finishers and loaded fields read column types and captured SELECTs through
# repositories/compiled_values.py.)
ALLOWED: set[str] = set()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _importers() -> set[str]:
    return {
        path.relative_to(GRAPHQL).as_posix()
        for path in GRAPHQL.rglob("*.py")
        if any(
            module == "sqlalchemy" or module.startswith("sqlalchemy.")
            for module in _runtime_imports(ast.parse(path.read_text(), str(path)))
        )
    }


def test_the_graphql_layer_does_not_import_sqlalchemy() -> None:
    assert _importers() == ALLOWED


def test_the_check_sees_an_import() -> None:
    """Not vacuous: the same walk finds sqlalchemy where it is imported."""
    tree = ast.parse(
        "from sqlalchemy import select\nif TYPE_CHECKING:\n    import sqlalchemy.orm\n"
    )
    assert _runtime_imports(tree) == {"sqlalchemy"}


# -- services build no SELECT ----------------------------------------------------------------

# What a read is built from. ``exists`` and ``text`` count too: a service that needs one is
# asking a question of the database, which is a repository function's job.
READ_BUILDERS = frozenset(
    {"select", "exists", "text", "union", "union_all", "intersect", "except_", "lateral"}
)
# Methods only a SELECT has: ``table.select()`` and a row lock.
READ_METHODS = frozenset({"select", "with_for_update"})

# Service modules that may still build a SELECT, and why. The list only shrinks.
# (None left: issue 9 moved the last ~25 into repositories/ — locks.py, case_followers.py,
# project_writes.py, workspace_writes.py and the modules of their entities.)
ALLOWED_SELECTS: set[str] = set()


def _select_builders(tree: ast.AST) -> set[str]:
    """How a module builds SELECTs: read builders imported from sqlalchemy, ``select(...)`` and
    the like called, ``.select()`` or ``.with_for_update()`` called, ``sa.select(...)`` through
    a module import. Calls of a repository function named like a builder
    (``master_data.exists(work, ...)``) are not builders."""
    modules: set[str] = set()  # the names sqlalchemy modules are imported as
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _is_sqlalchemy(node.module):
            found.update(f"imports {a.name}" for a in node.names if a.name in READ_BUILDERS)
        elif isinstance(node, ast.Import):
            modules.update(
                alias.asname or alias.name.split(".")[0]
                for alias in node.names
                if _is_sqlalchemy(alias.name)
            )
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in READ_BUILDERS:
            found.add(f"calls {function.id}()")
        elif isinstance(function, ast.Attribute):
            if (
                function.attr in READ_BUILDERS
                and isinstance(function.value, ast.Name)
                and function.value.id in modules
            ):
                found.add(f"calls {function.value.id}.{function.attr}()")
            elif function.attr in READ_METHODS:
                found.add(f"calls .{function.attr}()")
    return found


def _is_sqlalchemy(module: str | None) -> bool:
    return module is not None and (module == "sqlalchemy" or module.startswith("sqlalchemy."))


def _services_building_selects() -> dict[str, set[str]]:
    found = {
        path.relative_to(SERVICES).as_posix(): _select_builders(
            ast.parse(path.read_text(), str(path))
        )
        for path in SERVICES.rglob("*.py")
    }
    return {path: how for path, how in found.items() if how}


def test_services_build_no_select() -> None:
    """Services call repository functions for their reads (issue 9)."""
    building = _services_building_selects()
    assert set(building) == ALLOWED_SELECTS, building


def test_the_select_check_sees_a_read() -> None:
    """Not vacuous: the same walk finds each way a module builds a SELECT."""
    tree = ast.parse(
        "import sqlalchemy as sa\n"
        "from sqlalchemy import exists, insert, select, update\n"
        "from sqlalchemy.sql.expression import text\n"
        "row = select(t.c.id).where(t.c.id == 1)\n"
        "locked = update_me.with_for_update()\n"
        "again = sa.select(t)\n"
        "asked = sa.exists().where(t.c.id == 1)\n"
        "whole = t.select()\n"
    )
    assert _select_builders(tree) == {
        "imports exists",
        "imports select",
        "imports text",
        "calls select()",
        "calls .with_for_update()",
        "calls sa.select()",
        "calls sa.exists()",
        "calls .select()",
    }


def test_the_select_check_leaves_writes_and_repository_calls_alone() -> None:
    """Writes stay in services, and a repository function named like a builder is a call of
    the repository, not a SELECT built here."""
    tree = ast.parse(
        "from sqlalchemy import delete, func, insert, update\n"
        "from csm_graphql.repositories import master_data\n"
        "await work.execute(insert(t).values(a=1))\n"
        "await work.execute(update(t).where(t.c.id == 1).values(updated_at=func.now()))\n"
        "await work.execute(delete(t).where(t.c.id == 1))\n"
        "found = await master_data.exists(work, t, 1)\n"
    )
    assert _select_builders(tree) == set()


def test_the_services_check_reads_every_service_module() -> None:
    """The walk covers the package: a service module is found and parsed."""
    modules = {path.relative_to(SERVICES).as_posix() for path in SERVICES.rglob("*.py")}
    assert {"records.py", "projects.py", "case_support.py"} <= modules
