-- The per-user rows (raw.usage_users) summed per day beside the workspace row
-- (raw.usage_workspace), for the days of a `days` CTE within [$start, $end]: CTE `sides`, one row
-- a day, a side with no rows counting as zero (so a missing workspace row on a day with usage
-- differs). Credits are summed unrounded: each includer rounds them its own way.
-- Not a query: the CTEs (each with its trailing comma) that users_vs_workspace.sql (the check)
-- and usage_reconciliation_daily.sql (the mart) include before their own (`-- include:`,
-- lib/sql.py).
users AS (
    SELECT day, count(*) AS user_rows, sum(threads) AS user_threads, sum(turns) AS user_turns,
        sum(credits) AS user_credits
    FROM raw.usage_users
    WHERE day BETWEEN $start AND $end
    GROUP BY day
),

workspace AS (
    SELECT day, count(*) AS workspace_rows, sum(threads) AS workspace_threads,
        sum(turns) AS workspace_turns, sum(credits) AS workspace_credits
    FROM raw.usage_workspace
    WHERE day BETWEEN $start AND $end
    GROUP BY day
),

sides AS (
    SELECT
        d.day,
        coalesce(COLUMNS(u.* EXCLUDE (day)), 0),
        coalesce(COLUMNS(w.* EXCLUDE (day)), 0)
    FROM days AS d
    LEFT JOIN users AS u ON u.day = d.day
    LEFT JOIN workspace AS w ON w.day = d.day
),
