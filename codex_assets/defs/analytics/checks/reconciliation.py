"""Reconciliation within the analytics API: the numbers it gives twice must agree (per-user
rows and the workspace row, breakdowns and totals, Code Review counts). What each check
promises, and why each only warns, is its spec (`specs.py`).

Credits are compared in cents (both sides rounded) with a tolerance of `CREDITS_TOLERANCE_CENTS`,
the same 0.01 credit the reconciliation mart allows. (What compares the analytics API with the
compliance log is in `defs/reconciliation/`.)
"""

from __future__ import annotations

from codex_assets.lib.checks.outcome import (
    CheckOutcome,
    backfill_commands,
    find_offenders,
    format_days,
    plural,
    window_text,
)
from codex_assets.lib.checks.tables import CheckedTable
from codex_assets.lib.checks.window import LakeWindow

CREDITS_TOLERANCE_CENTS = 1


def users_sum_to_workspace(
    window: LakeWindow, users: str = "usage_users", workspace: str = "usage_workspace"
) -> CheckOutcome:
    """Per day, the per-user sums of threads, turns and credits equal the workspace totals.

    Only days where both tables landed are compared (a missing partition is the completeness
    checks' finding); on those, a side with no rows counts as zero.
    """
    threshold = (
        "per-user sums = workspace totals for threads and turns; credits within "
        f"{CREDITS_TOLERANCE_CENTS} cent (0.01 credit), every day"
    )
    both = sorted(set(window.landed.get(users, ())) & set(window.landed.get(workspace, ())))
    not_compared = [day for day in window.days if day not in both]
    measured: dict[str, object] = {
        "window": window_text(window.days),
        "days_compared": len(both),
        "days_not_compared": len(not_compared),
    }
    if not_compared:
        measured["days_not_compared_list"] = format_days(not_compared)
    if not both:
        return CheckOutcome(
            passed=True,
            summary=f"{users}: no day with both {users} and {workspace} landed; nothing to compare.",
            threshold=threshold,
            measured=measured,
        )
    found = find_offenders(
        window.conn,
        window.query("defs/analytics/checks/users_vs_workspace.sql"),
        {
            "days": both,
            "start": both[0],
            "end": both[-1],
            "tolerance_cents": CREDITS_TOLERANCE_CENTS,
        },
    )
    measured["days_mismatched"] = found.total
    return found.outcome(
        threshold=threshold,
        measured=measured,
        passed=(
            f"{users}: per-user sums equal the workspace totals on all {plural(len(both), 'day')} "
            "compared (threads, turns, credits)."
        ),
        failed=(
            f"{users}: per-user sums differ from the workspace totals on {plural(found.total, 'day')}: "
            f"{format_days(found.days)}. Adoption and spend marts built from the per-user rows "
            "would not match the workspace. Usually a partial load (one table re-loaded after a "
            f"restatement, not the other): reload both ({'; '.join(backfill_commands(found.days))})."
        ),
    )


def clients_sum_to_totals(window: LakeWindow, table: CheckedTable) -> CheckOutcome:
    """Each row's client breakdown adds up to its threads, turns and credits."""
    threshold = (
        "per row: sum over clients = totals for threads and turns, credits within "
        f"{CREDITS_TOLERANCE_CENTS} cent"
    )
    return _breakdown(
        window,
        table,
        "defs/analytics/checks/client_breakdowns.sql",
        threshold,
        what="client breakdown",
        consequence="surface-level marts will not add up to the totals for these rows",
    )


def models_sum_to_credits(window: LakeWindow, table: CheckedTable) -> CheckOutcome:
    """Each row that has a model breakdown has model credits adding up to its credits."""
    threshold = (
        f"per row with a model breakdown: sum of model credits = credits within "
        f"{CREDITS_TOLERANCE_CENTS} cent"
    )
    return _breakdown(
        window,
        table,
        "defs/analytics/checks/model_breakdowns.sql",
        threshold,
        what="model breakdown",
        consequence="spend by model will not add up to total spend for these rows",
    )


def priorities_sum_to_comments(window: LakeWindow, table: str = "code_reviews") -> CheckOutcome:
    """P0 + P1 + P2 comments equal all comments, every day."""
    return _day_rule(
        window,
        table,
        "defs/analytics/checks/review_priorities.sql",
        threshold="p0 + p1 + p2 = comments on every day",
        problem="P0 + P1 + P2 does not equal comments",
    )


def engagement_within_comments(
    window: LakeWindow, table: str = "code_review_responses"
) -> CheckOutcome:
    """Engaged, reacted and replied comments never exceed comments (they count comments)."""
    return _day_rule(
        window,
        table,
        "defs/analytics/checks/review_engagement.sql",
        threshold="engaged <= comments, reacted <= comments, replied <= comments on every day",
        problem="more comments engaged, reacted or replied than comments",
    )


def _breakdown(
    window: LakeWindow,
    table: CheckedTable,
    sql: str,
    threshold: str,
    *,
    what: str,
    consequence: str,
) -> CheckOutcome:
    measured: dict[str, object] = {"window": window_text(window.days), "rows_checked": 0}
    if not window.has(table.name):
        return CheckOutcome(
            passed=True,
            summary=f"{table.name}: no landed partition in {window_text(window.days)}.",
            threshold=threshold,
            measured=measured,
        )
    (measured["rows_checked"],) = window.conn.execute(
        f"SELECT count(*) FROM raw.{table.name}"
    ).fetchone()
    found = find_offenders(
        window.conn,
        window.query(sql, table=table.name, row_label=table.row_label),
        {"tolerance_cents": CREDITS_TOLERANCE_CENTS},
    )
    measured["rows_mismatched"] = found.total
    return found.outcome(
        threshold=threshold,
        measured=measured,
        passed=f"{table.name}: every {what} adds up ({measured['rows_checked']} rows).",
        failed=(
            f"{table.name}: {plural(found.total, 'row')} on {plural(len(found.days), 'day')} with a "
            f"{what} that does not add up: {format_days(found.days)}. The API allows this (usage outside any "
            f"listed entry), so it is a warning: {consequence}."
        ),
    )


def _day_rule(
    window: LakeWindow, table: str, sql: str, *, threshold: str, problem: str
) -> CheckOutcome:
    measured: dict[str, object] = {
        "window": window_text(window.days),
        "days_checked": len(window.landed.get(table, ())),
    }
    if not window.has(table):
        return CheckOutcome(
            passed=True,
            summary=f"{table}: no landed partition in {window_text(window.days)}.",
            threshold=threshold,
            measured=measured,
        )
    found = find_offenders(window.conn, window.query(sql))
    measured["days_failing"] = found.total
    return found.outcome(
        threshold=threshold,
        measured=measured,
        passed=f"{table}: holds on all {plural(int(measured['days_checked']), 'day')}.",
        failed=(
            f"{table}: {problem} on {plural(found.total, 'day')}: {format_days(found.days)}. A "
            "warning: the contract does not promise it (a comment need not carry a priority), "
            "and the review mart copies these numbers as served. If the days were loaded "
            f"before they were final, reload them ({'; '.join(backfill_commands(found.days))})."
        ),
    )
