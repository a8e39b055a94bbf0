-- marts.usage_user_daily for the days [$start, $end]: one row per day, user and surface.
-- The `all` row is the user's totals (raw.usage_users); every other surface sums the user's
-- per-client breakdown (raw.usage_user_clients) mapped through the surfaces file
-- (mart_surface_map: the most specific matching pattern wins, no match means `other`).
-- Team and cost centre come from the directory (mart_directory): matched on user_id, else on
-- the lower-cased email, else team `unassigned`.
WITH
totals AS (
    SELECT
        day,
        user_id,
        email,
        -- include: defs/analytics/marts/_usage_row.sql
    FROM raw.usage_users
    WHERE day BETWEEN $start AND $end
),

clients AS (
    SELECT
        day,
        user_id,
        email,
        client_id,
        -- include: defs/analytics/marts/_usage_row.sql
    FROM raw.usage_user_clients
    WHERE day BETWEEN $start AND $end
),

client_surface AS (
    SELECT ids.client_id, coalesce(arg_min(m.surface, m.priority), 'other') AS surface
    FROM (SELECT DISTINCT client_id FROM clients) AS ids
    LEFT JOIN mart_surface_map AS m ON upper(trim(ids.client_id)) GLOB m.pattern
    GROUP BY ids.client_id
),

client_lists AS (
    SELECT
        day,
        user_id,
        list(DISTINCT client_id ORDER BY client_id) FILTER (WHERE client_id IS NOT NULL)
            AS client_ids
    FROM clients
    GROUP BY day, user_id
),

all_rows AS (
    SELECT
        t.day,
        t.user_id,
        t.email,
        'all' AS surface,
        coalesce(l.client_ids, []::VARCHAR[]) AS client_ids,
        t.threads,
        t.turns,
        t.credits,
        t.cost_usd,
        t.billed_cost_usd,
        t.uncached_input_tokens,
        t.cached_input_tokens,
        t.output_tokens,
        t.total_tokens
    FROM totals AS t
    LEFT JOIN client_lists AS l
        ON t.day = l.day AND t.user_id IS NOT DISTINCT FROM l.user_id
),

surface_rows AS (
    SELECT
        c.day,
        c.user_id,
        any_value(c.email) AS email,
        s.surface,
        coalesce(
            list(DISTINCT c.client_id ORDER BY c.client_id) FILTER (WHERE c.client_id IS NOT NULL),
            []::VARCHAR[]
        ) AS client_ids,
        sum(c.threads) AS threads,
        sum(c.turns) AS turns,
        mart_sum_credits(c.credits) AS credits,
        mart_total_cost(c.cost_usd) AS cost_usd,
        mart_sum_billed(c.billed_cost_usd) AS billed_cost_usd,
        sum(c.uncached_input_tokens) AS uncached_input_tokens,
        sum(c.cached_input_tokens) AS cached_input_tokens,
        sum(c.output_tokens) AS output_tokens,
        sum(c.total_tokens) AS total_tokens
    FROM clients AS c
    JOIN client_surface AS s ON c.client_id IS NOT DISTINCT FROM s.client_id
    GROUP BY c.day, c.user_id, s.surface
),

usage_rows AS (
    SELECT * FROM all_rows
    UNION ALL BY NAME
    SELECT * FROM surface_rows
)

SELECT
    u.day,
    u.user_id,
    u.email,
    coalesce(by_id.team, by_email.team, 'unassigned') AS team,
    coalesce(by_id.cost_centre, by_email.cost_centre) AS cost_centre,
    u.surface,
    u.client_ids,
    u.threads,
    u.turns,
    u.credits,
    u.cost_usd,
    u.uncached_input_tokens,
    u.cached_input_tokens,
    u.output_tokens,
    u.total_tokens,
    mart_is_active(u.threads, u.turns, u.credits) AS is_active,
    mart_billing_unit(u.credits, u.billed_cost_usd) AS billing_unit,
    u.billed_cost_usd
FROM usage_rows AS u
LEFT JOIN mart_directory AS by_id
    ON by_id.user_id = u.user_id
LEFT JOIN mart_directory AS by_email
    ON by_id.user_id IS NULL AND by_email.email = lower(trim(u.email))
