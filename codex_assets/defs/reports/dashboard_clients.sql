-- Product activity: threads and turns by client, per day and per ISO week, from the per-user
-- client breakdown (no mart keeps clients; the surfaces group them). The API may send an
-- empty `clients` list while totals are above zero (reference/codex-api.md, "2026-12
-- additions"), so these need not add up to the totals. The lake is read once (by day); the
-- weeks sum those days.
WITH
daily AS (
    SELECT day AS period, client_id, sum(threads) AS threads, sum(turns) AS turns
    FROM raw.usage_user_clients
    WHERE day BETWEEN $first_day AND $last_day
    GROUP BY ALL
)

SELECT 'day' AS grain, period, client_id, threads, turns FROM daily
UNION ALL
SELECT 'week', date_trunc('week', period)::DATE, client_id, sum(threads), sum(turns)
FROM daily
GROUP BY ALL
ORDER BY grain, period, client_id
