"""Freshness: is each day loaded by its deadline?

Two layers, because each answers a different question:

- Partition freshness checks (`freshness_check` on every raw asset, WARN): day D of the
  analytics assets must be materialized by D+1 14:00 UTC, and of the compliance log by D+1
  02:00 UTC. They look at the partition that is due, so loading an old day does not make the
  asset look fresh. A sensor, running by default, evaluates them after each deadline. The
  analytics ones are Dagster's (`build_time_partition_freshness_checks`); the compliance log's
  is ours, with the same rule, severity, parameters and result metadata (so the same sensor
  drives it), because it also reports the lake's newest event and the Compliance API's
  `max_event_time` beside it (`codex_assets/lib/checks/freshness.py`).
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
from datetime import timedelta

import dagster as dg

from codex_assets.defs.checks.support import (
    ANALYTICS_TARGETS,
    COMPLIANCE_KEY,
    CheckTarget,
    compliance_targets,
    to_result,
    utc_now,
)
from codex_assets.defs.compliance.client import CODEX_LOG
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks import ANALYTICS_SLA, COMPLIANCE_SLA, Sla
from codex_assets.lib.checks.freshness import (
    API_FAILED,
    API_NOT_OFFERED,
    API_READ,
    ApiNewestEvent,
    compliance_freshness,
    lake_newest_event,
)
from codex_assets.lib.http.errors import ApiNotFoundError, CodexApiError
from codex_assets.lib.settings import SettingsError

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
    """`freshness_check` on each target, one checks definition per SLA (deadline cron); the
    compliance log's is `compliance_freshness_check` (it also reads the API's max_event_time)."""
    checks = []
    compliance = [t for t in targets if t.key == COMPLIANCE_KEY]
    others = [t for t in targets if t.key != COMPLIANCE_KEY]
    for sla in dict.fromkeys(target.sla for target in others):
        checks += _partition_freshness_checks([t.key for t in others if t.sla == sla], sla)
    checks += [compliance_freshness_check(target) for target in compliance]
    return checks


# Dagster's keys, so that `build_sensor_for_freshness_checks` drives our check as its own: it
# re-runs a passed check once `fresh_until` has gone by.
FRESHNESS_PARAMS_KEY = "dagster/freshness_params"
LATEST_CRON_TICK_KEY = "dagster/latest_cron_tick_timestamp"
FRESH_UNTIL_KEY = "dagster/fresh_until_timestamp"
LAST_UPDATED_KEY = "dagster/last_updated_timestamp"


def compliance_freshness_check(target: CheckTarget) -> dg.AssetChecksDefinition:
    """The compliance log's `freshness_check`: Dagster's partition rule (the day that is due has
    been materialized by its deadline; WARN, not blocking), plus the lake's newest event and the
    Compliance API's `max_event_time` in the summary and metadata. The API's time never makes
    the check pass: the contract says it "does not guarantee that all earlier events have
    arrived". A 404 (an API older than the endpoint) falls back to the lake alone and says so;
    any other failure to read it is named, and the lake's verdict stands."""
    sla = target.sla
    params = {"timezone": "UTC", "deadline_cron": sla.deadline_cron}
    spec = dg.AssetCheckSpec(
        FRESHNESS_CHECK_NAME,
        asset=target.key,
        blocking=False,
        metadata={FRESHNESS_PARAMS_KEY: dg.MetadataValue.json(params)},
        description=(
            f"Day D is materialized by {sla.deadline_text}. Reports the lake's newest event and "
            "the Compliance API's max_event_time beside it (the API's time never decides). Warns."
        ),
    )

    @dg.multi_asset_check(
        name=f"{target.slug}_freshness_check",
        specs=[spec],
        can_subset=True,
        description="Freshness of the compliance log, beside the API's own newest event.",
    )
    def run_check(context: dg.AssetCheckExecutionContext, codex: CodexResource):
        now = utc_now()
        due = sla.latest_due_day(now)
        deadline = sla.deadline_of(due)
        due_records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=target.key, asset_partitions=[due.isoformat()]),
            limit=1,
        ).records
        api = read_api_newest_event(codex)
        if api.status == API_FAILED:
            context.log.warning(f"Compliance max_event_time not read: {api.problem}")
        outcome = compliance_freshness(
            table=target.lake_table,
            sla=sla,
            due_day=due,
            landed=bool(due_records),
            lake=lake_newest_event(codex.lake(), target.lake_table),
            api=api,
        )
        metadata = {
            FRESHNESS_PARAMS_KEY: dg.MetadataValue.json(params),
            LATEST_CRON_TICK_KEY: dg.MetadataValue.timestamp(deadline.timestamp()),
        }
        if outcome.passed:
            next_deadline = deadline + timedelta(days=1)
            metadata[FRESH_UNTIL_KEY] = dg.MetadataValue.timestamp(next_deadline.timestamp())
        else:
            latest = context.instance.get_latest_materialization_event(target.key)
            if latest is not None:
                metadata[LAST_UPDATED_KEY] = dg.MetadataValue.timestamp(latest.timestamp)
        yield to_result(
            outcome,
            asset_key=target.key,
            check_name=FRESHNESS_CHECK_NAME,
            blocking=False,
            extra_metadata=metadata,
        )

    return run_check


def read_api_newest_event(codex: CodexResource, event_type: str = CODEX_LOG) -> ApiNewestEvent:
    """The Compliance API's max_event_time for `event_type`, or why it could not be had.

    A 404 is an API older than the endpoint (`API_NOT_OFFERED`); any other API or settings
    error is `API_FAILED` with its message (keys are never in these messages; any configured
    key is scrubbed all the same). An error of another kind is a bug and is raised."""
    settings = codex.settings()
    try:
        with codex.compliance_client() as client:
            return ApiNewestEvent(
                API_READ, client.max_event_time(event_type), event_type=event_type
            )
    except ApiNotFoundError as error:
        return ApiNewestEvent(
            API_NOT_OFFERED, problem=_scrub(error, settings), event_type=event_type
        )
    except (CodexApiError, SettingsError) as error:
        return ApiNewestEvent(API_FAILED, problem=_scrub(error, settings), event_type=event_type)


def _scrub(error: Exception, settings, limit: int = 400) -> str:
    text = f"{type(error).__name__}: {error}"
    for key in (settings.compliance_api_key, settings.analytics_api_key):
        if key:
            text = text.replace(key, "<redacted>")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
