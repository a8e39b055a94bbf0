"""Read the days a check looks at straight from the lake, in an in-memory DuckDB.

Why not the warehouse file: DuckDB allows one writer per file, and while the marts are being
written no other process may even open it read-only. The raw views in the warehouse read the
lake's Parquet directly, so the checks build the same views over just the partition files of
their days, in memory: they never wait for, or block, a writer, and a 90-day check reads 90
files rather than the whole history. The views keep the warehouse's names (`raw.<table>`), so
the check SQL reads like the mart SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import duckdb

from codex_assets.defs.analytics.schema import conformed_select
from codex_assets.defs.compliance.landing import RAW_TABLE as COMPLIANCE_RAW_TABLE
from codex_assets.defs.compliance.warehouse import codex_log_lines_sql
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql, sql_string

ROWS_KEY = "_rows"
"""The key `read_footers` adds to each footer: the partition's row count (0 on an idle day)."""

_PARTITION_DAY = r"regexp_extract({column}, 'day=(\d{{4}}-\d{{2}}-\d{{2}})', 1)::DATE"


@dataclass
class LakeWindow:
    """An in-memory DuckDB with `raw.<table>` views over the landed partitions of `days`.

    landed: per table, the days of `days` that have a partition file (a table with none has
    no view). `partition_day` is added to every view: the day of the file's directory.
    """

    conn: duckdb.DuckDBPyConnection
    days: list[date]
    landed: dict[str, list[date]] = field(default_factory=dict)

    def has(self, table: str) -> bool:
        return bool(self.landed.get(table))

    def missing(self, table: str) -> list[date]:
        """Days of the window with no partition file for `table`."""
        present = set(self.landed.get(table, ()))
        return [day for day in self.days if day not in present]

    def query(self, relative_sql: str, **identifiers: str) -> str:
        """The check SQL `lib/checks/<relative_sql>` with its `{identifier}` slots filled.

        Identifiers come from code (table names, column lists), never from data or users.
        """
        return read_sql(f"lib/checks/{relative_sql}").format(**identifiers)


@contextmanager
def open_window(lake: Lake, tables: Iterable[str], days: Sequence[date]) -> Iterator[LakeWindow]:
    """Views over `tables`' partitions for `days`; the connection closes on exit."""
    conn = lake.connect()
    try:
        conn.execute("CREATE SCHEMA raw")
        window = LakeWindow(conn=conn, days=sorted(set(days)))
        for table in tables:
            files = {day: lake.partition_file(table, day) for day in window.days}
            present = [day for day, path in files.items() if path.exists()]
            window.landed[table] = present
            if not present:
                continue
            paths = "[" + ", ".join(sql_string(str(files[day])) for day in present) + "]"
            conn.execute(f"CREATE VIEW raw.{table} AS {_partition_view(conn, table, paths)}")
        yield window
    finally:
        conn.close()


def _partition_view(conn: duckdb.DuckDBPyConnection, table: str, paths: str) -> str:
    """The SELECT behind `raw.<table>` over the Parquet files `paths` (a SQL list), with
    `partition_day`. The compliance log keeps only the verbatim line in the lake; its view
    parses the typed columns the checks read, as the warehouse's restricted view does."""
    if table == COMPLIANCE_RAW_TABLE:
        lines = codex_log_lines_sql(paths)
        day = _PARTITION_DAY.format(column="lake_file")
        return f"SELECT * EXCLUDE (lake_file, lake_row), {day} AS partition_day FROM ({lines})"
    day = _PARTITION_DAY.format(column="filename")
    files = conformed_select(
        conn, table, f"read_parquet({paths}, union_by_name = true, filename = true)"
    )
    return f"SELECT * EXCLUDE (filename), {day} AS partition_day FROM ({files})"


def read_footers(lake: Lake, table: str, days: Sequence[date]) -> dict[date, dict[str, str]]:
    """The key/value footer of each landed partition of `table` among `days` (one read for all).

    Days without a partition file are absent from the result; a file without a footer maps to
    an empty dict but for `_rows`, the partition's row count from its Parquet metadata, which
    every file has (0 on an idle day: the API sends no rows for a day without activity).
    """
    files = {
        str(lake.partition_file(table, day)): day
        for day in sorted(set(days))
        if lake.partition_file(table, day).exists()
    }
    if not files:
        return {}
    footers: dict[date, dict[str, str]] = {day: {} for day in files.values()}
    with lake.connect() as conn:
        rows = conn.execute(
            "SELECT file_name, decode(key), decode(value) FROM parquet_kv_metadata($files)",
            {"files": list(files)},
        ).fetchall()
        counts = conn.execute(
            "SELECT file_name, num_rows FROM parquet_file_metadata($files)",
            {"files": list(files)},
        ).fetchall()
    for file_name, key, value in rows:
        footers[files[file_name]][key] = value
    for file_name, num_rows in counts:
        footers[files[file_name]][ROWS_KEY] = str(num_rows)
    return footers
