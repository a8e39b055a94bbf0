-- marts.user_activity as of $as_of (the last loaded day): one row per user active on or
-- before it. History (first and last active day, streaks) comes from the compact
-- marts.user_active_runs state; the 7- and 28-day figures read only [$as_of - 27, $as_of] of
-- marts.usage_user_daily. Team and cost centre come from the directory as it is now.
WITH
runs AS (
    SELECT user_id, run_start, least(run_end, $as_of::DATE) AS run_end, email
    FROM marts.user_active_runs
    WHERE run_start <= $as_of
),

history AS (
    SELECT
        user_id,
        min(run_start) AS first_active_day,
        max(run_end) AS last_active_day,
        max(run_end - run_start + 1) AS longest_streak_days,
        coalesce(max(run_end - run_start + 1) FILTER (WHERE run_end = $as_of), 0)
            AS current_streak_days,
        arg_max(email, run_end) FILTER (WHERE email IS NOT NULL) AS email
    FROM runs
    GROUP BY user_id
),

recent AS (
    SELECT
        user_id,
        count(DISTINCT day) FILTER (WHERE is_active AND day > $as_of::DATE - 7) AS active_days_7d,
        count(DISTINCT day) FILTER (WHERE is_active) AS active_days_28d,
        sum(threads) AS threads_28d,
        sum(turns) AS turns_28d,
        mart_sum_credits(credits) AS credits_28d,
        mart_total_cost(cost_usd) AS cost_usd_28d,
        arg_max(email, day) FILTER (WHERE email IS NOT NULL) AS email
    FROM marts.usage_user_daily
    WHERE surface = 'all' AND day BETWEEN $as_of::DATE - 27 AND $as_of AND user_id IS NOT NULL
    GROUP BY user_id
),

activity AS (
    SELECT
        $as_of::DATE AS as_of_day,
        h.user_id,
        coalesce(r.email, h.email) AS email,
        h.first_active_day,
        h.last_active_day,
        $as_of::DATE - h.last_active_day AS days_since_last_active,
        coalesce(r.active_days_7d, 0) AS active_days_7d,
        coalesce(r.active_days_28d, 0) AS active_days_28d,
        h.current_streak_days,
        h.longest_streak_days,
        coalesce(r.threads_28d, 0) AS threads_28d,
        coalesce(r.turns_28d, 0) AS turns_28d,
        coalesce(r.credits_28d, 0.0) AS credits_28d,
        CASE WHEN r.user_id IS NULL THEN 0.0 ELSE r.cost_usd_28d END AS cost_usd_28d
    FROM history AS h
    LEFT JOIN recent AS r ON r.user_id = h.user_id
)

SELECT
    a.*,
    coalesce(by_id.team, by_email.team, 'unassigned') AS team,
    coalesce(by_id.cost_centre, by_email.cost_centre) AS cost_centre,
    CASE
        WHEN a.active_days_28d >= 15 THEN 'heavy'
        WHEN a.active_days_28d >= 5 THEN 'moderate'
        WHEN a.active_days_28d >= 1 THEN 'light'
        ELSE 'inactive'
    END AS cohort
FROM activity AS a
LEFT JOIN mart_directory AS by_id
    ON by_id.user_id = a.user_id
LEFT JOIN mart_directory AS by_email
    ON by_id.user_id IS NULL AND by_email.email = lower(trim(a.email))
