"""The raw landing zone: one Parquet file per table and UTC day, whole or absent.

Why Parquet files rather than DuckDB tables for raw data: many workers can land partitions in
parallel without the DuckDB single-writer lock, a partition is replaced by one atomic rename,
and the files outlive the vendor's 90/30-day windows as the lasting copy. The verbatim API row
is kept in a `record` JSON column next to the typed columns, so a field the API adds later is
never lost and never needs a re-fetch.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from codex_assets.lib.sql import read_sql

DATA_FILE = "data.parquet"
SOURCE_MARKER = "_source.json"
_PRIVATE_FILE = 0o600
_PRIVATE_DIR = 0o700


class LakeSourceMismatchError(RuntimeError):
    """The lake was filled from another source or workspace; mixing them would corrupt history."""


class Lake:
    """A directory of `<table>/day=YYYY-MM-DD/data.parquet` partitions."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def partition_file(self, table: str, day: date) -> Path:
        return self.root / table / f"day={day.isoformat()}" / DATA_FILE

    def table_glob(self, table: str) -> str:
        return str(self.root / table / "day=*" / DATA_FILE)

    def has_table(self, table: str) -> bool:
        return any((self.root / table).glob(f"day=*/{DATA_FILE}"))

    def landed_days(self, table: str) -> list[date]:
        """Days with a whole partition on disk (temporary files of killed writers are ignored)."""
        days = [
            date.fromisoformat(path.parent.name.removeprefix("day="))
            for path in (self.root / table).glob(f"day=*/{DATA_FILE}")
        ]
        return sorted(days)

    def partition_metadata(self, table: str, day: date) -> dict[str, str]:
        """The load facts stored in a partition's Parquet footer (pages, requests, source...)."""
        path = self.partition_file(table, day)
        with duckdb.connect() as conn:
            pairs = conn.execute(
                "SELECT decode(key), decode(value) FROM parquet_kv_metadata($path)",
                {"path": str(path)},
            ).fetchall()
        return dict(pairs)

    def write_partition(
        self,
        table: str,
        day: date,
        rows: Sequence[Mapping[str, Any]],
        *,
        metadata: Mapping[str, str | int] | None = None,
    ) -> int:
        """Land `rows` (API rows, as returned) as the whole partition `table`/`day`.

        The typed columns come from `sql/raw/<table>.sql`, which reads the rows back as JSON so
        that extraction runs in DuckDB, not row by row in Python. The file is written under a
        temporary name and renamed over the old one, so readers see the old or the new
        partition, never a mix, and a run killed halfway leaves the old one in place.
        """
        target = self.partition_file(table, day)
        _make_private_dirs(target.parent)
        staging = target.parent / f".staging-{uuid.uuid4().hex}.json"
        temporary = target.parent / f".{DATA_FILE}.{uuid.uuid4().hex}.tmp"
        try:
            staging.write_bytes(orjson.dumps(list(rows)))
            select = read_sql(f"raw/{table}.sql")
            options = "FORMAT parquet, COMPRESSION zstd"
            if metadata:
                options += f", KV_METADATA {_kv_literal(metadata)}"
            with duckdb.connect(config={"threads": 2}) as conn:
                conn.execute(
                    f"COPY ({select}) TO {_sql_string(str(temporary))} ({options})",
                    {
                        "path": str(staging),
                        "day": day.isoformat(),
                        "loaded_at": datetime.now(UTC).replace(tzinfo=None),
                    },
                )
            os.chmod(temporary, _PRIVATE_FILE)
            _fsync(temporary)
            os.replace(temporary, target)
            _fsync(target.parent)
        finally:
            with contextlib.suppress(FileNotFoundError):
                staging.unlink()
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        return len(rows)

    def check_source(self, fingerprint: Mapping[str, str]) -> None:
        """Record which source fills this lake, and refuse a different one.

        History from the simulator and from a real workspace (or two workspaces) must never be
        mixed: the marts would silently add them up.
        """
        marker = self.root / SOURCE_MARKER
        if marker.exists():
            recorded = json.loads(marker.read_text())
            if recorded != dict(fingerprint):
                raise LakeSourceMismatchError(
                    f"The data directory {self.root.parent} holds data from "
                    f"{_describe(recorded)}, but this run reads from {_describe(fingerprint)}. "
                    "Mixing them would corrupt the history. Point CODEX_DATA_DIR at another "
                    "directory, or move the old one away if you mean to start over."
                )
            return
        _make_private_dirs(self.root)
        marker.write_text(json.dumps(dict(fingerprint), indent=2, sort_keys=True))
        os.chmod(marker, _PRIVATE_FILE)

    def iter_tables(self) -> Iterator[str]:
        if self.root.is_dir():
            for child in sorted(self.root.iterdir()):
                if child.is_dir() and not child.name.startswith((".", "_")):
                    yield child.name


def _describe(fingerprint: Mapping[str, str]) -> str:
    return f"source={fingerprint.get('source')} workspace={fingerprint.get('workspace_id')}"


def _make_private_dirs(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=_PRIVATE_DIR)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _kv_literal(metadata: Mapping[str, str | int]) -> str:
    pairs = []
    for key, value in metadata.items():
        if not key.isidentifier():
            raise ValueError(f"partition metadata key {key!r} must be an identifier")
        pairs.append(f"{key}: {_sql_string(str(value))}")
    return "{" + ", ".join(pairs) + "}"
