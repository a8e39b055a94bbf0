-- Days in $days where the per-user rows (raw.usage_users) do not add up to the workspace row
-- (raw.usage_workspace): threads and turns must be equal, credits within $tolerance_cents cents
-- (both sides rounded to cents). A side with no rows counts as zero, so a missing workspace row
-- on a day with usage is a mismatch.
WITH
days AS (
    SELECT unnest($days::DATE []) AS day
),

users AS (
    SELECT
        day,
        count(*) AS user_rows,
        sum(threads) AS threads,
        sum(turns) AS turns,
        round(sum(credits) * 100)::BIGINT AS credits_cents
    FROM raw.usage_users
    GROUP BY day
),

workspace AS (
    SELECT
        day,
        count(*) AS workspace_rows,
        sum(threads) AS threads,
        sum(turns) AS turns,
        round(sum(credits) * 100)::BIGINT AS credits_cents
    FROM raw.usage_workspace
    GROUP BY day
),

sides AS (
    SELECT
        d.day,
        coalesce(u.user_rows, 0) AS user_rows,
        coalesce(w.workspace_rows, 0) AS workspace_rows,
        coalesce(u.threads, 0) AS user_threads,
        coalesce(w.threads, 0) AS workspace_threads,
        coalesce(u.turns, 0) AS user_turns,
        coalesce(w.turns, 0) AS workspace_turns,
        coalesce(u.credits_cents, 0) AS user_credits_cents,
        coalesce(w.credits_cents, 0) AS workspace_credits_cents
    FROM days AS d
    LEFT JOIN users AS u ON u.day = d.day
    LEFT JOIN workspace AS w ON w.day = d.day
)

SELECT
    *,
    user_threads - workspace_threads AS threads_delta,
    user_turns - workspace_turns AS turns_delta,
    user_credits_cents - workspace_credits_cents AS credits_delta_cents
FROM sides
WHERE
    user_threads <> workspace_threads
    OR user_turns <> workspace_turns
    OR abs(user_credits_cents - workspace_credits_cents) > $tolerance_cents
ORDER BY day
