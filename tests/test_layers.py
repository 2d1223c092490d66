"""SQL lives in repositories: the GraphQL layer builds no SQL, so it does not import
sqlalchemy at run time (a type named under ``if TYPE_CHECKING:`` is allowed: it builds
nothing). Filters become SQL in ``repositories/filters.py``; rows are ``repositories.database.Row``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import csm_graphql.graphql

GRAPHQL = Path(csm_graphql.graphql.__file__).parent

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
