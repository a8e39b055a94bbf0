"""The rules the marts follow, each worded once.

Column descriptions (which Dagster shows, and DuckDB stores as column comments) and
docs/marts.md are both built from these strings, and the SQL macros in `_macros.sql`
implement them, so the definition a user reads is the one the numbers follow.
"""

from __future__ import annotations

from codex_assets.defs.analytics.pricing import COST_RULE
from codex_assets.defs.analytics.surfaces import REPORTED_SURFACES
from codex_assets.defs.directory.people import UNASSIGNED

CREDITS_TOLERANCE = 0.01
"""Credits are compared within a cent's worth of rounding in the reconciliation."""

ACTIVE = (
    "A user is active on a day (and surface) when threads, turns or credits are above zero there."
)
NEW_USER = (
    "A user is new on a day (and surface) when their first active day there, over all loaded "
    "history, is that day."
)
RATIO = "A ratio is NULL when its denominator is zero: never 0, never infinity."
COST = COST_RULE
BILLING_UNIT = (
    "The unit the rows were billed in, by the fields the API reports: `credits`, `usd` (a "
    "USD-billed workspace reports a native cost_usd instead of credits) or `credits+usd` "
    "(both: a workspace changing unit). Credits are never converted to dollars implicitly. "
    "NULL where there was no usage."
)
BILLED_COST = (
    "What a USD-billed workspace was billed, from the API's native cost_usd (summed); NULL "
    "where no row reports one (a credit-billed workspace)."
)
TOKENS = (
    "Token counts come from the API's text_* fields, which cover API-priced usage only: NULL "
    "means unavailable, not zero, and a sum over only NULLs stays NULL."
)
SURFACE = (
    f"One of {', '.join(REPORTED_SURFACES)}. A client_id maps to a surface through the "
    "surfaces file (CODEX_SURFACES_CSV, default codex_assets/defs/analytics/surfaces.csv; the most "
    "specific row wins, no match means other); `all` is the user's totals across every client."
)
TEAM = (
    "From the directory (CODEX_DIRECTORY_CSV), matched on user_id, else on email "
    f"(case-insensitive); users absent from it, or every user without a directory, are in "
    f"team `{UNASSIGNED}` with a NULL cost centre."
)
EMAIL = "The email on the raw usage row; NULL when the API withholds it."
WAU = "Distinct users active in the 7 days ending on the day (the day and the 6 before it)."
MAU = "Distinct users active in the 28 days ending on the day (the day and the 27 before it)."
WINDOW_START = "A window reaching before the first loaded day counts only the loaded days in it."
STREAK = "A streak is a run of consecutive days on which the user is active (on any surface)."
COHORT = (
    "From active_days_28d: heavy at 15 or more active days, moderate at 5 to 14, light at 1 "
    "to 4, inactive at 0."
)
ENGAGEMENT_RATE = (
    "engaged_comments / merged_comments: the share of Codex review comments on the pull "
    "requests merged that day that got at least one reaction or reply."
)
NET_SENTIMENT = (
    "(upvotes - downvotes) / (upvotes + downvotes) over the reactions to those comments, from "
    "-1 (all thumbs down) to 1 (all thumbs up); other reactions do not count."
)
MATCHES = (
    f"True when threads and turns are equal and credits differ by at most {CREDITS_TOLERANCE}; "
    "a side with no rows counts as 0, so a missing workspace row on a day with usage fails."
)

DEFINITIONS: dict[str, str] = {
    "active": ACTIVE,
    "new user": NEW_USER,
    "WAU / MAU": f"{WAU} {MAU} {WINDOW_START}",
    "streak": STREAK,
    "cohort": COHORT,
    "ratio": RATIO,
    "cost": COST,
    "billing unit": BILLING_UNIT,
    "tokens": TOKENS,
    "surface": SURFACE,
    "team": TEAM,
    "email": EMAIL,
    "engagement rate": ENGAGEMENT_RATE,
    "net sentiment": NET_SENTIMENT,
    "reconciliation": MATCHES,
}
"""Every rule, by name, for docs/marts.md."""
