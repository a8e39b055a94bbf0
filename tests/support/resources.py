"""Resources built by tests: a `CodexResource` for a data directory, or as a run would see it.

Plain code under test gets its configuration from a resource built here, not from the
environment. Dagster runs (`run_window`, the schedule's job) read the definitions' resources,
which the environment configures, so the tests that run them set `CODEX_*` variables (the
`data_dir` fixture) and read the same settings back with `environment_settings()`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from codex_assets.defs.resources.source import CodexSourceResource
from codex_assets.lib.settings import Settings
from codex_assets.simulator.app import Simulator

CONTRACT_WORKSPACE = {"simulator_users": 60, "simulator_seed": 11, "simulator_profile": "contract"}
"""The embedded simulator the `data_dir` fixture configures: 60 users, seed 11, contract shapes."""


def codex_resource(
    data_dir: Path | str, profile: str = "contract", **fields: Any
) -> CodexSourceResource:
    """The Codex resource over `data_dir` on the embedded simulator (the `data_dir` fixture's
    workspace unless `fields` say otherwise, e.g. `simulator_users=25`)."""
    return CodexSourceResource(
        **{**CONTRACT_WORKSPACE, "data_dir": str(data_dir), "simulator_profile": profile, **fields}
    )


def environment_codex() -> CodexSourceResource:
    """The Codex resource as the definitions would build it now, from the process environment."""
    return CodexSourceResource.from_environment(os.environ)


def environment_settings() -> Settings:
    """The settings a Dagster run started now would use (the process environment's)."""
    return environment_codex().settings()


def served_api_env(base_url: str, sim: Simulator) -> dict[str, str]:
    """The variables that point the pipeline at `sim` served over HTTP at `base_url` (what
    `codex-assets simulator serve` prints), unpaced since the server is local."""
    return {
        "CODEX_SOURCE": "api",
        "CODEX_API_BASE_URL": base_url,
        "CODEX_WORKSPACE_ID": sim.workspace_id,
        "CODEX_ANALYTICS_API_KEY": sim.config.analytics_key,
        "CODEX_COMPLIANCE_API_KEY": sim.config.compliance_key,
        # A local server: no need to pace requests as the real API's limits ask.
        "CODEX_API_REQUESTS_PER_MINUTE": "100000",
        "CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE": "100000",
    }
