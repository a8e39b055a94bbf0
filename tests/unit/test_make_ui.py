"""`make ui` starts quietly: `dg dev`, no dagster.yaml where `dg dev` would call it unused, and
no Beta notice from loading the definitions (what the code server and every run print)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_make_ui_runs_dg_dev_on_the_instance_it_copies() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "run dg dev -w workspace.yaml" in makefile
    assert "cp instance/dagster.yaml $(DAGSTER_HOME)/dagster.yaml" in makefile
    # `dg dev` warns about a dagster.yaml in its folder that is not DAGSTER_HOME's.
    assert not (REPO / "dagster.yaml").exists() and not (REPO / "dagster.yml").exists()
    assert (REPO / "instance" / "dagster.yaml").is_file()


def test_loading_the_definitions_prints_no_warning() -> None:
    """In a fresh process with every warning shown, as the code server loads them."""
    loaded = subprocess.run(
        [sys.executable, "-W", "default", "-c", "import codex_assets.definitions as d; d.defs()"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    assert "Warning" not in loaded.stderr, loaded.stderr[-2000:]
