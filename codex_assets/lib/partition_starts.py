"""Where each source's daily partitions start, fixed per install (plain code, no Dagster).

A partition set Dagster shows should be one a user can fill: starting it at a fixed date long
before the APIs' windows (90 days of analytics, 30 of compliance files) leaves partitions
missing for ever. Computing it from today moves it every day. So the starts are chosen once:

1. `CODEX_START_DATE` when set, as given: the analytics start; the compliance start keeps a
   fresh install's distance after it (`Starts.gap`, 61 days);
2. else the starts recorded in `<CODEX_DATA_DIR>/partitions.json`, written by the first run;
3. else (a fresh install, before its first run) the oldest day each API serves today.

With 2 and 3 a start moves earlier to cover any day already landed in the lake (an install
older than its record), so history kept beyond the APIs' windows stays reachable; a start
never moves later on its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from codex_assets.lib.settings import SettingsError
from codex_assets.lib.storage import PRIVATE_DIR

RECORD_FILE = "partitions.json"
"""The file in the data directory that fixes the starts of an install."""


@dataclass(frozen=True)
class Starts:
    """The first daily partition of the analytics assets and of the compliance assets."""

    analytics: date
    compliance: date
    origin: str
    """How they were chosen, for the docs and error messages (`CODEX_START_DATE`, ...)."""

    @property
    def gap(self) -> int:
        """Days from the analytics start to the compliance start."""
        return (self.compliance - self.analytics).days


def parse_start(raw: str, variable: str) -> date | None:
    """A `YYYY-MM-DD` setting, None when blank; a one-line error naming `variable` otherwise."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"{variable} must be a date as YYYY-MM-DD, got {raw!r}.") from None


def read_record(path: Path) -> Starts | None:
    """The starts recorded at `path`, None when there is no such file."""
    try:
        record = json.loads(path.read_text())
        return Starts(
            date.fromisoformat(record["analytics"]),
            date.fromisoformat(record["compliance"]),
            f"recorded in {path}",
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        raise SettingsError(
            f'{path} is not a partition start record ({{"analytics": "YYYY-MM-DD", '
            '"compliance": "YYYY-MM-DD"}): fix it, or delete it to record the starts again '
            "at the next run (they then cover every day already landed)."
        ) from None


def resolve(
    override: date | None,
    record: Starts | None,
    fresh: Starts,
    landed_analytics: Iterable[date] = (),
    landed_compliance: Iterable[date] = (),
) -> Starts:
    """The starts by the module's rules: `override` as given, else `record` or `fresh`, each
    moved earlier to the first landed day of its source."""
    if override is not None:  # (the user's choice: days landed before it stay in the lake)
        return Starts(override, override + timedelta(days=fresh.gap), "CODEX_START_DATE")
    starts = record or fresh
    first_analytics = min(landed_analytics, default=starts.analytics)
    first_compliance = min(landed_compliance, default=starts.compliance)
    return replace(
        starts,
        analytics=min(starts.analytics, first_analytics),
        compliance=min(starts.compliance, first_compliance),
    )


def write_record(path: Path, starts: Starts, *, overwrite: bool = False) -> bool:
    """Record `starts` at `path` unless a record is there already (`overwrite` only to move a
    start earlier); True when written. Written to a temporary name and renamed, so a record is
    whole or absent, and of two first runs racing, the first one's is kept."""
    if path.exists() and not overwrite:
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)  # (as the data dir is)
    body = {"analytics": starts.analytics.isoformat(), "compliance": starts.compliance.isoformat()}
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(body, indent=2) + "\n")
    if overwrite:
        os.replace(temporary, path)
        return True
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True
