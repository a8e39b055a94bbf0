-- marts.{weekly}: marts.{daily} over ISO weeks (Monday to Sunday, UTC), rebuilt whole from
-- it (codex_assets/defs/analytics/marts/weekly.py fills the {{placeholders}} from the daily
-- spec). A week holds the days of it the daily mart was built for (its refresh ledger, idle
-- days included) and is `partial` until all seven are.
WITH
loaded AS (
    SELECT
        date_trunc('week', partition_day)::DATE AS week,
        count(DISTINCT partition_day) AS days_loaded
    FROM marts.refreshed_partitions
    WHERE mart = '{daily}'
    GROUP BY ALL
),

sums AS (
    SELECT date_trunc('week', day)::DATE AS week{keys}, {aggregates}
    FROM marts.{daily}
    GROUP BY ALL
){users_cte}

SELECT
    s.week{key_outputs},
    l.days_loaded,
    l.days_loaded < 7 AS partial,
    {outputs}
FROM sums AS s
JOIN loaded AS l USING (week){users_join}
