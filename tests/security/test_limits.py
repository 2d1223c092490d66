"""Hostile documents are refused cheaply: the limit checks are linear, errors are capped.

The documents here are the ones that froze a worker: fragments that spread the next fragment
twice, so that walking every spread costs 2^levels. The checks must measure each fragment once.
"""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, parse, visit
from graphql.language import Visitor

from csm_graphql.errors import ErrorCode
from csm_graphql.graphql.extensions import MAX_ERRORS
from csm_graphql.graphql.shape import ShapeMeter, measure_shape
from tests.support import GraphQLClient

AGENT = "agent@csm.example"
CUSTOMER = "success@acme.example"
LEVELS = 30


def doubling_aliases(levels: int) -> str:
    """Each fragment aliases one field and spreads the next twice: 2^levels aliases inlined."""
    fragments = [
        f"fragment F{i} on Query {{ a{i}: __typename ...F{i + 1} ...F{i + 1} }}"
        for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Query {{ __typename }}")
    return "query Doubling { ...F0 }\n" + "\n".join(fragments)


def doubling_depth(levels: int) -> str:
    """Each fragment nests one level deeper and spreads the next twice."""
    fragments = [
        f"fragment F{i} on Account {{ name parent {{ ...F{i + 1} ...F{i + 1} }} }}"
        for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Account {{ name }}")
    return "query Deep { accounts(first: 1) { nodes { ...F0 } } }\n" + "\n".join(fragments)


def selections(document: str) -> int:
    """How many selections (fields, spreads, inline fragments) the document's text holds."""
    count = 0

    class Counter(Visitor):
        def enter(self, node: object, *_: object) -> None:
            nonlocal count
            if isinstance(node, FieldNode | FragmentSpreadNode | InlineFragmentNode):
                count += 1

    visit(parse(document), Counter())
    return count


def test_the_shape_of_a_doubling_document_is_measured_in_linear_visits() -> None:
    document = doubling_aliases(LEVELS)
    meter = ShapeMeter(parse(document))
    shape = meter.operation(parse(document).definitions[0])  # type: ignore[arg-type]
    # Each selection of the text is looked at once, whatever the spreads expand to.
    assert meter.visits == selections(document)
    assert shape.aliases == 2**LEVELS - 1


def test_depth_through_doubling_fragments_counts_each_level_once() -> None:
    shape = measure_shape(parse(doubling_depth(LEVELS)))
    # accounts > nodes > (F0: parent > F1: parent > ... > F30 name)
    assert shape.depth == 2 + LEVELS


async def test_doubling_aliases_are_refused_with_a_code(client: GraphQLClient) -> None:
    response = await client.post(doubling_aliases(LEVELS), as_=CUSTOMER)
    body = response.json()
    assert body["data"] is None
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("Query uses too many aliases: the limit is 30.", ErrorCode.QUERY_TOO_COMPLEX)
    ]


async def test_doubling_depth_is_refused_with_a_code(client: GraphQLClient) -> None:
    response = await client.post(doubling_depth(LEVELS), as_=CUSTOMER)
    body = response.json()
    assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
        ("Query is nested too deeply: the maximum depth is 12.", ErrorCode.QUERY_TOO_COMPLEX)
    ]


async def test_a_comment_does_not_change_what_is_refused(client: GraphQLClient) -> None:
    plain = (await client.post(doubling_aliases(LEVELS), as_=AGENT)).json()
    commented = (await client.post("# hello\n" + doubling_aliases(LEVELS), as_=AGENT)).json()
    assert plain == commented


async def test_unknown_directives_give_at_most_ten_errors(client: GraphQLClient) -> None:
    for count in (50, 990):
        directives = " ".join(f"@d{i}" for i in range(count))
        response = await client.post(f"query Many {{ viewer {directives} {{ kind }} }}", as_=AGENT)
        errors = response.json()["errors"]
        assert len(errors) == MAX_ERRORS
        assert all(e["extensions"]["code"] == ErrorCode.GRAPHQL_VALIDATION_FAILED for e in errors)
        assert errors[0]["message"] == "Unknown directive '@d0'."
        assert "Validation aborted" in errors[-1]["message"]
        assert len(response.content) < 2_000


SEARCH_FAN_OUT = """
query Fan {
  search(text: "a", first: 100) {
    cases { nodes { activities(first: 100) { nodes { id } } } }
    successCases { nodes { id } }
  }
}
"""


def test_search_sources_are_counted_at_what_they_return() -> None:
    from csm_graphql.graphql.cost import measure
    from csm_graphql.graphql.schema import build_schema

    schema = build_schema()._schema
    # Each source returns up to search(first:) hits unless it is given a first of its own.
    assert measure(schema, parse(SEARCH_FAN_OUT), {}, default_first=20).nodes == (
        100 * (1 + 100) + 100
    )
    own = 'query Own { search(text: "a", first: 100) { cases(first: 3) { nodes { id } } } }'
    assert measure(schema, parse(own), {}, default_first=20).nodes == 3


async def test_search_cannot_escape_the_node_limit(client: GraphQLClient) -> None:
    sources = " ".join(
        f"{source} {{ nodes {{ id }} }}"
        for source in ("successCases", "successTasks", "successInitiatives", "touchpoints")
    )
    query = (
        'query Wide { search(text: "a", first: 100) {'
        " cases { nodes { activities(first: 100) { nodes { id } } } }"
        " again: cases { nodes { activities(first: 100) { nodes { id } } } }"
        " more: cases { nodes { activities(first: 100) { nodes { id } } } }"
        " many: cases { nodes { activities(first: 100) { nodes { id } } } }"
        " most: cases { nodes { activities(first: 100) { nodes { id } } } }"
        f" {sources} }} }}"
    )
    body = (await client.post(query, as_=AGENT)).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == [ErrorCode.QUERY_TOO_COMPLEX]
    assert body["errors"][0]["message"].startswith("Query may return up to 50900 nodes")


async def test_each_search_source_takes_its_own_first(client: GraphQLClient) -> None:
    query = """
    query Sized($first: Int) {
      search(text: "problem", first: 1) {
        cases(first: $first) { nodes { id } pageInfo { hasNextPage } }
        successCases { nodes { id } }
      }
    }
    """
    data = await client.query(query, {"first": 3}, as_=AGENT)
    assert len(data["search"]["cases"]["nodes"]) == 3
    assert data["search"]["cases"]["pageInfo"]["hasNextPage"]
    assert len(data["search"]["successCases"]["nodes"]) <= 1
    refused = await client.errors(query, {"first": 101}, as_=AGENT)
    assert [e["extensions"]["code"] for e in refused] == [ErrorCode.BAD_USER_INPUT]
