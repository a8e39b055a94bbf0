-- marts.adoption_daily for the days [$start, $end]: one row per day and surface ($surfaces,
-- `all` included), days without any activity included, so WAU and MAU are there every day.
-- Reads marts.usage_user_daily for [$start - 27, $end] only (the 28-day MAU window; a window
-- reaching before the first loaded day simply sees fewer days), and new users from the
-- marts.user_first_active state instead of scanning history.
WITH
grid AS (
    FROM mart_day_surface_grid($start, $end, $surfaces)
),

usage AS (
    SELECT day, surface, user_id, is_active, threads, turns, credits
    FROM marts.usage_user_daily
    WHERE day BETWEEN $start::DATE - 27 AND $end
),

daily AS (
    SELECT
        day,
        surface,
        count(DISTINCT user_id) FILTER (WHERE is_active) AS active_users,
        sum(threads) AS threads,
        sum(turns) AS turns,
        mart_sum_credits(credits) AS credits
    FROM usage
    WHERE day BETWEEN $start AND $end
    GROUP BY day, surface
),

windows AS (
    SELECT
        g.day,
        g.surface,
        count(DISTINCT u.user_id) FILTER (WHERE u.day > g.day - 7) AS wau,
        count(DISTINCT u.user_id) AS mau
    FROM grid AS g
    JOIN usage AS u
        ON u.surface = g.surface AND u.is_active AND u.day BETWEEN g.day - 27 AND g.day
    GROUP BY g.day, g.surface
),

new_users AS (
    SELECT first_active_day AS day, surface, count(*) AS new_users
    FROM marts.user_first_active
    WHERE first_active_day BETWEEN $start AND $end
    GROUP BY first_active_day, surface
)

SELECT
    g.day,
    g.surface,
    coalesce(d.active_users, 0) AS active_users,
    coalesce(n.new_users, 0) AS new_users,
    coalesce(w.wau, 0) AS wau,
    coalesce(w.mau, 0) AS mau,
    mart_ratio(coalesce(d.active_users, 0), w.mau) AS stickiness,
    coalesce(d.threads, 0) AS threads,
    coalesce(d.turns, 0) AS turns,
    coalesce(d.credits, 0.0) AS credits
FROM grid AS g
LEFT JOIN daily AS d ON d.day = g.day AND d.surface = g.surface
LEFT JOIN windows AS w ON w.day = g.day AND w.surface = g.surface
LEFT JOIN new_users AS n ON n.day = g.day AND n.surface = g.surface
