"""Emptying the application tables and bulk-loading generated rows with COPY.

Ids are assigned here, in insertion order starting at 1, so the generators can link rows
without a round trip; identities are moved past them at the end so the application's own
inserts continue the series. ``number`` columns are left to their sequence defaults, which
COPY evaluates row by row in order: the same rows always get the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from csm_graphql.tables import metadata

Row = dict[str, Any]


class RowSink:
    """Collects generated rows per table, hands out their ids and writes them with COPY."""

    def __init__(self) -> None:
        self._last_id: Counter[str] = Counter()
        self._columns: dict[str, tuple[str, ...]] = {}
        self._pending: defaultdict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self.pending_rows = 0

    def add(self, table: Table, row: Row) -> int:
        """Queue ``row`` for ``table``, setting its ``id``; returns the id (0 if it has none)."""
        row_id = 0
        if "id" in table.c:
            row_id = self._last_id[table.name] + 1
            self._last_id[table.name] = row_id
            row["id"] = row_id
        columns = self._columns.get(table.name)
        if columns is None:
            columns = self._columns[table.name] = tuple(sorted(row))
        if len(row) != len(columns):
            raise ValueError(f"{table.name}: expected columns {columns}, got {sorted(row)}")
        # itemgetter picks by name, so builders may spell a row's keys in any order.
        self._pending[table.name].append(itemgetter(*columns)(row))
        self.counts[table.name] += 1
        self.pending_rows += 1
        return row_id

    async def flush(self, conn: AsyncConnection) -> None:
        """COPY everything queued, parents before children, inside the caller's transaction."""
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        for table in metadata.sorted_tables:
            rows = self._pending.pop(table.name, None)
            if rows:
                await driver.copy_records_to_table(
                    table.name, records=rows, columns=list(self._columns[table.name])
                )
        self.pending_rows = 0

    async def continue_identities(self, conn: AsyncConnection) -> None:
        """Let the application's next insert into each table take the id after ours."""
        for name, last_id in sorted(self._last_id.items()):
            table = _quote(conn, metadata.tables[name])
            await conn.execute(
                text(f"ALTER TABLE {table} ALTER COLUMN id RESTART WITH {last_id + 1}")
            )


async def empty_database(conn: AsyncConnection) -> None:
    """Remove every application row and restart ids and human numbers at 1.

    Runs through SQLAlchemy (not the raw driver) so that it also opens the caller's
    transaction on the driver connection before any COPY uses it. Only the tables that exist
    are emptied: a database at an older revision (the migration tests seed one) lacks the
    tables later revisions add.
    """
    existing = set(
        await conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        )
    )
    tables = ", ".join(
        _quote(conn, table) for table in metadata.sorted_tables if table.name in existing
    )
    await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    sequences = await conn.scalars(
        text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
            "FROM pg_sequences WHERE schemaname = current_schema() ORDER BY sequencename"
        )
    )
    for sequence in sequences.all():
        await conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


def _quote(conn: AsyncConnection, table: Table) -> str:
    return conn.dialect.identifier_preparer.format_table(table)
