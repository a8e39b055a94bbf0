-- Per-user daily usage rows from GET /analytics/codex/workspaces/{id}/usage.
-- $path: a JSON array of the API's rows, verbatim; $day: the partition; $loaded_at: now (UTC).
-- `record` keeps the row verbatim. column_schema_unchanged names every field of it this SQL
-- does not read, except these, left untyped on purpose (`object` is a constant):
-- untyped: object, actor.type
SELECT
    $day::DATE AS day,
    usage.start_time::BIGINT AS start_time,
    usage.end_time::BIGINT AS end_time,
    coalesce(usage.user_id, usage.actor.user_id) AS user_id,
    usage.actor.email AS email,
    -- include: defs/analytics/_usage_measures.sql
    json AS record,
    $loaded_at::TIMESTAMP AS loaded_at
-- include: defs/analytics/_usage_source.sql
