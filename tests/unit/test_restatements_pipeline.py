"""A restatement in the API shows up in marts.restatements after the schedule's run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
import pytest

from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.automation import RANGE_END_TAG, RANGE_START_TAG
from codex_assets.defs.resources.source import simulator_for
from tests.support.schedule import scheduled_run


@pytest.fixture
def restated_day(codex):
    settings = codex.settings()
    simulator = simulator_for(settings)
    day = latest_complete_day(datetime.now(UTC)) - timedelta(days=1)
    yield settings, simulator, day
    simulator.restate(day, 0)


def test_schedule_run_records_restated_values_with_old_and_new(restated_day):
    settings, simulator, day = restated_day
    instance = dg.DagsterInstance.ephemeral()
    first = scheduled_run(instance)
    assert first.success
    assert first.dagster_run.tags[RANGE_START_TAG] == (day - timedelta(days=1)).isoformat()
    assert first.dagster_run.tags[RANGE_END_TAG] == (day + timedelta(days=1)).isoformat()

    before = {row["user_id"]: row["totals"] for row in simulator.day_rows("usage", day)}
    simulator.restate(day, 1)
    after = {row["user_id"]: row["totals"] for row in simulator.day_rows("usage", day)}
    expected = sorted(
        (user, column, float(before[user][column]), float(after[user][column]))
        for user in before
        for column in ("threads", "turns", "credits")
        if before[user].get(column) != after[user].get(column)
    )
    assert expected, "the simulator's restatement should change some users' values"

    second = scheduled_run(instance)
    assert second.success
    with duckdb.connect(settings.duckdb_path, read_only=True) as conn:
        users = conn.execute(
            "SELECT key, column_name, old_value, new_value, run_id FROM marts.restatements "
            "WHERE table_name = 'usage_users' AND day = $day ORDER BY 1, 2",
            {"day": day},
        ).fetchall()
        other_days = conn.execute(
            "SELECT count(*) FROM marts.restatements WHERE day <> $day", {"day": day}
        ).fetchone()[0]
        workspace = conn.execute(
            "SELECT column_name, old_value, new_value FROM marts.restatements "
            "WHERE table_name = 'usage_workspace' AND day = $day ORDER BY 1",
            {"day": day},
        ).fetchall()
        mart_credits = conn.execute(
            "SELECT sum(credits) FROM marts.usage_user_daily WHERE day = $day AND surface = 'all'",
            {"day": day},
        ).fetchone()[0]
    assert [row[:4] for row in users if row[1] in ("threads", "turns", "credits")] == [
        (user, column, pytest.approx(old), pytest.approx(new))
        for user, column, old, new in expected
    ]
    assert {row[4] for row in users} == {second.run_id}
    assert other_days == 0  # the unchanged days around it recorded nothing
    assert {column for column, *_ in workspace} >= {"threads", "turns", "credits"}
    # The marts were rebuilt from the restated rows in the same run.
    assert mart_credits == pytest.approx(sum(t["credits"] or 0 for t in after.values()))
    # Each day's materialization counts that day's restated values, per raw asset.
    counted: dict[tuple[str, str], int] = {}
    for event in second.get_asset_materialization_events():
        if event.asset_key.path[-1] in {table.name for table in ANALYTICS_RAW_TABLES}:
            metadata = event.materialization.metadata
            key = (event.asset_key.path[-1], event.partition)
            counted[key] = metadata["restated_values"].value
    assert counted[("usage_users", day.isoformat())] == len(users)
    assert sum(n for (name, _), n in counted.items() if name == "usage_users") == len(users)
    assert sum(n for (name, _), n in counted.items() if name == "code_reviews") == 0
