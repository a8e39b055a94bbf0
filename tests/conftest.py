"""Shared fixtures: every test gets its own data directory and Dagster home."""

from __future__ import annotations

from pathlib import Path

import pytest

from codex_assets.defs.resources.source import CodexSourceResource
from tests.support.resources import CONTRACT_WORKSPACE, codex_resource

SHARED_SESSION_FIXTURES = {
    "tests/e2e/": "tests/e2e/ (one dagster dev stack and backfill, tests/e2e/conftest.py)",
    "tests/integration/test_analytics_backfill.py": "backfill_90",
    "tests/integration/test_checks_backfill.py": "backfill_90",
    "tests/integration/test_partition_metadata.py": "backfill_90",
}
"""Modules that share one costly session fixture: `make test` (`--dist loadfile`) gives each
group to one worker, as it gives each module, so the fixture is built once, not per worker."""


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadfile`, with each group of `SHARED_SESSION_FIXTURES` as one file."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedFixtureScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in SHARED_SESSION_FIXTURES.items():
                if nodeid.startswith(prefix):
                    return group
            return super()._split_scope(nodeid)

    return SharedFixtureScheduling(config, log)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh CODEX_DATA_DIR on the embedded simulator, isolated from the user's `.env`.

    The simulator serves its contract profile: idle days with no rows, short pages, empty
    client breakdowns, null fields, restatements (docs/simulator.md), the awkward but legal
    shapes a real workspace sends; tests of the rich demo workspace ask for it by name.
    """
    path = tmp_path / "data"
    for name in ("CODEX_SOURCE", "CODEX_API_BASE_URL", "CODEX_SIMULATOR_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CODEX_DATA_DIR", str(path))
    variables = CodexSourceResource.variables()
    for name, value in CONTRACT_WORKSPACE.items():
        monkeypatch.setenv(variables[name], str(value))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    return path


@pytest.fixture
def codex(data_dir: Path) -> CodexSourceResource:
    """The Codex resource the `data_dir` fixture's environment configures, built directly."""
    return codex_resource(data_dir)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--kill-matrix",
        action="store_true",
        help="run the kill suite's twenty points (tests marked kill_matrix; minutes)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The kill matrix runs only when asked for: `make test` keeps the suite's five points."""
    if config.getoption("--kill-matrix"):
        return
    skip = pytest.mark.skip(reason="the kill matrix runs with --kill-matrix")
    for item in items:
        if "kill_matrix" in item.keywords:
            item.add_marker(skip)
