"""The DuckDB warehouse: `raw` views over the lake, and the schemas the marts write to.

Raw data is never copied into DuckDB: views over the Parquet globs pick up every new partition
without a write, which keeps DuckDB's single-writer lock out of the ingest path.
"""

from __future__ import annotations

import duckdb

from codex_assets.lib.lake import Lake
from codex_assets.lib.raw_schema import conformed_select
from codex_assets.lib.raw_tables import RawTable
from codex_assets.lib.sql import read_sql, sql_string

SCHEMAS = ("raw", "marts", "restricted")


def ensure_schemas(conn: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


def create_raw_views(conn: duckdb.DuckDBPyConnection, lake: Lake, table: RawTable) -> None:
    """(Re)create `raw.<table>` over the lake and the breakdown views on top of it.

    Needs at least one landed partition: DuckDB reads a file to learn the view's columns.
    """
    ensure_schemas(conn)
    files = f"read_parquet({sql_string(lake.table_glob(table.name))}, union_by_name = true)"
    select = conformed_select(conn, table.name, files)
    conn.execute(f"CREATE OR REPLACE VIEW raw.{table.name} AS {select}")
    for view in table.breakdown_views:
        conn.execute(f"CREATE OR REPLACE VIEW raw.{view} AS {read_sql(f'raw_views/{view}.sql')}")
