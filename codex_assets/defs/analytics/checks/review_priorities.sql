-- Days of raw.code_reviews whose P0 + P1 + P2 comment counts do not add up to `comments`.
SELECT
    day,
    comments,
    p0,
    p1,
    p2,
    p0 + p1 + p2 AS priority_sum
FROM raw.code_reviews
WHERE (p0 + p1 + p2) IS DISTINCT FROM comments
ORDER BY day
