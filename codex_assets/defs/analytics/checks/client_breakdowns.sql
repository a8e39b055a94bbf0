-- Rows of raw.{table} whose client breakdown does not add up to the row's totals: threads and
-- turns must be equal, credits within $tolerance_cents cents.
WITH sums AS (
    SELECT
        day,
        {row_label} AS row_label,
        len(clients) AS clients,
        threads,
        coalesce(list_sum(list_transform(clients, lambda c: c.threads)), 0) AS client_threads,
        turns,
        coalesce(list_sum(list_transform(clients, lambda c: c.turns)), 0) AS client_turns,
        round(credits * 100)::BIGINT AS credits_cents,
        round(coalesce(list_sum(list_transform(clients, lambda c: c.credits)), 0) * 100)::BIGINT
            AS client_credits_cents
    FROM raw.{table}
)

SELECT
    *,
    client_threads - threads AS threads_delta,
    client_turns - turns AS turns_delta,
    client_credits_cents - credits_cents AS credits_delta_cents
FROM sums
WHERE
    threads IS DISTINCT FROM client_threads
    OR turns IS DISTINCT FROM client_turns
    OR NOT abs(client_credits_cents - credits_cents) <= $tolerance_cents
ORDER BY day, row_label
