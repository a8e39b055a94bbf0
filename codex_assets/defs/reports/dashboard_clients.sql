-- Product activity: threads and turns by client, per day and per ISO week, from the per-user
-- client breakdown (no mart keeps clients; the surfaces group them). The API may send an
-- empty `clients` list while totals are above zero (reference/codex-api.md, "2026-12
-- additions"), so these need not add up to the totals.
SELECT
    grain, period, client_id, sum(threads) AS threads, sum(turns) AS turns
FROM (
    SELECT 'day' AS grain, day AS period, client_id, threads, turns FROM raw.usage_user_clients
    UNION ALL
    SELECT 'week', date_trunc('week', day)::DATE, client_id, threads, turns
    FROM raw.usage_user_clients
)
WHERE period BETWEEN $first_day AND $last_day
GROUP BY ALL
ORDER BY grain, period, client_id
