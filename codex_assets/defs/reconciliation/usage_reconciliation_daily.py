"""`marts.usage_reconciliation_daily` (SQL: usage_reconciliation_daily.sql): per day, the
per-user usage against the workspace totals (both from the Analytics API), and the compliance
log's responses against the analytics turns: the one mart that compares the two sources.

The compliance columns are filled by usage_reconciliation_compliance.sql from
marts.compliance_activity_daily, which is read but deliberately not an upstream asset (a
workspace without a compliance key still reconciles usage, and a failed compliance load does
not hold it back). The script runs after this mart's own refresh (its state SQL) and, through
`codex_assets.lib.refresh.follow`, after every refresh of the compliance activity, so
whichever lands last leaves the columns right. The mart is built by the analytics refresh
(`refresh_mart`), whose macros and parameters its SQL uses.
"""

from __future__ import annotations

from datetime import date

import duckdb

from codex_assets.defs.analytics.marts import definitions as d
from codex_assets.defs.analytics.marts.columns import UU, UW, VOLUMES, col, day
from codex_assets.defs.compliance.specs import ACTIVITY_SPEC
from codex_assets.lib.refresh import follow, run_state_sql
from codex_assets.lib.tables import Column, TableSpec, refs

CAD = ACTIVITY_SPEC.qualified_name


def _compared(measure: str, type_: str) -> tuple[Column, Column, Column]:
    """user_<measure>, workspace_<measure> and <measure>_delta: one measure on both sides."""
    rounded = " (rounded to 6 decimals)" if type_ == "DOUBLE" else ""
    user, workspace = f"user_{measure}", f"workspace_{measure}"
    return (
        col(
            user,
            type_,
            f"{measure.capitalize()} summed over the per-user rows{rounded}.",
            refs(UU, measure),
            nullable=False,
        ),
        col(
            workspace,
            type_,
            f"{measure.capitalize()} on the workspace row{rounded}.",
            refs(UW, measure),
            nullable=False,
        ),
        col(
            f"{measure}_delta",
            type_,
            f"{user} - {workspace}.",
            refs(UU, measure) + refs(UW, measure),
            nullable=False,
        ),
    )


SPEC = TableSpec(
    qualified_name="marts.usage_reconciliation_daily",
    description=(
        "Per day (every day of the range present): the per-user usage summed against the "
        "workspace totals, with deltas and whether they match, and the compliance log's "
        "responses against the turns."
    ),
    grain=("day",),
    refresh="daily",
    upstream=(UU, UW),
    sql_file="defs/reconciliation/usage_reconciliation_daily.sql",
    state_sql=("defs/reconciliation/usage_reconciliation_compliance.sql",),
    also_reads=(ACTIVITY_SPEC,),
    tests=("tests/unit/test_marts_review.py", "tests/property/test_analytics_conformance.py"),
    columns=(
        day(UU, UW),
        col(
            "user_rows", "BIGINT", "Per-user rows for the day.", refs(UU, "user_id"), nullable=False
        ),
        col(
            "workspace_rows",
            "BIGINT",
            "Workspace rows for the day (normally 1).",
            refs(UW, "day"),
            nullable=False,
        ),
        *(column for measure, type_ in VOLUMES for column in _compared(measure, type_)),
        col(
            "matches",
            "BOOLEAN",
            d.MATCHES,
            refs(UU, "threads", "turns", "credits") + refs(UW, "threads", "turns", "credits"),
            nullable=False,
        ),
        col(
            "compliance_responses",
            "BIGINT",
            "Codex responses in the compliance log that day (PROMPT_RESPONSE_RECEIVED, "
            "deduplicated, by the event's UTC day); NULL when the day has no compliance "
            "activity loaded.",
            refs(CAD, "responses"),
        ),
        col(
            "compliance_responses_per_turn",
            "DOUBLE",
            "compliance_responses / user_turns: near 1 when both APIs see the same traffic "
            f"(they cover different authentication paths, so it may differ). {d.RATIO}",
            refs(UU, "turns") + refs(CAD, "responses"),
        ),
    ),
)

follow(ACTIVITY_SPEC, SPEC)


def fill_compliance_columns(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """Bring the compliance columns up to date for [start, end] after the compliance activity
    changed (what `follow` runs after each of its refreshes; a no-op until this mart exists)."""
    run_state_sql(conn, SPEC, start, end)
