"""The analytics client against the simulator over real HTTP, through every kind of fault.

The client is coded to the documented contract; this proves it end to end over sockets,
with the simulator misbehaving the way real APIs do, and that nothing is lost or doubled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from codex_assets.defs.analytics.client import AnalyticsClient
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.lib.http.client import ApiHttpClient, HttpSettings
from codex_assets.lib.http.errors import ApiAuthError, ApiRetriesExhaustedError
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import FaultRule, SimulatorConfig
from codex_assets.simulator.server import running

ENDPOINTS = ("usage", "usage_workspace", "code_reviews", "code_review_responses")


def _client(base_url: str, key: str, workspace_id: str, *, page_size: int) -> AnalyticsClient:
    http = ApiHttpClient(
        HttpSettings(
            base_url=base_url,
            api_key=key,
            key_env_var="CODEX_ANALYTICS_API_KEY",
            scope="codex.enterprise.analytics.read",
            timeout_s=5,
            max_retries=8,
            backoff_initial_s=0.01,
            backoff_max_s=0.05,
            requests_per_minute=None,
        )
    )
    return AnalyticsClient(http, workspace_id, page_size=page_size, max_concurrency=3)


def _user(row: dict) -> str:
    return row.get("user_id") or ""


def _days(count: int) -> list:
    last = latest_complete_day(datetime.now(UTC))
    return [last - timedelta(days=i) for i in range(count)][::-1]


def test_every_row_arrives_exactly_once_through_faults_and_small_pages():
    faults = (
        FaultRule("rate_limit", every=7, retry_after_s=0.01),
        FaultRule("server_error", every=11),
        FaultRule("drop", every=13),
        FaultRule("truncate", every=17),
        FaultRule("malformed", every=19),
    )
    sim = Simulator(SimulatorConfig(seed=3, users=120, faults=faults))
    days = _days(6)
    with running(sim) as base_url:
        client = _client(base_url, sim.config.analytics_key, sim.workspace_id, page_size=7)
        with client.http:
            for endpoint in ENDPOINTS:
                fetched = list(client.iter_days(endpoint, days))
                assert [f.day for f in fetched] == days
                for fetch in fetched:
                    served = sim.day_rows(endpoint, fetch.day)
                    assert sorted(fetch.rows, key=_user) == sorted(served, key=_user)
    stats = client.http.stats
    assert stats.retries > 0  # the faults really fired and were absorbed


def test_a_persistent_outage_fails_loudly_and_a_bad_key_names_the_variable():
    sim = Simulator(
        SimulatorConfig(
            seed=3, users=20, faults=(FaultRule("server_error", endpoints=("code_reviews",)),)
        )
    )
    with running(sim) as base_url:
        client = _client(base_url, sim.config.analytics_key, sim.workspace_id, page_size=100)
        with pytest.raises(ApiRetriesExhaustedError, match="failed 9 times"):
            list(client.iter_days("code_reviews", _days(2)))
        wrong = _client(base_url, "not-the-key", sim.workspace_id, page_size=100)
        with pytest.raises(ApiAuthError, match="CODEX_ANALYTICS_API_KEY") as error:
            wrong.fetch_day("usage", _days(1)[0])
        assert "not-the-key" not in str(error.value)
