"""A blocking check that fails stops the marts built on its asset, in the same run; a warning
does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from codex_assets.backfill import Window, run_window, summary
from codex_assets.definitions import defs
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.lib.lake import Lake
from tests.support.resources import environment_settings

USERS = dg.AssetKey(["raw", "usage_users"])
REVIEWS = dg.AssetKey(["raw", "code_reviews"])


def _downstream_marts(key: dg.AssetKey) -> set[dg.AssetKey]:
    graph = defs().resolve_asset_graph()
    downstream = dg.AssetSelection.assets(key).downstream(include_self=False).resolve(graph)
    return {k for k in downstream if k.path[0] == "marts"}


def test_a_row_of_another_day_skips_every_mart_built_on_it(data_dir, monkeypatch):
    end = latest_complete_day(datetime.now(UTC))
    window = Window(end - timedelta(days=2), end)
    tampered_day = window.days[1]
    write = Lake.write_partition

    def tampering_write(self, table, day, rows, **kwargs):
        """Land what the API served, except: one user row of the day before, and P0 off by one."""
        rows = [dict(row) for row in rows]
        if day == tampered_day and table == "usage_users":
            rows[0] = {**rows[0], "start_time": rows[0]["start_time"] - 86_400}
        if day == tampered_day and table == "code_reviews":
            rows[0]["comment_details"] = {**rows[0]["comment_details"]}
            rows[0]["comment_details"]["p0"] += 1
        return write(self, table, day, rows, **kwargs)

    monkeypatch.setattr(Lake, "write_partition", tampering_write)
    result = run_window(window, instance=dg.DagsterInstance.ephemeral())

    assert not result.success
    evaluations = {(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}
    misplaced = evaluations[(USERS, "rows_match_partition_day")]
    assert not misplaced.passed
    assert misplaced.severity == dg.AssetCheckSeverity.ERROR
    assert misplaced.blocking
    assert misplaced.metadata["offending_count"].value == 1
    assert misplaced.metadata["offending_days"].value == tampered_day.isoformat()
    priorities = evaluations[(REVIEWS, "priorities_sum_to_comments")]
    assert not priorities.passed
    assert priorities.severity == dg.AssetCheckSeverity.WARN

    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    blocked = _downstream_marts(USERS)
    assert dg.AssetKey(["marts", "usage_user_daily"]) in blocked
    assert dg.AssetKey(["marts", "adoption_daily"]) in blocked
    assert blocked.isdisjoint(materialized), blocked & materialized
    # The review mart's inputs only failed a warning: it is built.
    assert dg.AssetKey(["marts", "review_impact_daily"]) in materialized
    assert USERS in materialized  # the raw data is landed; only what is built on it waits

    text = summary(result, window, environment_settings())
    assert "FAIL (ERROR)   raw/usage_users rows_match_partition_day" in text
    assert "FAIL (WARN)    raw/code_reviews priorities_sum_to_comments" in text
    assert "blocking asset check" in text
    not_built = text.split("Not built (a step before them failed, or a blocking check failed):")[1]
    for key in blocked:
        assert f"  {key.to_user_string()}\n" in not_built
