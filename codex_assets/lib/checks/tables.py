"""What the checks need to know about a lake table: how to read its partitions, its grain and
where its counts are.

The type only: each source describes its own tables in its slice
(`defs/analytics/checks/tables.py`, `defs/compliance/checks/tables.py`) and passes them to the
same rules (`open_window`, `validity`, `unread_fields`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from codex_assets.lib.checks.record_fields import RecordSource
from codex_assets.lib.tables import TableSpec

PartitionSelect = Callable[[duckdb.DuckDBPyConnection, str, str], str]
"""How a source reads its partition files: `(conn, table, paths)`, `paths` a SQL list of the
Parquet files, gives the SELECT behind `raw.<table>`, with a `partition_day` column (the day of
each file's directory; `window.partition_day_sql`)."""

NEGATIVE_COUNTS_SQL = "lib/checks/negative_counts.sql"


@dataclass(frozen=True)
class CheckedTable:
    """A lake table as the checks see it (`raw.<name>` over its partition files).

    spec: the table's spec (its name, and its grain: the columns that identify a row).
    select: how `raw.<name>` reads the partition files (the source's own typing of its rows).
    record_source: the SQL that types the verbatim `record`: the fields it reads are the known
      ones (`column_schema_unchanged`).
    row_label: a SQL expression naming a row in check output (`user_id`, or a constant for
      one-row-per-day tables).
    count_columns: the columns that may never go below zero (`no_negative_counts`).
    negative_counts_sql: instead of `count_columns`, the source's own query (under
      `codex_assets/`) for counts nested in lists; it has `{table}` and `{row_label}` slots.
    """

    spec: TableSpec
    select: PartitionSelect
    record_source: RecordSource
    row_label: str
    count_columns: tuple[str, ...] = ()
    negative_counts_sql: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def typed_from(self) -> RecordSource:
        return self.record_source

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.spec.grain

    @property
    def grain_text(self) -> str:
        return "(" + ", ".join(self.key_columns) + ")"

    @property
    def negative_counts_query(self) -> tuple[str, dict[str, str]]:
        """(SQL file under `codex_assets/`, its slots) of the rows whose counts go below zero."""
        slots = {"table": self.name, "row_label": self.row_label}
        if self.negative_counts_sql is not None:
            return self.negative_counts_sql, slots
        return NEGATIVE_COUNTS_SQL, {**slots, "columns": ", ".join(self.count_columns)}
