-- The rows of a page of GET /analytics/codex/workspaces/{id}/usage (per user, or
-- `group=workspace`), each parsed once: `json` is the row verbatim, `usage` its fields.
-- Not a query: the FROM clause land_usage_users.sql and land_usage_workspace.sql include
-- (`-- include:`, lib/sql.py).
-- Why one from_json: every `->`/`->>` re-parses the whole row (about 1.2 kB with its
-- breakdowns), and sixteen of them a row were most of a 10,000-user backfill's time
-- (docs/performance.md). Scalars are read as VARCHAR and cast by the SELECT, exactly as
-- `(json ->> 'field')::BIGINT` would: a value that does not cast still fails the landing.
FROM (
    SELECT
        json,
        from_json(json, '{"start_time": "VARCHAR", "end_time": "VARCHAR", "user_id": "VARCHAR", "actor": {"user_id": "VARCHAR", "email": "VARCHAR"}, "totals": {"threads": "VARCHAR", "turns": "VARCHAR", "credits": "VARCHAR", "estimated_cost_usd": "VARCHAR", "cost_usd": "VARCHAR", "uncached_text_input_tokens": "VARCHAR", "cached_text_input_tokens": "VARCHAR", "text_output_tokens": "VARCHAR", "text_total_tokens": "VARCHAR"}, "clients": [{"client_id": "VARCHAR", "threads": "BIGINT", "turns": "BIGINT", "credits": "DOUBLE", "estimated_cost_usd": "DOUBLE", "cost_usd": "DOUBLE", "uncached_text_input_tokens": "BIGINT", "cached_text_input_tokens": "BIGINT", "text_output_tokens": "BIGINT", "text_total_tokens": "BIGINT"}], "models": [{"model": "VARCHAR", "speed": "VARCHAR", "credits": "DOUBLE", "estimated_cost_usd": "DOUBLE", "cost_usd": "DOUBLE", "uncached_text_input_tokens": "BIGINT", "cached_text_input_tokens": "BIGINT", "text_output_tokens": "BIGINT", "text_total_tokens": "BIGINT"}]}') AS usage
    FROM read_json_objects($path, format = 'array')
)
