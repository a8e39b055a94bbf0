-- "Workspace usage" per ISO week: distinct active users of the week (never a sum of the
-- days), new users, threads, turns, credits and cost by surface (`all` included).
SELECT
    a.week, a.days_loaded, a.partial, a.surface, a.active_users, a.new_users, a.threads,
    a.turns, a.credits, s.cost_usd
FROM marts.adoption_weekly AS a
LEFT JOIN marts.spend_by_surface_weekly AS s USING (week, surface)
WHERE a.week + 6 > (SELECT max(day) FROM marts.adoption_daily) - $days::INTEGER
ORDER BY a.week, a.surface
