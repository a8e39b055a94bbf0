-- For each day in $days: how many workspace rows raw.usage_workspace holds, and whether the day
-- had no activity at all (a zero row: recorded as idle, not missing).
WITH days AS (
    SELECT unnest($days::DATE []) AS day
)

SELECT
    d.day,
    count(w.day) AS workspace_rows,
    coalesce(bool_and(
        coalesce(w.threads, 0) = 0 AND coalesce(w.turns, 0) = 0 AND coalesce(w.credits, 0) = 0
    ), FALSE) AS no_activity
FROM days AS d
LEFT JOIN raw.usage_workspace AS w ON w.day = d.day
GROUP BY d.day
ORDER BY d.day
