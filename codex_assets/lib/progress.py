"""The one line a raw asset logs per day it landed, written and read in one place.

The raw assets log it (`landed_day_message`) as each day's paging finishes; the CLI's progress
lines (`codex_assets.progress`) read it back from the run's event log (`parse_landed_day`), so a
long backfill says how far it got instead of staying silent for a minute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

IDLE_NOTE = " (loaded: the API omits a day without activity)"
_LINE = re.compile(
    r"^(?P<table>\w+) (?P<day>\d{4}-\d{2}-\d{2}): "
    r"(?:(?P<files>\d+) files, (?P<events>\d+) events|(?P<rows>\d+) rows)"
)


@dataclass(frozen=True)
class LandedDay:
    table: str
    day: date
    rows: int


def landed_day_message(table: str, day: date, rows: int, files: int | None = None) -> str:
    """`usage_users 2026-11-02: 71 rows`, or for a log of files
    `compliance_codex_log 2026-11-02: 9 files, 12040 events`."""
    if files is not None:
        return f"{table} {day.isoformat()}: {files} files, {rows} events"
    return f"{table} {day.isoformat()}: {rows} rows" + ("" if rows else IDLE_NOTE)


def parse_landed_day(message: str) -> LandedDay | None:
    """The day a `landed_day_message` reports, or None for any other message."""
    found = _LINE.match(message)
    if found is None:
        return None
    rows = found["rows"] if found["rows"] is not None else found["events"]
    return LandedDay(found["table"], date.fromisoformat(found["day"]), int(rows))
