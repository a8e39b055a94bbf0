-- marts.usage_reconciliation_daily for the days [$start, $end]: one row per day comparing the
-- sum of the per-user rows (raw.usage_users) with the workspace row (raw.usage_workspace), the
-- sides of defs/analytics/_users_vs_workspace.sql (credits rounded to 6 decimals): a side with
-- no rows counts as 0, so a missing workspace row on a day with usage is a mismatch.
-- compliance_responses and its ratio are filled from the compliance log by
-- usage_reconciliation_compliance.sql, run after this insert and after each compliance refresh.
WITH
days AS (
    FROM mart_days($start, $end)
),

-- include: defs/analytics/_users_vs_workspace.sql

rounded AS (
    SELECT
        * REPLACE (
            round(user_credits, 6) AS user_credits,
            round(workspace_credits, 6) AS workspace_credits
        )
    FROM sides
),

deltas AS (
    SELECT
        *,
        user_threads - workspace_threads AS threads_delta,
        user_turns - workspace_turns AS turns_delta,
        round(user_credits - workspace_credits, 6) AS credits_delta
    FROM rounded
)

SELECT
    *,
    threads_delta = 0 AND turns_delta = 0 AND abs(credits_delta) <= $credits_tolerance
        AS matches,
    NULL::BIGINT AS compliance_responses,
    NULL::DOUBLE AS compliance_responses_per_turn
FROM deltas
