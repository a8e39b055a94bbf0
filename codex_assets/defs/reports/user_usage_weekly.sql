-- "Usage per user" per ISO week (marts.usage_user_weekly), the weeks the last $days days touch:
-- the same columns as user_usage_daily with `week`, `days_loaded` and `partial` for `day`.
SELECT
    week, days_loaded, partial, user_id, CASE WHEN $emails THEN email END AS email, team,
    surface, threads, turns, credits, cost_usd, total_tokens
FROM marts.usage_user_weekly
WHERE is_active
  AND week + 6 > (SELECT max(day) FROM marts.usage_user_daily) - $days::INTEGER
ORDER BY week, user_id, surface
