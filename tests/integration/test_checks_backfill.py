"""After a clean 90-day backfill every check passes, none reports stale freshness, and the CLI
summary lists them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from codex_assets.backfill import Window, run_window, summary
from codex_assets.definitions import defs
from codex_assets.defs.analytics.window import ANALYTICS_SLA
from codex_assets.defs.compliance.raw_assets import RAW_KEY as COMPLIANCE_KEY
from codex_assets.defs.reconciliation.checks.freshness import freshness_check_selection
from codex_assets.lib.checks.freshness import FRESHNESS_CHECK_NAME
from tests.support.resources import environment_settings

RAW_KEYS = [
    dg.AssetKey(["raw", name])
    for name in ("usage_users", "usage_workspace", "code_reviews", "code_review_responses")
]
CHECKED_KEYS = [*RAW_KEYS, COMPLIANCE_KEY]
"""The analytics raw assets, and the compliance log."""
# `backfilled`: the session's shared 90-day backfill (tests/integration/conftest.py).


def _checks_of(keys) -> set[dg.AssetCheckKey]:
    graph = defs().resolve_asset_graph()
    return {key for key in graph.asset_check_keys if key.asset_key in keys}


CONTRACT_SHAPE_WARNINGS = {
    "column_schema_unchanged",  # fields the API added, that no column reads
    "clients_sum_to_totals",  # `clients: []` while totals count (openai/codex#13295)
    "models_sum_to_credits",  # `models: null`, unknown models
    "priorities_sum_to_comments",  # comments without a priority
    "responses_per_turn_in_band",  # analytics days restated, the log not
}
"""What the contract profile's legal quirks make warn; nothing else may fail."""


def test_only_the_warnings_the_contract_shapes_call_for_fail(backfilled):
    """Over 90 days of the sparse, quirky shapes the contract allows (idle days, short pages,
    empty breakdowns, added fields, restatements), every blocking check passes and the only
    failures are the warnings those shapes call for."""
    _, window, result = backfilled
    assert result.success
    assert len(window.days) >= 89
    evaluations = result.get_asset_check_evaluations()
    failed = {
        (e.asset_key.to_user_string(), e.check_name, e.severity)
        for e in evaluations
        if not e.passed
    }
    assert {name for _, name, _ in failed} <= CONTRACT_SHAPE_WARNINGS, failed
    assert {severity for *_, severity in failed} <= {dg.AssetCheckSeverity.WARN}
    assert all(e.passed for e in evaluations if e.blocking)
    idle = next(
        e
        for e in evaluations
        if e.check_name == "paging_complete" and e.asset_key == dg.AssetKey(["raw", "usage_users"])
    )
    assert idle.metadata["idle_days"].value >= 20  # weekends and a few quiet days
    evaluated = {dg.AssetCheckKey(e.asset_key, e.check_name) for e in evaluations}
    expected = {k for k in _checks_of(CHECKED_KEYS) if k.name != FRESHNESS_CHECK_NAME}
    assert expected <= evaluated
    assert len(expected) >= 28


def test_the_backfill_runs_no_freshness_check(backfilled):
    _, _, result = backfilled
    freshness = {
        e for e in result.get_asset_check_evaluations() if e.check_name == FRESHNESS_CHECK_NAME
    }
    assert freshness == set()
    planned = [
        event
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION_PLANNED"
        and event.event_specific_data.check_name == FRESHNESS_CHECK_NAME
    ]
    assert planned == []


def test_checks_say_what_they_measured_over_the_whole_window(backfilled):
    _, window, result = backfilled
    by_key = {(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}
    paging = by_key[(RAW_KEYS[0], "paging_complete")]
    assert paging.metadata["days_checked"].value == len(window.days)
    assert "complete=true" in paging.metadata["threshold"].value
    reconciled = by_key[(RAW_KEYS[0], "users_sum_to_workspace")]
    assert reconciled.metadata["days_compared"].value == len(window.days)
    assert reconciled.severity == dg.AssetCheckSeverity.WARN
    coverage = by_key[(RAW_KEYS[0], "last_90_days_loaded")]
    assert coverage.metadata["missing_days"].value == 0
    assert coverage.severity == dg.AssetCheckSeverity.WARN
    rows = by_key[(RAW_KEYS[2], "rows_match_partition_day")]
    assert rows.metadata["window"].value.endswith(f"({len(window.days)} days)")


def test_the_cli_summary_lists_every_check(backfilled):
    settings, window, result = backfilled
    text = summary(result, window, settings)
    evaluations = result.get_asset_check_evaluations()
    passed = sum(e.passed for e in evaluations)
    assert f"Checks: {passed}/{len(evaluations)} passed" in text
    for e in evaluations:
        status = "pass" if e.passed else f"FAIL ({e.severity.value})"
        assert f"{status:<14} {e.asset_key.to_user_string()} {e.check_name}" in text
    # The one check a backfill leaves out is named, with who evaluates it instead.
    assert "freshness_check on each raw asset is left out of backfills" in text


def test_backfilling_old_days_reports_no_stale_freshness(data_dir):
    """The trap: loading old days through a job that includes the partition freshness checks
    reports the day that is due as stale. `run_window` leaves them out."""
    settings = environment_settings()
    now = datetime.now(UTC)
    oldest = ANALYTICS_SLA.oldest_refillable_day(now) + timedelta(days=1)
    window = Window(oldest, oldest + timedelta(days=1))
    raw = dg.AssetSelection.assets(*RAW_KEYS)
    instance = dg.DagsterInstance.ephemeral()
    result = run_window(window, instance=instance, selection=raw)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert not [e for e in evaluations if e.check_name == FRESHNESS_CHECK_NAME]
    failed = {(e.check_name, e.severity) for e in evaluations if not e.passed}
    # Nothing blocks, and the coverage warnings say the other 87 days of the last 90 are not
    # loaded. (Data-shape warnings may come too: the simulator serves some legal, awkward days
    # whose client breakdowns do not sum to the totals.)
    assert {name for name, severity in failed if severity == dg.AssetCheckSeverity.ERROR} == set()
    assert ("last_90_days_loaded", dg.AssetCheckSeverity.WARN) in failed
    coverage = next(e for e in evaluations if e.check_name == "last_90_days_loaded")
    assert "uv run codex-assets backfill --start" in coverage.description
    assert settings.data_path.exists()

    # The same days through the asset job *with* the freshness checks: stale failures.
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(raw.resolve(graph)),
        asset_check_selection={
            key
            for key in freshness_check_selection().resolve_checks(graph)
            if key.asset_key in RAW_KEYS
        },
    )
    trap = job.execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": window.start.isoformat(),
            "dagster/asset_partition_range_end": window.end.isoformat(),
        },
        raise_on_error=False,
    )
    stale = [e for e in trap.get_asset_check_evaluations() if not e.passed]
    assert {e.check_name for e in stale} == {FRESHNESS_CHECK_NAME}
    assert len(stale) == len(RAW_KEYS)
