"""Where partitions are built before they are published: one known directory, outside the lake.

Why: a run killed while landing (SIGKILL, OOM, a pod evicted) runs no cleanup, so whatever it
was building stays behind. Kept inside the lake's table folders, that was a 0-byte `.tmp`, a
JSON file of rows with emails in it and, for the compliance log, a hundred named pipes that
block for ever any reader walking the lake (`grep -r`, a backup tool). So every build happens
in a private directory of its own under `<data dir>/.staging/` (for an object-store lake, the
local `codex-assets-staging-<uid>` in the temporary directory), named after its writer:
`<pid>-<process start time>-<random>`. The next writer removes the directories whose process
is gone (the start time tells a live process from a later one given the same pid), and never
touches one whose writer is still running.

Files this code creates there are 0600 in a 0700 directory; DuckDB recreates its output file
with the umask's mode, which the directory keeps private, and `storage.publish` makes it 0600
before the rename.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path

from codex_assets.lib import storage

STAGING_DIR = ".staging"
LEGACY_MAX_AGE_SECONDS = 3600
"""Leftovers of versions that staged inside the table folders carry no writer's pid: they are
removed once this old, far longer than any partition takes to build."""


def staging_root(lake_root: storage.LakePath) -> Path:
    """The staging directory for the lake at `lake_root` (beside it, on the same filesystem)."""
    if isinstance(lake_root, Path):
        return lake_root.parent / STAGING_DIR
    return Path(tempfile.gettempdir()) / f"codex-assets-staging-{os.getuid()}"


def new_entry(root: Path) -> Path:
    """A fresh private directory under `root` owned by this process."""
    root.mkdir(parents=True, exist_ok=True, mode=storage.PRIVATE_DIR)
    entry = root / f"{os.getpid()}-{process_start(os.getpid())}-{uuid.uuid4().hex[:12]}"
    entry.mkdir(mode=storage.PRIVATE_DIR)
    return entry


def remove_entry(entry: Path) -> None:
    shutil.rmtree(entry, ignore_errors=True)


def sweep(root: Path) -> list[Path]:
    """Remove the entries under `root` whose writer has died; return what was removed."""
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for entry in sorted(root.iterdir()):
            if not writer_alive(entry.name):
                remove_entry(entry) if entry.is_dir() else entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


def sweep_legacy(lake_root: Path) -> list[Path]:
    """Remove old-style leftovers in the table folders (`day=*/.staging-*`, `day=*/.*.tmp`)."""
    removed = []
    cutoff = time.time() - LEGACY_MAX_AGE_SECONDS
    for pattern in ("*/day=*/.staging-*", "*/day=*/.*.tmp"):
        for path in lake_root.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                if path.lstat().st_mtime >= cutoff:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
                removed.append(path)
    return removed


def writer_alive(name: str) -> bool:
    """Whether the process named by a staging entry (`<pid>-<start>-...`) still runs.

    A name that is not ours is treated as alive: never remove what we cannot attribute.
    """
    pid_text, _, rest = name.partition("-")
    start_text = rest.partition("-")[0]
    if not (pid_text.isdigit() and start_text.isdigit()):
        return True
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    current = process_start(pid)
    return current == 0 or current == int(start_text)


def process_start(pid: int) -> int:
    """The process's start time in clock ticks since boot (Linux), 0 where unknown."""
    return _own_start(pid) if pid == os.getpid() else _process_start(pid)


@cache
def _own_start(pid: int) -> int:
    """Keyed by pid, so a forked child does not inherit its parent's answer."""
    return _process_start(pid)


def _process_start(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat.rpartition(")")[2].split()
    return int(fields[19]) if len(fields) > 19 else 0
