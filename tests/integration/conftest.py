"""The one 90-day backfill the integration tests share (the most expensive thing they do).

`tests/integration/test_analytics_backfill.py` (what landed, marts, exports) and
`tests/integration/test_checks_backfill.py` (every check passes, none is stale, the summary)
assert different things about the same clean run, so it is built once per session, on its own
data directory and ephemeral Dagster instance. The environment it needs is set only while it
is built and, through `backfilled`, while a test that asks for it runs: other tests never see
its data directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import pytest

from codex_assets.backfill import Window, WindowRuns, last_days_window, run_window
from codex_assets.lib.settings import Settings
from tests.support.resources import environment_settings

BACKFILL_DAYS = 90
CLEARED = (
    "CODEX_SOURCE",
    "CODEX_API_BASE_URL",
    "CODEX_SIMULATOR_FAULTS",
    "CODEX_SIMULATOR_PROFILE",
)


@dataclass(frozen=True)
class Backfill:
    env: dict[str, str]
    settings: Settings
    window: Window
    result: WindowRuns
    instance: dg.DagsterInstance


@pytest.fixture(scope="session")
def backfill_90(tmp_path_factory) -> Iterator[Backfill]:
    """One backfill of the last 90 days on the embedded simulator's contract profile (idle
    days, short pages, quirky rows: what a real workspace may send), with every asset and
    check (the partition freshness checks left out, as `run_window` does)."""
    root = tmp_path_factory.mktemp("backfill_90")
    env = {
        "CODEX_DATA_DIR": str(root / "data"),
        "CODEX_SIMULATOR_USERS": "60",
        "CODEX_SIMULATOR_SEED": "11",
        "CODEX_SIMULATOR_PROFILE": "contract",
    }
    with pytest.MonkeyPatch.context() as patch:
        for key in CLEARED:
            patch.delenv(key, raising=False)
        for key, value in env.items():
            patch.setenv(key, value)
        settings = environment_settings()
        window = last_days_window(BACKFILL_DAYS, settings)
        instance = dg.DagsterInstance.ephemeral()
        result = run_window(window, instance=instance)
    yield Backfill(env, settings, window, result, instance)


@pytest.fixture
def backfilled(backfill_90: Backfill, monkeypatch: pytest.MonkeyPatch):
    """(settings, window, result) of the shared backfill, with its environment set for the test
    (a test may re-run days over its data directory, as the re-run tests do)."""
    for key in CLEARED:
        monkeypatch.delenv(key, raising=False)
    for key, value in backfill_90.env.items():
        monkeypatch.setenv(key, value)
    return backfill_90.settings, backfill_90.window, backfill_90.result
