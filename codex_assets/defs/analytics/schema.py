"""The typed columns of each analytics raw table, read off the SQL that lands it.

Why: a lake outlives the code that wrote it. When a version adds a column (say `cost_usd`, or
a field inside the `clients` entries), the partitions landed before it lack that column, and a
view over only old partitions would not have it at all, so every mart reading it would fail.
The views therefore select each column of the landing SQL's schema, NULL where no partition
has it yet, and cast the struct columns to this version's struct (older entries gain the new
fields as NULL). Scalar columns are left as the files have them, so a file of another type
still shows as a changed schema (`column_schema_unchanged`) instead of being cast away. The schema is
asked of DuckDB (DESCRIBE over an empty day), so the landing SQL stays the one place that
says what a raw table holds.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import duckdb

from codex_assets.lib.sql import read_sql


@cache
def landing_sql(table: str) -> str:
    """The SQL that types `table`'s API rows as they land (`land_<table>.sql` beside this module)."""
    return read_sql(f"defs/analytics/land_{table}.sql")


def landing_columns(table: str) -> tuple[tuple[str, str], ...]:
    """`(column, DuckDB type)` of what `land_<table>.sql` lands, in its order."""
    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as conn:
        empty_day = Path(folder) / "empty.json"
        empty_day.write_text("[]")
        described = conn.execute(
            f"DESCRIBE {landing_sql(table)}",
            {"path": str(empty_day), "day": "2026-01-01", "loaded_at": "2026-01-01 00:00:00"},
        ).fetchall()
    return tuple((name, column_type) for name, column_type, *_ in described)


def conformed_select(conn: duckdb.DuckDBPyConnection, table: str, relation: str) -> str:
    """A SELECT over `relation` (SQL reading the table's Parquet) with every landed column of
    this version (structs as this version lands them), then any other column the files carry."""
    present = {
        name: column_type
        for name, column_type, *_ in conn.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    }
    expected = landing_columns(table)
    columns = []
    for name, column_type in expected:
        if name not in present:
            columns.append(f'NULL::{column_type} AS "{name}"')
        elif present[name] != column_type and "STRUCT(" in column_type:
            # Older entries lack the fields added since: cast by name, the new ones are NULL.
            columns.append(f'CAST("{name}" AS {column_type}) AS "{name}"')
        else:
            columns.append(f'"{name}"')
    known = {name for name, _ in expected}
    columns += [f'"{name}"' for name in present if name not in known]
    return f"SELECT {', '.join(columns)} FROM {relation}"
