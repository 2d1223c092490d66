"""The suite's app (the ``client`` fixtures) runs with the compiled reads on, as the app does
by default (issue 10); ``CSM_COMPILED_READS=off pytest ...`` runs it on the resolvers instead,
and CI (.ci/run) runs the suite that way too, so that both paths are held to the same
expectations. Which path answered each query is counted and printed at the end of a run on the
compiled path, with the most frequent reasons a query fell back to the resolvers.
"""

from __future__ import annotations

import os

import pytest
from strawberry.types import ExecutionContext, ExecutionResult

from csm_graphql.graphql.compiled import CompiledReader
from csm_graphql.settings import ENVIRONMENT_VARIABLES, Settings
from tests.support import GraphQLClient

assert "CSM_COMPILED_READS" in ENVIRONMENT_VARIABLES
# Read as the app reads it: on unless set to off.
_SWITCH = {"CSM_COMPILED_READS": os.environ.get("CSM_COMPILED_READS", "")}
ON = Settings.from_env(_SWITCH).compiled_reads

# Every reader of the session (kept: an app's reader outlives its module's fixtures here).
_readers: set[CompiledReader] = set()


def _count_readers() -> None:
    run = CompiledReader.run

    async def counted(self: CompiledReader, context: ExecutionContext) -> ExecutionResult | None:
        _readers.add(self)
        return await run(self, context)

    CompiledReader.run = counted  # type: ignore[method-assign]


if ON:
    _count_readers()


def summary(reporter: pytest.TerminalReporter) -> None:
    if not ON:
        return
    served = sum(reader.served for reader in _readers)
    fallbacks: dict[str, int] = {}
    for reader in _readers:
        for reason, count in reader.fallbacks.items():
            fallbacks[reason] = fallbacks.get(reason, 0) + count
    total = served + sum(fallbacks.values())
    reporter.write_sep("-", "compiled reads (the default; CSM_COMPILED_READS=off turns them off)")
    reporter.write_line(f"{served} of {total} queries answered by the compiled path")
    for reason, count in sorted(fallbacks.items(), key=lambda item: -item[1])[:15]:
        reporter.write_line(f"  {count:6d}  fell back: {reason}")


# A compiled read: the viewer's statement, then the one that builds the whole response.
COMPILED_STATEMENTS = 2


def pinned(client: GraphQLClient, *, resolvers: int, compiled: int = COMPILED_STATEMENTS) -> int:
    """The statement count pinned for a query on the path ``client`` runs: each path's own
    (the statement-count tests run on both, ``each_path`` in conftest)."""
    return compiled if client.settings.compiled_reads else resolvers
