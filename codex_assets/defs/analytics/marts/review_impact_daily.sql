-- marts.review_impact_daily for the days [$start, $end]: one row per day, days without
-- reviews included (every count 0, ratios NULL). Review activity (raw.code_reviews) counts the
-- reviews Codex ran that day; responses (raw.code_review_responses) count engagement with its
-- comments on pull requests merged that day.
WITH
days AS (
    FROM mart_days($start, $end)
),

reviews AS (
    SELECT
        day,
        sum(pull_request_reviews) AS pull_request_reviews,
        sum(comments) AS comments,
        sum(p0) AS p0,
        sum(p1) AS p1,
        sum(p2) AS p2
    FROM raw.code_reviews
    WHERE day BETWEEN $start AND $end
    GROUP BY day
),

responses AS (
    SELECT
        day,
        sum(pull_request_reviews) AS merged_pull_request_reviews,
        sum(comments) AS merged_comments,
        sum(replies) AS replies,
        sum(reactions) AS reactions,
        sum(engaged) AS engaged_comments,
        sum(reacted) AS reacted_comments,
        sum(replied) AS replied_comments,
        sum(upvoted) AS upvoted_comments,
        sum(downvoted) AS downvoted_comments,
        sum(reacted_other) AS reacted_other_comments,
        sum(upvotes) AS upvotes,
        sum(downvotes) AS downvotes,
        sum(other_reactions) AS other_reactions
    FROM raw.code_review_responses
    WHERE day BETWEEN $start AND $end
    GROUP BY day
),

counts AS (
    SELECT
        d.day,
        coalesce(COLUMNS(r.* EXCLUDE (day)), 0),
        coalesce(COLUMNS(s.* EXCLUDE (day)), 0)
    FROM days AS d
    LEFT JOIN reviews AS r ON r.day = d.day
    LEFT JOIN responses AS s ON s.day = d.day
)

SELECT
    *,
    mart_ratio(comments, pull_request_reviews) AS comments_per_review,
    mart_ratio(engaged_comments, merged_comments) AS engagement_rate,
    mart_ratio(upvotes - downvotes, upvotes + downvotes) AS net_sentiment
FROM counts
