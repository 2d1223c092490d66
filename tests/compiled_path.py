"""``CSM_COMPILED_READS=on pytest ...`` runs the suite's app (the ``client`` fixtures) with the
compiled reads on (issue 10): the same tests then hold the compiled path to the same
expectations, e.g. the access tests in CI (.ci/run). Which path answered each query is counted
and printed at the end of the run, with the most frequent reasons a query fell back to the
resolvers, so that a run on the compiled path shows how much of it the compiled path served.
"""

from __future__ import annotations

import os

import pytest
from strawberry.types import ExecutionContext, ExecutionResult

from csm_graphql.graphql.compiled import CompiledReader
from csm_graphql.settings import ENVIRONMENT_VARIABLES

assert "CSM_COMPILED_READS" in ENVIRONMENT_VARIABLES
ON = os.environ.get("CSM_COMPILED_READS", "").strip().lower() == "on"

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
    reporter.write_sep("-", "compiled reads (CSM_COMPILED_READS=on)")
    reporter.write_line(f"{served} of {total} queries answered by the compiled path")
    for reason, count in sorted(fallbacks.items(), key=lambda item: -item[1])[:15]:
        reporter.write_line(f"  {count:6d}  fell back: {reason}")
