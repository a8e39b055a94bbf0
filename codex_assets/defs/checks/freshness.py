"""Freshness: is each day loaded by its deadline?

Two layers, because each answers a different question:

- Partition freshness checks (`freshness_check` on every raw asset, WARN): day D of the
  analytics assets must be materialized by D+1 14:00 UTC, and of the compliance log by D+1
  02:00 UTC. They look at the partition that is due, so loading an old day does not make the
  asset look fresh. A sensor, running by default, evaluates them after each deadline.
- Asset freshness policies (`FreshnessPolicy.time_window` on every asset, all refreshed by the
  daily run; applied once, in `codex_assets/definitions.py`): the UI's health view
  turns an asset red when its last materialization is older than a day plus the slack to the
  deadline (26 hours for analytics, 25 for compliance).

Backfills must not run the partition checks: they would report the day that is due as stale
while old days are loaded. `freshness_check_selection()` is what a job subtracts to leave them
out; `codex_assets.backfill.run_window` does.
"""

import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import dagster as dg

from codex_assets.defs.checks.support import ANALYTICS_TARGETS, CheckTarget, compliance_targets
from codex_assets.lib.checks import ANALYTICS_SLA, COMPLIANCE_SLA, Sla

FRESHNESS_CHECK_NAME = "freshness_check"
FRESHNESS_SENSOR_NAME = "codex_freshness_checks_sensor"


@contextmanager
def _chosen_on_purpose():
    """Silence Dagster's notices for the APIs used here deliberately (see the module docstring):
    the partition freshness builders are "superseded" (their successor is not partition-aware)
    and `map_resolved_asset_specs` is "preview" (it is how a policy is applied in one place)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        yield


def _partition_freshness_checks(
    keys: list[dg.AssetKey], sla: Sla
) -> list[dg.AssetChecksDefinition]:
    if not keys:
        return []
    with _chosen_on_purpose():
        return list(
            dg.build_time_partition_freshness_checks(
                assets=keys,
                deadline_cron=sla.deadline_cron,
                timezone="UTC",
                severity=dg.AssetCheckSeverity.WARN,
                blocking=False,
            )
        )


def build_freshness_checks(targets: Sequence[CheckTarget]) -> list[dg.AssetChecksDefinition]:
    """`freshness_check` on each target, one checks definition per SLA (deadline cron)."""
    checks = []
    for sla in dict.fromkeys(target.sla for target in targets):
        checks += _partition_freshness_checks([t.key for t in targets if t.sla == sla], sla)
    return checks


freshness_checks = build_freshness_checks([*ANALYTICS_TARGETS, *compliance_targets()])

with _chosen_on_purpose():
    freshness_checks_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=freshness_checks,
        name=FRESHNESS_SENSOR_NAME,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )


def freshness_check_selection() -> dg.AssetSelection:
    """Every partition freshness check: subtract it from any job that loads old days."""
    return dg.AssetSelection.checks(*freshness_checks)


def compliance_fed_keys(graph) -> set[dg.AssetKey]:
    """Assets fed by the compliance log and by no analytics asset: they follow the compliance
    SLA. An asset that reads both waits for the later (analytics) deadline."""
    compliance = [t.key for t in compliance_targets() if graph.has(t.key)]
    if not compliance:
        return set()
    analytics = [t.key for t in ANALYTICS_TARGETS if graph.has(t.key)]
    fed = dg.AssetSelection.assets(*compliance).downstream().resolve(graph)
    return set(fed) - set(dg.AssetSelection.assets(*analytics).downstream().resolve(graph))


def freshness_policy_for(sla: Sla) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=sla.fail_window, warn_window=sla.warn_window)


def with_freshness_policy(spec: dg.AssetSpec, sla: Sla) -> dg.AssetSpec:
    """`spec` with the time-window policy of `sla`; a policy the asset already declares is kept."""
    if spec.freshness_policy is not None:
        return spec
    return dg.apply_freshness_policy(spec, freshness_policy_for(sla), overwrite_existing=False)


def apply_freshness_policies(definitions: dg.Definitions) -> dg.Definitions:
    """The one place asset-level freshness policies are applied (see codex_assets/definitions.py):
    the compliance SLA for what only the compliance log feeds, the analytics SLA for the rest."""
    with _chosen_on_purpose():
        compliance = compliance_fed_keys(definitions.resolve_asset_graph())
        return definitions.map_resolved_asset_specs(
            func=lambda spec: with_freshness_policy(
                spec, COMPLIANCE_SLA if spec.key in compliance else ANALYTICS_SLA
            )
        )
