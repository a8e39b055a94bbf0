"""The raw landing zone: one Parquet file per table and UTC day, whole or absent.

Why Parquet files rather than DuckDB tables for raw data: many workers can land partitions in
parallel without the DuckDB single-writer lock, a partition is replaced by one atomic rename,
and the files outlive the vendor's 90/30-day windows as the lasting copy. The verbatim API row
is kept in a `record` JSON column (next to typed columns for the analytics tables; the
compliance log is parsed on read), so a field the API adds later is never lost and never needs
a re-fetch.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from codex_assets.lib import staging, storage
from codex_assets.lib.sql import sql_string
from codex_assets.lib.storage import LakePath

DATA_FILE = "data.parquet"
SOURCE_MARKER = "_source.json"
# Rows of compliance logs are wide (the verbatim event plus its text columns): small row groups
# keep the Parquet writer's buffers, and so memory, bounded whatever the day's size; zstd at
# level 1 is as small as the default level here and a third faster to write.
_PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 16384"
_PIPE_BYTES = 1 << 20  # Linux's default /proc/sys/fs/pipe-max-size


class LakeSourceMismatchError(RuntimeError):
    """The lake was filled from another source or workspace; mixing them would corrupt history."""


class Lake:
    """A directory of `<table>/day=YYYY-MM-DD/data.parquet` partitions.

    `root` is a local directory or an object-store URL (`s3://bucket/prefix/lake`, see
    `storage`): files are always built on local disk and then published whole, by a rename
    locally or by one upload to the object store.
    """

    def __init__(
        self, root: str | Path | storage.ObjectPath, *, staging_root: Path | None = None
    ) -> None:
        self.root: LakePath = storage.lake_path(root)
        self.staging_root = staging_root or staging.staging_root(self.root)
        """Where partitions are built (see `lib.staging`): never inside the lake."""
        self._swept = False

    def new_staging(self) -> Path:
        """A private build directory for one partition; the first call of this `Lake` first
        removes what dead writers left (see `lib.staging`)."""
        if not self._swept:
            self._swept = True
            staging.sweep(self.staging_root)
            if isinstance(self.root, Path):
                staging.sweep_legacy(self.root)
        return staging.new_entry(self.staging_root)

    @property
    def is_remote(self) -> bool:
        return isinstance(self.root, storage.ObjectPath)

    def connect(self, database: str = ":memory:", **kwargs: Any) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection that can read (and `COPY` to) this lake's paths."""
        return storage.connect(self.root, database, **kwargs)

    def partition_file(self, table: str, day: date) -> LakePath:
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
        with self.connect() as conn:
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
        select: str,
        metadata: Mapping[str, str | int] | None = None,
    ) -> int:
        """Land `rows` (API rows, as returned) as the whole partition `table`/`day`.

        `select` is the source's landing SQL (e.g. `defs/analytics/land_<table>.sql`): it reads
        the rows back as JSON from `$path`, so that extraction runs in DuckDB, not row by row in
        Python. The file is written under a
        temporary name and renamed over the old one, so readers see the old or the new
        partition, never a mix, and a run killed halfway leaves the old one in place.
        """
        target = self.partition_file(table, day)
        storage.make_private_dirs(target.parent)
        work = self.new_staging()
        try:
            return self._write_partition(target, work, select, day, rows, metadata)
        finally:
            staging.remove_entry(work)

    def _write_partition(
        self,
        target: LakePath,
        work: Path,
        select: str,
        day: date,
        rows: Sequence[Mapping[str, Any]],
        metadata: Mapping[str, str | int] | None,
    ) -> int:
        rows_file = work / "rows.json"
        temporary = work / DATA_FILE
        try:
            _write_private(rows_file, orjson.dumps(list(rows)))
            options = "FORMAT parquet, COMPRESSION zstd"
            if metadata:
                options += f", KV_METADATA {_kv_literal(metadata)}"
            with _landing_cursor() as conn:
                conn.execute(
                    f"COPY ({select}) TO {sql_string(str(temporary))} ({options})",
                    {
                        "path": str(rows_file),
                        "day": day.isoformat(),
                        "loaded_at": datetime.now(UTC).replace(tzinfo=None),
                    },
                )
            storage.publish(temporary, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                rows_file.unlink()
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        return len(rows)

    def stream_partition(
        self,
        table: str,
        day: date,
        select_sql: str,
        *,
        parts: Sequence[Mapping[str, Any]],
        columns: Sequence[str],
        metadata: Mapping[str, str | int] | None = None,
        memory_limit: str = "512MB",
        use_pipes: bool | None = None,
    ) -> PartitionStream:
        """Build partition `table`/`day` from `len(parts)` JSONL bodies, one at a time.

        Use as a context manager: `write()` each body in the order of `parts`, then `commit()`;
        leaving the block without committing (an exception) discards everything and leaves the
        old partition, if any, untouched. See `PartitionStream`.
        """
        return PartitionStream(
            self,
            table,
            day,
            select_sql,
            parts=parts,
            columns=columns,
            metadata=metadata,
            memory_limit=memory_limit,
            use_pipes=use_pipes,
        )

    def drop_partition(self, table: str, day: date) -> bool:
        """Delete partition `table`/`day` (its file, then its directory); True if it existed.

        Used by retention: the file goes first, so a reader sees the whole partition or none.
        """
        target = self.partition_file(table, day)
        existed = target.exists()
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        if isinstance(target.parent, Path):  # object stores have no directories to remove
            shutil.rmtree(target.parent, ignore_errors=True)
        return existed

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
                    f"The data directory {self.root.parent} holds data from another source "
                    f"({_differences(recorded, fingerprint)}). "
                    "Mixing them would corrupt the history. Point CODEX_DATA_DIR at another "
                    "directory, or move the old one away if you mean to start over."
                )
            return
        storage.make_private_dirs(self.root)
        marker.write_text(json.dumps(dict(fingerprint), indent=2, sort_keys=True))
        if isinstance(marker, Path):
            os.chmod(marker, storage.PRIVATE_FILE)

    def iter_tables(self) -> Iterator[str]:
        if self.root.is_dir():
            for child in sorted(self.root.iterdir()):
                if child.is_dir() and not child.name.startswith((".", "_")):
                    yield child.name


class PartitionStream:
    """One partition built from a known list of JSONL bodies, streamed through one DuckDB COPY.

    Why: a day of compliance logs is close to a gigabyte of JSON in files of at most 15 MB.
    The bodies are announced up front (`parts`: the per-body columns, e.g. the log file's id),
    then written one at a time, in that order, with `write()`; `commit()` publishes the
    partition with one rename, and leaving without a commit discards everything.

    On POSIX each body goes through its own named pipe into a single `COPY ... TO` running in a
    DuckDB thread from the start, so parsing and Parquet writing overlap with the downloads,
    nothing of the day is held in memory or staged on disk, and there is no second pass to
    combine parts (measured on a million-event day: combining per-batch Parquet parts cost 3
    to 5 s, staging the JSON on disk 2.3 s). Where named pipes do not exist the bodies are
    staged as private files and converted by the same COPY at commit (memory is still bounded
    by one body; disk holds the day's JSON until the commit).

    `select_sql` reads `read_json_objects($paths, ..., filename = true)` and joins
    `unnest($files)` (one struct per body: `filename`, the body's path, plus its `parts`
    columns) on `filename`; it also gets `$day` and `$loaded_at`. Row order in the partition
    carries no meaning.
    """

    def __init__(
        self,
        lake: Lake,
        table: str,
        day: date,
        select_sql: str,
        *,
        parts: Sequence[Mapping[str, Any]],
        columns: Sequence[str],
        metadata: Mapping[str, str | int] | None,
        memory_limit: str,
        use_pipes: bool | None,
    ) -> None:
        self.table = table
        self.day = day
        self.target = lake.partition_file(table, day)
        self.columns = tuple(columns)
        for part in parts:
            if set(part) != set(self.columns):
                raise ValueError(f"every part needs the columns {self.columns}, got {tuple(part)}")
        storage.make_private_dirs(self.target.parent)
        if isinstance(self.target, Path):
            os.chmod(self.target.parent.parent, storage.PRIVATE_DIR)  # the table directory
        # Pipes, staged bodies, DuckDB's spill and the Parquet file under construction all live
        # in one private directory outside the lake, removed on commit or abort, and by the
        # next writer if this process is killed (see `lib.staging`).
        self.staging = lake.new_staging()
        self._temporary = self.staging / DATA_FILE
        self.pipes = (hasattr(os, "mkfifo") if use_pipes is None else use_pipes) and bool(parts)
        self.paths = [self.staging / f"body-{i:06d}.jsonl" for i in range(max(1, len(parts)))]
        self._parts = [dict(p) for p in parts] or [dict.fromkeys(self.columns)]
        if not parts:  # an empty day: one empty body gives the table's columns and zero rows
            self.paths[0].touch(mode=storage.PRIVATE_FILE)
        elif self.pipes:
            for path in self.paths:
                os.mkfifo(path, storage.PRIVATE_FILE)
        options = _PARQUET_OPTIONS
        if metadata:
            options += f", KV_METADATA {_kv_literal(metadata)}"
        self._sql = f"COPY ({select_sql}) TO {sql_string(str(self._temporary))} ({options})"
        self._params = {
            "paths": [str(p) for p in self.paths],
            "files": [
                {"filename": str(p), **part}
                for p, part in zip(self.paths, self._parts, strict=True)
            ],
            "day": day.isoformat(),
            "loaded_at": datetime.now(UTC).replace(tzinfo=None),
        }
        self._conn = duckdb.connect(
            config={
                "threads": 2,
                "memory_limit": memory_limit,
                "preserve_insertion_order": False,
                "temp_directory": str(self.staging / ".spill"),
            }
        )
        self._written = 0
        self._expected = len(parts)
        self.bytes = 0
        self.rows = 0
        self._done = False
        self._error: BaseException | None = None
        self._copy: threading.Thread | None = None
        if self.pipes:
            self._copy = threading.Thread(target=self._run_copy, name=f"lake-{table}", daemon=True)
            self._copy.start()

    def __enter__(self) -> PartitionStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._done:
            self.abort()

    def write(self, body: bytes) -> None:
        """Stream the next body (in the order of `parts`) into the partition."""
        if self._done:
            raise RuntimeError("the partition stream is already committed or aborted")
        if self._written >= self._expected:
            raise ValueError(f"all {self._expected} announced bodies were already written")
        path = self.paths[self._written]
        data = body if not body or body.endswith(b"\n") else body + b"\n"
        if self.pipes:
            fd = self._open_pipe(path)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, storage.PRIVATE_FILE)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except BrokenPipeError:
            self._raise_copy_error()
            raise
        finally:
            os.close(fd)
        self._written += 1
        self.bytes += len(body)

    def commit(self) -> int:
        """Publish the partition (replacing any previous one); return its row count."""
        if self._done:
            raise RuntimeError("the partition stream is already committed or aborted")
        if self._written != self._expected:
            raise RuntimeError(
                f"only {self._written} of the {self._expected} announced bodies were written; "
                "the partition is not published"
            )
        try:
            if self._copy is not None:
                self._copy.join()
                self._raise_copy_error()
            else:
                self._run_copy()
                self._raise_copy_error()
            found = self._conn.execute(
                "SELECT num_rows FROM parquet_file_metadata($path)",
                {"path": str(self._temporary)},
            ).fetchone()
            self.rows = int(found[0]) if found else 0
            storage.publish(self._temporary, self.target)
        finally:
            self._close()
        return self.rows

    def abort(self) -> None:
        """Discard everything; the published partition (if any) is left as it was."""
        if self._copy is not None and self._copy.is_alive():
            with contextlib.suppress(duckdb.Error):
                self._conn.interrupt()
            # A DuckDB thread may be blocked opening a pipe nobody will write: give every
            # pipe an immediate end of file until the COPY gives up.
            while self._copy.is_alive():
                for path in self.paths[self._written :]:
                    with contextlib.suppress(OSError):
                        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                self._copy.join(timeout=0.05)
        self._close()

    def _run_copy(self) -> None:
        try:
            self._conn.execute(self._sql, self._params)
        except BaseException as error:  # surfaced to the writer by _raise_copy_error
            self._error = error

    def _raise_copy_error(self) -> None:
        if self._error is not None:
            raise RuntimeError(
                f"Landing {self.table} {self.day} failed in DuckDB: {self._error}"
            ) from self._error

    def _open_pipe(self, path: Path) -> int:
        """Open `path` for writing once DuckDB opened it for reading (without blocking on a
        COPY that has died, which would otherwise wait forever)."""
        delay = 0.0005
        while True:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
            else:
                os.set_blocking(fd, True)
                # A 1 MiB pipe instead of 64 KiB: 16 times fewer writer/DuckDB hand-offs per
                # body (measured on a million-event day over HTTP: 8.0 s -> 6.0 s).
                import fcntl  # POSIX only, as named pipes are

                with contextlib.suppress(OSError, AttributeError):  # Linux only
                    fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
                return fd
            if self._copy is None or not self._copy.is_alive():
                self._raise_copy_error()
                raise RuntimeError(f"DuckDB stopped reading before {path.name}")
            time.sleep(delay)
            delay = min(delay * 2, 0.001)  # DuckDB waits in open() meanwhile: keep it short

    def _close(self) -> None:
        if not self._done:
            self._done = True
            with contextlib.suppress(duckdb.Error):
                self._conn.close()
            staging.remove_entry(self.staging)


_landing_lock = threading.Lock()
_landing_db: tuple[int, duckdb.DuckDBPyConnection] | None = None


def _landing_cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this process's one in-memory DuckDB for `write_partition`'s COPY.

    Why one: opening a DuckDB database costs 16-40 ms on the 2-core machine, more than a day
    of code reviews takes to land, and a 90-day backfill lands 356 partitions (13 s of a
    10,000-user backfill went to opening databases; docs/performance.md). A cursor is a
    connection of its own to that database (safe to use from its thread, cheap to open). The
    process id guards against a database inherited through `fork`.
    """
    global _landing_db
    with _landing_lock:
        if _landing_db is None or _landing_db[0] != os.getpid():
            _landing_db = (os.getpid(), duckdb.connect(config={"threads": 2}))
        return _landing_db[1].cursor()


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, storage.PRIVATE_FILE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _differences(recorded: Mapping[str, str], current: Mapping[str, str]) -> str:
    """Each field that differs, as `field: recorded X, this run Y` (a missing one is `none`).

    Why field by field: two API workspaces on different hosts describe alike by source and
    workspace alone; the user needs to see which value moved (e.g. `api_host`).
    """
    fields = sorted(set(recorded) | set(current))
    return "; ".join(
        f"{field}: recorded {recorded.get(field) or 'none'}, this run {current.get(field) or 'none'}"
        for field in fields
        if recorded.get(field) != current.get(field)
    )


def _kv_literal(metadata: Mapping[str, str | int]) -> str:
    pairs = []
    for key, value in metadata.items():
        if not key.isidentifier():
            raise ValueError(f"partition metadata key {key!r} must be an identifier")
        pairs.append(f"{key}: {sql_string(str(value))}")
    return "{" + ", ".join(pairs) + "}"
