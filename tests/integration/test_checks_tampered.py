"""Through Dagster: each check fails, with its severity, on a lake partition tampered for it,
and only that check fails. Also the schema check over materializations, and the simulator's
restatement (a fault the API really has) caught by the per-user reconciliation."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime, timedelta

import dagster as dg
import duckdb
import orjson
import pytest

from codex_assets.backfill import Window, run_window
from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.resources.source import simulator_for
from codex_assets.lib.lake import Lake
from tests.support.resources import environment_settings

NAMES = ("usage_users", "usage_workspace", "code_reviews", "code_review_responses")
RAW = {name: dg.AssetKey(["raw", name]) for name in NAMES}
ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN
LAKE_CHECKS = ("last_90_days_loaded", "column_schema_unchanged", "freshness_check")
"""Not part of the tamper cases: they look at the whole lake or at Dagster's records."""


def _window() -> Window:
    end = latest_complete_day(datetime.now(UTC))
    return Window(end - timedelta(days=2), end)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Three clean days of the four raw tables, landed once; each test tampers with a copy."""
    root = tmp_path_factory.mktemp("tampered")
    with pytest.MonkeyPatch.context() as env:
        env.delenv("CODEX_SIMULATOR_FAULTS", raising=False)
        env.setenv("CODEX_DATA_DIR", str(root / "data"))
        env.setenv("CODEX_SIMULATOR_USERS", "60")
        env.setenv("CODEX_SIMULATOR_SEED", "11")
        window = _window()
        result = run_window(
            window,
            instance=dg.DagsterInstance.ephemeral(),
            selection=dg.AssetSelection.assets(*RAW.values()).without_checks(),
        )
        assert result.success
        yield root / "data", window


def _rows(lake: Lake, table: str, day) -> list[dict]:
    with duckdb.connect() as conn:
        records = conn.execute(
            "SELECT record FROM read_parquet($p)", {"p": str(lake.partition_file(table, day))}
        ).fetchall()
    return [orjson.loads(record) for (record,) in records]


def _rewrite(lake: Lake, table: str, day, change=None, footer=None) -> None:
    rows = _rows(lake, table, day)
    if change is not None:
        change(rows)
    footer = footer or {"pages": 1, "requests": 1, "complete": "true"}
    write_partition(lake, table, day, rows, metadata=footer)


def _more_turns(rows):
    rows[0]["totals"]["turns"] += 3
    rows[0]["clients"][0]["turns"] += 3  # the row stays consistent with itself


def _p0_off(rows):
    rows[0]["comment_details"]["p0"] += 1


def _engaged_too_many(rows):
    rows[0]["comment_response_details"]["engaged"] = rows[0]["comments"] + 1


def _model_credits_off(rows):
    rows[0]["models"][0]["credits"] += 2.5


def _negative_replies(rows):
    rows[0]["replies"] = -1


def _a_day_early(rows):
    rows[0]["start_time"] -= 86_400
    rows[0]["end_time"] -= 86_400


CASES = {
    "duplicated user row": (
        "usage_users",
        lambda rows: rows.append(rows[0]),
        None,
        {
            ("usage_users", "no_duplicate_keys", WARN),
            ("usage_users", "users_sum_to_workspace", WARN),
        },
    ),
    "negative count": (
        "code_review_responses",
        _negative_replies,
        None,
        {("code_review_responses", "no_negative_counts", ERROR)},
    ),
    "wrong complete flag": (
        "usage_workspace",
        None,
        {"pages": 3, "requests": 3, "complete": "false"},
        {("usage_workspace", "paging_complete", ERROR)},
    ),
    "missing complete flag": (
        "code_reviews",
        None,
        {"pages": 1, "requests": 1},
        {("code_reviews", "paging_complete", ERROR)},
    ),
    "per-user row changed": (
        "usage_users",
        _more_turns,
        None,
        {("usage_users", "users_sum_to_workspace", WARN)},
    ),
    # The contract promises no workspace row whenever users have rows: a workspace day that
    # comes back empty is loaded, and only the per-user reconciliation notices (it warns).
    "workspace row lost": (
        "usage_workspace",
        lambda rows: rows.clear(),
        None,
        {("usage_users", "users_sum_to_workspace", WARN)},
    ),
    "row of the day before": (
        "code_reviews",
        _a_day_early,
        None,
        {("code_reviews", "rows_match_partition_day", ERROR)},
    ),
    "priorities off": (
        "code_reviews",
        _p0_off,
        None,
        {("code_reviews", "priorities_sum_to_comments", WARN)},
    ),
    "engagement above comments": (
        "code_review_responses",
        _engaged_too_many,
        None,
        {("code_review_responses", "engagement_within_comments", WARN)},
    ),
    "model credits off": (
        "usage_workspace",
        _model_credits_off,
        None,
        {("usage_workspace", "models_sum_to_credits", WARN)},
    ),
}


@pytest.fixture
def copy_of(landed, tmp_path, monkeypatch):
    data, window = landed
    target = shutil.copytree(data, tmp_path / "data")
    monkeypatch.setenv("CODEX_DATA_DIR", str(target))
    monkeypatch.setenv("CODEX_SIMULATOR_USERS", "60")
    monkeypatch.setenv("CODEX_SIMULATOR_SEED", "11")
    monkeypatch.delenv("CODEX_SIMULATOR_FAULTS", raising=False)
    return Lake(target / "lake"), window


def _run_checks(window) -> dg.ExecuteInProcessResult:
    """Only the row-level checks of the raw assets, over the window (no asset is re-landed)."""
    selection = dg.AssetSelection.checks_for_assets(*RAW.values())
    for name in LAKE_CHECKS:
        selection = selection - dg.AssetSelection.checks(
            *(dg.AssetCheckKey(key, name) for key in RAW.values())
        )
    return run_window(window, instance=dg.DagsterInstance.ephemeral(), selection=selection)


def _failures(result) -> set[tuple[str, str, dg.AssetCheckSeverity]]:
    return {
        (e.asset_key.path[-1], e.check_name, e.severity)
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }


def test_the_landed_days_pass_every_check(copy_of):
    _, window = copy_of
    result = _run_checks(window)
    assert result.success
    assert _failures(result) == set()
    assert len(result.get_asset_check_evaluations()) == 23


@pytest.mark.parametrize("case", CASES)
def test_a_tampered_partition_fails_the_check_made_for_it(copy_of, case):
    lake, window = copy_of
    table, change, footer, expected = CASES[case]
    day = window.days[1]
    _rewrite(lake, table, day, change, footer)
    result = _run_checks(window)
    assert _failures(result) == expected
    assert result.success == all(severity == WARN for *_, severity in expected)
    for e in result.get_asset_check_evaluations():
        if not e.passed:
            assert e.metadata["threshold"].value
            assert e.metadata["offending_count"].value >= 1
            assert day.isoformat() in e.metadata["offending_days"].value
            assert day.isoformat() in e.description


def test_a_changed_schema_warns_naming_the_columns(copy_of):
    lake, window = copy_of
    users = RAW["usage_users"]
    instance = dg.DagsterInstance.ephemeral()
    first = run_window(
        Window(window.days[0], window.days[0]),
        instance=instance,
        selection=dg.AssetSelection.assets(users),
    )
    assert first.success
    # Another day's file grows a column and changes a type, as a new API version might.
    path = lake.partition_file("usage_users", window.days[2])
    with duckdb.connect() as conn:
        conn.execute(
            f"COPY (SELECT * REPLACE (turns::VARCHAR AS turns), 1 AS sim_future_metric "
            f"FROM read_parquet('{path}')) TO '{path}.new' "
            "(FORMAT parquet, KV_METADATA {complete: 'true', pages: '1', requests: '1'})"
        )
    os.replace(f"{path}.new", path)
    second = run_window(
        Window(window.days[0], window.days[0]),
        instance=instance,
        selection=dg.AssetSelection.assets(users),
    )
    assert second.success  # a warning does not stop anything
    schema = next(
        e for e in second.get_asset_check_evaluations() if e.check_name == "column_schema_unchanged"
    )
    assert not schema.passed
    assert schema.severity == WARN
    assert schema.metadata["added"].value == "sim_future_metric"
    assert schema.metadata["retyped"].value == "turns BIGINT -> VARCHAR"
    assert "added sim_future_metric" in schema.description
    first_schema = next(
        e for e in first.get_asset_check_evaluations() if e.check_name == "column_schema_unchanged"
    )
    assert first_schema.passed


def test_a_restated_day_reloaded_for_one_table_only_fails_reconciliation(copy_of):
    """The API restates recent days; re-loading only the per-user rows leaves the workspace row
    of the old revision, and the per-user reconciliation warns (the contract does not promise
    the two agree, so it does not hold the marts back)."""
    _, window = copy_of
    day = window.days[1]
    simulator = simulator_for(environment_settings())
    simulator.restate(day, revision=1)
    try:
        users_only = run_window(
            Window(day, day),
            instance=dg.DagsterInstance.ephemeral(),
            selection=dg.AssetSelection.assets(RAW["usage_users"]),
        )
        both = run_window(
            Window(day, day),
            instance=dg.DagsterInstance.ephemeral(),
            selection=dg.AssetSelection.assets(RAW["usage_users"], RAW["usage_workspace"]),
        )
    finally:
        simulator.restate(day, revision=0)
    failed = {e.check_name for e in users_only.get_asset_check_evaluations() if not e.passed}
    assert "users_sum_to_workspace" in failed
    assert users_only.success
    assert both.success, [e.description for e in both.get_asset_check_evaluations() if not e.passed]


def test_unknown_fields_and_transient_faults_only_warn_naming_the_fields(copy_of, monkeypatch):
    """`extra_fields` adds fields and a client no one knows (kept in `record`, with zero usage)
    and the first requests fail with 503: the client retries, the data is still whole, and the
    typed columns, hence the schema, are those of the clean load before. Only
    `column_schema_unchanged` warns, on each table, naming the fields no column reads."""
    lake, window = copy_of
    raw = dg.AssetSelection.assets(*RAW.values())
    instance = dg.DagsterInstance.ephemeral()
    clean = run_window(window, instance=instance, selection=raw)
    assert clean.success
    assert all(
        e.passed
        for e in clean.get_asset_check_evaluations()
        if e.check_name != "last_90_days_loaded"
    )
    monkeypatch.setenv("CODEX_SIMULATOR_FAULTS", "server_error:first=2;extra_fields")
    result = run_window(window, instance=instance, selection=raw)
    assert result.success  # a warning stops nothing
    failed = {
        (e.asset_key.path[-1], e.check_name, e.severity)
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.check_name != "last_90_days_loaded"
    }
    assert failed == {(name, "column_schema_unchanged", WARN) for name in NAMES}
    schema = {
        e.asset_key.path[-1]: e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "column_schema_unchanged"
    }
    users = schema["usage_users"]
    assert users.metadata["added"].value == "none"  # the typed columns did not change
    assert users.metadata["fields_not_read"].value == (
        "clients[].sim_future_metric, sim_annotations, sim_schema_version, totals.sim_future_metric"
    )
    assert "4 fields the API sends that no column reads: clients[].sim_future_metric" in (
        users.description
    )
    assert schema["code_reviews"].metadata["fields_not_read"].value == (
        "sim_annotations, sim_schema_version"
    )
    assert {"column_schema_unchanged", "clients_sum_to_totals"} <= {
        e.check_name for e in result.get_asset_check_evaluations()
    }
    # The run's HTTP totals are on the run (its log), not on each day's materialization.
    logged = " ".join(e.user_message for i in result.run_ids for e in instance.all_logs(i))
    assert sum(int(n) for n in re.findall(r"(\d+) retries", logged)) >= 1
    assert all("sim_schema_version" in row for row in _rows(lake, "usage_users", window.days[0]))


def test_checks_run_on_their_own_read_every_landed_day(copy_of):
    """Executed from the UI without a partition (or by a sensor), a check reads every day the
    API could still refill, not just one run's days."""
    lake, window = copy_of
    _rewrite(lake, "code_reviews", window.days[0], footer={"complete": "false"})
    from codex_assets.definitions import defs

    definitions = defs()
    keys = {
        dg.AssetCheckKey(RAW["code_reviews"], "paging_complete"),
        dg.AssetCheckKey(RAW["usage_users"], "users_sum_to_workspace"),
    }
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(asset_check_selection=keys)
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    by_name = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert by_name["paging_complete"].metadata["days_checked"].value == 3
    assert not by_name["paging_complete"].passed
    assert by_name["users_sum_to_workspace"].metadata["days_compared"].value == 3
