-- The ranking's rows: each user's active periods per surface (`all` included), so the page
-- can sum any range and filter by client surface; periods without activity carry nothing.
-- Whole days when they fit the page's budget ($grain = 'day'), else whole ISO weeks from
-- the weekly mart ($grain = 'week'): the same sums, at a coarser step. Users, surfaces and
-- periods come as indexes into the page's lists (dashboard_users.sql, $surfaces, and
-- dashboard_days.sql / dashboard_weeks.sql), which share these orders.
WITH
people AS (
    SELECT user_id, row_number() OVER (ORDER BY user_id) - 1 AS u
    FROM (SELECT DISTINCT user_id FROM marts.usage_user_daily WHERE surface = 'all')
),

days AS (
    SELECT partition_day AS period, row_number() OVER (ORDER BY partition_day) - 1 AS p
    FROM marts.refreshed_partitions
    WHERE mart = 'usage_user_daily'
),

weeks AS (
    SELECT week AS period, row_number() OVER (ORDER BY week) - 1 AS p
    FROM marts.adoption_weekly
    WHERE surface = 'all'
),

rows AS (
    SELECT day AS period, 'day' AS grain, user_id, surface, threads, turns, credits, total_tokens
    FROM marts.usage_user_daily
    WHERE $grain = 'day' AND is_active
    UNION ALL
    SELECT week, 'week', user_id, surface, threads, turns, credits, total_tokens
    FROM marts.usage_user_weekly
    WHERE $grain = 'week' AND is_active
)

SELECT
    h.u,
    coalesce(list_position($surfaces, r.surface), list_position($surfaces, 'other')) - 1 AS s,
    coalesce(d.p, w.p) AS p,
    r.threads,
    r.turns,
    round(r.credits, 2) AS credits,
    r.total_tokens AS tokens
FROM rows AS r
JOIN people AS h USING (user_id)
LEFT JOIN days AS d ON r.grain = 'day' AND d.period = r.period
LEFT JOIN weeks AS w ON r.grain = 'week' AND w.period = r.period
ORDER BY h.u, s, p
