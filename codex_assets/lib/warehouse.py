"""The DuckDB warehouse's schemas: `raw` views over the lake, `marts`, and `restricted`.

Raw data is never copied into DuckDB: views over the Parquet globs pick up every new partition
without a write, which keeps DuckDB's single-writer lock out of the ingest path.
"""

import duckdb

SCHEMAS = ("raw", "marts", "restricted")


def ensure_schemas(conn: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
