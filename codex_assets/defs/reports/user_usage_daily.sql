-- The dashboard's "usage per user" export: each user's daily threads, turns, credits, cost and
-- tokens per surface and in total (surface `all`). Emails only when $emails
-- (CODEX_EXPORT_EMAILS=true); the column is always there, NULL otherwise.
SELECT
    day, user_id, CASE WHEN $emails THEN email END AS email, team, surface, threads, turns,
    credits, cost_usd, total_tokens
FROM marts.usage_user_daily
WHERE is_active
  AND day > (SELECT max(day) FROM marts.usage_user_daily) - $days::INTEGER
ORDER BY day, user_id, surface
