"""Query documents generated from the served schema (issue 10, "Proof of sameness").

A hypothesis strategy walks graphql-core's schema from a root field down: it picks a few
fields of each object (bounded width and depth), arguments drawn from their types (page sizes
within the limits, enums and simple input objects, ids and cursors present in the demo data),
inline fragments on interfaces and unions, named fragments, aliases, ``__typename`` and now
and then ``@skip``/``@include``, each argument written either literally or as a variable.

The documents are valid most of the time, not always (an ordering whose cursor came from
another, a page size out of range, a search of blanks): then both paths must refuse alike.
``tests/test_compiled_corpus.py`` runs them through the resolvers and the compiled reads.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_required_argument,
    parse,
    validate,
)
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]

# -- bounds: small enough that a document and its answer stay small, deep enough to nest
# a connection in a connection in an object (engagements.nodes.successCases.nodes.account).
MAX_DEPTH = 6  # fields nested in fields, the root field included
MAX_WIDTH = 4  # fields picked on one object, besides __typename
MAX_ROOTS = 2
# Page sizes: mostly small; the default (omitted) now and then; the bounds of the limit, and
# just outside it (both paths must refuse alike).
PAGE_SIZES = (0, 1, 2, 3, 5)
RARE_PAGE_SIZES = (100, 101, -1)
TEXTS = ("adoption", "acme", "a", "sc0000001", "zzz-no-such", "  ")
DATES = ("2020-01-01", "2026-05-01", "2026-06-01", "2026-07-15", "2030-12-31")
DATETIMES = ("2026-05-01T00:00:00+00:00", "2026-06-01T10:30:00Z")
INTS = (0, 1, 2, 5, 12, 30)
MALFORMED_ID = "not-a-global-id"
MALFORMED_CURSOR = "bm90IGEgY3Vyc29y"


@dataclass(frozen=True)
class Samples:
    """What the demo data holds, read once before generating: global ids by type (a
    ``node(id:)`` finds something), and end cursors of first pages by ``Type.field``
    (``Query.engagements``), so that ``after:`` opens a real second page."""

    ids: Mapping[str, tuple[str, ...]]
    cursors: Mapping[str, tuple[str, ...]]
    # Root fields asked for more often (those the compiled reads answer): the others are
    # asked too, now and then, and answered by the resolvers on both paths.
    favoured: frozenset[str] = frozenset()

    @property
    def all_ids(self) -> tuple[str, ...]:
        return tuple(i for ids in self.ids.values() for i in ids)


@dataclass(frozen=True)
class Document:
    query: str
    variables: dict[str, Any]


class Enum(str):
    """An enum value: a bare name in a literal, a string in the variables."""


@dataclass
class _Writer:
    """Writes one document; ``draw`` is hypothesis' (every choice is shrinkable)."""

    draw: Draw[Any]
    schema: GraphQLSchema
    samples: Samples
    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (type, value)
    fragments: list[str] = field(default_factory=list)
    names: int = 0
    # The types of the ids the field being written asks for (node, nodes): its fragments.
    _ids_asked: tuple[str, ...] = ()

    def fresh(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def chance(self, probability: float) -> bool:
        """True with this probability; false when shrunk (the simpler document)."""
        return bool(self.draw(st.integers(0, 99)) >= 100 - round(probability * 100))

    # -- selections --------------------------------------------------------------------------

    def operation(self) -> str:
        query = self.schema.query_type
        assert query is not None
        roots = [name for name, f in query.fields.items() if self._can_ask(f)]
        roots += [name for name in roots if name in self.samples.favoured] * 4
        chosen = self.draw(
            st.lists(st.sampled_from(roots), min_size=1, max_size=MAX_ROOTS, unique=True)
        )
        parts = [self.field(query, name, 1, root=True) for name in chosen]
        if self.chance(0.1):
            parts.append("__typename")
        selection = " ".join(parts)
        head = ""
        if self.variables:
            head = "(" + ", ".join(f"${n}: {t}" for n, (t, _) in self.variables.items()) + ")"
        return " ".join([f"query Corpus{head} {{ {selection} }}", *self.fragments])

    def field(self, parent: GraphQLObjectType, name: str, depth: int, *, root: bool = False) -> str:
        definition = parent.fields[name]
        text = name
        if self.chance(0.15):
            text = f"{self.fresh('a')}: {name}"
        text += self.arguments(parent, name, definition, root=root)
        if self.chance(0.05):
            text += self.directive()
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return text
        return f"{text} {{ {self.selection(named, depth + 1, about=self._ids_asked)} }}"

    def selection(self, named: GraphQLNamedType, depth: int, about: tuple[str, ...] = ()) -> str:
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            return self.abstract(named, depth, about)
        assert isinstance(named, GraphQLObjectType)
        if self.chance(0.08):  # now and then through a named fragment
            name = self.fresh("F")
            inner = self.object_fields(named, depth)
            self.fragments.append(f"fragment {name} on {named.name} {{ {inner} }}")
            return f"...{name}"
        return self.object_fields(named, depth)

    def object_fields(self, named: GraphQLObjectType, depth: int) -> str:
        candidates = [
            name
            for name, f in named.fields.items()
            if self._can_ask(f) and (depth < MAX_DEPTH or is_leaf_type(get_named_type(f.type)))
        ]
        parts: list[str] = []
        if candidates:
            # Connections: their nodes most of the time (where the records are).
            weighted = candidates + ["nodes"] * 2 if "nodes" in candidates else candidates
            chosen = self.draw(
                st.lists(st.sampled_from(weighted), min_size=1, max_size=MAX_WIDTH, unique=True)
            )
            parts = [self.field(named, name, depth) for name in chosen]
        if not parts or self.chance(0.1):
            parts.append("__typename")
        return " ".join(parts)

    def abstract(
        self, named: GraphQLInterfaceType | GraphQLUnionType, depth: int, about: tuple[str, ...]
    ) -> str:
        """An interface or a union: ``__typename``, the interface's own fields, and inline
        fragments on some of its types (the types of the ids asked for first)."""
        possible = sorted(t.name for t in self.schema.get_possible_types(named))
        parts: list[str] = []
        if self.chance(0.5):
            parts.append("__typename")
        if isinstance(named, GraphQLInterfaceType):
            leaves = [n for n, f in named.fields.items() if is_leaf_type(get_named_type(f.type))]
            if leaves and self.chance(0.6):
                parts.append(self.draw(st.sampled_from(leaves)))
        asked = [t for t in dict.fromkeys(about) if t in possible]
        others = self.draw(st.lists(st.sampled_from(possible), max_size=2, unique=True))
        for type_name in dict.fromkeys([*asked, *others]):
            on = self.schema.type_map[type_name]
            assert isinstance(on, GraphQLObjectType)
            parts.append(f"... on {type_name} {{ {self.object_fields(on, depth)} }}")
        if not parts:
            parts.append("__typename")
        return " ".join(parts)

    # -- arguments ---------------------------------------------------------------------------

    def arguments(
        self, parent: GraphQLObjectType, name: str, definition: GraphQLField, *, root: bool
    ) -> str:
        self._ids_asked = ()
        written: list[str] = []
        for arg_name, argument in definition.args.items():
            required = is_required_argument(argument)
            value = self.argument(parent, name, arg_name, argument, required=required)
            if value is not _OMIT:
                written.append(f"{arg_name}: {self.written(argument.type, value)}")
        return f"({', '.join(written)})" if written else ""

    def argument(
        self,
        parent: GraphQLObjectType,
        field_name: str,
        name: str,
        argument: GraphQLArgument,
        *,
        required: bool,
    ) -> Any:
        named = get_named_type(argument.type)
        if name == "first" and named.name == "Int":
            if self.chance(0.1):
                return _OMIT  # the default page size
            sizes = RARE_PAGE_SIZES if self.chance(0.05) else PAGE_SIZES
            return self.draw(st.sampled_from(sizes))
        if name == "after":
            cursors = self.samples.cursors.get(f"{parent.name}.{field_name}", ())
            if not self.chance(0.4) or not cursors:
                return _OMIT
            if self.chance(0.05):
                return MALFORMED_CURSOR
            return self.draw(st.sampled_from(cursors))
        if name in {"id", "ids"}:
            ids = self.samples.all_ids
            if name == "id":
                chosen = self.draw(st.sampled_from((*ids, MALFORMED_ID)))
                self._ids_asked = (_type_of(self.samples, chosen),)
                return chosen
            many = self.draw(st.lists(st.sampled_from((*ids, MALFORMED_ID)), max_size=4))
            self._ids_asked = tuple(_type_of(self.samples, i) for i in many)
            return many
        if not required and not self.chance(0.35):
            return _OMIT
        return self.value(argument.type, name, 0)

    def value(self, type_: GraphQLInputType, name: str, depth: int) -> Any:
        if isinstance(type_, GraphQLNonNull):
            return self.value(type_.of_type, name, depth)
        if isinstance(type_, GraphQLList):
            length = self.draw(st.integers(0, 3))
            return [self.value(type_.of_type, name, depth) for _ in range(length)]
        if get_named_type(type_).name == "ID":  # a filter's ``account: ID``: an account's
            same = self.samples.ids.get(name[:1].upper() + name[1:], ())
            if same and not self.chance(0.1):
                return self.draw(st.sampled_from(same))
        if isinstance(type_, GraphQLEnumType):
            return Enum(self.draw(st.sampled_from(sorted(type_.values))))
        if isinstance(type_, GraphQLInputObjectType):
            return self.input_object(type_, depth)
        assert isinstance(type_, GraphQLScalarType)
        return self.draw(_SCALARS.get(type_.name, st.just(None))(self.samples))

    def input_object(self, type_: GraphQLInputObjectType, depth: int) -> dict[str, Any]:
        fields = type_.fields
        required = [n for n, f in fields.items() if isinstance(f.type, GraphQLNonNull)]
        optional = sorted(set(fields) - set(required)) if depth < 1 else []
        chosen: list[str] = []
        if optional:
            chosen = self.draw(st.lists(st.sampled_from(optional), max_size=2, unique=True))
        return {n: self.value(fields[n].type, n, depth + 1) for n in [*required, *chosen]}

    def written(self, type_: GraphQLInputType, value: Any) -> str:
        """The value as a literal, or as a variable of the argument's type (now and then)."""
        if self.chance(0.25):
            name = self.fresh("v")
            self.variables[name] = (str(type_), _as_json(value))
            return f"${name}"
        return _literal(value)

    def directive(self) -> str:
        condition = self.draw(st.booleans())
        which = self.draw(st.sampled_from(("skip", "include")))
        if self.chance(0.5):
            name = self.fresh("d")
            self.variables[name] = ("Boolean!", condition)
            return f" @{which}(if: ${name})"
        return f" @{which}(if: {json.dumps(condition)})"

    @staticmethod
    def _can_ask(definition: GraphQLField) -> bool:
        """A field whose required arguments the writer knows how to give."""
        return all(
            _known(argument.type)
            for argument in definition.args.values()
            if is_required_argument(argument)
        )


class _Omit:
    pass


_OMIT = _Omit()


def _known(type_: GraphQLInputType) -> bool:
    named = get_named_type(type_)
    return (
        not isinstance(named, GraphQLScalarType)
        or named.name in _SCALARS
        or named.name
        in {
            "ID",
            "String",
        }
    )


def _type_of(samples: Samples, global_id: str) -> str:
    for type_name, ids in samples.ids.items():
        if global_id in ids:
            return type_name
    return ""


_SCALARS: dict[str, Callable[[Samples], st.SearchStrategy[Any]]] = {
    "Int": lambda _: st.sampled_from(INTS),
    "Float": lambda _: st.sampled_from((0.0, 0.5, 1.0)),
    "Boolean": lambda _: st.booleans(),
    "String": lambda _: st.sampled_from(TEXTS),
    "ID": lambda samples: st.sampled_from((*samples.all_ids, MALFORMED_ID)),
    "Date": lambda _: st.sampled_from(DATES),
    "DateTime": lambda _: st.sampled_from(DATETIMES),
    "Decimal": lambda _: st.sampled_from(("0", "1.5", "1000")),
}


def _literal(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    return json.dumps(value)


def _as_json(value: Any) -> Any:
    if isinstance(value, Enum):
        return str(value)
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


@st.composite
def documents(draw: Draw[Any], schema: GraphQLSchema, samples: Samples) -> Document:
    """One query document over ``schema``, with its variables."""
    writer = _Writer(draw, schema, samples)
    query = writer.operation()
    # Invalid ones (two fragments selecting one key with types that differ) are refused by
    # the same validation before either path runs: nothing to compare.
    assume(not validate(schema, parse(query)))
    return Document(query, {name: value for name, (_, value) in writer.variables.items()})


def corpus(
    schema: GraphQLSchema, samples: Samples, count: int, seed: int | None = None
) -> list[Document]:
    """``count`` different documents, the same ones every run (derandomized: a CI failure
    reproduces); another ``seed`` draws another corpus (when hunting).

    Generated up front rather than one per hypothesis example: each runs through both paths
    for every persona, and every mismatch is reported at once, with its document, rather than
    shrunk one at a time (two dozen requests a step)."""
    found: dict[str, Document] = {}

    @settings(
        # Hypothesis starts with the simplest documents, which repeat: twice the tries.
        max_examples=2 * count,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(documents(schema, samples))
    def collect(document: Document) -> None:
        key = document.query + json.dumps(document.variables, sort_keys=True)
        if len(found) < count:
            found.setdefault(key, document)

    if seed is not None:
        collect = hypothesis_seed(seed)(collect)
    with _without_local_constants():
        collect()
    return list(found.values())


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis mixes into its draws now and then the constants it finds in the source of
    the modules loaded so far (``providers._get_local_constants``, internal): which ones
    depends on what else ran first (this file alone or the whole suite), and so would the
    corpus. Without them it is the same whatever ran before; if hypothesis renames the
    function, the corpus is still the same for one way of running the suite."""
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None:
        yield
        return
    empty = Constants()
    cache.cache.clear()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


__all__ = ["Document", "Samples", "corpus", "documents"]
