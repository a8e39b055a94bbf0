"""The analytics raw assets' checks, as Dagster definitions: on each of the four raw assets,
Dagster's partition freshness check, a completeness, a validity and a reconciliation step.

The rules are plain functions (`lib/checks/`, and `reconciliation.py` and `partition_day.py`
here); what each check promises is its spec (`specs.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg

from codex_assets.defs.analytics import assets as raw_assets
from codex_assets.defs.analytics.checks import reconciliation, specs
from codex_assets.defs.analytics.checks.partition_day import rows_outside_partition
from codex_assets.defs.analytics.checks.tables import (
    ANALYTICS_CHECKED_TABLES,
    CODE_REVIEW_RESPONSES,
    CODE_REVIEWS,
    USAGE_USERS,
    USAGE_WORKSPACE,
)
from codex_assets.defs.analytics.window import ANALYTICS_SLA, latest_complete_day
from codex_assets.lib.checks import validity
from codex_assets.lib.checks.builders import (
    coverage_group,
    paging_group,
    source,
    validity_group,
)
from codex_assets.lib.checks.freshness import partition_freshness_checks
from codex_assets.lib.checks.outcome import CheckOutcome
from codex_assets.lib.checks.results import CheckGroup, Evaluation, build_checks
from codex_assets.lib.checks.specs import CheckSpec
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.targets import CheckTarget, check_days
from codex_assets.lib.checks.window import LakeWindow, open_window

# Modules and keys only: a definition bound here too would be loaded twice by the defs loader.
_KEYS = {asset.key.path[-1]: asset.key for asset in raw_assets.raw_analytics_assets}
ANALYTICS_TARGETS: tuple[CheckTarget, ...] = tuple(
    CheckTarget(_KEYS[table.name], table, ANALYTICS_SLA)
    for table in ANALYTICS_CHECKED_TABLES.values()
)
ANALYTICS_RAW_KEYS: tuple[dg.AssetKey, ...] = tuple(target.key for target in ANALYTICS_TARGETS)


def analytics_target(table: str) -> CheckTarget:
    for target in ANALYTICS_TARGETS:
        if target.lake_table == table:
            return target
    raise KeyError(table)


freshness_checks = partition_freshness_checks(ANALYTICS_RAW_KEYS, ANALYTICS_SLA)

completeness_checks = [
    build_checks(
        target.key,
        "completeness",
        [
            # Analytics day D is due (14:00) after it is complete (12:00), so the backfill
            # command can load every due day: the cap changes nothing here.
            coverage_group(target, specs.LAST_90_DAYS_LOADED, latest_complete_day),
            paging_group(target),
        ],
        f"Completeness of {target.key.to_user_string()}.",
    )
    for target in ANALYTICS_TARGETS
]

_ROW_RULES = (
    (specs.NO_NEGATIVE_COUNTS, validity.negative_counts),
    (specs.NO_DUPLICATE_KEYS, validity.duplicate_keys),
    (specs.ROWS_MATCH_PARTITION_DAY, rows_outside_partition),
)
validity_checks = [
    build_checks(
        target.key,
        "validity",
        [validity_group(target, _ROW_RULES, specs.COLUMN_SCHEMA_UNCHANGED)],
        f"Validity of {target.key.to_user_string()}.",
    )
    for target in ANALYTICS_TARGETS
]


Rule = tuple[CheckSpec, Callable[[LakeWindow], CheckOutcome], tuple[CheckTarget, ...]]
"""A reconciliation check: its spec, its rule over the window, and the assets it compares with
(their partitions are in the window, and the check runs after them)."""


def _reconciliation(target: CheckTarget, rules: Sequence[Rule]) -> dg.AssetChecksDefinition:
    """The reconciliation checks of one raw asset, over one window of its days."""
    tables = list(dict.fromkeys([target.table, *(o.table for *_, others in rules for o in others)]))

    def evaluate(context: dg.AssetCheckExecutionContext, selected: set[str]):
        lake = source(context).lake()
        with open_window(lake, tables, check_days(context, lake, target)) as window:
            for spec, rule, _ in rules:
                if spec.name in selected:
                    yield Evaluation(spec.name, rule(window))

    group = CheckGroup(
        tuple(
            spec.asset_check_spec(target.key, additional_deps=[other.key for other in others])
            for spec, _, others in rules
        ),
        evaluate,
    )
    description = f"Reconciliation of {target.key.to_user_string()}."
    return build_checks(target.key, "reconciliation", [group], description)


def _breakdowns(table: CheckedTable) -> tuple[Rule, Rule]:
    return (
        (specs.CLIENTS_SUM_TO_TOTALS, lambda w: reconciliation.clients_sum_to_totals(w, table), ()),
        (specs.MODELS_SUM_TO_CREDITS, lambda w: reconciliation.models_sum_to_credits(w, table), ()),
    )


_users = analytics_target(USAGE_USERS.name)
_workspace = analytics_target(USAGE_WORKSPACE.name)
_compared_with_workspace: Rule = (
    specs.USERS_SUM_TO_WORKSPACE,
    reconciliation.users_sum_to_workspace,
    (_workspace,),
)
reconciliation_checks = [
    _reconciliation(_users, (_compared_with_workspace, *_breakdowns(USAGE_USERS))),
    _reconciliation(_workspace, _breakdowns(USAGE_WORKSPACE)),
    _reconciliation(
        analytics_target(CODE_REVIEWS.name),
        ((specs.PRIORITIES_SUM_TO_COMMENTS, reconciliation.priorities_sum_to_comments, ()),),
    ),
    _reconciliation(
        analytics_target(CODE_REVIEW_RESPONSES.name),
        ((specs.ENGAGEMENT_WITHIN_COMMENTS, reconciliation.engagement_within_comments, ()),),
    ),
]
