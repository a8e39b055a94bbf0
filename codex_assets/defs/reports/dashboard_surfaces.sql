-- Active users, volume, spend and tokens by surface, per day and per ISO week. Weekly active
-- users are distinct users of the week (marts.adoption_weekly), never a sum of the days.
SELECT
    'day' AS grain, a.day AS period, a.surface, a.active_users, a.new_users, a.threads,
    a.turns, a.credits, s.cost_usd, s.total_tokens, s.uncached_input_tokens,
    s.cached_input_tokens, s.output_tokens
FROM marts.adoption_daily AS a
LEFT JOIN marts.spend_by_surface_daily AS s USING (day, surface)
UNION ALL
SELECT
    'week', a.week, a.surface, a.active_users, a.new_users, a.threads, a.turns, a.credits,
    s.cost_usd, s.total_tokens, s.uncached_input_tokens, s.cached_input_tokens, s.output_tokens
FROM marts.adoption_weekly AS a
LEFT JOIN marts.spend_by_surface_weekly AS s USING (week, surface)
ORDER BY grain, period, surface
