"""A 90-day single-run backfill through Dagster lands exactly what the API served."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
import orjson

from codex_assets.backfill import RANGE_START_TAG, run_window
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.reports.page import dashboard_page_data
from codex_assets.defs.resources.source import simulator_for
from codex_assets.lib.lake import Lake

RAW_ASSETS = [dg.AssetKey(["raw", table.name]) for table in ANALYTICS_RAW_TABLES]


def _landed_records(database: str, table: str) -> dict:
    """Every landed row of `raw.<table>`, as the parsed API row, keyed by day."""
    with duckdb.connect(database, read_only=True) as conn:
        rows = conn.execute(f"SELECT day, record FROM raw.{table} ORDER BY day").fetchall()
    by_day: dict = {}
    for day, record in rows:
        by_day.setdefault(day, []).append(orjson.loads(record))
    return by_day


def _sort_key(row: dict) -> str:
    return row.get("user_id") or ""


# `backfilled`: the session's shared 90-day backfill (tests/integration/conftest.py).
def test_backfill_is_one_successful_run_over_every_day(backfilled):
    settings, window, result = backfilled
    assert result.success
    assert len(window.days) >= 89
    for table in ANALYTICS_RAW_TABLES:
        assert Lake(settings.lake_root).landed_days(table.name) == window.days
    materialized = {
        (event.asset_key, event.partition) for event in result.get_asset_materialization_events()
    }
    for key in RAW_ASSETS:
        assert {(key, day.isoformat()) for day in window.days} <= materialized
    # The run list's Target names a job (the hidden implicit asset job's showed nothing).
    # Two runs, one per partition set: the analytics assets over the whole window, then the
    # compliance log (and what only it feeds) over the days its API keeps.
    main, compliance = (run.result.dagster_run for run in result.runs)
    assert main.tags[RANGE_START_TAG] == window.start.isoformat()
    assert (
        compliance.tags[RANGE_START_TAG]
        == result.compliance.start.isoformat()
        > main.tags[RANGE_START_TAG]
    )
    assert (main.job_name, compliance.job_name) == ("daily_refresh", "compliance_refresh")
    for run in (compliance, main):
        assert run.tags["codex/trigger"] == "cli"


def test_a_marts_preview_starts_with_its_latest_day(backfilled):
    settings, window, result = backfilled
    mart = dg.AssetKey(["marts", "usage_user_daily"])
    event = next(e for e in result.get_asset_materialization_events() if e.asset_key == mart)
    lines = event.materialization.metadata["preview"].value.splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    days = [row[header.index("day")] for row in rows]
    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        latest = conn.execute(
            "SELECT max(day) FROM marts.usage_user_daily WHERE day BETWEEN $start AND $end",
            {"start": window.start, "end": window.end},
        ).fetchone()[0]
    assert len(rows) == 10
    assert days[0] == latest.isoformat()
    assert days == sorted(days, reverse=True)


def test_raw_views_hold_exactly_what_the_simulator_served(backfilled):
    settings, window, _ = backfilled
    simulator = simulator_for(settings)
    for table in ANALYTICS_RAW_TABLES:
        landed = _landed_records(settings.duckdb_path, table.name)
        for day in window.days:
            served = sorted(simulator.day_rows(table.endpoint, day), key=_sort_key)
            assert sorted(landed.get(day, []), key=_sort_key) == served, (table.name, day)


def test_breakdown_views_unnest_every_client_and_model(backfilled):
    settings, window, _ = backfilled
    simulator = simulator_for(settings)
    day = window.days[-1]
    served = simulator.day_rows("usage", day)
    expected_clients = sum(len(row["clients"]) for row in served)
    expected_models = sum(len(row.get("models") or []) for row in served)
    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        clients = conn.execute(
            "SELECT count(*) FROM raw.usage_user_clients WHERE day = $d", {"d": day}
        ).fetchone()[0]
        models = conn.execute(
            "SELECT count(*) FROM raw.usage_user_models WHERE day = $d", {"d": day}
        ).fetchone()[0]
    assert (clients, models) == (expected_clients, expected_models)


def test_rerun_replaces_with_identical_data(backfilled):
    settings, window, _ = backfilled
    before = {t.name: _landed_records(settings.duckdb_path, t.name) for t in ANALYTICS_RAW_TABLES}
    lake = Lake(settings.lake_root)
    last_week = type(window)(window.days[-7], window.end)
    written = {
        day: lake.partition_file("usage_users", day).stat().st_mtime_ns for day in window.days
    }
    assert run_window(last_week, instance=dg.DagsterInstance.ephemeral()).success
    after = {t.name: _landed_records(settings.duckdb_path, t.name) for t in ANALYTICS_RAW_TABLES}
    assert after == before
    # The week's partitions were written again (and only they): the same rows, not left alone.
    rewritten = [
        day
        for day in window.days
        if lake.partition_file("usage_users", day).stat().st_mtime_ns != written[day]
    ]
    assert rewritten == last_week.days


def test_window_older_than_the_api_serves_is_refused_before_any_request(data_dir):
    start = (datetime.now(UTC) - timedelta(days=120)).date()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "codex_assets.cli",
            "backfill",
            "--start",
            start.isoformat(),
            "--end",
            (start + timedelta(days=5)).isoformat(),
        ],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert done.returncode == 2
    assert "90 days" in done.stderr
    assert not (data_dir / "lake").exists()


def test_every_mart_is_built_and_reconciles_on_every_day(backfilled):
    from codex_assets.defs.analytics.marts import MARTS

    settings, window, result = backfilled
    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        for spec in MARTS.values():
            (rows,) = conn.execute(f"SELECT count(*) FROM {spec.qualified_name}").fetchone()
            assert rows > 0, spec.qualified_name
        reconciliation = conn.execute(
            "SELECT day, matches, threads_delta, turns_delta, credits_delta "
            "FROM marts.usage_reconciliation_daily ORDER BY day"
        ).fetchall()
        per_turn = dict(
            conn.execute(
                "SELECT day, compliance_responses_per_turn FROM marts.usage_reconciliation_daily"
            ).fetchall()
        )
    assert [row[0] for row in reconciliation] == window.days
    assert all(matches for _, matches, *_ in reconciliation), reconciliation
    # The simulator logs one compliance response per analytics turn; the contract profile then
    # restates some analytics days (the log is not restated), so a day whose log and the next
    # day's (its late events) both landed compares within a few percent, and an idle day
    # (no turns) has no ratio at all.
    logged = set(Lake(settings.lake_root).landed_days("compliance_codex_log"))
    whole = [day for day in window.days if {day, day + timedelta(days=1)} <= logged]
    assert len(whole) >= 20
    ratios = [per_turn[day] for day in whole]
    assert None in ratios  # the idle days of the contract profile
    assert all(0.9 <= ratio <= 1.1 for ratio in ratios if ratio is not None), ratios
    assert 1.0 in ratios  # a day never restated compares exactly
    lineage = {
        event.asset_key: event.materialization.metadata.get("dagster/column_lineage")
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] == "marts"
    }
    assert set(lineage) >= {dg.AssetKey(["marts", name]) for name in MARTS}
    assert all(value is not None for value in lineage.values())
    usage_lineage = lineage[dg.AssetKey(["marts", "usage_user_daily"])].column_lineage
    assert (
        dg.TableColumnDep(dg.AssetKey(["raw", "usage_users"]), "text_output_tokens")
        in (usage_lineage.deps_by_column["output_tokens"])
    )


def test_reports_export_the_marts_and_render_the_dashboard(backfilled):
    settings, window, _ = backfilled
    exports = settings.data_path / "exports"
    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        expected_users = conn.execute(
            "SELECT count(*) FROM marts.usage_user_daily WHERE is_active"
        ).fetchone()[0]
        last = conn.execute(
            "SELECT active_users FROM marts.adoption_daily WHERE surface = 'all' AND day = $d",
            {"d": window.end},
        ).fetchone()[0]
    csv_lines = (exports / "analytics" / "user_usage_daily.csv").read_text().splitlines()
    assert len(csv_lines) - 1 == expected_users  # header + one line per active user-day-surface
    assert csv_lines[0].split(",")[:3] == ["day", "user_id", "email"]
    assert all(line.split(",")[2] == "" for line in csv_lines[1:])  # no emails by default
    workspace = orjson.loads((exports / "analytics" / "workspace_usage_daily.json").read_bytes())
    assert {row["day"] for row in workspace} == {day.isoformat() for day in window.days}
    weekly = orjson.loads((exports / "analytics" / "workspace_usage_weekly.json").read_bytes())
    assert {row["week"] for row in weekly} == {
        (day - timedelta(days=day.weekday())).isoformat() for day in window.days
    }
    html = (exports / "dashboard.html").read_text()
    assert "passed</li>" in html and "<td>paging_complete</td>" in html  # the checks' results
    data = dashboard_page_data(html)
    assert data["days"] == [day.isoformat() for day in window.days]
    assert data["usage"]["day"]["all"]["active_users"][-1] == last  # the last day's figure


def test_exports_are_byte_identical_across_reruns(backfilled):
    settings, window, _ = backfilled
    directory = settings.data_path / "exports" / "analytics"
    before = {p.name: p.read_bytes() for p in sorted(directory.iterdir())}
    last_week = type(window)(window.days[-7], window.end)
    assert run_window(last_week, instance=dg.DagsterInstance.ephemeral()).success
    assert {p.name: p.read_bytes() for p in sorted(directory.iterdir())} == before
