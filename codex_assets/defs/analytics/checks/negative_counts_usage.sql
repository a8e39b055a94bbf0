-- Counts below zero in raw.{table} (raw.usage_users or raw.usage_workspace): the totals and
-- every entry of the client and model breakdowns. One row per offending value:
-- (day, row_label, column_name, value). NULLs are "unavailable" in the contract and are skipped
-- (UNPIVOT drops them).
WITH
totals AS (
    SELECT
        day,
        {row_label} AS row_label,
        threads::DOUBLE AS threads,
        turns::DOUBLE AS turns,
        credits,
        estimated_cost_usd,
        cost_usd,
        uncached_text_input_tokens::DOUBLE AS uncached_text_input_tokens,
        cached_text_input_tokens::DOUBLE AS cached_text_input_tokens,
        text_output_tokens::DOUBLE AS text_output_tokens,
        text_total_tokens::DOUBLE AS text_total_tokens
    FROM raw.{table}
),

client_entries AS (
    SELECT day, row_label || ' / ' || c.client_id AS row_label, c
    FROM (SELECT day, {row_label} AS row_label, unnest(clients) AS c FROM raw.{table})
),

clients AS (
    SELECT
        day,
        row_label,
        c.threads::DOUBLE AS "clients.threads",
        c.turns::DOUBLE AS "clients.turns",
        c.credits AS "clients.credits",
        c.estimated_cost_usd AS "clients.estimated_cost_usd",
        c.cost_usd AS "clients.cost_usd",
        c.text_total_tokens::DOUBLE AS "clients.text_total_tokens"
    FROM client_entries
),

model_entries AS (
    SELECT day, row_label || ' / ' || m.model || coalesce(' ' || m.speed, '') AS row_label, m
    FROM (SELECT day, {row_label} AS row_label, unnest(models) AS m FROM raw.{table})
),

models AS (
    SELECT
        day,
        row_label,
        m.credits AS "models.credits",
        m.estimated_cost_usd AS "models.estimated_cost_usd",
        m.cost_usd AS "models.cost_usd",
        m.text_total_tokens::DOUBLE AS "models.text_total_tokens"
    FROM model_entries
)

SELECT day, row_label, column_name, value
FROM (UNPIVOT totals ON COLUMNS(* EXCLUDE (day, row_label)) INTO NAME column_name VALUE value)
WHERE value < 0
UNION ALL
SELECT day, row_label, column_name, value
FROM (UNPIVOT clients ON COLUMNS(* EXCLUDE (day, row_label)) INTO NAME column_name VALUE value)
WHERE value < 0
UNION ALL
SELECT day, row_label, column_name, value
FROM (UNPIVOT models ON COLUMNS(* EXCLUDE (day, row_label)) INTO NAME column_name VALUE value)
WHERE value < 0
ORDER BY day, row_label, column_name
