"""Deterministic demo data: the same (seed, scale, anchor) always writes identical rows.

``seed()`` empties every application table, then writes the directory (accounts, contacts,
users, products, articles) and, account by account, the customer-success graph. Rows are
streamed to PostgreSQL with COPY in chunks, so memory stays flat and no single statement runs
long enough to meet the server's statement timeout, even at ``scale=100``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from csm_graphql.demo.cases import build_cases
from csm_graphql.demo.directory import build_directory
from csm_graphql.demo.graph import AccountGraph
from csm_graphql.demo.initiative_links import link_initiatives_to_objectives
from csm_graphql.demo.projects import ProjectGraph, link_raised_records
from csm_graphql.demo.requests import build_requests
from csm_graphql.demo.sampling import Clock, child_rng
from csm_graphql.demo.workspace import BuiltEngagement, WorkspaceGraph, build_catalogue
from csm_graphql.demo.writer import RowSink, empty_database
from csm_graphql.tables import metadata

# Rows buffered before a COPY round: big enough to amortise round trips, small enough to keep
# each statement well under a second.
FLUSH_ROWS = 50_000


@dataclass(frozen=True)
class SeedSummary:
    counts: dict[str, int]  # rows per table, every application table included


async def seed(
    conn: AsyncConnection, *, scale: int = 1, seed: int = 42, anchor: date | None = None
) -> SeedSummary:
    """Replace all application data with the demo data set, in the caller's transaction.

    ``scale`` multiplies the generated accounts (about 1,100 success cases per unit);
    ``anchor`` is "today" for due dates, meetings and activity times (default: today).
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    # Today in UTC, the demo clock's zone: a local date ahead of UTC would put "now" ahead.
    clock = Clock(anchor or datetime.now(UTC).date())
    sink = RowSink()
    await empty_database(conn)
    directory = build_directory(sink, clock, seed, scale)
    catalogue = build_catalogue(sink, clock)
    await sink.flush(conn)
    for account in directory.success_accounts:
        rng = child_rng(seed, "graph", account.key)
        graph = AccountGraph(sink, clock, rng, directory, account)
        graph.build()
        # Its own generator, so the workspace leaves the success graph's draws unchanged.
        workspace_rng = child_rng(seed, "workspace", account.key)
        workspace = WorkspaceGraph(
            sink, clock, workspace_rng, directory, account, catalogue, graph.agents
        )
        workspace.build([BuiltEngagement(*built) for built in graph.engagements])
        if sink.pending_rows >= FLUSH_ROWS:
            await sink.flush(conn)
    ProjectGraph(sink, clock, seed, directory).build()
    await sink.flush(conn)
    # Cases come after the success graph, from generators of their own: adding them changes
    # no success record.
    build_cases(sink, clock, seed, directory)
    build_requests(sink, clock, seed, directory)
    await sink.flush(conn)
    await link_raised_records(conn)
    await link_initiatives_to_objectives(conn)
    await sink.continue_identities(conn)
    return SeedSummary({table.name: sink.counts[table.name] for table in metadata.sorted_tables})
