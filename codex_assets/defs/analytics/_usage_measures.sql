-- The measures of a row of GET /analytics/codex/workspaces/{id}/usage, the same per user and
-- for the workspace (`totals`, the `clients` and `models` breakdowns, `code_attribution`).
-- Not a query: the select items land_usage_users.sql and land_usage_workspace.sql include
-- (`-- include:`, lib/sql.py).
-- `cost_usd` is the native cost a USD-billed workspace reports instead of (or beside) credits
-- (reference/codex-api.md, 2026-12 additions, "Billing unit"); NULL on a credit-billed one.
    (json -> 'totals' ->> 'threads')::BIGINT AS threads,
    (json -> 'totals' ->> 'turns')::BIGINT AS turns,
    (json -> 'totals' ->> 'credits')::DOUBLE AS credits,
    (json -> 'totals' ->> 'estimated_cost_usd')::DOUBLE AS estimated_cost_usd,
    (json -> 'totals' ->> 'cost_usd')::DOUBLE AS cost_usd,
    (json -> 'totals' ->> 'uncached_text_input_tokens')::BIGINT AS uncached_text_input_tokens,
    (json -> 'totals' ->> 'cached_text_input_tokens')::BIGINT AS cached_text_input_tokens,
    (json -> 'totals' ->> 'text_output_tokens')::BIGINT AS text_output_tokens,
    (json -> 'totals' ->> 'text_total_tokens')::BIGINT AS text_total_tokens,
    coalesce(from_json(json -> 'clients', '[{"client_id": "VARCHAR", "threads": "BIGINT", "turns": "BIGINT", "credits": "DOUBLE", "estimated_cost_usd": "DOUBLE", "cost_usd": "DOUBLE", "uncached_text_input_tokens": "BIGINT", "cached_text_input_tokens": "BIGINT", "text_output_tokens": "BIGINT", "text_total_tokens": "BIGINT"}]'), []) AS clients,
    coalesce(from_json(json -> 'models', '[{"model": "VARCHAR", "speed": "VARCHAR", "credits": "DOUBLE", "estimated_cost_usd": "DOUBLE", "cost_usd": "DOUBLE", "uncached_text_input_tokens": "BIGINT", "cached_text_input_tokens": "BIGINT", "text_output_tokens": "BIGINT", "text_total_tokens": "BIGINT"}]'), []) AS models,
    json -> 'code_attribution' AS code_attribution,
