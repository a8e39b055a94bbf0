"""Freshness in Dagster's own terms: partition freshness checks, their sensor, and the asset-level
time-window policies, each made from a source's `Sla`.

Two layers, because each answers a different question:

- **Partition freshness checks** (`freshness_check`, WARN): the day that is due was materialized
  by its deadline. They look at the partition that is due, so loading an old day does not make
  the asset look fresh. Wherever that is the whole rule they are Dagster's own
  (`build_time_partition_freshness_checks`, `partition_freshness_checks` here). A source whose
  check must say more builds its own check with the same name, spec metadata
  (`freshness_spec_metadata`) and result metadata (`freshness_result_metadata`), so that
  Dagster's sensor drives it as one of its own: the compliance log's also reports the
  Compliance API's `max_event_time`, which the built-in check cannot read.
- **Asset freshness policies** (`FreshnessPolicy.time_window`, applied to every asset once, in
  `codex_assets/definitions.py`): the UI's health view turns an asset red when its last
  materialization is older than a day plus the slack to the deadline.

Both builders are "superseded" in Dagster 1.13 (their successor, the policy, is not
partition-aware) and `map_resolved_asset_specs` is "preview" (it is how a policy is applied in
one place): `superseded_on_purpose` silences those notices where these are used on purpose.
Backfills must not run the partition checks (they would report the day that is due as stale
while old days load): `freshness_check_selection` is what a job subtracts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import dagster as dg

from codex_assets.lib.checks.sla import Sla

FRESHNESS_CHECK_NAME = "freshness_check"
# Dagster's keys, so that `build_sensor_for_freshness_checks` drives a check of our own as its
# own: it re-runs a passed check once `fresh_until` has gone by.
FRESHNESS_PARAMS_KEY = "dagster/freshness_params"
LATEST_CRON_TICK_KEY = "dagster/latest_cron_tick_timestamp"
FRESH_UNTIL_KEY = "dagster/fresh_until_timestamp"
LAST_UPDATED_KEY = "dagster/last_updated_timestamp"


@contextmanager
def superseded_on_purpose() -> Iterator[None]:
    """Silence Dagster's notices for the freshness APIs used here deliberately (see above)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        yield


def partition_freshness_checks(
    keys: Sequence[dg.AssetKey], sla: Sla
) -> list[dg.AssetChecksDefinition]:
    """Dagster's `freshness_check` on each of `keys`: the day that is due is materialized by
    `sla`'s deadline (WARN, never blocking)."""
    if not keys:
        return []
    with superseded_on_purpose():
        return list(
            dg.build_time_partition_freshness_checks(
                assets=list(keys),
                deadline_cron=sla.deadline_cron,
                timezone="UTC",
                severity=dg.AssetCheckSeverity.WARN,
                blocking=False,
            )
        )


def freshness_params(sla: Sla) -> dict[str, str]:
    return {"timezone": "UTC", "deadline_cron": sla.deadline_cron}


def freshness_spec_metadata(sla: Sla) -> dict[str, Any]:
    """The spec metadata of a `freshness_check` of our own, as Dagster's builder writes it."""
    return {FRESHNESS_PARAMS_KEY: dg.MetadataValue.json(freshness_params(sla))}


def freshness_result_metadata(
    context: dg.AssetCheckExecutionContext, key: dg.AssetKey, sla: Sla, due: date, passed: bool
) -> dict[str, Any]:
    """The result metadata Dagster's sensor reads: the deadline just passed, and when a passed
    check goes stale (or, failed, when the asset was last updated)."""
    deadline = sla.deadline_of(due)
    metadata = {
        FRESHNESS_PARAMS_KEY: dg.MetadataValue.json(freshness_params(sla)),
        LATEST_CRON_TICK_KEY: dg.MetadataValue.timestamp(deadline.timestamp()),
    }
    if passed:
        next_deadline = deadline + timedelta(days=1)
        metadata[FRESH_UNTIL_KEY] = dg.MetadataValue.timestamp(next_deadline.timestamp())
    else:
        latest = context.instance.get_latest_materialization_event(key)
        if latest is not None:
            metadata[LAST_UPDATED_KEY] = dg.MetadataValue.timestamp(latest.timestamp)
    return metadata


def freshness_sensor(checks: Sequence[dg.AssetChecksDefinition], name: str) -> dg.SensorDefinition:
    """Dagster's sensor over `checks`, running by default (Dagster's default is stopped)."""
    with superseded_on_purpose():
        return dg.build_sensor_for_freshness_checks(
            freshness_checks=list(checks),
            name=name,
            default_status=dg.DefaultSensorStatus.RUNNING,
        )


def freshness_policy_for(sla: Sla) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(fail_window=sla.fail_window, warn_window=sla.warn_window)


def with_freshness_policy(spec: dg.AssetSpec, sla: Sla) -> dg.AssetSpec:
    """`spec` with the time-window policy of `sla`; a policy the asset already declares is kept."""
    if spec.freshness_policy is not None:
        return spec
    return dg.apply_freshness_policy(spec, freshness_policy_for(sla), overwrite_existing=False)


def with_freshness_policies(
    definitions: dg.Definitions, sla_of: Callable[[dg.AssetKey], Sla]
) -> dg.Definitions:
    """`definitions` with every asset's time-window policy, of the SLA `sla_of` its key."""
    with superseded_on_purpose():
        return definitions.map_resolved_asset_specs(
            func=lambda spec: with_freshness_policy(spec, sla_of(spec.key))
        )
