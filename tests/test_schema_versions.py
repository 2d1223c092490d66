"""Every record an update guards with ``expectedVersion`` exposes its ``version`` (issue 11):
walk the schema, from each such mutation to the record types its payload returns."""

from __future__ import annotations

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
)

from csm_graphql.access.fields import FieldRule, rule_for
from csm_graphql.graphql.schema import build_schema


def _guarded(field: GraphQLField) -> bool:
    """An ``expectedVersion`` argument, or an input (at any depth) with such a field."""
    seen: set[str] = set()

    def in_input(kind: GraphQLInputObjectType) -> bool:
        if kind.name in seen:
            return False
        seen.add(kind.name)
        for name, inner in kind.fields.items():
            named = get_named_type(inner.type)
            if name == "expectedVersion" or (
                isinstance(named, GraphQLInputObjectType) and in_input(named)
            ):
                return True
        return False

    for name, argument in field.args.items():
        named = get_named_type(argument.type)
        if name == "expectedVersion":
            return True
        if isinstance(named, GraphQLInputObjectType) and in_input(named):
            return True
    return False


def _records(payload: GraphQLObjectType) -> list[GraphQLObjectType]:
    """The record types a payload answers (every member of a union)."""
    found: list[GraphQLObjectType] = []
    for name, field in payload.fields.items():
        named = get_named_type(field.type)
        if name == "userErrors":
            continue
        if isinstance(named, GraphQLUnionType):
            found.extend(named.types)
        elif isinstance(named, GraphQLObjectType):
            found.append(named)
    return found


def test_every_version_guarded_mutation_returns_records_with_a_version() -> None:
    schema = build_schema()._schema
    mutation = schema.mutation_type
    assert mutation is not None
    guarded = {name: field for name, field in mutation.fields.items() if _guarded(field)}
    # The walk finds them all, the success records' included (a walk that finds none proves
    # nothing).
    assert {"updateEngagement", "updateSuccessObjective", "updateInternalPlay",
            "updateSuccessInitiative", "updateSuccessRecord", "transitionSuccessRecord",
            "updateCase", "updateProjectTask"} <= set(guarded)  # fmt: skip
    missing = []
    for name, field in guarded.items():
        payload = get_named_type(field.type)
        assert isinstance(payload, GraphQLObjectType), name
        records = _records(payload)
        assert records, name
        for record in records:
            version = record.fields.get("version")
            if version is None or get_named_type(version.type).name != "Int":
                missing.append(f"{name} -> {record.name}")
                continue
            # Non-null, unless the field is internal: ACCESS.md lists what external viewers
            # read of an engagement and a success task, and a denied field resolves to null.
            rule = rule_for(record.name, "version")
            assert rule is not None, record.name
            required = isinstance(version.type, GraphQLNonNull)
            assert required == (rule is FieldRule.PUBLIC), (name, record.name, rule)
    assert missing == []
