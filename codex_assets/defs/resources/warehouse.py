"""`WarehouseResource`: the DuckDB warehouse, whose connections can read the lake wherever it lives."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.lib import storage, writer_lock


class WarehouseResource(DuckDBResource):
    """`DuckDBResource` whose connections can read the lake, wherever it lives.

    The `raw` views select from the lake's Parquet files; when the lake is on object storage
    (CODEX_DATA_DIR=s3://...) each connection gets the lake's fsspec filesystem registered, since
    DuckDB's own httpfs extension cannot be installed here (see lib/storage.py). For a local
    lake it is exactly `DuckDBResource`.
    """

    lake_root: str = ""
    data_dir: str = ""
    """The local data directory whose writer lock a run holds (`lib/writer_lock.py`); empty: none."""
    writer_wait_seconds: float = writer_lock.RUN_WAIT_SECONDS
    """How long a run waits for another run's writer lock before it fails."""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # The one place a run takes the data directory's writer lock: every asset that writes
        # the lake or the warehouse requires this resource, and the in-process executor builds
        # it once per run, so the lock is held from the run's first step to its last.
        if self.data_dir:
            writer_lock.acquire(
                Path(self.data_dir), wait_seconds=self.writer_wait_seconds, run_id=_run_id(context)
            )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self.data_dir:
            writer_lock.release(Path(self.data_dir))

    @contextmanager
    def get_connection(self):  # type: ignore[override]
        with super().get_connection() as conn:
            if self.lake_root:
                storage.register(conn, self.lake_root)
            yield conn


def _run_id(context: dg.InitResourceContext) -> str | None:
    return context.run.run_id if context.run else None
