"""Reconciliation checks: numbers the API reports twice must agree.

- `users_sum_to_workspace` on raw/usage_users (WARN): per day, the per-user threads, turns and
  credits (in cents, within 1 cent) add up to the workspace row. Every usage mart is built from
  the per-user rows, so a gap means they disagree with the workspace's own totals. It warns
  because the contract promises neither that the two agree nor a workspace row whenever users
  have rows (reference/codex-api.md, "2026-12 additions": days may be omitted, past days
  revised): blocking on it would hold back correct marts for a difference at the source.
- `clients_sum_to_totals` on raw/usage_users and raw/usage_workspace (WARN): each row's client
  breakdown adds up to its threads, turns and credits.
- `models_sum_to_credits` on the same (WARN): each model breakdown adds up to the credits.
  Both breakdown checks warn because the contract says sums over clients or models "may not
  equal totals" (usage outside any listed client or model), so a gap is not proof of a fault.
- `priorities_sum_to_comments` on raw/code_reviews (WARN): P0 + P1 + P2 = comments.
- `engagement_within_comments` on raw/code_review_responses (WARN): engaged, reacted and replied
  comments never exceed comments. These two warn: the review mart copies the API's numbers as
  served, so it is not made wrong by them, and holding back the whole review mart for an
  inconsistency at the source would hide the rest of the day.
"""

import dagster as dg

from codex_assets.defs.checks.support import (
    CheckTarget,
    analytics_target,
    check_days,
    selected_names,
    to_result,
)
from codex_assets.defs.resources import CodexResource
from codex_assets.lib.checks import reconciliation
from codex_assets.lib.checks.tables import (
    CODE_REVIEW_RESPONSES,
    CODE_REVIEWS,
    USAGE_USERS,
    USAGE_WORKSPACE,
)
from codex_assets.lib.checks.window import open_window

USERS_SUM_TO_WORKSPACE = "users_sum_to_workspace"
CLIENTS_SUM_TO_TOTALS = "clients_sum_to_totals"
MODELS_SUM_TO_CREDITS = "models_sum_to_credits"
PRIORITIES_SUM_TO_COMMENTS = "priorities_sum_to_comments"
ENGAGEMENT_WITHIN_COMMENTS = "engagement_within_comments"

_DESCRIPTIONS = {
    USERS_SUM_TO_WORKSPACE: (
        "Per day, the per-user threads, turns and credits (in cents, within 1 cent) add up to "
        "the workspace totals. Warns: the contract promises neither that they agree nor a "
        "workspace row whenever users have rows."
    ),
    CLIENTS_SUM_TO_TOTALS: (
        "Each row's client breakdown adds up to its threads, turns and credits. Warns: the "
        "contract allows sums over clients to differ from totals."
    ),
    MODELS_SUM_TO_CREDITS: (
        "Each row's model breakdown (when present) adds up to its credits. Warns: the contract "
        "allows sums over models to differ from totals."
    ),
    PRIORITIES_SUM_TO_COMMENTS: "P0 + P1 + P2 comments equal all comments, every day. Warns.",
    ENGAGEMENT_WITHIN_COMMENTS: (
        "Engaged, reacted and replied comments never exceed comments, every day. Warns."
    ),
}


def _outcome(name: str, window, target: CheckTarget):
    if name == USERS_SUM_TO_WORKSPACE:
        return reconciliation.users_sum_to_workspace(window)
    if name == CLIENTS_SUM_TO_TOTALS:
        return reconciliation.clients_sum_to_totals(window, target.table)
    if name == MODELS_SUM_TO_CREDITS:
        return reconciliation.models_sum_to_credits(window, target.table)
    if name == PRIORITIES_SUM_TO_COMMENTS:
        return reconciliation.priorities_sum_to_comments(window, target.lake_table)
    return reconciliation.engagement_within_comments(window, target.lake_table)


def build_reconciliation_checks(
    target: CheckTarget, names: list[str], *, also_reads: tuple[CheckTarget, ...] = ()
) -> dg.AssetChecksDefinition:
    """The reconciliation checks `names` of one raw asset; `also_reads` are assets they compare
    with (they run after those assets when both are in the run)."""
    deps = [other.key for other in also_reads]
    specs = [
        dg.AssetCheckSpec(
            name,
            asset=target.key,
            blocking=False,
            description=_DESCRIPTIONS[name],
            additional_deps=deps if name == USERS_SUM_TO_WORKSPACE else None,
        )
        for name in names
    ]
    tables = [target.lake_table, *(other.lake_table for other in also_reads)]

    @dg.multi_asset_check(
        name=f"{target.slug}_reconciliation_checks",
        specs=specs,
        can_subset=True,
        description=f"Reconciliation of {target.key.to_user_string()}.",
    )
    def run_checks(context: dg.AssetCheckExecutionContext, codex: CodexResource):
        selected = selected_names(context)
        lake = codex.lake()
        days = check_days(context, lake, target)
        with open_window(lake, tables, days) as window:
            for name in names:
                if name in selected:
                    yield to_result(
                        _outcome(name, window, target),
                        asset_key=target.key,
                        check_name=name,
                        blocking=False,
                    )

    return run_checks


_users = analytics_target(USAGE_USERS.name)
_workspace = analytics_target(USAGE_WORKSPACE.name)

reconciliation_checks = [
    build_reconciliation_checks(
        _users,
        [USERS_SUM_TO_WORKSPACE, CLIENTS_SUM_TO_TOTALS, MODELS_SUM_TO_CREDITS],
        also_reads=(_workspace,),
    ),
    build_reconciliation_checks(_workspace, [CLIENTS_SUM_TO_TOTALS, MODELS_SUM_TO_CREDITS]),
    build_reconciliation_checks(analytics_target(CODE_REVIEWS.name), [PRIORITIES_SUM_TO_COMMENTS]),
    build_reconciliation_checks(
        analytics_target(CODE_REVIEW_RESPONSES.name), [ENGAGEMENT_WITHIN_COMMENTS]
    ),
]
