"""DuckDB views over the compliance lake, and the deduplicated `restricted.compliance_events`.

Views: `restricted.compliance_codex_log` is every landed line (duplicates, the verbatim event,
and the typed columns, emails and text parsed from it on read: the lake keeps only the line);
`raw.compliance_codex_log` is the same lines without anything restricted (no `record`, no
`user_email`, no text), for lineage and for whoever needs counts without access to the
restricted schema.

Why `restricted.compliance_events` is a table and not a view: deduplicating on `event_id`
needs every earlier delivery of every event. A view would re-read every partition and run the
dedup on each query (tens of millions of lines after a month of a large workspace); the table
keeps each event once, at its first delivery, so the marts, the DLP scan and the export read
one day with a filter. The lake stays the lossless record of every delivery, and the table can
be rebuilt from it at any time. It is maintained per partition range in one transaction:

1. delete the range's rows;
2. insert the first delivery of each event landed in the range that the table does not
   already hold from an earlier partition (the dedup runs on keys only, see events_insert.sql);
3. delete later partitions' rows for events now held from the range (a later copy loaded
   earlier, e.g. when days are loaded out of order).

So whatever order partitions are loaded in, each event is held exactly once, from the earliest
loaded partition that delivered it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import duckdb

from codex_assets.defs.compliance.landing import RAW_TABLE
from codex_assets.defs.compliance.specs import EVENTS_SPEC
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql, sql_string
from codex_assets.lib.warehouse import ensure_schemas, transaction

RESTRICTED_VIEW = "restricted.compliance_codex_log"
RAW_VIEW = "raw.compliance_codex_log"
EVENTS_TABLE = "restricted.compliance_events"


DOWNSTREAM_MEMORY_LIMIT = "512MB"
"""DuckDB's share of a compliance step's memory. A million-event day holds about 800 MB of
text: without a limit DuckDB (default: 80% of RAM) kept the dedup, the join back to the text
and the export's sort in memory, and the steps peaked at 2.75 GiB; with it they spill to
`<warehouse>.tmp` and the process stays under 1 GiB (benchmarks/compliance_ingest.py)."""


@contextlib.contextmanager
def bounded_memory(
    conn: duckdb.DuckDBPyConnection, memory_limit: str = DOWNSTREAM_MEMORY_LIMIT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block with DuckDB's memory capped and insertion order not preserved (so large
    operators can stream and spill), then restore both: the settings belong to the database
    instance, which other assets in the same process share. Every compliance query that needs
    an order says so with ORDER BY."""
    saved = {
        name: conn.execute("SELECT current_setting($name)", {"name": name}).fetchone()[0]
        for name in ("memory_limit", "preserve_insertion_order")
    }
    conn.execute(f"SET memory_limit = '{memory_limit}'")
    conn.execute("SET preserve_insertion_order = false")
    try:
        yield conn
    finally:
        conn.execute(f"SET memory_limit = '{saved['memory_limit']}'")
        conn.execute(f"SET preserve_insertion_order = {bool(saved['preserve_insertion_order'])}")


def create_compliance_views(conn: duckdb.DuckDBPyConnection, lake: Lake) -> bool:
    """(Re)create the two views over the compliance lake; False (and no views) when no
    partition is landed, since DuckDB needs a file to learn the columns."""
    ensure_schemas(conn)
    if not lake.has_table(RAW_TABLE):
        conn.execute(f"DROP VIEW IF EXISTS {RAW_VIEW}")
        conn.execute(f"DROP VIEW IF EXISTS {RESTRICTED_VIEW}")
        return False
    restricted = codex_log_lines_sql(sql_string(lake.table_glob(RAW_TABLE)))
    conn.execute(f"CREATE OR REPLACE VIEW {RESTRICTED_VIEW} AS {restricted}")
    conn.execute(
        f"CREATE OR REPLACE VIEW {RAW_VIEW} AS {read_sql('defs/compliance/view_raw_codex_log.sql')}"
    )
    return True


def codex_log_lines_sql(lake_files: str) -> str:
    """The SELECT of every line in the compliance Parquet files `lake_files` (a SQL string or
    list literal) with its typed columns parsed from `record` (view_restricted_codex_log.sql):
    the restricted view, and the checks' view over just the days they look at."""
    return read_sql("defs/compliance/view_restricted_codex_log.sql").replace(
        "__LAKE_FILES__", lake_files
    )


def ensure_events_table(conn: duckdb.DuckDBPyConnection) -> None:
    ensure_schemas(conn)
    EVENTS_SPEC.ensure(conn)


@dataclass(frozen=True)
class EventsRefresh:
    """What a refresh of partitions [start, end] changed."""

    start: date
    end: date
    rows: int
    dropped_later: int
    event_days: tuple[date, ...]
    """UTC days of the timestamps of every event inserted or removed: the days whose
    per-day marts must be rebuilt (late events make this more than [start, end])."""


def refresh_compliance_events(
    conn: duckdb.DuckDBPyConnection, lake: Lake, start: date, end: date
) -> EventsRefresh:
    """Rebuild `restricted.compliance_events` for partitions [start, end] (see module doc)."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    has_lake = create_compliance_views(conn, lake)
    ensure_events_table(conn)
    params = {"start": start, "end": end}
    with transaction(conn):
        touched = _event_days(conn, "day BETWEEN $start AND $end", params)
        conn.execute(f"DELETE FROM {EVENTS_TABLE} WHERE day BETWEEN $start AND $end", params)
        rows = 0
        dropped = 0
        if has_lake:
            inserted = conn.execute(
                f"INSERT INTO {EVENTS_TABLE} BY NAME {read_sql('defs/compliance/events_insert.sql')}",
                params,
            ).fetchone()
            rows = int(inserted[0]) if inserted else 0
            touched |= _event_days(conn, "day BETWEEN $start AND $end", params)
            touched |= _event_days(
                conn,
                f"day > $end AND event_id IN (SELECT event_id FROM {EVENTS_TABLE} "
                "WHERE day BETWEEN $start AND $end AND event_id IS NOT NULL)",
                params,
            )
            deleted = conn.execute(
                read_sql("defs/compliance/events_drop_later.sql"), params
            ).fetchone()
            dropped = int(deleted[0]) if deleted else 0
    days = touched | {date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1)}
    return EventsRefresh(start, end, rows, dropped, tuple(sorted(days)))


def _event_days(conn: duckdb.DuckDBPyConnection, where: str, params: dict) -> set[date]:
    rows = conn.execute(
        f"SELECT DISTINCT timestamp::DATE FROM {EVENTS_TABLE} "
        f"WHERE {where} AND timestamp IS NOT NULL",
        params,
    ).fetchall()
    return {row[0] for row in rows}
