"""The served schema: committed SDL, field-rule coverage, descriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_list_type,
)

from csm_graphql.access.fields import FIELD_RULES, FieldRule, rule_for
from csm_graphql.graphql.schema import build_schema, sdl

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def _object_fields(schema: GraphQLSchema) -> list[tuple[str, str, object]]:
    fields = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            continue
        fields.extend((name, field_name, field) for field_name, field in type_.fields.items())
    return fields


def test_committed_schema_is_the_served_schema() -> None:
    committed = (REPO / "schema.graphql").read_text()
    assert committed == sdl(), (
        "schema.graphql drifted: run `csm-graphql schema export > schema.graphql`"
    )


def test_every_field_is_classified(schema: GraphQLSchema) -> None:
    unclassified = [
        f"{type_name}.{field_name}"
        for type_name, field_name, _ in _object_fields(schema)
        if rule_for(type_name, field_name) is None
    ]
    assert unclassified == []


def test_the_rule_table_names_only_fields_that_exist(schema: GraphQLSchema) -> None:
    served = {(type_name, field_name) for type_name, field_name, _ in _object_fields(schema)}
    assert sorted(set(FIELD_RULES) - served) == []


def test_internal_fields_are_nullable_and_say_so(schema: GraphQLSchema) -> None:
    """A denied field resolves to null or []: a non-null type would turn that into an error."""
    internal = [
        (type_name, field_name, field)
        for type_name, field_name, field in _object_fields(schema)
        if rule_for(type_name, field_name) is FieldRule.INTERNAL
    ]
    assert len(internal) > 20
    for type_name, field_name, field in internal:
        is_nullable = not isinstance(field.type, GraphQLNonNull)
        is_list = is_list_type(
            field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        )
        assert is_nullable or is_list, f"{type_name}.{field_name} is internal but non-null"
        assert "Internal only" in (field.description or ""), f"{type_name}.{field_name}"


def test_every_type_and_field_is_described(schema: GraphQLSchema) -> None:
    missing = [
        name
        for name, type_ in schema.type_map.items()
        if not name.startswith("__")
        and not type_.description
        and name not in {"String", "Boolean", "Int", "Float", "ID"}
    ]
    missing += [f"{t}.{f}" for t, f, field in _object_fields(schema) if not field.description]
    assert missing == []
