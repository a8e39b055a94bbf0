-- Per-user daily usage rows from GET /analytics/codex/workspaces/{id}/usage.
-- `cost_usd` is the native cost a USD-billed workspace reports instead of (or beside) credits
-- (reference/codex-api.md, 2026-12 additions, "Billing unit"); NULL on a credit-billed one.
-- $path: a JSON array of the API's rows, verbatim; $day: the partition; $loaded_at: now (UTC).
-- `record` keeps the row verbatim. column_schema_unchanged names every field of it this SQL
-- does not read, except these, left untyped on purpose (`object` is a constant):
-- untyped: object, actor.type
SELECT
    $day::DATE AS day,
    (json ->> 'start_time')::BIGINT AS start_time,
    (json ->> 'end_time')::BIGINT AS end_time,
    coalesce(json ->> 'user_id', json -> 'actor' ->> 'user_id') AS user_id,
    json -> 'actor' ->> 'email' AS email,
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
    json AS record,
    $loaded_at::TIMESTAMP AS loaded_at
FROM read_json_objects($path, format = 'array')
