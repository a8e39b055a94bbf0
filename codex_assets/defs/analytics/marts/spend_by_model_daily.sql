-- marts.spend_by_model_daily for the days [$start, $end]: one row per day, model and speed
-- that had usage, from the per-user model breakdown (raw.usage_user_models), so it adds up
-- with the per-user marts. `speed` stays NULL where the API gives none.
SELECT
    day,
    model,
    speed,
    mart_sum_credits(credits) AS credits,
    mart_total_cost(cost_usd) AS cost_usd,
    mart_uncosted_credits(cost_usd, credits) AS uncosted_credits,
    count(DISTINCT user_id) FILTER (WHERE credits > 0) AS active_users,
    sum(uncached_text_input_tokens) AS uncached_input_tokens,
    sum(cached_text_input_tokens) AS cached_input_tokens,
    sum(text_output_tokens) AS output_tokens,
    sum(text_total_tokens) AS total_tokens,
    mart_group_billing_unit(credits, billed_cost_usd) AS billing_unit,
    mart_sum_billed(billed_cost_usd) AS billed_cost_usd
FROM (
    SELECT
        * EXCLUDE (cost_usd),
        cost_usd AS billed_cost_usd,
        mart_row_cost(cost_usd, estimated_cost_usd, credits, $usd_per_credit::DOUBLE) AS cost_usd
    FROM raw.usage_user_models
    WHERE day BETWEEN $start AND $end
)
GROUP BY day, model, speed
