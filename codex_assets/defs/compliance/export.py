"""The SIEM / eDiscovery export: one day of deduplicated Codex audit events, as files.

`$CODEX_DATA_DIR/exports/compliance/codex_log-YYYY-MM-DD.jsonl` (and `.parquet`) hold the
events first delivered on partition day D (each event is in exactly one day's file, so a SIEM
can ingest every new file once without duplicates; a late event is in the file of the day it
arrived, its `timestamp` untouched). The JSONL lines are the events exactly as delivered,
ordered by (timestamp, event_id), one per line with `\n` endings; the Parquet file has the
typed columns of `restricted.compliance_events` in the same order (written single-threaded so
its bytes do not depend on scheduling). Re-running an export over the same landed data gives
byte-identical files, written to a temporary name and renamed, owner-only (they hold text).

A day that was landed with no events (an idle day: the API listed no files, or files with no
Codex events) gets no JSONL or Parquet file, which a SIEM could not tell from a failed
export, but a marker, `codex_log-YYYY-MM-DD.idle.json`, saying the day was loaded and held
no events. A day that was never landed gets nothing at all (docs/compliance.md, "Exports").

Each Parquet file records in its footer what its day held when it was written (a count and a
hash of the event ids). Loading an earlier day after a later one moves the events both
delivered to the earlier day; `export_days` then also rewrites the later days' exports whose
footer no longer matches, so an event is never in two files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from codex_assets.defs.compliance.specs import EVENTS_SPEC
from codex_assets.lib.sql import read_sql, sql_string

EXPORT_SUBDIR = Path("exports") / "compliance"
FETCH_ROWS = 10_000
FINGERPRINT_KEY = "codex_events_fingerprint"


IDLE_SUFFIX = ".idle.json"


def export_paths(data_dir: Path, day: date) -> tuple[Path, Path]:
    directory = data_dir / EXPORT_SUBDIR
    stem = f"codex_log-{day.isoformat()}"
    return directory / f"{stem}.jsonl", directory / f"{stem}.parquet"


def idle_marker_path(data_dir: Path, day: date) -> Path:
    """The marker of a day landed without events (in place of its JSONL and Parquet files)."""
    return data_dir / EXPORT_SUBDIR / f"codex_log-{day.isoformat()}{IDLE_SUFFIX}"


@dataclass(frozen=True)
class ExportedDay:
    """One day's export: its JSONL and Parquet files, or (no events) its idle marker."""

    day: date
    events: int
    jsonl: Path | None
    parquet: Path | None
    jsonl_sha256: str | None
    idle_marker: Path | None = None


def export_days(
    conn: duckdb.DuckDBPyConnection,
    data_dir: Path,
    days: Sequence[date],
    landed: Collection[date] | None = None,
) -> tuple[list[ExportedDay], list[ExportedDay]]:
    """Export those of `days` that were `landed` (all of them if None), then rewrite every
    later day's export that is stale (see module doc).

    Returns (the days' exports, the later exports rewritten)."""
    wanted = sorted(d for d in set(days) if landed is None or d in landed)
    exported = [export_day(conn, data_dir, day) for day in wanted]
    later = [day for day in _exported_days(data_dir) if wanted and day > wanted[-1]]
    if not later:
        return exported, []
    current = _fingerprints(conn, later)
    stale = [day for day in later if _footer_fingerprint(conn, data_dir, day) != current[day]]
    return exported, [export_day(conn, data_dir, day) for day in stale]


def export_day(conn: duckdb.DuckDBPyConnection, data_dir: Path, day: date) -> ExportedDay:
    """Write day `day`'s export files (replacing any previous ones), or its idle marker when
    it holds no events; `day` must have been landed (an idle day is a landed one)."""
    EVENTS_SPEC.ensure(conn)
    jsonl, parquet = export_paths(data_dir, day)
    jsonl.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for directory in (jsonl.parent.parent, jsonl.parent):  # exports/ and exports/compliance/
        os.chmod(directory, 0o700)
    select = read_sql("defs/compliance/export_day.sql")
    params = {"day": day}

    temporary = jsonl.with_name(f".{jsonl.name}.{uuid.uuid4().hex}.tmp")
    digest = hashlib.sha256()
    events = 0
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            cursor = conn.execute(f"SELECT record::VARCHAR FROM ({select})", params)
            while batch := cursor.fetchmany(FETCH_ROWS):
                chunk = b"".join(row[0].encode() + b"\n" for row in batch)
                digest.update(chunk)
                handle.write(chunk)
                events += len(batch)
            handle.flush()
            os.fsync(handle.fileno())
        if not events:
            return _mark_idle(data_dir, day)
        os.replace(temporary, jsonl)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    idle_marker_path(data_dir, day).unlink(missing_ok=True)

    temporary = parquet.with_name(f".{parquet.name}.{uuid.uuid4().hex}.tmp")
    fingerprint = _fingerprints(conn, [day])[day]
    threads = conn.execute("SELECT current_setting('threads')").fetchone()[0]
    try:
        conn.execute("SET threads = 1")
        conn.execute(
            f"COPY ({select}) TO {sql_string(str(temporary))} "
            # Small row groups: a day's rows hold ~800 MB of text, and the writer buffers a
            # whole row group (the default 122,880 rows went past the 512 MB DuckDB limit).
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384, "
            f"KV_METADATA {{{FINGERPRINT_KEY}: {sql_string(fingerprint)}}})",
            params,
        )
        os.chmod(temporary, 0o600)
        os.replace(temporary, parquet)
    finally:
        conn.execute(f"SET threads = {int(threads)}")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return ExportedDay(day, events, jsonl, parquet, digest.hexdigest())


def _mark_idle(data_dir: Path, day: date) -> ExportedDay:
    """Replace `day`'s export files with the marker saying it was landed without events."""
    for path in export_paths(data_dir, day):
        path.unlink(missing_ok=True)
    marker = idle_marker_path(data_dir, day)
    body = {
        "day": day.isoformat(),
        "events": 0,
        "status": "idle",
        "note": "Landed whole: the Compliance API delivered no Codex events for this day.",
    }
    temporary = marker.with_name(f".{marker.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(body, sort_keys=True) + "\n")
    os.replace(temporary, marker)
    return ExportedDay(day, 0, None, None, None, idle_marker=marker)


def _fingerprints(conn: duckdb.DuckDBPyConnection, days: Sequence[date]) -> dict[date, str]:
    rows = conn.execute(read_sql("defs/compliance/export_fingerprints.sql"), {"days": list(days)})
    return dict(rows.fetchall())


def _footer_fingerprint(conn: duckdb.DuckDBPyConnection, data_dir: Path, day: date) -> str | None:
    """The fingerprint the day's export was written with (None: no Parquet file, or none)."""
    parquet = export_paths(data_dir, day)[1]
    if not parquet.exists():
        return None
    rows = conn.execute(
        "SELECT decode(value) FROM parquet_kv_metadata($path) WHERE decode(key) = $key",
        {"path": str(parquet), "key": FINGERPRINT_KEY},
    ).fetchall()
    return rows[0][0] if rows else None


def _exported_days(data_dir: Path) -> list[date]:
    days = []
    for path in (data_dir / EXPORT_SUBDIR).glob("codex_log-*.jsonl"):
        with contextlib.suppress(ValueError):  # not one of ours: leave it alone
            days.append(date.fromisoformat(path.stem.removeprefix("codex_log-")))
    return sorted(days)
