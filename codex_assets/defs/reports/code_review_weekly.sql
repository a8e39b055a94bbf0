-- "Code Review details" per ISO week: the daily export's columns summed over the week, the
-- ratios recomputed from the week's sums (marts.review_impact_weekly).
SELECT
    week, days_loaded, partial, pull_request_reviews, comments, p0, p1, p2,
    merged_pull_request_reviews, merged_comments, replies, reactions, engaged_comments,
    engagement_rate, upvotes, downvotes, other_reactions, net_sentiment
FROM marts.review_impact_weekly
WHERE week + 6 > (SELECT max(day) FROM marts.review_impact_daily) - $days::INTEGER
ORDER BY week
