"""Enum values and custom scalars document themselves: every value has a description, every
custom scalar names its format with ``@specifiedBy``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import pytest
from graphql import GraphQLEnumType, GraphQLScalarType, GraphQLSchema, specified_scalar_types

from csm_graphql.domain.cases import CaseState
from csm_graphql.domain.descriptions import describe_values, value_description
from csm_graphql.graphql.inputs import SuccessRecordOrderField
from csm_graphql.graphql.scalars import DATE_TIME
from csm_graphql.graphql.schema import build_schema


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def _enums(schema: GraphQLSchema) -> list[GraphQLEnumType]:
    return [
        t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLEnumType) and not name.startswith("__")
    ]


def test_every_enum_value_has_a_description(schema: GraphQLSchema) -> None:
    values = [(e.name, name, v) for e in _enums(schema) for name, v in e.values.items()]
    assert len(values) >= 215
    undescribed = [
        f"{enum}.{name}" for enum, name, v in values if not (v.description or "").strip()
    ]
    assert undescribed == []


def test_no_value_description_just_restates_its_name(schema: GraphQLSchema) -> None:
    def words(text: str) -> set[str]:
        return {w.strip(".,:;()").lower() for w in text.replace("_", " ").split()} - {"", "the"}

    restated = [
        f"{e.name}.{name}"
        for e in _enums(schema)
        for name, value in e.values.items()
        if words(value.description or "") <= words(name)
    ]
    assert restated == []


def test_every_custom_scalar_is_specified_by_a_url(schema: GraphQLSchema) -> None:
    custom = [
        t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLScalarType) and name not in specified_scalar_types
    ]
    assert {t.name for t in custom} >= {"Date", "DateTime", "Decimal", "JSON"}
    for scalar in custom:
        assert (scalar.specified_by_url or "").startswith("https://"), scalar.name
        assert scalar.description, scalar.name


def test_the_sdl_carries_the_descriptions_and_urls() -> None:
    sdl = build_schema().as_str()
    assert '"""Raised, not yet accepted by an agent."""\n  NEW' in sdl
    assert 'scalar DateTime @specifiedBy(url: "https://www.rfc-editor.org/rfc/rfc3339' in sdl


def test_a_sort_key_shares_the_description_of_the_repository_key() -> None:
    assert value_description(SuccessRecordOrderField, "DUE_DATE") == (
        "The due date; records without one come last in either direction."
    )
    assert value_description(CaseState, "NEW") == "Raised, not yet accepted by an agent."


def test_describing_values_must_cover_exactly_the_members() -> None:
    class Colour(StrEnum):
        RED = "RED"
        GREEN = "GREEN"

    with pytest.raises(TypeError, match=r"missing \['GREEN'\], unknown \['BLUE'\]"):
        describe_values(RED="Stop.", BLUE="Calm.")(Colour)
    with pytest.raises(TypeError, match="empty"):
        describe_values(RED="Stop.", GREEN=" ")(Colour)


def test_date_time_keeps_its_offset_and_refuses_a_naive_instant() -> None:
    instant = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)
    assert DATE_TIME.serialize(instant) == "2026-06-01T09:30:00+00:00"
    with pytest.raises(ValueError, match="offset"):
        DATE_TIME.serialize(dt.datetime(2026, 6, 1, 9, 30))
