-- Credits, cost and tokens by model (and speed), per day and per ISO week.
SELECT
    'day' AS grain, day AS period, model || coalesce(' (' || speed || ')', '') AS model,
    credits, cost_usd, total_tokens
FROM marts.spend_by_model_daily
UNION ALL
SELECT
    'week', week, model || coalesce(' (' || speed || ')', ''), credits, cost_usd, total_tokens
FROM marts.spend_by_model_weekly
ORDER BY grain, period, model
