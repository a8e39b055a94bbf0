"""A compliance log file as the list endpoint describes it, and the day it belongs to.

A file belongs to the UTC day its `end_time` falls in, with the window end inclusive:
D 00:00 < end_time <= D+1 00:00 (docs/compliance.md, "Which files are day D's"). The listing's
entries are read strictly: a field of the wrong type is an `ApiSchemaError` naming it, never a
file landed under a guessed name or size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from codex_assets.lib.http.errors import ApiSchemaError
from codex_assets.lib.utc import as_utc


def file_day(end_time: datetime) -> date:
    """The UTC day a file belongs to: the day whose (00:00, 24:00] holds its `end_time`."""
    return (as_utc(end_time) - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class ListedDay:
    """A day's files as listed, handed back ahead of their downloads (`iter_days`)."""

    day: date
    files: tuple[LogFile, ...]


@dataclass(frozen=True)
class LogFile:
    """One file as the list endpoint describes it. `extra` keeps fields SPEC does not name."""

    id: str
    event_type: str
    end_time: datetime
    file_name: str
    file_size: int
    file_sha256: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def day(self) -> date:
        return file_day(self.end_time)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z` (no `+`, which query strings mangle)."""
    text = as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def parse_time(value: Any) -> datetime:
    """An ISO 8601 string as an aware UTC datetime (TypeError/ValueError if it is not one)."""
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {value!r}")
    return as_utc(datetime.fromisoformat(value))


def read_listing(body: dict, url: str) -> tuple[list[LogFile], bool, datetime | None]:
    """(files, has_more, last_end_time) from a list response, or `ApiSchemaError`."""

    def fail(name: str, problem: str) -> ApiSchemaError:
        return ApiSchemaError.build(url=url, field=name, problem=problem)

    data = body.get("data")
    if not isinstance(data, list):
        raise fail(
            "data", f"is {type(data).__name__ if data is not None else 'missing'}, expected a list"
        )
    has_more = body.get("has_more")
    if not isinstance(has_more, bool):
        raise fail("has_more", "is missing or not true/false")
    files = []
    for index, entry in enumerate(data):
        try:
            files.append(_log_file(entry))
        except (KeyError, TypeError, ValueError) as error:
            raise fail(f"data[{index}]", f"is not a log file entry ({error})") from None
    raw_last = body.get("last_end_time")
    try:
        last = parse_time(raw_last) if raw_last is not None else None
    except (TypeError, ValueError):
        raise fail("last_end_time", f"is not an ISO 8601 time: {raw_last!r}") from None
    return files, has_more, last


_KNOWN = {"id", "event_type", "end_time", "file_name", "file_size", "file_sha256"}


def _log_file(entry: Any) -> LogFile:
    if not isinstance(entry, dict):
        raise TypeError("expected an object")
    size = entry["file_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"file_size {size!r} is not a byte count")
    sha = entry["file_sha256"]
    if not isinstance(sha, str) or len(sha) != 64:
        raise ValueError(f"file_sha256 {sha!r} is not a hex sha256")
    return LogFile(
        id=str(entry["id"]),
        event_type=str(entry["event_type"]),
        end_time=parse_time(entry["end_time"]),
        file_name=str(entry["file_name"]),
        file_size=size,
        file_sha256=sha,
        extra={k: v for k, v in entry.items() if k not in _KNOWN},
    )
