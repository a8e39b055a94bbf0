"""Restatements: which values changed when a raw partition was re-loaded.

The Analytics API revises recent days, so the daily schedule re-loads the two days before
yesterday. When a re-load replaces a partition, every numeric value that differs between the
old partition and the new one is recorded (day, table, key, column, old, new, run id) in the
lake's restatement log, `<lake>/_restatements/<table>/day=YYYY-MM-DD/<file>.parquet`, which
DuckDB shows as the view `marts.restatements`.

Why a log in the lake rather than a DuckDB table: the diff happens inside the raw assets, which
run in the `codex_api` pool and must not wait on (or block) the DuckDB writers of the `duckdb`
pool. Writing a Parquet file needs no database lock; the view picks up new files without a
write. How: before the partition is replaced, its key and numeric columns are copied into an
in-memory DuckDB; after the replacement (an atomic rename), the new file is read the same way
and the two are compared in SQL (`restatements_diff.sql`). Only changed values are written,
so a re-load that changed nothing leaves no file.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import duckdb

from codex_assets.lib import storage
from codex_assets.lib.sql import read_sql, sql_string
from codex_assets.lib.storage import LakePath, ObjectPath
from codex_assets.lib.utc import utc_now

LOG_DIR = "_restatements"
VIEW = "marts.restatements"

RESTATEMENT_KEYS: dict[str, str] = {
    "usage_users": "user_id",
    "usage_workspace": "day",
    "code_reviews": "day",
    "code_review_responses": "day",
}
"""The row key of each diffed raw table: one row per user per day, or one row per day."""

NOT_COMPARED = frozenset({"start_time", "end_time"})
"""Numeric columns that are part of the row's identity, not a measure."""

_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")


@dataclass
class Restatement:
    """The outcome of one re-load: how many values changed, and where they were written."""

    table: str
    day: date
    changed: int = 0
    path: str | None = None


Location = str | os.PathLike[str] | ObjectPath


def log_glob(lake_root: Location) -> str:
    """The glob matching every restatement record file under `lake_root`."""
    return f"{str(lake_root).rstrip('/')}/{LOG_DIR}/*/day=*/*.parquet"


def has_log(lake_root: Location) -> bool:
    return any((storage.lake_path(lake_root) / LOG_DIR).glob("*/day=*/*.parquet"))


def numeric_columns(conn: duckdb.DuckDBPyConnection, relation: str, key: str) -> list[str]:
    """The measures of `relation`: numeric columns other than the key and the time bounds."""
    columns = conn.execute(f"DESCRIBE {relation}").fetchall()
    return [
        name
        for name, column_type, *_ in columns
        if column_type.upper().startswith(_NUMERIC_TYPES)
        and name != key
        and name not in NOT_COMPARED
    ]


@contextlib.contextmanager
def track_restatement(
    partition_path: Location,
    lake_root: Location,
    table: str,
    day: date,
    run_id: str,
    *,
    exists: bool | None = None,
) -> Iterator[Restatement]:
    """Wrap the replacement of one partition; on exit, record the values it changed.

    Usage: `with track_restatement(path, root, table, day, run_id) as r: lake.write_partition(...)`
    then `r.changed`. A first load (no old partition) and a table without a key in
    `RESTATEMENT_KEYS` record nothing. If the body raises, nothing is recorded (the old
    partition is still in place).
    """
    result = Restatement(table, day)
    key = RESTATEMENT_KEYS.get(table)
    old_exists = storage.lake_path(partition_path).is_file() if exists is None else exists
    if key is None or not old_exists:
        yield result
        return
    with storage.connect(lake_root, config={"threads": 1}) as conn:
        _snapshot(conn, "restatement_old", partition_path, key)
        yield result
        _snapshot(conn, "restatement_new", partition_path, key)
        _align_columns(conn)
        params = {
            "day": day,
            "table_name": table,
            "run_id": run_id,
            "detected_at": utc_now().replace(tzinfo=None),
        }
        conn.execute(
            f"CREATE TEMP TABLE restatement_changes AS {read_sql('defs/analytics/restatements_diff.sql')}",
            params,
        )
        (result.changed,) = conn.execute("SELECT count(*) FROM restatement_changes").fetchone()
        if result.changed:
            result.path = _write_log(conn, lake_root, table, day, run_id)


def create_view(conn: duckdb.DuckDBPyConnection, lake_root: Location) -> None:
    """(Re)create `marts.restatements` over the log (typed and empty while there is none)."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    if has_log(lake_root):
        glob = sql_string(log_glob(lake_root))
        select = read_sql("defs/analytics/restatements_view.sql").replace("$glob", glob)
    else:
        select = read_sql("defs/analytics/restatements_empty.sql")
    conn.execute(f"CREATE OR REPLACE VIEW {VIEW} AS {select}")


def _snapshot(conn: duckdb.DuckDBPyConnection, name: str, path: Location, key: str) -> None:
    """Copy the key (as text) and the measures (as DOUBLE) of a partition file into `name`."""
    source = f"read_parquet({sql_string(str(path))})"
    conn.execute(f"CREATE OR REPLACE TEMP VIEW {name}_source AS SELECT * FROM {source}")
    measures = numeric_columns(conn, f"{name}_source", key)
    select = ", ".join(
        [f"{_ident(key)}::VARCHAR AS key"]
        + [f"{_ident(column)}::DOUBLE AS {_ident(column)}" for column in measures]
    )
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select} FROM {name}_source")
    conn.execute(f"DROP VIEW {name}_source")


def _align_columns(conn: duckdb.DuckDBPyConnection) -> None:
    """Give both snapshots the same measures (a column the API added or dropped is all NULL on
    the side that lacks it), so UNPIVOT yields the same column names on both sides."""
    old = [c for c, *_ in conn.execute("DESCRIBE restatement_old").fetchall()]
    new = [c for c, *_ in conn.execute("DESCRIBE restatement_new").fetchall()]
    for table, have, other in (("restatement_old", old, new), ("restatement_new", new, old)):
        for column in other:
            if column not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {_ident(column)} DOUBLE")


def _write_log(
    conn: duckdb.DuckDBPyConnection,
    lake_root: Location,
    table: str,
    day: date,
    run_id: str,
) -> str:
    """Write the changes as one Parquet file, built on local disk and published whole (a
    rename into place locally, one upload to an object store)."""
    directory: LakePath = storage.lake_path(lake_root) / LOG_DIR / table / f"day={day.isoformat()}"
    stamp = utc_now().strftime("%Y%m%dT%H%M%S")
    name = f"{stamp}-{(run_id or 'norun')[:8]}-{uuid.uuid4().hex[:8]}.parquet"
    target = directory / name
    with storage.workdir(target) as work:
        temporary = work / f".{name}.tmp"
        try:
            conn.execute(
                f"COPY restatement_changes TO {sql_string(str(temporary))} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            storage.publish(temporary, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return str(target)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
