-- The people of the ranking: every user with a usage row, their team and cost centre (the
-- directory's), and the streak and cohort as of the last loaded day (marts.user_activity).
-- The email is the label only when exports may carry emails ($emails); else the user id.
SELECT
    u.user_id,
    CASE WHEN $emails THEN coalesce(u.email, u.user_id) ELSE u.user_id END AS label,
    u.team,
    u.cost_centre,
    coalesce(a.current_streak_days, 0) AS current_streak_days,
    coalesce(a.cohort, 'inactive') AS cohort
FROM (
    SELECT user_id, max(email) AS email, max(team) AS team, max(cost_centre) AS cost_centre
    FROM marts.usage_user_daily
    WHERE surface = 'all'
    GROUP BY user_id
) AS u
LEFT JOIN marts.user_activity AS a USING (user_id)
ORDER BY u.user_id
