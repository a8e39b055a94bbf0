"""The analytics raw assets' checks, each described once (see `lib/checks/specs.py`).

docs/checks.md's tables and the README's are generated from these
(`python -m codex_assets.docgen.checks`); Dagster shows `description`.
"""

from __future__ import annotations

from functools import partial

from codex_assets.defs.analytics.window import ANALYTICS_SLA
from codex_assets.lib.checks.specs import (
    FRESHNESS,
    RECONCILIATION,
    VALIDITY,
    CheckSpec,
    coverage_spec,
)

RAW_ANALYTICS = "every raw analytics asset"

FRESHNESS_CHECK = CheckSpec(
    name="freshness_check",
    family=FRESHNESS,
    on=RAW_ANALYTICS,
    blocking=False,
    rule=(
        f"Day D is materialized by {ANALYTICS_SLA.deadline_text} (12:00, when the API's day is "
        "final, plus two hours)."
    ),
    why="the deadline is ours, not the contract's.",
    failure=f"day D was not loaded by {ANALYTICS_SLA.deadline_text}",
    action=(
        "find the failed or skipped run of `daily_refresh_schedule`, fix its cause, "
        "`codex-assets backfill --start D --end D`"
    ),
    relies_on='a lag of "up to 12 hours" (C, but only for the dashboard, in the governance page)',
    not_promised="that a day is final by any hour: the deadline is ours, so it warns",
)

LAST_90_DAYS_LOADED = coverage_spec(
    ANALYTICS_SLA,
    on=RAW_ANALYTICS,
    relies_on="nothing: the governance page alone states the 90-day lookback",
    not_promised=(
        "the 90-day lookback (the spec gives no maximum): a gap is reported, never blocks"
    ),
)

NO_NEGATIVE_COUNTS = CheckSpec(
    name="no_negative_counts",
    family=VALIDITY,
    on=RAW_ANALYTICS,
    blocking=True,
    rule=(
        "No count, credit, cost or token value below zero, in the totals or any client/model "
        'entry (NULL means "unavailable" in the contract and is allowed).'
    ),
    why="every sum in the marts would be wrong.",
    failure="a count, credit or token value below zero",
    action="reload the day; report upstream if it persists",
    relies_on=(
        "every field is a count or an amount consumed (threads, turns, credits consumed, "
        "tokens; C, by the field definitions), so none is below zero"
    ),
    not_promised="non-null tokens and costs: NULL means unavailable (C) and is allowed",
)

NO_DUPLICATE_KEYS = CheckSpec(
    name="no_duplicate_keys",
    family=VALIDITY,
    on=RAW_ANALYTICS,
    blocking=False,
    rule=(
        "One row per key at the table's grain: `raw.usage_users` (day, user_id); "
        "`raw.usage_workspace`, `raw.code_reviews`, `raw.code_review_responses` (day); and no "
        "missing key."
    ),
    why=(
        "the marts sum every row served, but the contract promises neither one row per user "
        "and day nor a user_id on every row."
    ),
    failure="two rows for one key at the table's grain, or a row without a user id",
    action="reload the day; report upstream if served again",
    relies_on="nothing",
    not_promised=(
        "one row per user and day (the reference's upsert key is an inference), a `user_id` on "
        "every row (optional)"
    ),
)

ROWS_MATCH_PARTITION_DAY = CheckSpec(
    name="rows_match_partition_day",
    family=VALIDITY,
    on=RAW_ANALYTICS,
    blocking=True,
    rule=(
        "Each row's `start_time` is 00:00 UTC of its partition's day and `end_time` one day later."
    ),
    why="the marts would count the row on the wrong day.",
    failure="rows describe another day (or a week) than their partition's",
    action="reload; check the client's parameters",
    relies_on="each row's `start_time` / `end_time` is its UTC day (C)",
    not_promised="weekly rows (`group_by` is not sent: no spec has it)",
)

COLUMN_SCHEMA_UNCHANGED = CheckSpec(
    name="column_schema_unchanged",
    family=VALIDITY,
    on=RAW_ANALYTICS,
    blocking=False,
    rule=(
        "The columns and types of the latest materialization are those of the previous run's; "
        "names what was added, removed or retyped. And every field the API sent in `record` "
        "over the checked days is read by a column (or declared untyped beside the SQL, "
        "`defs/analytics/land_<table>.sql`); names the others."
    ),
    why="the verbatim API row is kept in `record`, so nothing is lost and nothing needs re-fetching.",
    failure=(
        "columns were added, removed or retyped since the last run, or the API sends fields no "
        "column reads (both named)"
    ),
    action=(
        "check the marts' SQL still reads what it needs; read a new field in its SQL or list it "
        "on that file's `-- untyped:` lines"
    ),
    relies_on=(
        "nothing about stability: fields are added between versions (C: the 2026-12 additions)"
    ),
    not_promised=(
        "a fixed schema: added or retyped columns, and fields the API sends that no column "
        "reads, are named, never block"
    ),
)

USERS_SUM_TO_WORKSPACE = CheckSpec(
    name="users_sum_to_workspace",
    family=RECONCILIATION,
    on="`raw/usage_users` (reads `raw/usage_workspace`)",
    blocking=False,
    rule=(
        "Per day, the per-user threads and turns equal the workspace row's, and credits agree "
        "within 1 cent (both sides rounded to cents)."
    ),
    why=(
        "the contract promises neither that they agree nor a workspace row whenever users have "
        "rows."
    ),
    failure="per-user threads, turns, credits do not sum to the workspace totals",
    action="reload both tables for the days named",
    relies_on="nothing",
    not_promised=(
        "that per-user rows add up to the workspace row, or that a workspace row exists "
        "whenever users have rows (I: both may be omitted or revised separately)"
    ),
)

_breakdown_check = partial(
    CheckSpec,
    family=RECONCILIATION,
    on="`raw/usage_users`, `raw/usage_workspace`",
    blocking=False,
    why="the contract allows sums over clients or models to differ from totals.",
    relies_on="nothing",
    not_promised=(
        'that breakdowns add up: "sums over clients or models may not equal totals" (C), and '
        "`clients` can be empty while totals are above zero (C: openai/codex#13295)"
    ),
)
"""A check that a row's breakdown (clients, models) adds up to the row: warns, as the contract
allows them to differ."""

CLIENTS_SUM_TO_TOTALS = _breakdown_check(
    name="clients_sum_to_totals",
    rule="Each row's client breakdown adds up to its threads, turns and credits (within 1 cent).",
    failure="a client breakdown does not add up",
    action="surface marts will not add up to totals for those rows",
)

MODELS_SUM_TO_CREDITS = _breakdown_check(
    name="models_sum_to_credits",
    rule="Each row's model breakdown, when there is one, adds up to its credits (within 1 cent).",
    failure="a model breakdown does not add up",
    action="model marts will not add up to totals for those rows",
)

_review_count_check = partial(
    CheckSpec,
    family=RECONCILIATION,
    blocking=False,
    why="the review mart copies these counts as served, so it is not made wrong by them.",
    action="reload; report upstream if served again",
)
"""A check that the Code Review counts of a day are consistent: warns, as the review mart
only copies them."""

PRIORITIES_SUM_TO_COMMENTS = _review_count_check(
    name="priorities_sum_to_comments",
    on="`raw/code_reviews`",
    rule="P0 + P1 + P2 = comments, every day.",
    failure="P0 + P1 + P2 ≠ comments",
    relies_on="`comment_details` `{p0, p1, p2}` is present (C)",
    not_promised="that every comment carries a priority",
)

ENGAGEMENT_WITHIN_COMMENTS = _review_count_check(
    name="engagement_within_comments",
    on="`raw/code_review_responses`",
    rule="Engaged, reacted and replied comments never exceed comments, every day.",
    failure="engaged, reacted or replied > comments",
    relies_on="the response details count comments (C)",
    not_promised=(
        "any order among engaged, reacted and replied (the spec's own example has engaged "
        "below reacted)"
    ),
)

VALIDITY_SPECS = (
    NO_NEGATIVE_COUNTS,
    NO_DUPLICATE_KEYS,
    ROWS_MATCH_PARTITION_DAY,
    COLUMN_SCHEMA_UNCHANGED,
)
RECONCILIATION_SPECS = (
    USERS_SUM_TO_WORKSPACE,
    CLIENTS_SUM_TO_TOTALS,
    MODELS_SUM_TO_CREDITS,
    PRIORITIES_SUM_TO_COMMENTS,
    ENGAGEMENT_WITHIN_COMMENTS,
)
ANALYTICS_SPECS = (FRESHNESS_CHECK, LAST_90_DAYS_LOADED, *VALIDITY_SPECS, *RECONCILIATION_SPECS)
"""Every analytics check, in the order the docs list them."""
