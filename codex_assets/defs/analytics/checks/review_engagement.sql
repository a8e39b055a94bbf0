-- Days of raw.code_review_responses where more comments were engaged with, reacted to or
-- replied to than there were comments: each is a count of comments, so none can exceed it.
SELECT
    day,
    comments,
    engaged,
    reacted,
    replied
FROM raw.code_review_responses
WHERE engaged > comments OR reacted > comments OR replied > comments
ORDER BY day
