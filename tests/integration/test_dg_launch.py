"""The README's third backfill path works as written: `dg launch --assets ... --partition-range`.

It runs the real `dg` CLI in a subprocess (as a user would, from the repo root), on a fresh
DAGSTER_HOME with the repo's dagster.yaml and a fresh data directory, then reads the run back
from that instance: one run over the whole range (the single-run backfill policy), every day
landed in the lake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.lib.lake import Lake

REPO = Path(__file__).resolve().parents[2]


def test_dg_launch_with_a_partition_range_is_one_run_over_the_range(tmp_path: Path):
    home, data = tmp_path / "dagster_home", tmp_path / "data"
    home.mkdir()
    shutil.copy(REPO / "instance" / "dagster.yaml", home / "dagster.yaml")
    end = latest_complete_day(datetime.now(UTC))
    start = end - timedelta(days=2)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CODEX_SOURCE", "CODEX_API_BASE_URL", "CODEX_SIMULATOR_FAULTS")
    }
    env.update(
        DAGSTER_HOME=str(home),
        CODEX_DATA_DIR=str(data),
        CODEX_SIMULATOR_USERS="20",
        CODEX_SIMULATOR_SEED="3",
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dg")),
            "launch",
            "--assets",
            "raw/usage_users,raw/usage_workspace,marts/usage_user_daily",
            "--partition-range",
            f"{start.isoformat()}...{end.isoformat()}",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert len(runs) == 1
        (run,) = runs
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["dagster/asset_partition_range_start"] == start.isoformat()
        assert run.tags["dagster/asset_partition_range_end"] == end.isoformat()
    days = [start + timedelta(days=i) for i in range(3)]
    lake = Lake(data / "lake")
    assert lake.landed_days("usage_users") == days
    assert lake.landed_days("usage_workspace") == days
