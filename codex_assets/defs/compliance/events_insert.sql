-- The first delivery of every event landed in partitions [$start, $end] that is not already
-- held from an earlier partition. First = earliest partition day, then file end time, then
-- file id, then position in the file.
-- The dedup runs on keys only (about 100 bytes a line; `event_id` is extracted without the full
-- parse) and joins back for the chosen lines, so a million-event day never drags its text
-- through the aggregation. An event without an event_id (malformed, never expected) cannot be
-- matched to its copies, so every such line is kept as its own event.
WITH keyed AS (
    SELECT
        coalesce(event_id, '~' || lake_file || ':' || lake_row) AS dedup_key,
        day, file_end_time, file_id, lake_file, lake_row
    FROM restricted.compliance_codex_log
    WHERE day BETWEEN $start AND $end
),
chosen AS (
    SELECT
        dedup_key,
        arg_min(
            {'file': lake_file, 'row': lake_row},
            {'day': day, 'end': file_end_time, 'id': file_id, 'file': lake_file, 'row': lake_row}
        ) AS pick
    FROM keyed
    GROUP BY dedup_key
),
fresh AS (
    SELECT *
    FROM chosen
    WHERE NOT EXISTS (
        SELECT 1
        FROM restricted.compliance_events AS held
        WHERE held.day < $start AND held.event_id = chosen.dedup_key
    )
),
lines AS (
    -- Every chosen key must find its line again, and the same event: the lake is read twice,
    -- so a partition of the range landed again in between (another run) would renumber the
    -- rows. The refresh then fails, inside its transaction, rather than hold a wrong event.
    SELECT
        l.*,
        coalesce(l.event_id, '~' || l.lake_file || ':' || l.lake_row)
            IS NOT DISTINCT FROM fresh.dedup_key AS found
    FROM fresh
    LEFT JOIN restricted.compliance_codex_log AS l
        ON l.lake_file = fresh.pick.file AND l.lake_row = fresh.pick.row
        AND l.day BETWEEN $start AND $end
)
SELECT
    day, event_id, timestamp, type, event_type, client_id, workspace_id, principal_id,
    principal_type, actor_type, user_id, user_email, credential_id, session_id, turn_id,
    tool_call_id, model, status, tool_name, tool_type, prompt_text, response_text, tool_input,
    input_tokens, cached_input_tokens, output_tokens, reasoning_output_tokens,
    access_token_id, access_token_name, created_by_user_id, expires_at,
    record, file_id, file_end_time, agent_type, agent_id, agent_name
FROM lines
WHERE CASE
    WHEN found THEN true
    ELSE error(
        'The compliance lake changed while restricted.compliance_events was rebuilt from it '
        || '(a partition of ' || $start || '..' || $end || ' was landed again at the same '
        || 'time). Nothing was changed; materialize restricted/compliance_events again.'
    )
END
