-- Daily engagement with Codex review comments on merged PRs, from
-- GET /analytics/codex/workspaces/{id}/code_review_responses.
-- `record` keeps the row verbatim. column_schema_unchanged names every field of it this SQL
-- does not read, except these, left untyped on purpose (`object` is a constant):
-- untyped: object
SELECT
    $day::DATE AS day,
    (json ->> 'start_time')::BIGINT AS start_time,
    (json ->> 'end_time')::BIGINT AS end_time,
    (json ->> 'pull_request_reviews')::BIGINT AS pull_request_reviews,
    (json ->> 'comments')::BIGINT AS comments,
    (json ->> 'replies')::BIGINT AS replies,
    (json ->> 'reactions')::BIGINT AS reactions,
    (json -> 'comment_response_details' ->> 'engaged')::BIGINT AS engaged,
    (json -> 'comment_response_details' ->> 'reacted')::BIGINT AS reacted,
    (json -> 'comment_response_details' ->> 'upvoted')::BIGINT AS upvoted,
    (json -> 'comment_response_details' ->> 'downvoted')::BIGINT AS downvoted,
    (json -> 'comment_response_details' ->> 'reacted_other')::BIGINT AS reacted_other,
    (json -> 'comment_response_details' ->> 'replied')::BIGINT AS replied,
    (json -> 'reaction_details' ->> 'upvotes')::BIGINT AS upvotes,
    (json -> 'reaction_details' ->> 'downvotes')::BIGINT AS downvotes,
    (json -> 'reaction_details' ->> 'other')::BIGINT AS other_reactions,
    json AS record,
    $loaded_at::TIMESTAMP AS loaded_at
FROM read_json_objects($path, format = 'array')
