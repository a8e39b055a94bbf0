-- Text fields of the events first delivered in partitions [$start, $end] that may hold a
-- secret: $prefilter is codex_assets.defs.compliance.dlp.PREFILTER (RE2), a superset of what the Python
-- scan finds, so DuckDB narrows a million events a day to the few worth scanning.
SELECT day, event_id, timestamp, user_id, field, value
FROM (
    SELECT day, event_id, timestamp, user_id, 'prompt_text' AS field, prompt_text AS value
    FROM restricted.compliance_events WHERE day BETWEEN $start AND $end
    UNION ALL
    SELECT day, event_id, timestamp, user_id, 'response_text', response_text
    FROM restricted.compliance_events WHERE day BETWEEN $start AND $end
    UNION ALL
    SELECT day, event_id, timestamp, user_id, 'tool_input', tool_input
    FROM restricted.compliance_events WHERE day BETWEEN $start AND $end
)
WHERE value IS NOT NULL AND regexp_matches(value, $prefilter)
ORDER BY day, event_id, field
