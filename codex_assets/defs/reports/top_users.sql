-- The user ranking: most credits over the 28 days ending on the last loaded day.
SELECT coalesce(email, user_id) AS user, team, cohort, active_days_28d, current_streak_days,
       threads_28d, turns_28d, round(credits_28d, 2) AS credits_28d
FROM marts.user_activity
ORDER BY credits_28d DESC, user_id
LIMIT 10
