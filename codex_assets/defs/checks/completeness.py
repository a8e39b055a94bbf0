"""Completeness checks: every page of every day, and no unloaded day.

One multi-check per raw asset, so a run reads each asset's partition footers once:

- `paging_complete` (ERROR, blocking): every day of the run has a partition whose footer says
  `complete=true`, which the client writes only once paging reached `has_more = false`. A day
  that may miss pages would make every mart built on it wrong.
  A whole partition without rows is an idle day, loaded: the API omits days without activity
  (reference/codex-api.md, "2026-12 additions"), so no check asks for a row on any day.
- `last_90_days_loaded` (`last_30_days_loaded` for compliance; WARN): no day the API can still
  serve is missing from the lake; the description lists the days and the backfill commands.
"""

import dagster as dg

from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.checks.support import (
    ANALYTICS_TARGETS,
    CheckTarget,
    check_days,
    compliance_targets,
    selected_names,
    to_result,
    utc_now,
)
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks import completeness, read_footers

PAGING_COMPLETE = "paging_complete"


def coverage_check_name(target: CheckTarget) -> str:
    return f"last_{target.sla.lookback_days}_days_loaded"


def build_completeness_checks(
    target: CheckTarget, *, paging: bool = True
) -> dg.AssetChecksDefinition:
    """The completeness checks of one raw asset (`paging=False` for a table without footers)."""
    coverage_name = coverage_check_name(target)
    specs = [
        dg.AssetCheckSpec(
            coverage_name,
            asset=target.key,
            blocking=False,
            description=(
                f"No day of the last {target.sla.lookback_days} that is due "
                f"(day D by {target.sla.deadline_text}) is missing from the lake. Lists the "
                "missing days and the `codex-assets backfill` commands that load them. Warns."
            ),
        )
    ]
    if paging:
        specs.append(
            dg.AssetCheckSpec(
                PAGING_COMPLETE,
                asset=target.key,
                blocking=True,
                description=(
                    "Every day of the run was landed whole: its partition's footer says "
                    "complete=true, written only after paging reached has_more=false. A day "
                    "without rows is loaded (the API omits inactive days) and counted in "
                    "idle_days. Blocking: the marts would miss rows."
                ),
            )
        )
    blocking = {spec.name: spec.blocking for spec in specs}

    @dg.multi_asset_check(
        name=f"{target.slug}_completeness_checks",
        specs=specs,
        can_subset=True,
        description=f"Completeness of {target.key.to_user_string()}.",
    )
    def run_checks(context: dg.AssetCheckExecutionContext, codex: CodexResource):
        selected = selected_names(context)
        lake = codex.lake()

        def result(name, outcome):
            return to_result(
                outcome, asset_key=target.key, check_name=name, blocking=blocking[name]
            )

        now = utc_now()
        if coverage_name in selected:
            outcome = completeness.coverage(
                target.lake_table,
                lake.landed_days(target.lake_table),
                target.sla,
                now,
                codex.settings().start_date,
                last_day=latest_complete_day(now),  # what `codex-assets backfill` can load now
            )
            yield result(coverage_name, outcome)
        if PAGING_COMPLETE not in selected:
            return
        days = check_days(context, lake, target)
        footers = read_footers(lake, target.lake_table, days)
        outcome = completeness.paging_complete(
            target.lake_table, days, footers, target.sla.oldest_refillable_day(now)
        )
        yield result(PAGING_COMPLETE, outcome)

    return run_checks


completeness_checks = [
    build_completeness_checks(target) for target in (*ANALYTICS_TARGETS, *compliance_targets())
]
