"""CSV and JSON exports of the marts, shaped like the Codex dashboard's own export options.

Files are written under a temporary name and renamed into place, and their rows are ordered,
so a re-run over the same data produces byte-identical files that downstream tools can diff.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from codex_assets.lib.refresh import execute
from codex_assets.lib.sql import read_sql, sql_string

EXPORTS = (
    "workspace_usage_daily",
    "user_usage_daily",
    "code_review_daily",
    "workspace_usage_weekly",
    "user_usage_weekly",
    "code_review_weekly",
)
EXPORT_DAYS = 90


@dataclass(frozen=True)
class ExportedFile:
    name: str
    rows: int
    csv: Path
    json: Path


def export_analytics(
    conn: duckdb.DuckDBPyConnection,
    directory: Path,
    days: int = EXPORT_DAYS,
    *,
    emails: bool = False,
) -> list[ExportedFile]:
    """Write every export in `EXPORTS` as `<name>.csv` and `<name>.json` into `directory`;
    the per-user ones carry emails only when `emails` (CODEX_EXPORT_EMAILS=true)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    exported = []
    params = {"days": days, "emails": emails}
    for name in EXPORTS:
        query = read_sql(f"defs/reports/{name}.sql")
        (rows,) = execute(conn, f"SELECT count(*) FROM ({query})", params).fetchone()
        csv = _copy(conn, query, params, directory / f"{name}.csv", "FORMAT csv, HEADER true")
        json = _copy(conn, query, params, directory / f"{name}.json", "FORMAT json, ARRAY true")
        exported.append(ExportedFile(name, rows, csv, json))
    return exported


def _copy(
    conn: duckdb.DuckDBPyConnection, query: str, params: dict, target: Path, options: str
) -> Path:
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        execute(conn, f"COPY ({query}) TO {sql_string(str(temporary))} ({options})", params)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target
