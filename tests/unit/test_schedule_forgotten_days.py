"""Days the API has forgotten: a re-load fails fast and clearly, and the landed data stays."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
import pytest

from codex_assets.backfill import Window, run_window
from codex_assets.defs.analytics import client as analytics_client
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.resources.source import simulator_for
from codex_assets.lib.lake import Lake
from codex_assets.lib.settings import Settings


@pytest.fixture
def landed_day(codex):
    settings = codex.settings()
    day = latest_complete_day(datetime.now(UTC))
    instance = dg.DagsterInstance.ephemeral()
    assert run_window(Window(day, day), instance=instance).success
    simulator = simulator_for(settings)
    config = simulator.config
    yield settings, day, instance, simulator
    simulator.config = config


def _snapshot(settings: Settings, day) -> dict:
    lake = Lake(settings.lake_root)
    files = {t.name: lake.partition_file(t.name, day).read_bytes() for t in ANALYTICS_RAW_TABLES}
    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        marts = conn.execute(
            "SELECT count(*), sum(credits) FROM marts.usage_user_daily WHERE day = $d", {"d": day}
        ).fetchone()
        raw = conn.execute(
            "SELECT count(*) FROM raw.usage_users WHERE day = $d", {"d": day}
        ).fetchone()
    return {"files": files, "marts": marts, "raw": raw}


def _failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    return {
        event.step_key: event.step_failure_data.error.message
        for event in result.all_events
        if event.is_step_failure
    }


def test_api_that_forgot_the_day_fails_clearly_and_keeps_the_partition(landed_day):
    settings, day, instance, simulator = landed_day
    before = _snapshot(settings, day)
    assert before["marts"][0] > 0
    later = datetime.now(UTC) + timedelta(days=100)
    simulator.config = dataclasses.replace(simulator.config, now=lambda: later)

    result = run_window(Window(day, day), instance=instance)

    assert not result.success
    failures = _failures(result)
    assert set(failures) == {f"raw__{t.name}" for t in ANALYTICS_RAW_TABLES}
    for message in failures.values():
        assert "did not serve the requested days" in message
        assert f"1 of the 1 requested day(s) are already landed ({day}..{day})" in message
        assert "kept unchanged" in message and "last 90 complete days" in message
    assert _snapshot(settings, day) == before  # bytes, raw view and marts untouched


def test_days_past_the_window_fail_before_any_request(landed_day, monkeypatch):
    settings, day, instance, simulator = landed_day
    before = _snapshot(settings, day)
    real_check = analytics_client.check_days_servable
    monkeypatch.setattr(
        analytics_client,
        "check_days_servable",
        lambda days, now: real_check(days, now + timedelta(days=100)),
    )
    requests = []
    handle = simulator.handle
    monkeypatch.setattr(simulator, "handle", lambda *a: requests.append(a) or handle(*a))

    result = run_window(Window(day - timedelta(days=1), day), instance=instance)

    assert not result.success
    for message in _failures(result).values():
        assert "older than the API's 90-day lookback" in message
        assert "no request was sent" in message
        assert "1 of the 2 requested day(s) are already landed" in message
    # The compliance log (30-day files, a window of its own) still loads; the analytics API
    # was never asked.
    assert [request for request in requests if "/analytics/" in request[1]] == []
    assert _snapshot(settings, day) == before
