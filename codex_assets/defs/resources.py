"""The resources every asset uses: the Codex API source and the DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_duckdb import DuckDBResource

from codex_assets.defs.analytics.client import AnalyticsClient
from codex_assets.defs.compliance.client import ComplianceClient
from codex_assets.defs.compliance.privacy import make_private
from codex_assets.lib import storage
from codex_assets.lib.lake import Lake
from codex_assets.lib.settings import Settings
from codex_assets.lib.sources import (
    open_analytics_client,
    open_compliance_client,
    source_fingerprint,
)


class CodexResource(dg.ConfigurableResource):
    """The Codex APIs as configured by the `CODEX_*` environment.

    It deliberately has no config fields: keys are read from the environment at execution
    time and never pass through Dagster run config, so they cannot show up in the UI, run
    records or logs. The non-secret settings are reported in each materialization's metadata.
    """

    def settings(self) -> Settings:
        return Settings.from_env()

    def lake(self) -> Lake:
        return Lake(self.settings().lake_root)

    def fingerprint(self) -> dict[str, str]:
        return source_fingerprint(self.settings())

    @contextmanager
    def analytics_client(self) -> Iterator[AnalyticsClient]:
        with open_analytics_client(self.settings()) as client:
            yield client

    @contextmanager
    def compliance_client(self) -> Iterator[ComplianceClient]:
        with open_compliance_client(self.settings()) as client:
            yield client


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


@dg.definitions
def resources() -> dg.Definitions:
    settings = Settings.from_env()
    # Owner-only from the start: the DuckDB file, its WAL and its spill directory are created
    # by DuckDB with the process umask, and they hold `restricted.*` (prompt text, emails).
    settings.data_path.mkdir(parents=True, exist_ok=True, mode=storage.PRIVATE_DIR)
    make_private(settings.data_path)
    return dg.Definitions(
        resources={
            "codex": CodexResource(),
            "duckdb": WarehouseResource(
                database=settings.duckdb_path, lake_root=str(settings.lake_root)
            ),
        },
        # Every run's steps in one process, one after another: the pools serialise them anyway
        # (one API caller, one DuckDB writer), DuckDB connections in one process share the file
        # instead of contending for its lock, and no step pays a process start (docs/operations.md).
        executor=dg.in_process_executor,
    )
