-- Per day of $days: the workspace's analytics turns (raw.usage_users) and its compliance
-- responses (PROMPT_RESPONSE_RECEIVED in raw.compliance_codex_log, deduplicated on event_id and
-- dated by the event's own timestamp, so the caller must include day D+1's partition: events
-- near midnight land in the next day's files). ratio is NULL when there are no turns.
WITH
days AS (
    SELECT unnest($days::DATE []) AS day
),

responses AS (
    SELECT
        any_value(timestamp)::DATE AS day,
        event_id
    FROM raw.compliance_codex_log
    WHERE event_type = 'PROMPT_RESPONSE_RECEIVED'
    GROUP BY event_id
),

response_days AS (
    SELECT
        day,
        count(*) AS responses
    FROM responses
    GROUP BY day
),

turn_days AS (
    SELECT
        day,
        sum(turns) AS turns
    FROM raw.usage_users
    GROUP BY day
)

SELECT
    d.day,
    coalesce(t.turns, 0)::BIGINT AS turns,
    coalesce(r.responses, 0)::BIGINT AS responses,
    round(coalesce(r.responses, 0) / nullif(t.turns, 0), 4) AS ratio
FROM days AS d
LEFT JOIN turn_days AS t ON d.day = t.day
LEFT JOIN response_days AS r ON d.day = r.day
ORDER BY d.day
