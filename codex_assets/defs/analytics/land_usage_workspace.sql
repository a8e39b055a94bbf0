-- Workspace daily usage rows from GET /analytics/codex/workspaces/{id}/usage?group=workspace.
-- $path: a JSON array of the API's rows, verbatim; $day: the partition; $loaded_at: now (UTC).
-- `record` keeps the row verbatim. column_schema_unchanged names every field of it this SQL
-- does not read, except these, left untyped on purpose (`object` is a constant; `user_id` and
-- `actor`, null on workspace rows, are parsed by the shared _usage_source.sql, not selected):
-- untyped: object
SELECT
    $day::DATE AS day,
    usage.start_time::BIGINT AS start_time,
    usage.end_time::BIGINT AS end_time,
    -- include: defs/analytics/_usage_measures.sql
    json AS record,
    $loaded_at::TIMESTAMP AS loaded_at
-- include: defs/analytics/_usage_source.sql
