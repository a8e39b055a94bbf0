-- The measures of a row of GET /analytics/codex/workspaces/{id}/usage, the same per user and
-- for the workspace (`totals`, the `clients` and `models` breakdowns, `code_attribution`),
-- from the row parsed by _usage_source.sql.
-- Not a query: the select items land_usage_users.sql and land_usage_workspace.sql include
-- (`-- include:`, lib/sql.py).
-- `cost_usd` is the native cost a USD-billed workspace reports instead of (or beside) credits
-- (reference/codex-api.md, 2026-12 additions, "Billing unit"); NULL on a credit-billed one.
    usage.totals.threads::BIGINT AS threads,
    usage.totals.turns::BIGINT AS turns,
    usage.totals.credits::DOUBLE AS credits,
    usage.totals.estimated_cost_usd::DOUBLE AS estimated_cost_usd,
    usage.totals.cost_usd::DOUBLE AS cost_usd,
    usage.totals.uncached_text_input_tokens::BIGINT AS uncached_text_input_tokens,
    usage.totals.cached_text_input_tokens::BIGINT AS cached_text_input_tokens,
    usage.totals.text_output_tokens::BIGINT AS text_output_tokens,
    usage.totals.text_total_tokens::BIGINT AS text_total_tokens,
    coalesce(usage.clients, []) AS clients,
    coalesce(usage.models, []) AS models,
    -- Read whole, as JSON (a JSON null stays `null`, an absent field NULL).
    json -> 'code_attribution' AS code_attribution,
