-- The measures of one usage row (raw.usage_users or its client breakdown,
-- raw.usage_user_clients) as the marts name them, the cost decided by mart_row_cost.
-- Not a query: the select items both halves of usage_user_daily.sql include (`-- include:`,
-- lib/sql.py).
    threads,
    turns,
    credits,
    cost_usd AS billed_cost_usd,
    mart_row_cost(cost_usd, estimated_cost_usd, credits, $usd_per_credit::DOUBLE) AS cost_usd,
    uncached_text_input_tokens AS uncached_input_tokens,
    cached_text_input_tokens AS cached_input_tokens,
    text_output_tokens AS output_tokens,
    text_total_tokens AS total_tokens
