-- Code Review activity per day and per ISO week: PRs reviewed, findings by priority,
-- comments, replies, reactions and sentiment (ratios recomputed per week by the weekly mart).
SELECT
    'day' AS grain, day AS period, pull_request_reviews, comments, p0, p1, p2, replies,
    reactions, engaged_comments, merged_comments, upvotes, downvotes, other_reactions,
    engagement_rate, net_sentiment
FROM marts.review_impact_daily
UNION ALL
SELECT
    'week', week, pull_request_reviews, comments, p0, p1, p2, replies, reactions,
    engaged_comments, merged_comments, upvotes, downvotes, other_reactions, engagement_rate,
    net_sentiment
FROM marts.review_impact_weekly
ORDER BY grain, period
