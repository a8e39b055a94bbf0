-- Counts below zero in raw.code_reviews: one row per offending value
-- (day, row_label, column_name, value).
WITH counts AS (
    SELECT day, {row_label} AS row_label, pull_request_reviews, comments, p0, p1, p2
    FROM raw.code_reviews
)

SELECT day, row_label, column_name, value
FROM (UNPIVOT counts ON COLUMNS(* EXCLUDE (day, row_label)) INTO NAME column_name VALUE value)
WHERE value < 0
ORDER BY day, column_name
