"""`CodexResource`: the `CODEX_*` configuration as Dagster resource fields, validated once.

Each field names its environment variable; `from_environment` fills the fields from the
variables that are set (the others keep their defaults), and the validators below turn a bad
value into a `SettingsError` that names the variable and the fix. The two keys are given as
`dg.EnvVar`: Dagster reads them when a run starts, and the UI and the run config show the
variable's name, never its value. The other settings are plain values, shown in the UI, since
seeing them there is the point.

Why not `EnvVar` for every field: Dagster resolves an `EnvVar` of an unset variable to an
error, optional field or not, and an `EnvVar` fills only a `str` field (`EnvVar.int` an
`int`), while most settings are numbers, dates or paths with defaults. So the definitions read
the environment once, through `from_environment`, and only the secrets are deferred.

The assets ask for this class; what opens the clients (the embedded simulator or the real
API) is its subclass in `source.py`, which the resources' definitions build, so no asset
module imports the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlparse

import dagster as dg
from pydantic import Field, ValidationInfo, field_validator, model_validator

from codex_assets.defs.partitions import daily_partitions
from codex_assets.lib.lake import Lake
from codex_assets.lib.settings import Settings, SettingsError
from codex_assets.lib.storage import is_remote

if TYPE_CHECKING:
    from codex_assets.defs.analytics.client import AnalyticsClient
    from codex_assets.defs.compliance.client import ComplianceClient

SOURCES = ("simulator", "api")
DEFAULT_API_BASE_URL = "https://api.chatgpt.com/v1"
SIMULATOR_PROFILES = ("rich", "contract")
OBJECT_STORES = ("s3", "s3a", "gs", "gcs", "az", "abfs")
_CHOICES = {
    "source": (SOURCES, "Unset it to use the embedded simulator."),
    "simulator_profile": (
        SIMULATOR_PROFILES,
        "Unset it for the rich default; 'contract' serves every awkward but legal shape of the "
        "API (idle days without rows, short pages, nulls, unknown ids).",
    ),
}
"""The fields that take one of a few words: the words, and the hint their error ends with."""
SECRETS = ("analytics_api_key", "compliance_api_key")
"""The fields given as `dg.EnvVar`: read at run time, shown by name only."""


def _setting(variable: str, default: Any, description: str, *, secret: bool = False) -> Any:
    """A field configured by the environment variable `variable` (kept in its schema extra)."""
    return Field(
        default,
        description=f"{variable}: {description}",
        repr=not secret,
        json_schema_extra={"env": variable},
    )


class CodexResource(dg.ConfigurableResource):
    """The Codex APIs and where their data goes, as configured by the `CODEX_*` environment."""

    source: str = _setting("CODEX_SOURCE", "simulator", "`simulator` or `api`")
    api_base_url: str = _setting("CODEX_API_BASE_URL", DEFAULT_API_BASE_URL, "the API root")
    workspace_id: str | None = _setting(
        "CODEX_WORKSPACE_ID", None, "the ChatGPT workspace UUID (required for `api`)"
    )
    analytics_api_key: str | None = _setting(
        "CODEX_ANALYTICS_API_KEY",
        None,
        "key with codex.enterprise.analytics.read (required for `api`)",
        secret=True,
    )
    compliance_api_key: str | None = _setting(
        "CODEX_COMPLIANCE_API_KEY",
        None,
        "key with chatgpt.enterprise.compliance_logs_platform.read",
        secret=True,
    )
    data_dir: str = _setting(
        "CODEX_DATA_DIR", "./data", "lake + DuckDB + exports: a directory or s3://bucket/prefix"
    )
    duckdb_file: str | None = _setting(
        "CODEX_DUCKDB_PATH", None, "the DuckDB database, if not codex.duckdb in the data dir"
    )
    usd_per_credit: float | None = _setting(
        "CODEX_USD_PER_CREDIT", None, "price used when estimated_cost_usd is null"
    )
    directory_csv: str | None = _setting(
        "CODEX_DIRECTORY_CSV", None, "user -> team / cost centre file"
    )
    surfaces_csv: str | None = _setting(
        "CODEX_SURFACES_CSV", None, "your own copy of the client_id -> surface map"
    )
    simulator_users: int = _setting("CODEX_SIMULATOR_USERS", 200, "simulated workspace size")
    simulator_seed: int = _setting("CODEX_SIMULATOR_SEED", 7, "simulated workspace seed")
    simulator_faults: str = _setting(
        "CODEX_SIMULATOR_FAULTS", "", "fault rules for the embedded simulator, `;`-separated"
    )
    simulator_profile: str = _setting(
        "CODEX_SIMULATOR_PROFILE", "rich", "`rich` (dense, the demo's) or `contract`"
    )
    requests_per_minute: float | None = _setting(
        "CODEX_API_REQUESTS_PER_MINUTE", 100.0, "client-side rate limit per route"
    )
    max_concurrency: int = _setting(
        "CODEX_API_MAX_CONCURRENCY", 4, "days fetched in parallel per endpoint"
    )
    compliance_retention_days: int | None = _setting(
        "CODEX_COMPLIANCE_RETENTION_DAYS", None, "purge compliance partitions older than N days"
    )
    compliance_downloads_per_minute: float = _setting(
        "CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE", 50.0, "pace of log-file downloads"
    )
    compliance_max_concurrency: int = _setting(
        "CODEX_COMPLIANCE_MAX_CONCURRENCY", 16, "log files downloaded in parallel"
    )
    api_retry_budget_seconds: float = _setting(
        "CODEX_API_RETRY_BUDGET_SECONDS",
        300.0,
        "how long one request (or download) keeps being retried through 429s and 5xx",
    )

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Field name -> its environment variable."""
        return {name: info.json_schema_extra["env"] for name, info in cls.model_fields.items()}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Self:
        """The resource as `environ` (the process environment) configures it.

        Unset and blank variables keep the field's default. A key that is set becomes an
        `EnvVar`, resolved by Dagster from the process environment when a run starts.
        """
        resource, problems = cls.checked_environment(environ)
        if problems:
            raise SettingsError("\n".join(problems))
        assert resource is not None  # (no problems means a resource)
        return resource

    @classmethod
    def checked_environment(cls, environ: Mapping[str, str]) -> tuple[Self | None, list[str]]:
        """The resource, and every bad value's one-line message (not just the first).

        The validators raise on the first bad value, so each one found is set aside (its
        default kept) and the rest validated again; the resource is built from the good values,
        so the preflight can check what depends on them. None only if no variable is to blame.
        """
        values: dict[str, Any] = {}
        for name, variable in cls.variables().items():
            raw = environ.get(variable, "").strip()
            if raw:
                values[name] = dg.EnvVar(variable) if name in SECRETS else raw
        fields = {variable: name for name, variable in cls.variables().items()}
        problems: list[str] = []
        while True:
            try:
                return cls(**values), problems
            except SettingsError as error:
                problems.append(str(error))
                culprit = fields.get(str(error).split(" ", 1)[0], "source")
                if culprit not in values:  # (the workspace an `api` source needs: drop `api`)
                    culprit = "source"
                if culprit not in values:
                    return None, problems
                del values[culprit]

    # -- validation: each value once, a `SettingsError` naming the variable --------------------

    @field_validator(*_CHOICES, mode="before")
    @classmethod
    def _one_of(cls, value: str, info: ValidationInfo) -> str:
        """A setting with a few allowed words, matched case-insensitively."""
        allowed, hint = _CHOICES[info.field_name]
        choice = value.strip().lower()
        if choice not in allowed:
            words = " or ".join(repr(word) for word in allowed)
            raise SettingsError(f"{cls._variable(info)} must be {words}, got {value!r}. {hint}")
        return choice

    @field_validator("api_base_url", mode="before")
    @classmethod
    def _api_base_url(cls, value: str) -> str:
        base_url = value.strip().rstrip("/")
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise SettingsError(
                f"CODEX_API_BASE_URL must be an http(s) URL such as {DEFAULT_API_BASE_URL}, "
                f"got {base_url!r}."
            )
        try:
            parsed.port  # noqa: B018 (a bad port raises here, as httpx would at the first request)
        except ValueError:
            raise SettingsError(
                f"CODEX_API_BASE_URL has a bad port in {parsed.netloc!r}: give a number from 1 to "
                f"65535 (https://host:8443/v1), or no port, as in {DEFAULT_API_BASE_URL}."
            ) from None
        return base_url

    @field_validator(
        "workspace_id", "analytics_api_key", "compliance_api_key", "duckdb_file", mode="before"
    )
    @classmethod
    def _optional_text(cls, value: str | None) -> str | None:
        if value is None or isinstance(value, dg.EnvVar):  # a key, read when a run starts
            return value
        return value.strip() or None

    @field_validator("simulator_faults", mode="before")
    @classmethod
    def _text(cls, value: str) -> str:
        return value.strip()

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: str) -> str:
        """A local directory, or an object-store URL such as s3://bucket/prefix."""
        raw = value.strip()
        if raw.startswith("file://"):
            return raw.removeprefix("file://")
        if is_remote(raw):
            parsed = urlparse(raw)
            if parsed.scheme not in OBJECT_STORES or not parsed.netloc:
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

    @field_validator("directory_csv", "surfaces_csv", mode="before")
    @classmethod
    def _existing_file(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        path = Path(value).expanduser()
        if not path.is_file():
            raise SettingsError(
                f"{cls._variable(info)} points at {value!r}, which is not a readable file."
            )
        return str(path.resolve())

    @field_validator("simulator_seed", mode="before")
    @classmethod
    def _whole_number(cls, value: int | str, info: ValidationInfo) -> int:
        return _whole_number(value, cls._variable(info))

    @field_validator(
        "simulator_users",
        "max_concurrency",
        "compliance_max_concurrency",
        "compliance_retention_days",
        mode="before",
    )
    @classmethod
    def _positive_whole_number(cls, value: int | str | None, info: ValidationInfo) -> int | None:
        if value is None:  # (only the retention may be None: off by default)
            return None
        number = _whole_number(value, cls._variable(info))
        if number <= 0:
            raise SettingsError(f"{cls._variable(info)} must be above zero, got {number}.")
        return number

    @field_validator(
        "usd_per_credit",
        "requests_per_minute",
        "compliance_downloads_per_minute",
        "api_retry_budget_seconds",
        mode="before",
    )
    @classmethod
    def _positive_number(cls, value: float | str | None, info: ValidationInfo) -> float | None:
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise SettingsError(
                f"{cls._variable(info)} must be a number such as 0.04, got {value!r}."
            ) from None
        if number <= 0:
            raise SettingsError(
                f"{cls._variable(info)} must be above zero, got {value!r}; unset it instead."
            )
        return number

    @model_validator(mode="after")
    def _api_needs_a_workspace(self) -> Self:
        if self.source == "api" and not self.workspace_id:
            raise SettingsError(
                "CODEX_WORKSPACE_ID is required when CODEX_SOURCE=api: copy the workspace UUID "
                "from Workspace details in the ChatGPT admin console (chatgpt.com/admin)."
            )
        return self

    @classmethod
    def _variable(cls, info: ValidationInfo) -> str:
        return cls.variables()[info.field_name]

    # -- what the assets use ---------------------------------------------------------------------

    def settings(self) -> Settings:
        """The validated values as a plain `Settings` (no validation happens here)."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return Settings(**values, start_date=daily_partitions.start.date())

    def lake(self) -> Lake:
        return Lake(self.settings().lake_root)

    def fingerprint(self) -> dict[str, str]:
        """What identifies the data's origin (never a key): the lake refuses to mix origins."""
        raise NotImplementedError(_SUBCLASS)

    def analytics_client(self) -> AbstractContextManager[AnalyticsClient]:
        """An `AnalyticsClient` for the configured source, closed on exit."""
        raise NotImplementedError(_SUBCLASS)

    def compliance_client(self) -> AbstractContextManager[ComplianceClient]:
        """A `ComplianceClient` for the configured source, closed on exit."""
        raise NotImplementedError(_SUBCLASS)


_SUBCLASS = (
    "CodexResource only describes the configuration: the clients come from CodexSourceResource "
    "(codex_assets/defs/resources/source.py), which the resources' definitions build."
)


def _whole_number(value: int | str, variable: str) -> int:
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{variable} must be a whole number, got {value!r}.") from None
