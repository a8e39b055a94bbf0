"""Freshness across both sources: one sensor over every partition freshness check, the
selection a backfill leaves out, and each asset's time-window policy.

An asset's policy follows the SLA of the sources that feed it: what only the compliance log
feeds follows the compliance SLA (due at 02:00 UTC, so late after 25 hours); anything an
analytics asset feeds, alone or with the log, waits for the later analytics deadline (26 hours).
How each layer works is in `lib/checks/freshness.py`.
"""

from __future__ import annotations

import dagster as dg

from codex_assets.defs.analytics.checks import asset_checks as analytics_checks
from codex_assets.defs.analytics.window import ANALYTICS_SLA
from codex_assets.defs.compliance.checks import asset_checks as compliance_checks
from codex_assets.defs.compliance.raw_assets import RAW_KEY as COMPLIANCE_KEY
from codex_assets.defs.compliance.window import COMPLIANCE_SLA
from codex_assets.lib.checks.freshness import (
    freshness_sensor,
    superseded_on_purpose,
    with_freshness_policies,
)

FRESHNESS_SENSOR_NAME = "codex_freshness_checks_sensor"


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    """Every source's partition freshness checks (defined in the sources' modules: a list of
    them bound here too would be loaded twice by the defs loader)."""
    return [*analytics_checks.freshness_checks, *compliance_checks.freshness_checks]


freshness_checks_sensor = freshness_sensor(freshness_checks(), FRESHNESS_SENSOR_NAME)


def freshness_check_selection() -> dg.AssetSelection:
    """Every partition freshness check: subtract it from any job that loads old days."""
    return dg.AssetSelection.checks(*freshness_checks())


def compliance_fed_keys(graph) -> set[dg.AssetKey]:
    """Assets fed by the compliance log and by no analytics asset: they follow the compliance
    SLA. An asset that reads both waits for the later (analytics) deadline."""
    if not graph.has(COMPLIANCE_KEY):
        return set()
    analytics = [key for key in analytics_checks.ANALYTICS_RAW_KEYS if graph.has(key)]
    fed = dg.AssetSelection.assets(COMPLIANCE_KEY).downstream().resolve(graph)
    return set(fed) - set(dg.AssetSelection.assets(*analytics).downstream().resolve(graph))


def apply_freshness_policies(definitions: dg.Definitions) -> dg.Definitions:
    """The one place asset-level freshness policies are applied (see codex_assets/definitions.py):
    the compliance SLA for what only the compliance log feeds, the analytics SLA for the rest."""
    with superseded_on_purpose():
        compliance = compliance_fed_keys(definitions.resolve_asset_graph())
    return with_freshness_policies(
        definitions, lambda key: COMPLIANCE_SLA if key in compliance else ANALYTICS_SLA
    )
