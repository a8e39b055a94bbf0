-- The dashboard's "workspace usage" export: daily active users, threads, turns, credits and
-- cost by surface (`all` included), over the last $days loaded days.
SELECT
    a.day, a.surface, a.active_users, a.new_users, a.wau, a.mau, a.stickiness,
    a.threads, a.turns, a.credits, s.cost_usd
FROM marts.adoption_daily AS a
LEFT JOIN marts.spend_by_surface_daily AS s USING (day, surface)
WHERE a.day > (SELECT max(day) FROM marts.adoption_daily) - $days::INTEGER
ORDER BY a.day, a.surface
