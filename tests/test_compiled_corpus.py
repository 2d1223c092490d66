"""A generated corpus through both read paths (issue 10, "Proof of sameness").

The documents come from the served schema (tests/corpus.py: hypothesis, derandomized, so the
same ones every run); the ids and cursors they ask for are read from the demo data first.
Each runs through the resolvers (the reference) and the compiled reads for every demo
persona, and the two answers must be the same JSON text: ``data`` with its key order, and the
same errors (message, path, code), the same cost. A field whose rule or value differs fails.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type

from csm_graphql.demo import personas
from csm_graphql.graphql import context as context_module
from csm_graphql.graphql.compiled.reasons import FallbackReason
from csm_graphql.graphql.compiled.root_lists import ROOT_LISTS
from csm_graphql.graphql.cost import is_connection
from csm_graphql.graphql.schema import build_schema
from tests.corpus import Document, Samples, corpus
from tests.support import GraphQLClient
from tests.test_compiled_reads_coverage import _FrozenClock

EVERY_PERSONA = [persona.email for persona in personas.PERSONAS]
# Who reads the samples: the internal agent sees every success record, the admin the rest.
SAMPLERS = ("agent@csm.example", "admin@csm.example", "manager@acme.example")
# Documents per run: each is up to 2 x 12 requests (about 1 s on a loaded 2-core machine).
# When hunting, CSM_CORPUS_SIZE asks more and CSM_CORPUS_SEED draws another corpus.
SIZE = int(os.environ.get("CSM_CORPUS_SIZE", "40"))
SEED = int(os.environ["CSM_CORPUS_SEED"]) if os.environ.get("CSM_CORPUS_SEED") else None
# At least this share of the corpus must take the compiled path for some persona, or the
# comparison would mostly hold the resolvers against themselves.
MIN_COMPILED_SHARE = 0.3
# The root fields the compiled reads answer (graphql/compiled/plan.py): asked more often.
COMPILED_ROOTS = frozenset({*ROOT_LISTS, "node", "nodes", "search", "viewer"})


@pytest.fixture(scope="module")
def frozen_now() -> Iterator[None]:
    """One instant for both paths (the SLA clock reads the request's now)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(context_module, "datetime", _FrozenClock)
        yield


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def _sampling_query(schema: GraphQLSchema) -> str:
    """Every root list with its first ids and end cursor, and one level of nested lists."""
    query = schema.query_type
    assert query is not None
    parts: list[str] = []
    for name, definition in query.fields.items():
        connection = get_named_type(definition.type)
        if not is_connection(connection) or "first" not in definition.args:
            continue
        assert isinstance(connection, GraphQLObjectType)
        node = get_named_type(connection.fields["nodes"].type)
        assert isinstance(node, GraphQLObjectType)
        if "id" not in node.fields:
            continue
        nested = [
            f"{child}(first: 2) {{ pageInfo {{ endCursor }} nodes {{ __typename id }} }}"
            for child, child_field in node.fields.items()
            if _listable(child_field.type)
        ]
        parts.append(
            f"{name}(first: 3) {{ pageInfo {{ endCursor }} nodes {{ __typename id "
            f"{' '.join(nested)} }} }}"
        )
    return "{ " + " ".join(parts) + " }"


def _listable(type_: Any) -> bool:
    connection = get_named_type(type_)
    if not is_connection(connection):
        return False
    node = get_named_type(connection.fields["nodes"].type)
    return isinstance(node, GraphQLObjectType) and "id" in node.fields


@pytest.fixture(scope="module")
async def samples(resolver_client: GraphQLClient, schema: GraphQLSchema) -> Samples:
    ids: dict[str, list[str]] = {}
    cursors: dict[str, list[str]] = {}
    query = _sampling_query(schema)
    for email in SAMPLERS:
        body = (await resolver_client.post(query, as_=email)).json()
        for root, connection in (body.get("data") or {}).items():
            _read(schema, "Query", root, connection, ids, cursors)
    return Samples(
        {t: tuple(sorted(set(v))[:6]) for t, v in sorted(ids.items())},
        {k: tuple(sorted(set(v))[:2]) for k, v in sorted(cursors.items())},
        COMPILED_ROOTS,
    )


def _read(
    schema: GraphQLSchema,
    parent: str,
    name: str,
    connection: dict[str, Any] | None,
    ids: dict[str, list[str]],
    cursors: dict[str, list[str]],
) -> None:
    if not connection:
        return
    cursor = connection["pageInfo"]["endCursor"]
    if cursor:
        cursors.setdefault(f"{parent}.{name}", []).append(cursor)
    for node in connection["nodes"]:
        ids.setdefault(node["__typename"], []).append(node["id"])
        for key, value in node.items():
            if isinstance(value, dict) and "nodes" in value:
                _read(schema, node["__typename"], key, value, ids, cursors)


@pytest.fixture(scope="module")
def documents(schema: GraphQLSchema, samples: Samples) -> list[Document]:
    return corpus(schema, samples, SIZE, SEED)


def _comparable(body: dict[str, Any]) -> str:
    """What both paths must agree on, as JSON text: data in its key order, the errors, the
    cost (``extensions.compiledReads``, which says which path ran, differs by design)."""
    extensions = body.get("extensions") or {}
    return json.dumps([body.get("data"), body.get("errors"), extensions.get("cost")])


async def _compare(
    resolver_client: GraphQLClient, compiled_client: GraphQLClient, document: Document, email: str
) -> tuple[str | None, str | None, str | None]:
    """The path the compiled app took, the mismatch if the answers differ, and the reason of
    a fallback."""
    answer = await compiled_client.post(document.query, document.variables, as_=email)
    got = answer.json()
    outcome = (got.get("extensions") or {}).get("compiledReads") or {}
    if outcome.get("path") != "compiled":
        # The resolvers answered on the compiled app too: the same code as the reference.
        return outcome.get("path"), None, outcome.get("reason")
    reference = await resolver_client.post(document.query, document.variables, as_=email)
    expected = reference.json()
    if answer.status_code == reference.status_code and _comparable(got) == _comparable(expected):
        return "compiled", None, None
    return (
        "compiled",
        (
            f"{email}: {document.query}\n  variables {document.variables}\n"
            f"  resolvers ({reference.status_code}) {_comparable(expected)[:3000]}\n"
            f"  compiled  ({answer.status_code}) {_comparable(got)[:3000]}"
        ),
        None,
    )


@pytest.mark.usefixtures("frozen_now")
async def test_generated_documents_answer_alike_on_both_paths(
    resolver_client: GraphQLClient,
    compiled_client: GraphQLClient,
    samples: Samples,
    documents: list[Document],
) -> None:
    assert samples.ids
    assert samples.cursors
    assert len(documents) == SIZE
    mismatches: list[str] = []
    compiled = 0
    for document in documents:
        # A root field the compiled reads do not know falls back for everyone: one asks.
        first = await _compare(resolver_client, compiled_client, document, EVERY_PERSONA[0])
        if first[2] == FallbackReason.ROOT_FIELD:
            continue
        # One request at a time: a dozen at once would wait for the pool on a loaded machine,
        # and a request that times out on one path only is no mismatch of theirs.
        outcomes = [first]
        for email in EVERY_PERSONA[1:]:
            outcomes.append(await _compare(resolver_client, compiled_client, document, email))
        compiled += any(path == "compiled" for path, _, _ in outcomes)
        mismatches += [mismatch for _, mismatch, _ in outcomes if mismatch]
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:10])
    assert compiled >= MIN_COMPILED_SHARE * len(documents), (compiled, len(documents))


# -- what the corpus found, kept as focused cases ------------------------------------------
REGRESSIONS = {
    # Case.resolutionNotes' rule reads the row's shareResolutionNotes: a contact's answer is a
    # CASE on that column, which a to-one's row must select though nobody asked for it.
    "resolution notes through a to-one": """
{ projects(first: 3) { nodes { workOrders(first: 3) { nodes { number
    case { resolutionNotes updatedAt } } } } } }""",
}


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("query", REGRESSIONS.values(), ids=REGRESSIONS.keys())
async def test_what_the_corpus_found_answers_alike(
    resolver_client: GraphQLClient, compiled_client: GraphQLClient, query: str
) -> None:
    document = Document(query, {})
    outcomes = [
        await _compare(resolver_client, compiled_client, document, email) for email in EVERY_PERSONA
    ]
    assert [mismatch for _, mismatch, _ in outcomes if mismatch] == []
    assert all(path == "compiled" for path, _, _ in outcomes)
