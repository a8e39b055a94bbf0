"""Owner-only permissions on everything that holds restricted compliance data.

The lake already writes files 0600 in 0700 directories. The DuckDB file (and its WAL) is
created by DuckDB with the process umask, usually world-readable, and it holds
`restricted.*`; the data directory is made 0700 so nothing under it is reachable by other
users even if a file slips through, and the database files are made 0600.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from codex_assets.lib.storage import PRIVATE_DIR, PRIVATE_FILE


def make_private(data_dir: Path, database: str | Path | None = None) -> None:
    """chmod the data directory 0700 and the DuckDB file (and WAL) 0600 where they exist."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(data_dir, PRIVATE_DIR)
    if database is None or str(database).startswith("md:") or str(database) == ":memory:":
        return
    for path in (Path(database), Path(f"{database}.wal")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, PRIVATE_FILE)
