"""One writer per data directory: an `flock` on `<data dir>/.writer.lock`, held for a run.

Why: two backfills on one data directory both replace lake partitions and rebuild the same
DuckDB tables; nothing made their interleaving safe. The lock is the kernel's (`fcntl.flock`),
so it dies with its holder: a run killed with SIGKILL releases it, and the file it leaves
behind (still naming the dead holder) blocks nobody. While it is held the file names the
holder (pid, start time, command, run id) so a refused run can say who is writing.

Taken in one place, `WarehouseResource.setup_for_execution` (every asset that writes the lake
or the warehouse requires that resource), and also up front by the CLI so a second
`codex-assets backfill` is refused before it makes any request. Re-entrant within a process:
the CLI's hold and its in-process run's hold are one lock. The repo's executor runs a run's
steps in one process, so one hold covers the whole run; should steps run in processes of their
own, a step whose lock is held by its own run (same run id) queues behind it for up to
`SIBLING_WAIT_SECONDS` instead of failing, while another run waits `RUN_WAIT_SECONDS`.

The lock is local: it guards a local data directory (the DuckDB file, exports, a local lake),
not an object-store lake shared by several machines.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from codex_assets.lib import storage

LOCK_FILE = ".writer.lock"
RUN_WAIT_SECONDS = 120.0
"""How long a Dagster run waits for another run's lock before failing (the CLI waits 0 s)."""
SIBLING_WAIT_SECONDS = 3600.0
"""How long a step waits for a step of its own run (only with a multi-process executor)."""
_POLL_SECONDS = 0.2
_PLAIN_WORD = re.compile(r"^(-{0,2}[A-Za-z][A-Za-z_-]{0,39}|[0-9][0-9-]{0,19})$")
_SECRET_OPTION = re.compile(r"key|token|secret|password", re.IGNORECASE)


class DataDirBusyError(RuntimeError):
    """Another live process holds the data directory's writer lock."""


@dataclass
class _Hold:
    fd: int
    count: int
    started: str


_holds: dict[str, _Hold] = {}
_guard = threading.Lock()


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_FILE


@contextlib.contextmanager
def hold(data_dir: Path, *, wait_seconds: float = 0.0, run_id: str | None = None) -> Iterator[None]:
    """Hold the data directory's writer lock for the block (see `acquire`)."""
    acquire(data_dir, wait_seconds=wait_seconds, run_id=run_id)
    try:
        yield
    finally:
        release(data_dir)


def acquire(data_dir: Path, *, wait_seconds: float = 0.0, run_id: str | None = None) -> None:
    """Take the lock, waiting up to `wait_seconds` for another holder; raise
    `DataDirBusyError` (one line: the holder and the fix) if it is still held then."""
    path = lock_path(data_dir)
    key = str(path.resolve())
    with _guard:
        if key in _holds:
            held = _holds[key]
            held.count += 1
            if run_id:  # the CLI's hold, now running its run: name the run too
                _write_holder(held.fd, held.started, run_id)
            return
        storage.make_private_dirs(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, storage.PRIVATE_FILE)
        try:
            _lock(fd, path, wait_seconds, run_id)
        except BaseException:
            os.close(fd)
            raise
        started = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        _write_holder(fd, started, run_id)
        _holds[key] = _Hold(fd, 1, started)


def release(data_dir: Path) -> None:
    key = str(lock_path(data_dir).resolve())
    with _guard:
        held = _holds.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count == 0:
            del _holds[key]
            os.close(held.fd)  # closing the last descriptor releases the flock


def holder(data_dir: Path) -> dict[str, str] | None:
    """What the lock file says about its holder, or None if unreadable or empty."""
    with contextlib.suppress(OSError, ValueError):
        found = json.loads(lock_path(data_dir).read_text() or "null")
        return found if isinstance(found, dict) else None
    return None


def _lock(fd: int, path: Path, wait_seconds: float, run_id: str | None) -> None:
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        found = holder(path.parent)
        same_run = bool(run_id) and found is not None and found.get("run_id") == run_id
        limit = SIBLING_WAIT_SECONDS if same_run else wait_seconds
        waited = time.monotonic() - started
        if waited >= limit:
            raise DataDirBusyError(_busy_message(path.parent, found, waited))
        time.sleep(min(_POLL_SECONDS, max(limit - waited, 0.01)))


def _write_holder(fd: int, started: str, run_id: str | None) -> None:
    record = {
        "pid": str(os.getpid()),
        "started": started,
        "command": _command(),
        "run_id": run_id or "",
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode(), 0)


def _command() -> str:
    """The program and its first plain words (`codex-assets backfill --days 90`): never a
    JSON argument, an `x=y` pair or a path, which may carry an instance's settings or a
    secret, and nothing from an option named like a secret on."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    words = [f"{Path(sys.executable).name} {program}".strip() if program in ("", "-c") else program]
    for word in sys.argv[1:5]:
        if not _PLAIN_WORD.match(word) or _SECRET_OPTION.search(word):
            break
        words.append(word)
    return " ".join(words)


def _busy_message(data_dir: Path, found: dict[str, str] | None, waited: float) -> str:
    if found is None:
        who, fix = "another process (it has not written its details yet)", "wait for it to finish"
    else:
        run = f", run {found['run_id']}" if found.get("run_id") else ""
        who = (
            f"pid {found.get('pid')}, started {found.get('started')}, `{found.get('command')}`{run}"
        )
        fix = f"wait for it to finish, or stop it (kill {found.get('pid')})"
    return (
        f"The data directory {data_dir} is being written by another run ({who}); waited "
        f"{waited:.0f} s. Only one run may write it at a time: {fix}, then run again, or point "
        "CODEX_DATA_DIR at another directory."
    )
