"""The validated configuration as a plain value, and the one reader of the environment.

Everything a user sets is a `CODEX_*` environment variable (the README's configuration table).
`CodexResource` (defs/resources/codex.py) declares and validates them, once, as Dagster
resource fields; `Settings` is what it hands to plain code (clients, backfills, marts), so
that code needs no Dagster. `environment()` is the only place that reads the environment;
the resources' definitions, the partition set's start and the CLI call it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dotenv

from codex_assets.lib.storage import is_remote


class SettingsError(Exception):
    """A configuration value is missing or malformed; the message names the variable and the fix.

    Deliberately not a `ValueError`: pydantic turns those into a `ValidationError`, several
    lines long and echoing the input (a key, a URL), where this is one line that echoes only
    what is safe to show.
    """


def environment() -> Mapping[str, str]:
    """The process environment, with `./.env` loaded under it (set variables win), as `dg dev` does."""
    dotenv.load_dotenv(Path.cwd() / ".env", override=False)
    return os.environ


def local_data_path(data_dir: str, duckdb_file: str | None) -> Path:
    """`Settings.data_path` from the two raw settings (the partition starts' record needs it
    before the resource is built)."""
    data_dir = data_dir.strip().removeprefix("file://") or "./data"
    if not is_remote(data_dir):
        return Path(data_dir).expanduser().resolve()
    duckdb_file = (duckdb_file or "").strip()
    if duckdb_file and not duckdb_file.startswith("md:"):
        return Path(duckdb_file).expanduser().resolve().parent
    return Path("./data").resolve()


@dataclass(frozen=True)
class Settings:
    """The `CODEX_*` configuration once `CodexResource` has validated it; keys are not in the repr."""

    source: str
    api_base_url: str
    workspace_id: str | None
    analytics_api_key: str | None = field(repr=False)
    compliance_api_key: str | None = field(repr=False)
    data_dir: str
    duckdb_file: str | None
    """CODEX_DUCKDB_PATH: the DuckDB database (a local file, or an `md:` MotherDuck database)."""
    usd_per_credit: float | None
    directory_csv: str | None
    surfaces_csv: str | None
    start_date: date
    """The analytics assets' first daily partition (defs/partitions.py; CODEX_START_DATE)."""
    simulator_users: int
    simulator_seed: int
    simulator_faults: str
    simulator_profile: str
    """CODEX_SIMULATOR_PROFILE: `rich` (dense, the demo's) or `contract` (every awkward but
    legal shape of the API: idle days without rows, short pages, nulls, unknown ids...)."""
    requests_per_minute: float | None
    max_concurrency: int
    compliance_retention_days: int | None
    compliance_downloads_per_minute: float
    compliance_max_concurrency: int
    export_emails: bool = False
    """CODEX_EXPORT_EMAILS: put users' emails in the exports and the dashboard (else ids only)."""
    api_retry_budget_seconds: float = 300.0
    """CODEX_API_RETRY_BUDGET_SECONDS: how long one request keeps being retried (429s honour
    their Retry-After for as long as this allows)."""

    @property
    def lake_is_remote(self) -> bool:
        """True when CODEX_DATA_DIR is an object-store URL (the lake lives there)."""
        return is_remote(self.data_dir)

    @property
    def data_path(self) -> Path:
        """The local data directory as an absolute path (DuckDB file, exports; and the lake
        unless CODEX_DATA_DIR is an object-store URL).

        With an object-store CODEX_DATA_DIR the local files go next to CODEX_DUCKDB_PATH, or
        to ./data when that is unset or a MotherDuck database.
        """
        return local_data_path(self.data_dir, self.duckdb_file)

    @property
    def duckdb_path(self) -> str:
        """The DuckDB database: CODEX_DUCKDB_PATH, else `codex.duckdb` in the data directory.

        It stays on local disk (or MotherDuck) even when the lake is on object storage: DuckDB
        writes its database file in place, which object stores cannot do.
        """
        if self.duckdb_file:
            if self.duckdb_file.startswith("md:"):
                return self.duckdb_file
            return str(Path(self.duckdb_file).expanduser().resolve())
        return str(self.data_path / "codex.duckdb")

    @property
    def lake_root(self) -> Path | str:
        """Where raw partitions land: `<data dir>/lake`, a local path or an object-store URL."""
        if self.lake_is_remote:
            return f"{self.data_dir.rstrip('/')}/lake"
        return self.data_path / "lake"
