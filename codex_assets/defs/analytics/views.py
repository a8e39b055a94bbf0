"""The analytics `raw` views: one over each table's Parquet partitions, and its breakdowns."""

from __future__ import annotations

import duckdb

from codex_assets.defs.analytics.schema import conformed_select
from codex_assets.defs.analytics.tables import RawTable
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql, sql_string
from codex_assets.lib.warehouse import ensure_schemas


def create_raw_views(conn: duckdb.DuckDBPyConnection, lake: Lake, table: RawTable) -> None:
    """(Re)create `raw.<table>` over the lake and the breakdown views on top of it.

    Needs at least one landed partition: DuckDB reads a file to learn the view's columns.
    """
    ensure_schemas(conn)
    files = f"read_parquet({sql_string(lake.table_glob(table.name))}, union_by_name = true)"
    select = conformed_select(conn, table.name, files)
    conn.execute(f"CREATE OR REPLACE VIEW raw.{table.name} AS {select}")
    for view in table.breakdown_views:
        conn.execute(f"CREATE OR REPLACE VIEW {view.qualified_name} AS {read_sql(view.sql_file)}")
