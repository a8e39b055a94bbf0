"""The data directory is owner-only before DuckDB creates anything in it."""

from __future__ import annotations

import stat
from pathlib import Path

from codex_assets.defs.resources.definitions import resources


def test_loading_the_definitions_creates_the_data_directory_owner_only(data_dir: Path):
    assert not data_dir.exists()
    resources()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_an_existing_data_directory_is_made_owner_only(data_dir: Path):
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)  # whatever the umask left
    resources()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
