"""Compiled reads (issue 10): a query answered by one SQL statement whose JSON PostgreSQL
builds, from the same declarations and rules as the resolvers; anything it does not compile
runs through the resolvers. ``plan`` (document -> shapes), ``twins`` (SQL twins of computed
fields), ``execute`` (the plan cache and the schema extension); the SQL is built in
``repositories/compiled.py``."""

from csm_graphql.graphql.compiled.execute import CompiledReader, CompiledReads

__all__ = ["CompiledReader", "CompiledReads"]
