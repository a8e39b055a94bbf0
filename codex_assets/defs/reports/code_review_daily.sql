-- The dashboard's "Code Review details" export: comments, priorities, replies, reactions.
SELECT
    day, pull_request_reviews, comments, p0, p1, p2, merged_pull_request_reviews,
    merged_comments, replies, reactions, engaged_comments, engagement_rate, upvotes,
    downvotes, other_reactions, net_sentiment
FROM marts.review_impact_daily
WHERE day > (SELECT max(day) FROM marts.review_impact_daily) - $days::INTEGER
ORDER BY day
