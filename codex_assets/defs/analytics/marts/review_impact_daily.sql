-- marts.review_impact_daily for the days [$start, $end]: one row per day, days without
-- reviews included (counts 0, ratios NULL). Review activity (raw.code_reviews) counts the
-- reviews Codex ran that day; responses (raw.code_review_responses) count engagement with its
-- comments on pull requests merged that day.
WITH
days AS (
    SELECT range::DATE AS day
    FROM range($start::DATE, $end::DATE + 1, INTERVAL 1 DAY)
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
        coalesce(r.pull_request_reviews, 0) AS pull_request_reviews,
        coalesce(r.comments, 0) AS comments,
        coalesce(r.p0, 0) AS p0,
        coalesce(r.p1, 0) AS p1,
        coalesce(r.p2, 0) AS p2,
        coalesce(s.merged_pull_request_reviews, 0) AS merged_pull_request_reviews,
        coalesce(s.merged_comments, 0) AS merged_comments,
        coalesce(s.replies, 0) AS replies,
        coalesce(s.reactions, 0) AS reactions,
        coalesce(s.engaged_comments, 0) AS engaged_comments,
        coalesce(s.reacted_comments, 0) AS reacted_comments,
        coalesce(s.replied_comments, 0) AS replied_comments,
        coalesce(s.upvoted_comments, 0) AS upvoted_comments,
        coalesce(s.downvoted_comments, 0) AS downvoted_comments,
        coalesce(s.reacted_other_comments, 0) AS reacted_other_comments,
        coalesce(s.upvotes, 0) AS upvotes,
        coalesce(s.downvotes, 0) AS downvotes,
        coalesce(s.other_reactions, 0) AS other_reactions
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
