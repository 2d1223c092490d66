"""The README's GraphQL examples are named operations that the served schema accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^[ \t]*```graphql[ \t]*\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
EXAMPLES = FENCE.findall((ROOT / "README.md").read_text())


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((ROOT / "schema.graphql").read_text())


def test_the_readme_has_its_examples() -> None:
    # Fourteen blocks today; a broken fence would silently shrink the list below.
    assert len(EXAMPLES) >= 14


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda text: text.split("(")[0].split("{")[0])
def test_each_example_is_named_and_valid(schema: GraphQLSchema, example: str) -> None:
    document = parse(example)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert operations, "an example without an operation"
    assert all(operation.name is not None for operation in operations), example
    assert validate(schema, document) == [], example
