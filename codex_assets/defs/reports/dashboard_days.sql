-- Every day marts.usage_user_daily was built for (its refresh ledger: a day the API sent no
-- rows for is loaded, and idle), with the day's active users: the page's daily axis.
SELECT l.partition_day AS day, coalesce(a.active_users, 0) AS active_users
FROM marts.refreshed_partitions AS l
LEFT JOIN marts.adoption_daily AS a ON a.day = l.partition_day AND a.surface = 'all'
WHERE l.mart = 'usage_user_daily'
ORDER BY l.partition_day
