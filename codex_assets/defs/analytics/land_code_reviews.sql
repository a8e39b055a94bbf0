-- Daily Code Review activity from GET /analytics/codex/workspaces/{id}/code_reviews.
-- `record` keeps the row verbatim. column_schema_unchanged names every field of it this SQL
-- does not read, except these, left untyped on purpose (`object` is a constant):
-- untyped: object
SELECT
    $day::DATE AS day,
    (json ->> 'start_time')::BIGINT AS start_time,
    (json ->> 'end_time')::BIGINT AS end_time,
    (json ->> 'pull_request_reviews')::BIGINT AS pull_request_reviews,
    (json ->> 'comments')::BIGINT AS comments,
    (json -> 'comment_details' ->> 'p0')::BIGINT AS p0,
    (json -> 'comment_details' ->> 'p1')::BIGINT AS p1,
    (json -> 'comment_details' ->> 'p2')::BIGINT AS p2,
    json AS record,
    $loaded_at::TIMESTAMP AS loaded_at
FROM read_json_objects($path, format = 'array')
