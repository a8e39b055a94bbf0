"""The resources' definitions: built from the environment when the code location loads.

This is where the environment configures the pipeline (see codex.py for what is read when):
`CodexSourceResource` for `codex`, so the assets get the embedded simulator or the real API.
"""

from __future__ import annotations

import dagster as dg

from codex_assets.defs.compliance.privacy import make_private
from codex_assets.defs.resources.source import CodexSourceResource
from codex_assets.defs.resources.warehouse import WarehouseResource
from codex_assets.lib import storage
from codex_assets.lib.settings import environment


@dg.definitions
def resources() -> dg.Definitions:
    codex = CodexSourceResource.from_environment(environment())
    settings = codex.settings()
    # Owner-only from the start: the DuckDB file, its WAL and its spill directory are created
    # by DuckDB with the process umask, and they hold `restricted.*` (prompt text, emails).
    # A data dir that cannot be made (a file, no permission) is left to the preflight, which
    # each run's resource setup runs: the code location still loads, and the run says why.
    try:
        settings.data_path.mkdir(parents=True, exist_ok=True, mode=storage.PRIVATE_DIR)
        make_private(settings.data_path)
    except OSError:
        pass
    return dg.Definitions(
        resources={
            "codex": codex,
            "duckdb": WarehouseResource(
                database=settings.duckdb_path,
                lake_root=str(settings.lake_root),
                data_dir=str(settings.data_path),
            ),
        },
        # Every run's steps in one process, one after another: the pools serialise them anyway
        # (one API caller, one DuckDB writer), DuckDB connections in one process share the file
        # instead of contending for its lock, and no step pays a process start (docs/operations.md).
        executor=dg.in_process_executor,
    )
