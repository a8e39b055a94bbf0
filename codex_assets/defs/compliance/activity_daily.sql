-- marts.compliance_activity_daily for the UTC days $days (the events' own dates).
-- Only user activity counts: prompts, responses and tool calls (access-token events do not).
SELECT
    timestamp::DATE AS day,
    user_id,
    count(DISTINCT session_id) AS sessions,
    count(*) FILTER (WHERE event_type = 'PROMPT_SENT') AS prompts,
    count(*) FILTER (WHERE event_type = 'PROMPT_RESPONSE_RECEIVED') AS responses,
    count(DISTINCT coalesce(tool_call_id, event_id)) FILTER (
        WHERE starts_with(event_type, 'TOOL_CALL_')
    ) AS tool_calls,
    coalesce(sum(input_tokens) FILTER (WHERE event_type = 'PROMPT_RESPONSE_RECEIVED'), 0)
        AS input_tokens,
    coalesce(sum(cached_input_tokens) FILTER (WHERE event_type = 'PROMPT_RESPONSE_RECEIVED'), 0)
        AS cached_input_tokens,
    coalesce(sum(output_tokens) FILTER (WHERE event_type = 'PROMPT_RESPONSE_RECEIVED'), 0)
        AS output_tokens,
    coalesce(
        sum(reasoning_output_tokens) FILTER (WHERE event_type = 'PROMPT_RESPONSE_RECEIVED'), 0
    ) AS reasoning_output_tokens
FROM restricted.compliance_events
WHERE timestamp::DATE IN (SELECT unnest($days::DATE[]))
  AND (
      event_type IN ('PROMPT_SENT', 'PROMPT_RESPONSE_RECEIVED')
      OR starts_with(event_type, 'TOOL_CALL_')
  )
GROUP BY ALL
