-- The compliance columns of marts.usage_reconciliation_daily for the days [$start, $end]: the
-- day's Codex responses in the compliance log (PROMPT_RESPONSE_RECEIVED, deduplicated, by the
-- events' own UTC day: marts.compliance_activity_daily) against the per-user analytics turns.
-- Run after either side is refreshed, so whichever is built last leaves the columns right; a
-- day with no compliance activity keeps NULL (its log not loaded, or no activity).
UPDATE marts.usage_reconciliation_daily AS r
SET
    compliance_responses = c.responses,
    compliance_responses_per_turn = c.responses / nullif(r.user_turns, 0)
FROM (
    SELECT day, sum(responses)::BIGINT AS responses
    FROM marts.compliance_activity_daily
    WHERE day BETWEEN $start AND $end
    GROUP BY day
) AS c
WHERE r.day = c.day
