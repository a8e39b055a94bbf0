-- The ISO weeks of the loaded days (marts.adoption_weekly): the page's weekly axis.
SELECT week, days_loaded, partial
FROM marts.adoption_weekly
WHERE surface = 'all'
ORDER BY week
