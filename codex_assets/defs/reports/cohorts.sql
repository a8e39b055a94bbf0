-- How many users fall in each activity cohort, as of the last loaded day.
SELECT cohort, count(*) AS users
FROM marts.user_activity
GROUP BY cohort
ORDER BY CASE cohort WHEN 'heavy' THEN 1 WHEN 'moderate' THEN 2 WHEN 'light' THEN 3 ELSE 4 END
