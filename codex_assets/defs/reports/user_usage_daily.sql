-- The dashboard's "usage per user" export: daily threads, turns, credits across surfaces.
SELECT day, user_id, email, team, threads, turns, credits, cost_usd, total_tokens
FROM marts.usage_user_daily
WHERE surface = 'all'
  AND day > (SELECT max(day) FROM marts.usage_user_daily) - $days::INTEGER
ORDER BY day, user_id
