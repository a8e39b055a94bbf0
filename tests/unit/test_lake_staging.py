"""A landing killed by SIGKILL leaves nothing in the lake, and the next writer removes what it
left in the staging directory, never what a live writer is building (see lib/staging.py)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from codex_assets.defs.analytics.landing import write_partition
from codex_assets.lib import staging
from codex_assets.lib.lake import Lake

DAY = date(2026, 5, 7)

# A compliance landing that streams one of three bodies, says where it stages, and waits.
_KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import date, datetime
    from codex_assets.defs.compliance.landing import FILE_COLUMNS, RAW_TABLE
    from codex_assets.lib.lake import Lake
    from codex_assets.lib.sql import read_sql
    from tests.support.compliance import body, event

    lake = Lake(sys.argv[1])
    end = datetime(2026, 5, 7, 0, 10)
    parts = [
        {"file_id": f"f{i}", "file_name": "n", "file_end_time": end, "file_sha256": "x"}
        for i in range(3)
    ]
    stream = lake.stream_partition(
        RAW_TABLE, date(2026, 5, 7), read_sql("defs/compliance/raw_codex_log.sql"),
        parts=parts, columns=FILE_COLUMNS, use_pipes=sys.argv[2] == "pipes",
    )
    stream.write(body(event("a", "2026-05-07T00:02:00Z", "PROMPT_SENT")))
    print(stream.staging, flush=True)
    time.sleep(60)
    """
)


def _lake_files(lake: Lake) -> list[str]:
    return sorted(
        str(path.relative_to(lake.root)) for path in lake.root.rglob("*") if not path.is_dir()
    )


@pytest.mark.parametrize("mode", ["pipes", "staged"])
def test_a_sigkilled_landing_leaves_nothing_in_the_lake_and_is_cleaned_next_run(tmp_path, mode):
    if mode == "pipes" and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    lake = Lake(tmp_path / "lake")
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(lake.root), mode],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    try:
        left = Path(writer.stdout.readline().strip())
        assert left.parent == tmp_path / ".staging"
        assert any(left.iterdir())  # mid-landing: pipes or staged bodies on disk
        assert stat.S_IMODE(left.stat().st_mode) == 0o700
        assert stat.S_IMODE(left.parent.stat().st_mode) == 0o700
        ours = [path for path in left.iterdir() if path.name.startswith("body-")]
        assert ours  # the pipes or staged bodies: 0600 (DuckDB's own output is behind the 0700)
        for path in ours:
            assert stat.S_IMODE(path.lstat().st_mode) == 0o600, path
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    assert left.exists()  # a killed process runs no cleanup...
    assert _lake_files(lake) == []  # ...and nothing of it is in the lake

    live = staging.new_entry(lake.staging_root)  # a live writer (this process) keeps its files
    (live / "rows.json").write_bytes(b"[]")
    foreign = lake.staging_root / "not-a-writer-name"
    foreign.mkdir()

    write_partition(Lake(lake.root), "usage_users", DAY, [])
    assert not left.exists()
    assert live.exists() and foreign.exists()
    assert _lake_files(lake) == ["usage_users/day=2026-05-07/data.parquet"]


def test_a_recycled_pid_does_not_keep_a_dead_writers_files(tmp_path):
    root = tmp_path / ".staging"
    root.mkdir()
    start = staging.process_start(os.getpid())
    reused = root / f"{os.getpid()}-{start + 1}-abc"  # same pid, another process's start time
    reused.mkdir()
    gone = root / "999999999-1-abc"
    gone.mkdir()
    if start == 0:
        pytest.skip("process start times are unknown on this platform")
    assert sorted(staging.sweep(root)) == sorted([reused, gone])


def test_leftovers_of_the_previous_layout_are_removed_once_old(tmp_path):
    lake = Lake(tmp_path / "lake")
    folder = lake.partition_file("usage_users", DAY).parent
    folder.mkdir(parents=True)
    old_pipes = folder / ".staging-0123"
    old_pipes.mkdir()
    os.mkfifo(old_pipes / "body-000000.jsonl")
    old_tmp = folder / ".data.parquet.0123.tmp"
    old_tmp.write_bytes(b"")
    fresh_tmp = folder / ".data.parquet.4567.tmp"  # maybe an older version still running
    fresh_tmp.write_bytes(b"")
    hour_ago = time.time() - staging.LEGACY_MAX_AGE_SECONDS - 60
    for path in (old_pipes, old_tmp):
        os.utime(path, (hour_ago, hour_ago))
    write_partition(lake, "usage_users", DAY, [])
    assert sorted(p.name for p in folder.iterdir()) == [".data.parquet.4567.tmp", "data.parquet"]
