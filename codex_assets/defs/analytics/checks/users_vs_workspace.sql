-- Days in $days (within [$start, $end]) where the per-user rows (raw.usage_users) do not add up
-- to the workspace row (raw.usage_workspace): threads and turns must be equal, credits within
-- $tolerance_cents cents (both sides rounded to cents). The sides are those of
-- defs/analytics/_users_vs_workspace.sql: a side with no rows counts as zero, so a missing
-- workspace row on a day with usage is a mismatch.
WITH
days AS (
    SELECT unnest($days::DATE []) AS day
),

-- include: defs/analytics/_users_vs_workspace.sql

cents AS (
    SELECT
        * EXCLUDE (user_credits, workspace_credits),
        round(user_credits * 100)::BIGINT AS user_credits_cents,
        round(workspace_credits * 100)::BIGINT AS workspace_credits_cents
    FROM sides
)

SELECT
    *,
    user_threads - workspace_threads AS threads_delta,
    user_turns - workspace_turns AS turns_delta,
    user_credits_cents - workspace_credits_cents AS credits_delta_cents
FROM cents
WHERE
    user_threads <> workspace_threads
    OR user_turns <> workspace_turns
    OR abs(user_credits_cents - workspace_credits_cents) > $tolerance_cents
ORDER BY day
