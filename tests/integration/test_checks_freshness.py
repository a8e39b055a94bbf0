"""Freshness: partition checks against each API's deadline, their sensor, and the asset policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from codex_assets.definitions import defs
from codex_assets.defs.analytics.checks.asset_checks import ANALYTICS_TARGETS
from codex_assets.defs.analytics.window import ANALYTICS_SLA, latest_complete_day
from codex_assets.defs.compliance.checks import asset_checks as compliance_checks
from codex_assets.defs.compliance.checks.asset_checks import COMPLIANCE_TARGET
from codex_assets.defs.compliance.checks.specs import LAST_30_DAYS_LOADED
from codex_assets.defs.compliance.raw_assets import RAW_KEY as COMPLIANCE_KEY
from codex_assets.defs.compliance.window import COMPLIANCE_SLA
from codex_assets.defs.partitions import compliance_partitions
from codex_assets.defs.reconciliation.checks import freshness as freshness_module
from codex_assets.defs.reconciliation.checks.freshness import (
    FRESHNESS_SENSOR_NAME,
    apply_freshness_policies,
    compliance_fed_keys,
)
from codex_assets.lib.checks.builders import coverage_group
from codex_assets.lib.checks.freshness import (
    FRESHNESS_CHECK_NAME,
    freshness_policy_for,
    partition_freshness_checks,
    with_freshness_policy,
)
from codex_assets.lib.checks.results import build_checks
from tests.support.resources import environment_codex

RAW_KEYS = [target.key for target in ANALYTICS_TARGETS]


def _params(checks_def: dg.AssetChecksDefinition) -> dict:
    spec = next(iter(checks_def.check_specs))
    return spec.metadata["dagster/freshness_params"].value


def test_every_raw_asset_has_a_partition_freshness_check_due_at_14_utc():
    (checks_def,) = partition_freshness_checks(RAW_KEYS, ANALYTICS_SLA)
    assert {key.asset_key for key in checks_def.check_keys} == set(RAW_KEYS)
    assert {key.name for key in checks_def.check_keys} == {FRESHNESS_CHECK_NAME}
    assert _params(checks_def) == {"timezone": "UTC", "deadline_cron": "0 14 * * *"}
    assert all(not spec.blocking for spec in checks_def.check_specs)
    graph = defs().resolve_asset_graph()
    for key in RAW_KEYS:
        assert dg.AssetCheckKey(key, FRESHNESS_CHECK_NAME) in graph.asset_check_keys


def test_the_freshness_sensor_runs_by_default_and_targets_the_checks():
    sensor = defs().resolve_sensor_def(FRESHNESS_SENSOR_NAME)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert freshness_module.freshness_checks()


def _evaluate(instance: dg.DagsterInstance) -> dict[dg.AssetKey, dg.AssetCheckEvaluation]:
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    keys = set(freshness_module.freshness_check_selection().resolve_checks(graph))
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(asset_check_selection=keys)
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    return {e.asset_key: e for e in result.get_asset_check_evaluations()}


def _materialized(instance, key, day) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=key, partition=day.isoformat())
    )


def test_the_day_that_is_due_decides_freshness():
    due = ANALYTICS_SLA.latest_due_day(datetime.now(UTC))
    instance = dg.DagsterInstance.ephemeral()
    never = _evaluate(instance)
    assert set(never) == {*RAW_KEYS, COMPLIANCE_KEY}
    assert all(not e.passed and e.severity == dg.AssetCheckSeverity.WARN for e in never.values())
    assert "never been observed/materialized" in never[RAW_KEYS[0]].description

    # An older day does not make the asset fresh (a backfill of history cannot hide lateness).
    _materialized(instance, RAW_KEYS[0], due - timedelta(days=5))
    _materialized(instance, RAW_KEYS[1], due)
    evaluations = _evaluate(instance)
    assert not evaluations[RAW_KEYS[0]].passed
    assert f"We expected partition {due.isoformat()}" in evaluations[RAW_KEYS[0]].description
    assert evaluations[RAW_KEYS[1]].passed


def test_every_asset_gets_its_sla_time_window_policy_in_one_place():
    graph = defs().resolve_asset_graph()
    analytics = freshness_policy_for(ANALYTICS_SLA)
    compliance = freshness_policy_for(COMPLIANCE_SLA)
    fed = compliance_fed_keys(graph)
    for key in graph.get_all_asset_keys():
        expected = compliance if key in fed else analytics
        assert graph.get(key).freshness_policy == expected, key
    for key in RAW_KEYS:
        assert graph.get(key).freshness_policy == analytics
    assert COMPLIANCE_KEY in fed
    assert analytics.fail_window.to_timedelta() == timedelta(hours=26)
    assert compliance.fail_window.to_timedelta() == timedelta(hours=25)


def test_what_only_the_compliance_log_feeds_follows_its_sla(compliance_module):
    @dg.asset(deps=[compliance_module])
    def activity() -> None: ...

    @dg.asset(deps=[compliance_module, RAW_KEYS[0]])
    def both() -> None: ...

    definitions = apply_freshness_policies(
        dg.Definitions(assets=[compliance_module, activity, both, dg.AssetSpec(RAW_KEYS[0])])
    )
    graph = definitions.resolve_asset_graph()
    assert compliance_fed_keys(graph) == {COMPLIANCE_KEY, activity.key}
    assert graph.get(activity.key).freshness_policy == freshness_policy_for(COMPLIANCE_SLA)
    assert graph.get(both.key).freshness_policy == freshness_policy_for(ANALYTICS_SLA)


def test_a_policy_an_asset_declares_is_kept():
    own = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2))
    spec = dg.AssetSpec(["raw", "x"], freshness_policy=own)
    assert with_freshness_policy(spec, ANALYTICS_SLA).freshness_policy == own


@pytest.fixture
def compliance_module():
    """A stand-in for the compliance log's asset: `raw/compliance_codex_log`, daily."""

    @dg.asset(key=COMPLIANCE_KEY, partitions_def=compliance_partitions)
    def compliance_codex_log() -> None: ...

    return compliance_codex_log


def test_the_compliance_log_gets_its_02_utc_deadline_paging_and_30_day_coverage(compliance_module):
    target = COMPLIANCE_TARGET
    assert (target.key, target.sla) == (COMPLIANCE_KEY, COMPLIANCE_SLA)
    checks = freshness_module.freshness_checks()
    crons = {_params(c)["deadline_cron"]: {k.asset_key for k in c.check_keys} for c in checks}
    assert crons == {"0 14 * * *": set(RAW_KEYS), "0 2 * * *": {COMPLIANCE_KEY}}
    (paging,) = compliance_checks.completeness_checks
    coverage = build_checks(
        COMPLIANCE_KEY,
        "coverage",
        [coverage_group(target, LAST_30_DAYS_LOADED, latest_complete_day)],
        "the compliance log's coverage, as defs/reconciliation/checks builds it",
    )
    names = {key.name for key in [*paging.check_keys, *coverage.check_keys]}
    assert names == {"last_30_days_loaded", "paging_complete"}
    built = defs().resolve_asset_graph().asset_check_keys
    assert {dg.AssetCheckKey(COMPLIANCE_KEY, name) for name in names} <= built
    definitions = dg.Definitions(
        assets=[compliance_module],
        asset_checks=[checks[1], paging, coverage],
        resources={"codex": environment_codex()},
    )
    assert {key.name for key in definitions.resolve_asset_graph().asset_check_keys} == {
        FRESHNESS_CHECK_NAME,
        "last_30_days_loaded",
        "paging_complete",
    }
