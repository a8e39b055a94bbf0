-- The distinct active users of each week (and key) of a weekly mart: a user active on two
-- days of a week counts once, so this is never a sum of the daily counts.
,

users AS (
    SELECT
        date_trunc('week', day)::DATE AS week{keys},
        count(DISTINCT user_id) FILTER (WHERE is_active) AS active_users
    FROM marts.usage_user_daily
    GROUP BY ALL
)
