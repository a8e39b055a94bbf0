"""`CODEX_COMPLIANCE_RETENTION_DAYS`: purge compliance data older than N days, and only it.

Unset, nothing is ever purged (the lake is the lasting copy). Set to N, every compliance
partition whose day is before today (UTC) minus N days is deleted from the lake, and with it
every row derived from those partitions: `restricted.compliance_events` and
`restricted.secret_findings` rows of those partition days, `marts.compliance_activity_daily`
and `marts.compliance_agent_activity_daily` rows of those days, `marts.access_token_events`
rows for events before the cutoff, and the export files of those days. Nothing else is
touched: no analytics table, no other day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from codex_assets.defs.compliance.export import export_paths
from codex_assets.defs.compliance.landing import RAW_TABLE
from codex_assets.defs.compliance.specs import (
    ACCESS_TOKENS_SPEC,
    ACTIVITY_SPEC,
    AGENT_ACTIVITY_SPEC,
    EVENTS_SPEC,
    FINDINGS_SPEC,
)
from codex_assets.lib.lake import Lake
from codex_assets.lib.utc import as_utc, utc_now
from codex_assets.lib.warehouse import transaction


@dataclass(frozen=True)
class Purge:
    cutoff: date | None
    partitions: tuple[date, ...] = ()
    rows: int = 0
    files: int = 0


def retention_cutoff(retention_days: int | None, now: datetime) -> date | None:
    """The first day kept: today (UTC) minus `retention_days`; None keeps everything."""
    if retention_days is None:
        return None
    if retention_days < 1:
        raise ValueError(f"retention must be at least 1 day, got {retention_days}")
    return as_utc(now).date() - timedelta(days=retention_days)


def purge_compliance(
    lake: Lake,
    conn: duckdb.DuckDBPyConnection | None,
    data_dir: Path,
    retention_days: int | None,
    now: datetime | None = None,
) -> Purge:
    """Delete compliance partitions and derived rows before the retention cutoff."""
    cutoff = retention_cutoff(retention_days, now or utc_now())
    if cutoff is None:
        return Purge(None)
    partitions = tuple(d for d in lake.landed_days(RAW_TABLE) if d < cutoff)
    for day in partitions:
        lake.drop_partition(RAW_TABLE, day)
    rows = 0
    if conn is not None:
        params = {"cutoff": cutoff}
        existing = {
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
        deletes = (
            (EVENTS_SPEC, "day < $cutoff"),
            (FINDINGS_SPEC, "day < $cutoff"),
            (ACTIVITY_SPEC, "day < $cutoff"),
            (AGENT_ACTIVITY_SPEC, "day < $cutoff"),
            (ACCESS_TOKENS_SPEC, "timestamp < $cutoff"),
        )
        with transaction(conn):
            for spec, where in deletes:
                if spec.qualified_name in existing:
                    deleted = conn.execute(
                        f"DELETE FROM {spec.qualified_name} WHERE {where}", params
                    ).fetchone()
                    rows += int(deleted[0]) if deleted else 0
    files = 0
    directory = export_paths(data_dir, cutoff)[0].parent
    if directory.is_dir():
        for path in directory.glob("codex_log-*.*"):
            stem = path.name.removeprefix("codex_log-").split(".", 1)[0]
            try:
                day = date.fromisoformat(stem)
            except ValueError:
                continue
            if day < cutoff:
                path.unlink()
                files += 1
    return Purge(cutoff, partitions, rows, files)
