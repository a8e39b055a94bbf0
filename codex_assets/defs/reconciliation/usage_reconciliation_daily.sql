-- marts.usage_reconciliation_daily for the days [$start, $end]: one row per day comparing the
-- sum of the per-user rows (raw.usage_users) with the workspace row (raw.usage_workspace).
-- A side with no rows counts as 0, so a missing workspace row on a day with usage is a
-- mismatch. compliance_responses and its ratio are filled from the compliance log by
-- usage_reconciliation_compliance.sql, run after this insert and after each compliance refresh.
WITH
days AS (
    SELECT range::DATE AS day
    FROM range($start::DATE, $end::DATE + 1, INTERVAL 1 DAY)
),

users AS (
    SELECT
        day,
        count(*) AS user_rows,
        sum(threads) AS threads,
        sum(turns) AS turns,
        mart_sum_credits(credits) AS credits
    FROM raw.usage_users
    WHERE day BETWEEN $start AND $end
    GROUP BY day
),

workspace AS (
    SELECT
        day,
        count(*) AS workspace_rows,
        sum(threads) AS threads,
        sum(turns) AS turns,
        mart_sum_credits(credits) AS credits
    FROM raw.usage_workspace
    WHERE day BETWEEN $start AND $end
    GROUP BY day
),

sides AS (
    SELECT
        d.day,
        coalesce(u.user_rows, 0) AS user_rows,
        coalesce(w.workspace_rows, 0) AS workspace_rows,
        coalesce(u.threads, 0) AS user_threads,
        coalesce(w.threads, 0) AS workspace_threads,
        coalesce(u.turns, 0) AS user_turns,
        coalesce(w.turns, 0) AS workspace_turns,
        round(coalesce(u.credits, 0.0), 6) AS user_credits,
        round(coalesce(w.credits, 0.0), 6) AS workspace_credits
    FROM days AS d
    LEFT JOIN users AS u ON u.day = d.day
    LEFT JOIN workspace AS w ON w.day = d.day
),

deltas AS (
    SELECT
        *,
        user_threads - workspace_threads AS threads_delta,
        user_turns - workspace_turns AS turns_delta,
        round(user_credits - workspace_credits, 6) AS credits_delta
    FROM sides
)

SELECT
    *,
    threads_delta = 0 AND turns_delta = 0 AND abs(credits_delta) <= $credits_tolerance
        AS matches,
    NULL::BIGINT AS compliance_responses,
    NULL::DOUBLE AS compliance_responses_per_turn
FROM deltas
