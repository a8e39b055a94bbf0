"""One writer per data directory: a second writer is refused with the holder named, a bounded
wait is bounded, a run's own steps share the lock, and a SIGKILL frees it (real processes)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from codex_assets.cli import main
from codex_assets.defs.resources.warehouse import WarehouseResource
from codex_assets.lib import writer_lock
from codex_assets.lib.writer_lock import DataDirBusyError

_HOLDER = """
import sys, time
from pathlib import Path
from codex_assets.lib import writer_lock
writer_lock.acquire(Path(sys.argv[1]), run_id=sys.argv[2] or None)
print("held", flush=True)
time.sleep(float(sys.argv[3]))
"""


def _start_holder(data_dir: Path, *, run_id: str = "", seconds: float = 60) -> subprocess.Popen:
    """A second real process holding the lock (the tiny writer), once it says so."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(data_dir), run_id, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "held\n"
    return child


def test_a_second_writer_is_refused_naming_the_holder_and_a_kill_frees_the_lock(tmp_path):
    child = _start_holder(tmp_path)
    try:
        with pytest.raises(DataDirBusyError) as refused:
            writer_lock.acquire(tmp_path)
        message = str(refused.value)
        assert f"pid {child.pid}, started 20" in message and "python" in message
        assert "import" not in message and str(tmp_path) + "`" not in message  # no argument
        assert f"kill {child.pid}" in message and "CODEX_DATA_DIR" in message
        assert "\n" not in message
        started = time.monotonic()
        with pytest.raises(DataDirBusyError, match="waited 1 s"):
            writer_lock.acquire(tmp_path, wait_seconds=0.8)
        assert time.monotonic() - started >= 0.8
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The dead holder's file is still there, naming it: it must not block.
    assert writer_lock.holder(tmp_path)["pid"] == str(child.pid)
    with writer_lock.hold(tmp_path, run_id="after-the-kill"):
        assert writer_lock.holder(tmp_path)["pid"] == str(os.getpid())
        assert stat.S_IMODE(os.stat(tmp_path / writer_lock.LOCK_FILE).st_mode) == 0o600


def test_a_steps_process_of_the_same_run_waits_for_its_sibling(tmp_path):
    child = _start_holder(tmp_path, run_id="run-1", seconds=0.5)
    started = time.monotonic()
    with writer_lock.hold(tmp_path, wait_seconds=0, run_id="run-1"):  # not refused: queued
        assert time.monotonic() - started > 0.2
    child.wait()


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    with writer_lock.hold(tmp_path):  # the CLI's hold, then its in-process run's
        started = writer_lock.holder(tmp_path)["started"]
        with writer_lock.hold(tmp_path, run_id="run-9"):
            assert writer_lock.holder(tmp_path) == {
                "pid": str(os.getpid()),
                "started": started,
                "command": writer_lock.holder(tmp_path)["command"],
                "run_id": "run-9",
            }
    with writer_lock.hold(tmp_path):  # released by the outer exit, taken again at once
        assert json.loads((tmp_path / writer_lock.LOCK_FILE).read_text())["pid"] == str(os.getpid())


def _run_writing_the_warehouse(tmp_path: Path, wait: float) -> dg.ExecuteInProcessResult:
    @dg.asset
    def writes(context, duckdb: WarehouseResource) -> None:
        assert writer_lock.holder(tmp_path)["run_id"] == context.run.run_id  # held for the run

    warehouse = WarehouseResource(
        database=str(tmp_path / "codex.duckdb"), data_dir=str(tmp_path), writer_wait_seconds=wait
    )
    return dg.materialize([writes], resources={"duckdb": warehouse}, raise_on_error=False)


def test_a_dagster_run_holds_the_lock_and_a_concurrent_one_fails_clearly(tmp_path):
    assert _run_writing_the_warehouse(tmp_path, wait=0).success
    writer_lock.acquire(tmp_path)  # released when the run ended
    writer_lock.release(tmp_path)
    child = _start_holder(tmp_path, run_id="another-run")
    try:
        result = _run_writing_the_warehouse(tmp_path, wait=0)
    finally:
        child.kill()
        child.wait()
    assert not result.success
    failures = [e for e in result.all_events if e.is_failure]
    assert any(f"pid {child.pid}" in str(e.event_specific_data) for e in failures)


def test_the_cli_refuses_a_second_backfill_at_once(data_dir, capsys):
    child = _start_holder(data_dir)
    try:
        assert main(["backfill", "--days", "1"]) == 2
    finally:
        child.kill()
        child.wait()
    err = capsys.readouterr().err
    assert err.startswith("codex-assets: The data directory") and err.count("\n") == 1
    assert f"pid {child.pid}" in err
    assert not (data_dir / "lake").exists()  # nothing was fetched or landed


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["/venv/bin/codex-assets", "backfill", "--days", "90"], "codex-assets backfill --days 90"),
        (
            ["/venv/bin/dagster", "api", "execute_run", '{"__class__": "x"}'],
            "dagster api execute_run",
        ),
        (["/venv/bin/tool", "--api-key", "sk-abc"], "tool"),
        (["/venv/bin/tool", "--password=hunter2"], "tool"),
    ],
)
def test_the_holders_command_never_carries_arguments_that_may_be_secret(monkeypatch, argv, command):
    monkeypatch.setattr(sys, "argv", argv)
    assert writer_lock._command() == command
