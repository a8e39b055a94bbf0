"""The compliance log's checks that depend on the analytics API, as Dagster definitions.

- `responses_per_turn_in_band` compares the log's responses with the analytics turns
  (`responses.py`); it reads `raw/usage_users` and runs after it.
- `last_30_days_loaded` expects only the days `codex-assets backfill` can load now, and that
  command loads every API: it waits for the analytics day to be complete (12:00 UTC), so a
  compliance day due at 02:00 is the freshness check's business until then.

What each check promises is its spec (`specs.py`, and `defs/compliance/checks/specs.py`).
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from codex_assets.defs.analytics.checks.asset_checks import analytics_target
from codex_assets.defs.analytics.checks.tables import USAGE_USERS
from codex_assets.defs.analytics.window import latest_complete_day
from codex_assets.defs.compliance.checks.asset_checks import COMPLIANCE_TARGET
from codex_assets.defs.compliance.checks.specs import LAST_30_DAYS_LOADED
from codex_assets.defs.reconciliation.checks.responses import responses_per_turn
from codex_assets.defs.reconciliation.checks.specs import RESPONSES_PER_TURN_IN_BAND
from codex_assets.lib.checks.builders import coverage_group, source
from codex_assets.lib.checks.results import CheckGroup, Evaluation, build_checks
from codex_assets.lib.checks.targets import check_days
from codex_assets.lib.checks.window import open_window

_users = analytics_target(USAGE_USERS.name)


def _responses_group() -> CheckGroup:
    def evaluate(context: dg.AssetCheckExecutionContext, selected: set[str]):
        lake = source(context).lake()
        days = check_days(context, lake, COMPLIANCE_TARGET)
        with_next = sorted({*days, *(day + timedelta(days=1) for day in days)})
        with open_window(lake, [COMPLIANCE_TARGET.table, _users.table], with_next) as window:
            yield Evaluation(RESPONSES_PER_TURN_IN_BAND.name, responses_per_turn(window, days))

    spec = RESPONSES_PER_TURN_IN_BAND.asset_check_spec(
        COMPLIANCE_TARGET.key, additional_deps=[_users.key]
    )
    return CheckGroup((spec,), evaluate)


reconciliation_checks = [
    build_checks(
        COMPLIANCE_TARGET.key,
        "reconciliation",
        [
            coverage_group(COMPLIANCE_TARGET, LAST_30_DAYS_LOADED, latest_complete_day),
            _responses_group(),
        ],
        "The compliance log beside the analytics API: responses per turn, and the days "
        "`codex-assets backfill` can load.",
    )
]
