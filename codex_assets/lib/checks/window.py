"""Read the days a check looks at straight from the lake, in an in-memory DuckDB.

Why not the warehouse file: DuckDB allows one writer per file, and while the marts are being
written no other process may even open it read-only. The raw views in the warehouse read the
lake's Parquet directly, so the checks build the same views over just the partition files of
their days, in memory: they never wait for, or block, a writer, and a 90-day check reads 90
files rather than the whole history. The views keep the warehouse's names (`raw.<table>`), so
the check SQL reads like the mart SQL. Each source says how its partition files become rows
(`CheckedTable.select`): this module knows the lake's layout, not the sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import duckdb

from codex_assets.lib.checks.tables import CheckedTable
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

    def query(self, sql_file: str, **identifiers: str) -> str:
        """The check SQL `codex_assets/<sql_file>` with its `{identifier}` slots filled.

        Identifiers come from code (table names, column lists), never from data or users.
        """
        return read_sql(sql_file).format(**identifiers)


def partition_day_sql(column: str) -> str:
    """The SQL of the day in the `day=YYYY-MM-DD` directory of the file named in `column`."""
    return _PARTITION_DAY.format(column=column)


@contextmanager
def open_window(
    lake: Lake, tables: Iterable[CheckedTable], days: Sequence[date]
) -> Iterator[LakeWindow]:
    """Views over `tables`' partitions for `days`; the connection closes on exit."""
    conn = lake.connect()
    try:
        conn.execute("CREATE SCHEMA raw")
        window = LakeWindow(conn=conn, days=sorted(set(days)))
        for table in tables:
            files = {day: lake.partition_file(table.name, day) for day in window.days}
            present = [day for day, path in files.items() if path.exists()]
            window.landed[table.name] = present
            if not present:
                continue
            paths = "[" + ", ".join(sql_string(str(files[day])) for day in present) + "]"
            select = table.select(conn, table.name, paths)
            conn.execute(f"CREATE VIEW raw.{table.name} AS {select}")
        yield window
    finally:
        conn.close()


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
