"""`restricted.secret_findings`: credentials and private keys in Codex prompts and responses.

DuckDB narrows the events to those whose prompt, response or tool input matches the DLP
prefilter (RE2, in DuckDB's threads); `codex_assets.defs.compliance.dlp` scans those few in Python and
writes one row per finding with a redacted excerpt, so the table says where a secret leaked
without holding it. Findings follow the events: a refresh of partitions [start, end] replaces
their findings, and findings whose event row no longer exists (a later duplicate dropped, a
partition purged) are removed.
"""

from __future__ import annotations

from datetime import date

import duckdb

from codex_assets.defs.compliance import dlp
from codex_assets.defs.compliance.specs import EVENTS_SPEC, FINDINGS_SPEC
from codex_assets.lib.sql import read_sql
from codex_assets.lib.warehouse import transaction

BATCH_ROWS = 5_000


def refresh_findings(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> int:
    """Rescan the events of partitions [start, end]; return the findings written."""
    EVENTS_SPEC.ensure(conn)
    FINDINGS_SPEC.ensure(conn)
    table = FINDINGS_SPEC.qualified_name
    params = {"start": start, "end": end}
    cursor = conn.execute(
        read_sql("defs/compliance/secret_candidates.sql"), {**params, "prefilter": dlp.PREFILTER}
    )
    rows: list[tuple] = []
    while batch := cursor.fetchmany(BATCH_ROWS):
        for day, event_id, timestamp, user_id, field, value in batch:
            for finding, excerpt in dlp.excerpts(value):
                rows.append(
                    (day, event_id, timestamp, user_id, field, finding.kind, finding.start, excerpt)
                )
    with transaction(conn):
        conn.execute(f"DELETE FROM {table} WHERE day BETWEEN $start AND $end", params)
        conn.execute(
            f"DELETE FROM {table} AS f WHERE NOT EXISTS (SELECT 1 FROM "
            f"{EVENTS_SPEC.qualified_name} AS e WHERE e.event_id = f.event_id AND e.day = f.day)"
        )
        if rows:
            conn.executemany(
                f"INSERT INTO {table} (day, event_id, timestamp, user_id, field, kind, position, "
                "excerpt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    return len(rows)
