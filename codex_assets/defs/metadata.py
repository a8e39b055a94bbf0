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


def markdown_preview(
    conn: duckdb.DuckDBPyConnection, query: str, limit: int = 10
) -> dg.MetadataValue:
    """The first `limit` rows of `query` as a markdown table, for the asset page in the UI."""
    cursor = conn.execute(f"SELECT * FROM ({query}) LIMIT {int(limit)}")
    header = [column[0] for column in cursor.description]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in cursor.fetchall():
        lines.append("| " + " | ".join("" if v is None else str(v) for v in row) + " |")
    return dg.MetadataValue.md("\n".join(lines))
