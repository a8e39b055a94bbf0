-- Counts below zero in raw.code_review_responses: one row per offending value
-- (day, row_label, column_name, value).
WITH counts AS (
    SELECT
        day,
        {row_label} AS row_label,
        pull_request_reviews,
        comments,
        replies,
        reactions,
        engaged,
        reacted,
        upvoted,
        downvoted,
        reacted_other,
        replied,
        upvotes,
        downvotes,
        other_reactions
    FROM raw.code_review_responses
)

SELECT day, row_label, column_name, value
FROM (UNPIVOT counts ON COLUMNS(* EXCLUDE (day, row_label)) INTO NAME column_name VALUE value)
WHERE value < 0
ORDER BY day, column_name
