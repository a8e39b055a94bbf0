-- marts.spend_by_team_monthly for the whole months [$start, $end] (the refresh widens the
-- range to month bounds): one row per month and team, from the users' `all` rows in
-- marts.usage_user_daily, so the team is the one the directory gave when that day was built.
SELECT
    date_trunc('month', day)::DATE AS month,
    team,
    mart_sum_credits(credits) AS credits,
    mart_total_cost(cost_usd) AS cost_usd,
    mart_uncosted_credits(cost_usd, credits) AS uncosted_credits,
    count(DISTINCT user_id) FILTER (WHERE is_active) AS active_users,
    mart_ratio(
        mart_total_cost(cost_usd), count(DISTINCT user_id) FILTER (WHERE is_active)
    ) AS cost_per_active_user,
    mart_group_billing_unit(credits, billed_cost_usd) AS billing_unit,
    mart_sum_billed(billed_cost_usd) AS billed_cost_usd
FROM marts.usage_user_daily
WHERE day BETWEEN $start AND $end AND surface = 'all'
GROUP BY month, team
