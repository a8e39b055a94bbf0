-- Rows of raw.{table} with a model breakdown whose credits do not add up to the row's credits
-- (within $tolerance_cents cents). Rows without a breakdown (`models` is nullable in the
-- contract) are not compared.
WITH sums AS (
    SELECT
        day,
        {row_label} AS row_label,
        len(models) AS models,
        round(credits * 100)::BIGINT AS credits_cents,
        round(coalesce(list_sum(list_transform(models, lambda m: m.credits)), 0) * 100)::BIGINT
            AS model_credits_cents
    FROM raw.{table}
    WHERE len(models) > 0
)

SELECT
    *,
    model_credits_cents - credits_cents AS credits_delta_cents
FROM sums
WHERE NOT abs(model_credits_cents - credits_cents) <= $tolerance_cents
ORDER BY day, row_label
