"""The first release's failure, as a test: against a server that omits idle days and pages one
row and one log file at a time (legal shapes of the contract), `codex-assets backfill --days 12`
over real HTTP exits 0, builds every mart with the idle days as days of zero activity, and lands
the compliance log with its duplicates removed."""

from __future__ import annotations

import re

import duckdb
import pytest

from codex_assets.cli import main
from codex_assets.defs.analytics.marts import MARTS
from codex_assets.lib.checks.window import ROWS_KEY, read_footers
from codex_assets.lib.lake import Lake
from codex_assets.simulator.app import Simulator
from codex_assets.simulator.config import SimulatorConfig
from codex_assets.simulator.server import running
from tests.support.resources import served_api_env

pytestmark = pytest.mark.e2e

DAYS = 12
SURFACES = 7  # cli, ide, cloud, desktop, code_review, other, all


def test_a_sparse_one_row_a_page_server_backfills_every_mart(data_dir, monkeypatch, capsys):
    sim = Simulator(
        SimulatorConfig(profile="contract", users=20, seed=11, max_page_rows=1, max_page_files=1)
    )
    with running(sim) as base_url:
        for name, value in served_api_env(base_url, sim).items():
            monkeypatch.setenv(name, value)
        assert main(["backfill", "--days", str(DAYS)]) == 0
    text = capsys.readouterr().out
    window = re.search(r"Window: (\S+) \.\. (\S+) \((\d+) days\)", text)
    assert window and int(window.group(3)) == DAYS, text

    lake = Lake(data_dir / "lake")
    days = lake.landed_days("usage_users")
    assert len(days) == DAYS
    idle = [
        day
        for day, footer in read_footers(lake, "usage_users", days).items()
        if footer[ROWS_KEY] == "0"
    ]
    assert idle, "the contract profile idles every weekend"
    assert f"days loaded {DAYS}/{DAYS} ({len(idle)} without activity)" in text

    with duckdb.connect(str(data_dir / "codex.duckdb"), read_only=True) as conn:
        built = {
            name
            for (name,) in conn.execute(
                "SELECT DISTINCT mart FROM marts.refreshed_partitions"
            ).fetchall()
        }
        assert {name for name, spec in MARTS.items() if spec.partitioned} <= built
        for name, expected in (
            ("adoption_daily", DAYS * SURFACES),
            ("spend_by_surface_daily", DAYS * SURFACES),
            ("review_impact_daily", DAYS),
            ("usage_reconciliation_daily", DAYS),
        ):
            (rows,) = conn.execute(f"SELECT count(*) FROM marts.{name}").fetchone()
            assert rows == expected, name
        idle_rows = conn.execute(
            "SELECT a.active_users, a.threads, s.credits, r.pull_request_reviews "
            "FROM marts.adoption_daily AS a "
            "JOIN marts.spend_by_surface_daily AS s USING (day, surface) "
            "JOIN marts.review_impact_daily AS r USING (day) "
            "WHERE a.surface = 'all' AND a.day IN (SELECT unnest($idle::DATE[]))",
            {"idle": idle},
        ).fetchall()
        assert idle_rows == [(0, 0, 0.0, 0)] * len(idle)
        lines, events, distinct = conn.execute(
            "SELECT (SELECT count(*) FROM raw.compliance_codex_log), count(*), "
            "count(DISTINCT event_id) FROM restricted.compliance_events"
        ).fetchone()
    # The compliance days landed: the window's, and between 01:00 and 12:00 UTC yesterday too
    # (complete then, while the analytics day is not: `backfill.compliance_tail`).
    compliance_days = lake.landed_days("compliance_codex_log")
    assert set(days) <= set(compliance_days)
    served = {
        event["event_id"] for day in compliance_days for event in sim.compliance.served_events(day)
    }
    assert events == distinct == len(served)
    assert lines > events  # at-least-once delivery: the duplicates landed, and were removed
