"""Metadata helpers shared by assets: the table schema Dagster shows, read from DuckDB itself."""

from __future__ import annotations

import dagster as dg
import duckdb


def table_schema(
    conn: duckdb.DuckDBPyConnection,
    qualified_name: str,
    descriptions: dict[str, str] | None = None,
) -> dg.TableSchema:
    """The columns of `schema.table` as DuckDB reports them, with optional descriptions."""
    descriptions = descriptions or {}
    rows = conn.execute(f"DESCRIBE {qualified_name}").fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=column_type, description=descriptions.get(name))
            for name, column_type, *_ in rows
        ]
    )
