"""The DuckDB warehouse's schemas: `raw` views over the lake, `marts`, and `restricted`.

Raw data is never copied into DuckDB: views over the Parquet globs pick up every new partition
without a write, which keeps DuckDB's single-writer lock out of the ingest path.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

SCHEMAS = ("raw", "marts", "restricted")


def ensure_schemas(conn: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one DuckDB transaction: committed if it returns, rolled back if anything
    (an interrupt included) escapes it, so a killed refresh never leaves half a table."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
