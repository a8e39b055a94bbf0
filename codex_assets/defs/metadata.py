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


PREVIEW_HIDDEN_COLUMNS = frozenset({"email", "user_email"})
"""Personal data stays in DuckDB: Dagster's event log (and so the UI) never gets it."""


def markdown_preview(
    conn: duckdb.DuckDBPyConnection, query: str, limit: int = 10
) -> dg.MetadataValue:
    """The first `limit` rows of `query` as a markdown table, for the asset page in the UI,
    without the `PREVIEW_HIDDEN_COLUMNS`."""
    cursor = conn.execute(f"SELECT * FROM ({query}) LIMIT {int(limit)}")
    names = [column[0] for column in cursor.description]
    shown = [i for i, name in enumerate(names) if name not in PREVIEW_HIDDEN_COLUMNS]
    lines = [
        "| " + " | ".join(names[i] for i in shown) + " |",
        "|" + "---|" * len(shown),
    ]
    for row in cursor.fetchall():
        lines.append("| " + " | ".join("" if row[i] is None else str(row[i]) for i in shown) + " |")
    return dg.MetadataValue.md("\n".join(lines))
