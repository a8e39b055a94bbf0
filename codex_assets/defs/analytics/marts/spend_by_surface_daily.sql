-- marts.spend_by_surface_daily for the days [$start, $end]: one row per day and surface
-- ($surfaces, `all` included), days without any usage included (credits 0, cost 0).
-- Cost per row is already decided in marts.usage_user_daily; here it is only summed.
WITH
grid AS (
    FROM mart_day_surface_grid($start, $end, $surfaces)
),

spend AS (
    SELECT
        day,
        surface,
        mart_sum_credits(credits) AS credits,
        mart_total_cost(cost_usd) AS cost_usd,
        mart_uncosted_credits(cost_usd, credits) AS uncosted_credits,
        count(DISTINCT user_id) FILTER (WHERE is_active) AS active_users,
        sum(uncached_input_tokens) AS uncached_input_tokens,
        sum(cached_input_tokens) AS cached_input_tokens,
        sum(output_tokens) AS output_tokens,
        sum(total_tokens) AS total_tokens,
        mart_group_billing_unit(credits, billed_cost_usd) AS billing_unit,
        mart_sum_billed(billed_cost_usd) AS billed_cost_usd
    FROM marts.usage_user_daily
    WHERE day BETWEEN $start AND $end
    GROUP BY day, surface
)

SELECT
    g.day,
    g.surface,
    coalesce(s.credits, 0.0) AS credits,
    CASE WHEN s.day IS NULL THEN 0.0 ELSE s.cost_usd END AS cost_usd,
    coalesce(s.uncosted_credits, 0.0) AS uncosted_credits,
    coalesce(s.active_users, 0) AS active_users,
    mart_ratio(s.cost_usd, s.active_users) AS cost_per_active_user,
    s.uncached_input_tokens,
    s.cached_input_tokens,
    s.output_tokens,
    s.total_tokens,
    s.billing_unit,
    s.billed_cost_usd
FROM grid AS g
LEFT JOIN spend AS s ON s.day = g.day AND s.surface = g.surface
