-- Rules shared by every mart query, written once. Created as TEMP macros on the connection
-- before each refresh (codex_assets/defs/analytics/marts/refresh.py). codex_assets/defs/analytics/pricing.py holds
-- the same cost rules in Python, and the tests hold the two to the same answers.

-- A user is active on a day (and surface) when threads, turns or credits are above zero there.
CREATE OR REPLACE TEMP MACRO mart_is_active(threads, turns, credits) AS
    coalesce(threads, 0) > 0 OR coalesce(turns, 0) > 0 OR coalesce(credits, 0) > 0;

-- The cost of one usage row: what a USD-billed workspace was billed (the API's native cost_usd),
-- else the API's estimate, else credits x the configured price, else 0 when no credits were
-- used, else NULL. usd_per_credit is NULL when no price is configured.
CREATE OR REPLACE TEMP MACRO mart_row_cost(billed_cost_usd, estimated_cost_usd, credits, usd_per_credit) AS
    coalesce(
        billed_cost_usd,
        estimated_cost_usd,
        credits * usd_per_credit,
        CASE WHEN credits = 0 THEN 0.0 END
    )::DOUBLE;

-- The cost of a group of rows (an aggregate): the sum, NULL when any row's cost is NULL,
-- 0 for an empty group.
CREATE OR REPLACE TEMP MACRO mart_total_cost(cost) AS
    CASE WHEN bool_or(cost IS NULL) THEN NULL ELSE coalesce(round(sum(cost), 6), 0.0) END::DOUBLE;

-- Credits in a group whose cost is unknown (what a configured price would fill).
CREATE OR REPLACE TEMP MACRO mart_uncosted_credits(cost, credits) AS
    coalesce(round(sum(credits) FILTER (WHERE cost IS NULL), 6), 0.0)::DOUBLE;

-- A ratio is NULL when its denominator is zero or NULL: never 0, never infinity.
CREATE OR REPLACE TEMP MACRO mart_ratio(numerator, denominator) AS
    CASE WHEN coalesce(denominator, 0) = 0 THEN NULL ELSE numerator::DOUBLE / denominator END;

-- Credits summed over rows, rounded to 6 decimals: the API gives at most cents, so this only
-- removes binary floating-point noise (1086.9000000000003) before it reaches a report.
CREATE OR REPLACE TEMP MACRO mart_sum_credits(credits) AS round(sum(credits), 6);


-- The unit a usage row is billed in: `credits` (it reports credits), `usd` (it reports only a
-- native cost_usd, as a USD-billed workspace does), `credits+usd` (both: a workspace changing
-- unit). The API never says so directly; the fields present do (reference/codex-api.md).
CREATE OR REPLACE TEMP MACRO mart_billing_unit(credits, billed_cost_usd) AS
    CASE
        WHEN credits IS NOT NULL AND billed_cost_usd IS NOT NULL THEN 'credits+usd'
        WHEN billed_cost_usd IS NOT NULL THEN 'usd'
        WHEN credits IS NOT NULL THEN 'credits'
    END;

-- The billing unit of a group of rows (an aggregate): as mart_billing_unit, over the group;
-- NULL for a group without usage rows.
CREATE OR REPLACE TEMP MACRO mart_group_billing_unit(credits, billed_cost_usd) AS
    mart_billing_unit(
        CASE WHEN bool_or(credits IS NOT NULL) THEN 0 END,
        CASE WHEN bool_or(billed_cost_usd IS NOT NULL) THEN 0 END
    );

-- Native USD billed in a group: the sum, NULL when no row of it is USD-billed.
CREATE OR REPLACE TEMP MACRO mart_sum_billed(billed_cost_usd) AS round(sum(billed_cost_usd), 6);

-- Every day of [first_day, last_day], days without data included: what the daily marts join
-- their data to, so a quiet day is a row of zeros rather than a gap.
CREATE OR REPLACE TEMP MACRO mart_days(first_day, last_day) AS TABLE
    SELECT range::DATE AS day
    FROM range(first_day::DATE, last_day::DATE + 1, INTERVAL 1 DAY);

-- Every (day, surface) of [first_day, last_day] and the surfaces list (`all` included): the
-- grid of the per-surface daily marts.
CREATE OR REPLACE TEMP MACRO mart_day_surface_grid(first_day, last_day, surfaces) AS TABLE
    SELECT days.day, listed.surface
    FROM mart_days(first_day, last_day) AS days
    CROSS JOIN (SELECT unnest(surfaces::VARCHAR[]) AS surface) AS listed;
