"""Where the lake lives: a local directory, or an object-store URL such as `s3://bucket/prefix`.

Why fsspec rather than DuckDB's httpfs extension: DuckDB cannot download extensions on these
machines, and PyPI's `duckdb-extension-httpfs` wheels stop at DuckDB 1.5.5 while we run 2.x.
An fsspec filesystem (`s3fs` for `s3://`) registered on a DuckDB connection
(`conn.register_filesystem`) lets `read_parquet`, `parquet_kv_metadata` and `COPY ... TO` use
object-store URLs with no extension at all, and works the same on a laptop, in CI against a
local S3-compatible server, and in production against AWS S3, GCS (`gs://`, with gcsfs) or any
S3-compatible store.

Credentials and endpoint come from the standard AWS environment (`AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_PROFILE`, `AWS_DEFAULT_REGION`,
`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, instance and pod roles), read by botocore: they
never pass through this code's settings, logs, metadata or error messages.

Publishing a file is atomic on both: locally a rename; on an object store one PUT (or one
completed multipart upload) of a file built on local disk first, so a reader sees the old
object or the new one and a writer killed halfway publishes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class StorageError(RuntimeError):
    """The lake's object store cannot be reached or used; the message says what to check."""


def is_remote(location: str | os.PathLike[str] | ObjectPath) -> bool:
    """True for an object-store URL (`s3://...`); False for a local path or `file://` URL."""
    if isinstance(location, ObjectPath):
        return True
    text = str(location)
    return "://" in text and not text.startswith("file://")


def protocol(url: str) -> str:
    return url.split("://", 1)[0]


@cache
def filesystem(scheme: str) -> Any:
    """The fsspec filesystem for `scheme`, one per process, configured by botocore's own
    environment (AWS_* for s3://, its credential chain also covering profiles and pod roles).

    This code never reads those variables: credentials stay out of our settings, logs and
    metadata entirely. A process that changes them after the first use (a test switching
    endpoints) calls `reset_filesystems()`. Listings are not cached: the lake is written by
    other processes (other runs, other machines), and a stale listing would hide a partition
    they landed.
    """
    import fsspec

    try:
        return fsspec.filesystem(scheme, use_listings_cache=False, skip_instance_cache=True)
    except ImportError as error:
        raise StorageError(
            f"CODEX_DATA_DIR uses {scheme}://, which needs an fsspec filesystem for it "
            f"({error}). s3:// is supported out of the box (s3fs); for gs:// install gcsfs, "
            "for az:// adlfs."
        ) from error


def reset_filesystems() -> None:
    """Forget the filesystems made so far, so the next use reads the environment anew."""
    filesystem.cache_clear()


class ObjectPath:
    """The few `pathlib.Path` operations the lake needs, on an fsspec filesystem.

    `str()` gives the URL (`s3://bucket/key`), which is what DuckDB reads once the filesystem
    is registered on the connection (see `register`).
    """

    __slots__ = ("_key", "scheme")

    def __init__(self, url: str) -> None:
        self.scheme = protocol(url)
        self._key = url.split("://", 1)[1].rstrip("/")

    @property
    def fs(self) -> Any:
        return filesystem(self.scheme)

    def __str__(self) -> str:
        return f"{self.scheme}://{self._key}"

    def __repr__(self) -> str:
        return f"ObjectPath({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectPath) and str(other) == str(self)

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other: ObjectPath) -> bool:
        return str(self) < str(other)

    def __truediv__(self, name: str) -> ObjectPath:
        return ObjectPath(f"{self}/{str(name).strip('/')}")

    @property
    def name(self) -> str:
        return posixpath.basename(self._key)

    @property
    def parent(self) -> ObjectPath:
        return ObjectPath(f"{self.scheme}://{posixpath.dirname(self._key)}")

    def exists(self) -> bool:
        return bool(self._call("exists", self._key))

    def is_file(self) -> bool:
        return bool(self._call("isfile", self._key))

    def is_dir(self) -> bool:
        return bool(self._call("isdir", self._key))

    def glob(self, pattern: str) -> list[ObjectPath]:
        found = self._call("glob", f"{self._key}/{pattern}")
        return [ObjectPath(f"{self.scheme}://{key}") for key in sorted(found)]

    def iterdir(self) -> list[ObjectPath]:
        if not self.is_dir():
            return []
        found = self._call("ls", self._key, detail=False)
        return [ObjectPath(f"{self.scheme}://{key.rstrip('/')}") for key in sorted(found)]

    def read_bytes(self) -> bytes:
        return self._call("cat_file", self._key)

    def read_text(self) -> str:
        return self.read_bytes().decode()

    def write_bytes(self, data: bytes) -> None:
        self._call("pipe_file", self._key, data)

    def write_text(self, text: str) -> None:
        self.write_bytes(text.encode())

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self._call("rm_file", self._key)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def upload(self, local: Path) -> None:
        """Publish the local file `local` as this object (one PUT or one multipart upload)."""
        self._call("put_file", str(local), self._key)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.fs, method)(*args, **kwargs)
        except (FileNotFoundError, StorageError):
            raise
        except PermissionError as error:
            raise StorageError(
                f"Access to {self} was denied ({type(error).__name__}). Check the bucket "
                "policy and the credentials in the AWS environment (AWS_PROFILE, "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the pod's role)."
            ) from None
        except OSError as error:
            raise StorageError(
                f"The lake's object store failed on {self} ({type(error).__name__}: "
                f"{_first_line(error)}). Check that the bucket exists and that "
                "AWS_ENDPOINT_URL_S3 / AWS_DEFAULT_REGION point at the right service."
            ) from None


LakePath = Path | ObjectPath


def lake_path(location: str | os.PathLike[str] | ObjectPath) -> LakePath:
    """`location` as a `Path` (local, absolute) or an `ObjectPath` (object store)."""
    if isinstance(location, ObjectPath):
        return location
    text = str(location)
    if is_remote(text):
        return ObjectPath(text)
    return Path(text.removeprefix("file://")).expanduser()


def register(
    conn: duckdb.DuckDBPyConnection, location: str | os.PathLike[str] | ObjectPath
) -> duckdb.DuckDBPyConnection:
    """Let `conn` read and write `location`'s URLs (a no-op for a local lake)."""
    if is_remote(location):
        fs = filesystem(protocol(str(location)))
        name = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
        if not conn.filesystem_is_registered(name):
            conn.register_filesystem(fs)
    return conn


def connect(
    location: str | os.PathLike[str] | ObjectPath,
    database: str = ":memory:",
    **kwargs: Any,
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect(database, **kwargs)` that can read the lake at `location`."""
    return register(duckdb.connect(database, **kwargs), location)


@contextlib.contextmanager
def workdir(target: LakePath) -> Iterator[Path]:
    """A private local directory to build a file bound for `target` in.

    Locally it is `target`'s own directory, so publishing is a rename within one filesystem;
    for an object store a fresh temporary directory, removed on exit.
    """
    if isinstance(target, ObjectPath):
        directory = Path(tempfile.mkdtemp(prefix="codex-lake-"))
        try:
            yield directory
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    else:
        make_private_dirs(target.parent)
        yield target.parent


def local_workdir(target: LakePath) -> Path:
    """Like `workdir`, without the context: the caller removes it with `remove_workdir`."""
    if isinstance(target, ObjectPath):
        return Path(tempfile.mkdtemp(prefix="codex-lake-"))
    make_private_dirs(target.parent)
    return target.parent


def remove_workdir(target: LakePath, directory: Path) -> None:
    if isinstance(target, ObjectPath):
        shutil.rmtree(directory, ignore_errors=True)


def publish(built: Path, target: LakePath) -> None:
    """Make the finished local file `built` the file at `target`, whole or not at all.

    Locally: private permissions, fsync, rename over the old file, fsync the directory.
    Object store: one upload; the local file is removed afterwards.
    """
    if isinstance(target, ObjectPath):
        target.upload(built)
        built.unlink()
        return
    os.chmod(built, PRIVATE_FILE)
    fsync(built)
    try:
        os.replace(built, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        # The staging directory is on another filesystem than the lake (a mounted lake):
        # copy beside the target, then rename, so the swap itself stays atomic.
        beside = target.with_name(f".{target.name}.{built.parent.name}.tmp")
        shutil.copyfile(built, beside)
        os.chmod(beside, PRIVATE_FILE)
        fsync(beside)
        os.replace(beside, target)
        built.unlink()
    fsync(target.parent)


def make_private_dirs(path: LakePath) -> None:
    """Create `path` and its parents 0700 (object stores have no directories: a no-op)."""
    if isinstance(path, Path):
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else ""
