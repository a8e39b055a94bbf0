"""Digests of what a user reads, to compare two runs of one window: the lake's published
partitions and every table and view of the warehouse, without what differs between two
correct runs (load times, run ids, the partition file a row was read from)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

VOLATILE_COLUMNS = frozenset({"loaded_at", "refreshed_at", "detected_at", "run_id", "lake_file"})
"""Columns two correct runs of one window fill differently: when and by which run a row was
written, and the partition file it was read from."""


def rows_digest(
    conn: duckdb.DuckDBPyConnection, relation: str, columns: list[str]
) -> tuple[int, str]:
    """(rows, sha256 of the sorted rows) of `relation`, over `columns` less the volatile ones."""
    kept = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE_COLUMNS)
    rows = sorted(repr(row) for row in conn.execute(f"SELECT {kept} FROM {relation}").fetchall())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def partition_digest(path: Path, leave_out: frozenset[str] = frozenset()) -> tuple[int, str]:
    """The digest of one published partition file, without the columns in `leave_out`."""
    with duckdb.connect() as conn:
        relation = f"read_parquet('{path}')"
        described = conn.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        return rows_digest(conn, relation, [r[0] for r in described if r[0] not in leave_out])


def lake_digest(
    data_dir: Path, leave_out: frozenset[str] = frozenset()
) -> dict[str, tuple[int, str]]:
    """Every published partition of the lake (by path inside it), with its digest."""
    lake = data_dir / "lake"
    return {
        str(p.relative_to(lake)): partition_digest(p, leave_out)
        for p in sorted(lake.rglob("*.parquet"))
    }


def warehouse_digest(duckdb_path: Path) -> dict[str, tuple[int, str]]:
    """The digest of every table and view of the DuckDB file."""
    digest = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as conn:
        columns: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
            "ORDER BY table_schema, table_name, ordinal_position"
        ).fetchall():
            columns.setdefault((schema, table), []).append(column)
        for (schema, table), names in columns.items():
            digest[f"{schema}.{table}"] = rows_digest(conn, f'"{schema}"."{table}"', names)
    return digest
