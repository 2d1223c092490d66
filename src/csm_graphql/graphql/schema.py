"""The served schema: ``build_schema(settings)``, and ``schema`` for tools that want the SDL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLEnumType, GraphQLError
from strawberry.schema.config import StrawberryConfig

from csm_graphql.domain.descriptions import value_description
from csm_graphql.graphql.compiled import CompiledReader, CompiledReads
from csm_graphql.graphql.declared.registry import node_classes
from csm_graphql.graphql.declared.roots import served_mutation, served_query
from csm_graphql.graphql.mutations import Mutation
from csm_graphql.graphql.queries import Query
from csm_graphql.graphql.scalars import SCALAR_OVERRIDES
from csm_graphql.settings import Settings
from csm_graphql.throttle import Throttle

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer


class Schema(strawberry.Schema):
    # The compiled reads' planner and statement cache, when on (its counters feed /metrics).
    compiled_reader: CompiledReader | None = None
    # The rate limiter its extensions charge (the compiled reads' fast path charges the same).
    throttle: Throttle | None = None

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Do nothing: the CodeErrors extension logs what is unexpected, once, and client
        mistakes (an unknown field, a bad id) are not server errors worth a traceback."""


def build_schema(settings: Settings | None = None, *, tracer: Tracer | None = None) -> Schema:
    from csm_graphql.graphql.extensions import schema_extensions

    settings = settings or Settings()
    throttle = Throttle.from_settings(settings.rate_limit)
    extensions = schema_extensions(
        settings.limits, production=settings.production, throttle=throttle, tracer=tracer
    )
    if settings.compiled_reads:
        # Last: it answers in on_execute, after every other extension has checked the request.
        reader = CompiledReader()
        debug = not settings.production
        extensions.append(lambda: CompiledReads(reader, debug=debug))
    # The roots with the areas entity modules declare beside their types (declared/roots.py);
    # building them imports every type module first, so node_classes() below is complete.
    query, mutation = served_query(Query), served_mutation(Mutation)
    schema = Schema(
        query=query,
        mutation=mutation,
        # Some node types are reachable only through the Node interface.
        types=node_classes(),
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides=SCALAR_OVERRIDES,
    )
    describe_enum_values(schema)
    schema.throttle = throttle
    if settings.compiled_reads:
        schema.compiled_reader = reader
    return schema


def describe_enum_values(schema: strawberry.Schema) -> None:
    """Give every enum value the description written beside its Python enum (see
    ``domain/descriptions.py``). Strawberry only reads value descriptions from
    ``strawberry.enum_value(...)`` members, which the domain's plain enums cannot use, so they
    are set on the built schema, which both introspection and the SDL read."""
    for graphql_type in schema._schema.type_map.values():
        enum_class = getattr(graphql_type, "wrapped_cls", None)
        if isinstance(graphql_type, GraphQLEnumType) and enum_class is not None:
            for name, value in graphql_type.values.items():
                value.description = value_description(enum_class, name)


def sdl() -> str:
    """The schema as served (production and development serve the same types)."""
    return build_schema().as_str() + "\n"


__all__ = ["build_schema", "sdl"]
