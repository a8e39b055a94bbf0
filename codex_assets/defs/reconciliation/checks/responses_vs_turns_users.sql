-- User-days of $days whose compliance responses per analytics turn fall outside
-- [$low, $high], among those with at least $min_volume turns or responses (a user with 2 turns
-- and 3 responses is noise, not a finding). The two APIs name users differently (UUID vs
-- user-...), so they are matched on the email, lower-cased; analytics rows without an email
-- (withheld) cannot be matched and are not compared. Responses are deduplicated on event_id and
-- dated by their timestamp (include day D+1's partition). No email is returned: it is
-- restricted data and the result goes into Dagster's metadata.
WITH
responses AS (
    SELECT
        event_id,
        any_value(timestamp)::DATE AS day,
        any_value(user_id) AS user_id,
        lower(any_value(user_email)) AS email
    FROM raw.compliance_codex_log
    WHERE event_type = 'PROMPT_RESPONSE_RECEIVED'
    GROUP BY event_id
),

per_user AS (
    SELECT
        day,
        email,
        any_value(user_id) AS compliance_user_id,
        count(*) AS responses
    FROM responses
    WHERE email IS NOT NULL
    GROUP BY day, email
),

turns AS (
    SELECT
        day,
        user_id AS analytics_user_id,
        lower(email) AS email,
        turns
    FROM raw.usage_users
    WHERE day IN (SELECT unnest($days::DATE [])) AND email IS NOT NULL
),

compared AS (
    SELECT
        t.day,
        t.analytics_user_id,
        r.compliance_user_id,
        coalesce(t.turns, 0)::BIGINT AS turns,
        coalesce(r.responses, 0)::BIGINT AS responses,
        round(coalesce(r.responses, 0) / nullif(t.turns, 0), 4) AS ratio
    FROM turns AS t
    LEFT JOIN per_user AS r ON t.day = r.day AND t.email = r.email
)

SELECT *
FROM compared
WHERE
    greatest(turns, responses) >= $min_volume
    AND (ratio IS NULL OR ratio < $low OR ratio > $high)
ORDER BY day, analytics_user_id
