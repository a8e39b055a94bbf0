"""`CodexSourceResource`: the configured source's clients, the embedded simulator or a real server.

Both paths build the same `ApiHttpClient` and `AnalyticsClient`; only the transport differs
(in process for the simulator, real HTTP otherwise), so the simulator exercises exactly the
code that runs against the real API. This module (with the resources' definitions, the CLI
and the tests) is the only one that imports the simulator: assets ask for `CodexResource`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import urlparse

import dagster as dg
import httpx

from codex_assets.defs.analytics.client import ANALYTICS_KEY_VAR, ANALYTICS_SCOPE, AnalyticsClient
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.compliance.client import (
    COMPLIANCE_KEY_VAR,
    COMPLIANCE_SCOPE,
    ComplianceClient,
    compliance_http_settings,
)
from codex_assets.defs.compliance.landing import RAW_TABLE as COMPLIANCE_RAW_TABLE
from codex_assets.defs.partitions import record_starts
from codex_assets.defs.resources.codex import SECRETS, CodexResource
from codex_assets.defs.resources.preflight import keys_needed, missing_key, problems_with
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings
from codex_assets.lib.settings import Settings, SettingsError
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig, parse_fault
from codex_assets.simulator.transport import SimulatorTransport

SIMULATOR_BASE_URL = "http://simulator.local/v1"


@cache
def embedded_simulator(users: int, seed: int, faults: str = "", profile: str = "rich") -> Simulator:
    """One simulator per process and configuration, so its caches serve every asset."""
    rules = tuple(parse_fault(spec) for spec in faults.split(";") if spec.strip())
    return Simulator(SimulatorConfig(seed=seed, users=users, faults=rules, profile=profile))


def simulator_for(settings: Settings) -> Simulator:
    return embedded_simulator(
        settings.simulator_users,
        settings.simulator_seed,
        settings.simulator_faults,
        settings.simulator_profile,
    )


def source_fingerprint(settings: Settings) -> dict[str, str]:
    """What identifies the data's origin (never a key): the lake refuses to mix origins."""
    if settings.source == "simulator":
        sim = simulator_for(settings)
        described = f"users={settings.simulator_users} seed={settings.simulator_seed}"
        if settings.simulator_profile != "rich":  # (rich lakes keep the fingerprint they had)
            described += f" profile={settings.simulator_profile}"
        return {"source": "simulator", "workspace_id": sim.workspace_id, "simulator": described}
    return {
        "source": "api",
        "workspace_id": settings.workspace_id or "",
        "api_host": urlparse(settings.api_base_url).netloc,
    }


@contextmanager
def open_analytics_client(settings: Settings) -> Iterator[AnalyticsClient]:
    """An `AnalyticsClient` for the configured source, closed on exit."""
    transport: httpx.BaseTransport | None = None
    if settings.source == "simulator":
        sim = simulator_for(settings)
        base_url, key, workspace_id = SIMULATOR_BASE_URL, sim.config.analytics_key, sim.workspace_id
        transport = SimulatorTransport(sim)
        requests_per_minute = None
    else:
        if not settings.analytics_api_key:
            raise SettingsError(missing_key(ANALYTICS_KEY_VAR, ANALYTICS_SCOPE))
        base_url, key = settings.api_base_url, settings.analytics_api_key
        workspace_id = settings.workspace_id or ""
        requests_per_minute = settings.requests_per_minute
    http = ApiHttpClient(
        HttpSettings(
            base_url=base_url,
            api_key=key,
            key_env_var=ANALYTICS_KEY_VAR,
            scope=ANALYTICS_SCOPE,
            requests_per_minute=requests_per_minute,
            retry_budget_s=settings.api_retry_budget_seconds,
        ),
        transport=transport,
    )
    with http:
        yield AnalyticsClient(http, workspace_id, max_concurrency=settings.max_concurrency)


@contextmanager
def open_compliance_client(settings: Settings) -> Iterator[ComplianceClient]:
    """A `ComplianceClient` for the configured source's workspace, closed on exit.

    In simulator mode it uses the simulator's own compliance key, in process and unpaced (as
    the analytics client does); in api mode it needs CODEX_COMPLIANCE_API_KEY and paces the
    download route at CODEX_COMPLIANCE_DOWNLOADS_PER_MINUTE (the documented 50 by default).
    """
    transport: httpx.BaseTransport | None = None
    if settings.source == "simulator":
        sim = simulator_for(settings)
        base_url, key, workspace_id = (
            SIMULATOR_BASE_URL,
            sim.config.compliance_key,
            sim.workspace_id,
        )
        transport = SimulatorTransport(sim)
        requests_per_minute: float | None = None
        downloads_per_minute: float | None = None
    else:
        if not settings.compliance_api_key:
            raise SettingsError(
                f"{COMPLIANCE_KEY_VAR} is not set, so the compliance logs cannot be fetched. "
                "Create a workspace Admin key with the scope "
                f"{COMPLIANCE_SCOPE} (Compliance logging platform > Read) and export it "
                "(or put it in .env)."
            )
        base_url, key = settings.api_base_url, settings.compliance_api_key
        workspace_id = settings.workspace_id or ""
        requests_per_minute = settings.requests_per_minute
        downloads_per_minute = settings.compliance_downloads_per_minute
    http = ApiHttpClient(
        compliance_http_settings(
            base_url,
            key,
            requests_per_minute=requests_per_minute,
            downloads_per_minute=downloads_per_minute,
            retry_budget_s=settings.api_retry_budget_seconds,
        ),
        transport=transport,
    )
    with http:
        yield ComplianceClient(
            http, workspace_id, max_concurrency=settings.compliance_max_concurrency
        )


class CodexSourceResource(CodexResource):
    """`CodexResource` with its clients: what the resources' definitions give the assets.

    Keys come from `EnvVar` fields (see codex.py): never in run config, the UI, run records or
    logs. The non-secret settings are reported in each materialization's metadata.
    """

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """The preflight, so a run launched from the UI fails its first step with its lines;
        then the partition starts are recorded, if this is the install's first run."""
        run = context.run
        needs = keys_needed(run.asset_selection if run is not None else None)
        # The keys as the run resolved its EnvVar fields; the MotherDuck token is DuckDB's own
        # variable, checked by the CLI's preflight (lib.settings.environment() is read only
        # where the pipeline starts).
        keys = {
            variable: getattr(self, field) or ""
            for field, variable in self.variables().items()
            if field in SECRETS
        }
        settings = self.settings()
        problems = problems_with(settings, keys, needs=needs, motherduck=False)
        if problems:
            raise SettingsError("\n".join(problems))
        lake = self.lake()
        record_starts(  # (the first run fixes where the partitions start: defs/partitions.py)
            settings.data_path,
            [day for table in ANALYTICS_RAW_TABLES for day in lake.landed_days(table.name)],
            lake.landed_days(COMPLIANCE_RAW_TABLE),
        )

    def fingerprint(self) -> dict[str, str]:
        return source_fingerprint(self.settings())

    @contextmanager
    def analytics_client(self) -> Iterator[AnalyticsClient]:
        with open_analytics_client(self.settings()) as client:
            yield client

    @contextmanager
    def compliance_client(self) -> Iterator[ComplianceClient]:
        with open_compliance_client(self.settings()) as client:
            yield client
