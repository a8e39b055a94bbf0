"""Daily UTC partitions: one set for the analytics assets, one for the compliance assets.

Windows stay midnight to midnight UTC, as the API's days are; the 12-hour lag is handled by
when the schedule runs (12:30 UTC), not by shifting the windows. Each set starts where its API's
window began when the install started (analytics 90 days back, compliance files 30), so a
fresh install shows no partition it can never fill, and the start is fixed per install (rules:
`lib/partition_starts.py`, docs/operations.md "Where the partitions start"), so the set does
not move between runs, processes or machines. The starts are the one setting read when the
code is imported, because a partition set is part of the asset definitions.

Two sets, not one, because the compliance log cannot serve the 60 days before its 30: a job
holds assets of one set, so the compliance assets have their own jobs (`defs/automation.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from codex_assets.lib import partition_starts
from codex_assets.lib.api_windows import ANALYTICS_SLA, COMPLIANCE_SLA
from codex_assets.lib.partition_starts import RECORD_FILE, Starts
from codex_assets.lib.settings import environment, local_data_path
from codex_assets.lib.utc import utc_now

START_DATE_VAR = "CODEX_START_DATE"


def fresh_starts() -> Starts:
    """A fresh install's starts: the oldest day each API serves now."""
    now = utc_now()
    return Starts(
        ANALYTICS_SLA.oldest_refillable_day(now),
        COMPLIANCE_SLA.oldest_refillable_day(now),
        "fresh install",
    )


def record_path(environ: Mapping[str, str]) -> Path:
    """`partitions.json` in the local data directory (beside the DuckDB file for an
    object-store CODEX_DATA_DIR; docs/operations.md says to set CODEX_START_DATE there)."""
    data = local_data_path(environ.get("CODEX_DATA_DIR", ""), environ.get("CODEX_DUCKDB_PATH"))
    return data / RECORD_FILE


def resolve_starts(environ: Mapping[str, str], fresh: Starts | None = None) -> Starts:
    """The starts `environ` gives: CODEX_START_DATE, else the data directory's record, else
    `fresh` (today's)."""
    return partition_starts.resolve(
        partition_starts.parse_start(environ.get(START_DATE_VAR, ""), START_DATE_VAR),
        partition_starts.read_record(record_path(environ)),
        fresh or fresh_starts(),
    )


STARTS = resolve_starts(environment())
"""This install's starts, resolved once when the code loads (the webserver, the daemon, each
run's process and the CLI resolve the same ones from the same environment and data dir)."""


def record_starts(
    data_path: Path, landed_analytics: Iterable[date], landed_compliance: Iterable[date]
) -> Starts:
    """Fix the starts in the local data directory `data_path` (each run does this first, so
    the set no longer follows the calendar): `STARTS`, each moved earlier to the first day its
    source has landed (a lake older than its record keeps its history reachable); a record is
    rewritten only to move a start earlier. Returns what is recorded."""
    path = data_path / RECORD_FILE
    recorded = partition_starts.read_record(path)
    wanted = partition_starts.resolve(
        None, recorded or STARTS, STARTS, landed_analytics, landed_compliance
    )
    if recorded is None:
        partition_starts.write_record(path, wanted)
    elif (wanted.analytics, wanted.compliance) != (recorded.analytics, recorded.compliance):
        partition_starts.write_record(path, wanted, overwrite=True)
    return wanted


def _daily(start: date) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(start_date=start.isoformat(), timezone="UTC", end_offset=0)


daily_partitions = _daily(STARTS.analytics)
"""The analytics assets' days (the raw analytics tables and every mart built on them)."""
compliance_partitions = _daily(STARTS.compliance)
"""The compliance log's days and those of what is built on it alone."""


def partition_days(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[date]:
    """Every day of the run's partition range: one day, or a whole single-run backfill.

    `context.partition_key` raises inside a range run, so always go through the time window
    (UTC days, whichever of the two sets the asset has).
    """
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + timedelta(days=i) for i in range((end - first).days)]
