"""Land compliance log files into the lake: one partition per UTC day, one file at a time.

A day is planned before anything is sent: days the API can serve are fetched; days beyond the
30-day retention that are already in the lake are kept as they are (the files are gone from the
API, and the lake is now the only copy); days beyond retention that were never landed cannot be
fetched. A range holding any such day is refused with the client's retention message before
any request: Dagster records every partition of a run's range as materialized, so a day the
API cannot serve must not be in the range at all (`codex-assets demo` / `backfill` run the
compliance log over the days it can serve; docs/operations.md, "Days the API cannot serve").

Each day is fetched whole or not at all: its files are listed, downloaded and verified (size
and sha256) a few at a time (one pool for every day, so the next day is fetched while the last
file of this one waits out a retry), and each verified body is streamed, in listing order, into
the partition's DuckDB COPY (`Lake.stream_partition`), so memory holds a few files, not the day.
The partition is published with one rename only after every file of the day verified and the
COPY finished; a file that keeps failing verification fails the day, and nothing of that day
is published.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from codex_assets.defs.compliance.client import (
    CODEX_LOG,
    ComplianceClient,
    ComplianceWindowError,
    check_compliance_days,
    latest_complete_day,
    oldest_retained_day,
)
from codex_assets.defs.compliance.download import VerifiedFile
from codex_assets.defs.compliance.log_files import ListedDay, LogFile
from codex_assets.defs.compliance.specs import CODEX_LOG_SPEC
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql

RAW_TABLE = CODEX_LOG_SPEC.name
FILE_COLUMNS = ("file_id", "file_name", "file_end_time", "file_sha256")
LANDING_MEMORY_LIMIT = "384MB"
"""DuckDB's cap while a day streams into Parquet. The landing only copies each line with its
file's columns (no parsing), so little needs to be held. On a million-event day against the
benchmark's simulator server (benchmarks/compliance_ingest.py, landing wall and peak RSS):
384 MB 3.9-4.8 s and 520-580 MiB; 512 MB 4.0 s and 576 MiB; 640 MB 4.0-4.5 s and 560-630
MiB; 256 MB slowed to 5.1 s."""


@dataclass(frozen=True)
class DayPlan:
    """What to do with each requested day."""

    fetch: tuple[date, ...]
    kept: tuple[date, ...]


def plan_days(days: Sequence[date], now: datetime, landed: Sequence[date]) -> DayPlan:
    """Split `days` by what the API can still serve at `now` (see the module docstring).

    Raises `ComplianceWindowError` (before any request) for days not complete yet, and for
    days beyond retention that were never landed (the run would record them materialized).
    """
    wanted = sorted(set(days))
    oldest, latest = oldest_retained_day(now), latest_complete_day(now)
    landed_set = set(landed)
    too_old = [d for d in wanted if d < oldest]
    not_complete = [d for d in wanted if d > latest]
    if not_complete:
        check_compliance_days(not_complete, now)
    fetch = tuple(d for d in wanted if oldest <= d <= latest)
    kept = tuple(d for d in too_old if d in landed_set)
    unavailable = tuple(d for d in too_old if d not in landed_set)
    if unavailable:
        raise ComplianceWindowError.build_compliance(too_old=unavailable, not_complete=(), now=now)
    return DayPlan(fetch, kept)


@dataclass
class ComplianceLandingReport:
    """What one materialization fetched and landed, for the run's metadata."""

    rows_by_day: dict[date, int] = field(default_factory=dict)
    files_by_day: dict[date, int] = field(default_factory=dict)
    bytes_by_day: dict[date, int] = field(default_factory=dict)
    requests: int = 0
    integrity_retries: int = 0
    kept: tuple[date, ...] = ()

    @property
    def rows(self) -> int:
        return sum(self.rows_by_day.values())

    @property
    def files(self) -> int:
        return sum(self.files_by_day.values())

    @property
    def bytes(self) -> int:
        return sum(self.bytes_by_day.values())


def land_compliance_days(
    client: ComplianceClient,
    lake: Lake,
    days: Sequence[date],
    *,
    source: str,
    now: datetime,
    event_type: str = CODEX_LOG,
    on_day: Callable[[date, int, int], None] | None = None,
) -> ComplianceLandingReport:
    """Fetch, verify and land each servable day of `days` as one whole partition."""
    plan = plan_days(days, now, lake.landed_days(RAW_TABLE))
    report = ComplianceLandingReport(kept=plan.kept)
    select = read_sql(CODEX_LOG_SPEC.landed_by)
    fetched = client.iter_days(event_type, plan.fetch)
    with contextlib.closing(fetched):  # on an error, stop the downloads still in flight
        for listed in fetched:  # each day's listing, followed by its files (`iter_days`)
            assert isinstance(listed, ListedDay)
            files = listed.files
            with lake.stream_partition(
                RAW_TABLE,
                listed.day,
                select,
                parts=[_file_columns(f) for f in files],
                columns=FILE_COLUMNS,
                memory_limit=LANDING_MEMORY_LIMIT,
                metadata={
                    "source": source,
                    "event_type": event_type,
                    "files": len(files),
                    "bytes": sum(f.file_size for f in files),
                    "complete": "true",
                },
            ) as stream:
                for _ in files:
                    verified = next(fetched)
                    assert isinstance(verified, VerifiedFile)
                    stream.write(verified.body)
                    report.requests += verified.requests
                rows = stream.commit()
            report.rows_by_day[listed.day] = rows
            report.files_by_day[listed.day] = len(files)
            report.bytes_by_day[listed.day] = stream.bytes
            if on_day is not None:
                on_day(listed.day, len(files), rows)
    report.integrity_retries = client.integrity_retries
    return report


def _file_columns(log_file: LogFile) -> dict[str, object]:
    """The columns each line of `log_file` gets (`FILE_COLUMNS`)."""
    return {
        "file_id": log_file.id,
        "file_name": log_file.file_name,
        "file_end_time": log_file.end_time.replace(tzinfo=None),
        "file_sha256": log_file.file_sha256,
    }
