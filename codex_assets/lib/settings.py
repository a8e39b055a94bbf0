"""Configuration from the environment (and `.env`), validated once with errors that say the fix.

Everything a user sets is an environment variable (see the README's configuration table), so
the same settings drive the CLI, `dagster dev` and tests. Keys are read here and nowhere else,
and `Settings` never shows them in its repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

SOURCES = ("simulator", "api")
DEFAULT_API_BASE_URL = "https://api.chatgpt.com/v1"
DEFAULT_START_DATE = date(2026, 1, 1)
SIMULATOR_BASE_URL = "http://simulator.local/v1"
SIMULATOR_PROFILES = ("rich", "contract")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; the message names the variable and the fix."""


@dataclass(frozen=True)
class Settings:
    """The validated `CODEX_*` environment."""

    source: str = "simulator"
    api_base_url: str = DEFAULT_API_BASE_URL
    workspace_id: str | None = None
    analytics_api_key: str | None = field(default=None, repr=False)
    compliance_api_key: str | None = field(default=None, repr=False)
    data_dir: str = "./data"
    duckdb_file: str | None = None
    """CODEX_DUCKDB_PATH: the DuckDB database (a local file, or an `md:` MotherDuck database)."""
    usd_per_credit: float | None = None
    directory_csv: str | None = None
    surfaces_csv: str | None = None
    start_date: date = DEFAULT_START_DATE
    simulator_users: int = 200
    simulator_seed: int = 7
    simulator_faults: str = ""
    simulator_profile: str = "rich"
    """CODEX_SIMULATOR_PROFILE: `rich` (dense, the demo's) or `contract` (every awkward but
    legal shape of the API: idle days without rows, short pages, nulls, unknown ids...)."""
    requests_per_minute: float | None = 100.0
    max_concurrency: int = 4
    compliance_retention_days: int | None = None
    compliance_downloads_per_minute: float = 50.0
    compliance_max_concurrency: int = 2

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the `CODEX_*` variables (a `.env` in the working directory is loaded first)."""
        if environ is None:
            load_dotenv()
            environ = os.environ
        env = {k: v.strip() for k, v in environ.items() if k.startswith("CODEX_") and v.strip()}

        source = env.get("CODEX_SOURCE", "simulator").lower()
        if source not in SOURCES:
            raise SettingsError(
                f"CODEX_SOURCE must be 'simulator' or 'api', got {source!r}. "
                "Unset it to use the embedded simulator."
            )
        base_url = env.get("CODEX_API_BASE_URL", DEFAULT_API_BASE_URL).rstrip("/")
        if urlparse(base_url).scheme not in ("http", "https"):
            raise SettingsError(
                f"CODEX_API_BASE_URL must be an http(s) URL such as {DEFAULT_API_BASE_URL}, "
                f"got {base_url!r}."
            )
        settings = cls(
            source=source,
            api_base_url=base_url,
            workspace_id=env.get("CODEX_WORKSPACE_ID"),
            analytics_api_key=env.get("CODEX_ANALYTICS_API_KEY"),
            compliance_api_key=env.get("CODEX_COMPLIANCE_API_KEY"),
            data_dir=_data_dir(env),
            duckdb_file=env.get("CODEX_DUCKDB_PATH"),
            usd_per_credit=_positive_float(env, "CODEX_USD_PER_CREDIT"),
            directory_csv=_existing_file(env, "CODEX_DIRECTORY_CSV"),
            surfaces_csv=_existing_file(env, "CODEX_SURFACES_CSV"),
            start_date=_date(env, "CODEX_START_DATE", DEFAULT_START_DATE.isoformat()),
            simulator_users=_positive_int(env, "CODEX_SIMULATOR_USERS", 200),
            simulator_seed=_int(env, "CODEX_SIMULATOR_SEED", 7),
            simulator_faults=env.get("CODEX_SIMULATOR_FAULTS", ""),
            simulator_profile=_simulator_profile(env),
            requests_per_minute=_positive_float(env, "CODEX_API_REQUESTS_PER_MINUTE", 100.0),
            max_concurrency=_positive_int(env, "CODEX_API_MAX_CONCURRENCY", 4),
            compliance_retention_days=_optional_positive_int(
                env, "CODEX_COMPLIANCE_RETENTION_DAYS"
            ),
            compliance_downloads_per_minute=_positive_float(
                env, "CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE", 50.0
            )
            or 50.0,
            compliance_max_concurrency=_positive_int(env, "CODEX_COMPLIANCE_MAX_CONCURRENCY", 2),
        )
        if source == "api" and not settings.workspace_id:
            raise SettingsError(
                "CODEX_WORKSPACE_ID is required when CODEX_SOURCE=api: copy the workspace UUID "
                "from Workspace details in the ChatGPT admin console (chatgpt.com/admin)."
            )
        return settings

    @property
    def lake_is_remote(self) -> bool:
        """True when CODEX_DATA_DIR is an object-store URL (the lake lives there)."""
        return _is_url(self.data_dir)

    @property
    def data_path(self) -> Path:
        """The local data directory as an absolute path (DuckDB file, exports; and the lake
        unless CODEX_DATA_DIR is an object-store URL).

        With an object-store CODEX_DATA_DIR the local files go next to CODEX_DUCKDB_PATH, or
        to ./data when that is unset or a MotherDuck database.
        """
        if not self.lake_is_remote:
            return Path(self.data_dir).expanduser().resolve()
        if self.duckdb_file and not self.duckdb_file.startswith("md:"):
            return Path(self.duckdb_file).expanduser().resolve().parent
        return Path("./data").resolve()

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


def load_dotenv() -> None:
    """Load `./.env` without overriding variables already set, as `dagster dev` does."""
    try:
        import dotenv
    except ImportError:  # pragma: no cover - python-dotenv ships with dagster
        return
    dotenv.load_dotenv(Path.cwd() / ".env", override=False)


def _is_url(value: str) -> bool:
    return "://" in value and not value.startswith("file://")


def _data_dir(env: Mapping[str, str]) -> str:
    """CODEX_DATA_DIR: a local directory, or an object-store URL such as s3://bucket/prefix."""
    raw = env.get("CODEX_DATA_DIR", "./data")
    if raw.startswith("file://"):
        return raw.removeprefix("file://")
    if _is_url(raw):
        parsed = urlparse(raw)
        if parsed.scheme not in ("s3", "s3a", "gs", "gcs", "az", "abfs") or not parsed.netloc:
            raise SettingsError(
                f"CODEX_DATA_DIR must be a local directory or an object-store URL such as "
                f"s3://bucket/prefix, got {parsed.scheme}://{parsed.netloc or '?'}/... "
                "(the bucket is missing or the scheme is not an object store)."
            )
        if parsed.username or parsed.password:
            raise SettingsError(
                "CODEX_DATA_DIR must not carry credentials; set them in the AWS environment "
                "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the pod's role)."
            )
    return raw


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from None


def _simulator_profile(env: Mapping[str, str]) -> str:
    raw = env.get("CODEX_SIMULATOR_PROFILE", "rich")
    profile = raw.lower()
    if profile not in SIMULATOR_PROFILES:
        raise SettingsError(
            f"CODEX_SIMULATOR_PROFILE must be 'rich' or 'contract', got {raw!r}. "
            "Unset it for the rich default; 'contract' serves every awkward but legal shape "
            "of the API (idle days without rows, short pages, nulls, unknown ids)."
        )
    return profile


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value <= 0:
        raise SettingsError(f"{name} must be above zero, got {value}.")
    return value


def _optional_positive_int(env: Mapping[str, str], name: str) -> int | None:
    """A whole number above zero, or None when unset (e.g. a retention that is off by default)."""
    if env.get(name) is None:
        return None
    return _positive_int(env, name, 1)


def _positive_float(
    env: Mapping[str, str], name: str, default: float | None = None
) -> float | None:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number such as 0.04, got {raw!r}.") from None
    if value <= 0:
        raise SettingsError(f"{name} must be above zero, got {raw!r}; unset it instead.")
    return value


def _date(env: Mapping[str, str], name: str, default: str) -> date:
    raw = env.get(name, default)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a date as YYYY-MM-DD, got {raw!r}.") from None


def _existing_file(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None:
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(f"{name} points at {raw!r}, which is not a readable file.")
    return str(path.resolve())
