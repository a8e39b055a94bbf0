"""`WarehouseResource`: the DuckDB warehouse, whose connections can read the lake wherever it lives."""

from __future__ import annotations

from contextlib import contextmanager

from dagster_duckdb import DuckDBResource

from codex_assets.lib import storage


class WarehouseResource(DuckDBResource):
    """`DuckDBResource` whose connections can read the lake, wherever it lives.

    The `raw` views select from the lake's Parquet files; when the lake is on object storage
    (CODEX_DATA_DIR=s3://...) each connection gets the lake's fsspec filesystem registered, since
    DuckDB's own httpfs extension cannot be installed here (see lib/storage.py). For a local
    lake it is exactly `DuckDBResource`.
    """

    lake_root: str = ""

    @contextmanager
    def get_connection(self):  # type: ignore[override]
        with super().get_connection() as conn:
            if self.lake_root:
                storage.register(conn, self.lake_root)
            yield conn
