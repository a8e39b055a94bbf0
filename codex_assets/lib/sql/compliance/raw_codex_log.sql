-- CODEX_LOG events from verified compliance log files, one row per line (duplicates kept).
-- $paths: the JSONL files of one batch (each a verified download); $files: one struct per
-- file (filename, file_id, file_name, file_end_time, file_sha256); $day: the partition (the day
-- the file's end_time falls in, (D 00:00, D+1 00:00]); $loaded_at: now (UTC).
--
-- `record` keeps each line verbatim, unknown fields included: it is the lossless copy, and the
-- only place prompt, response and tool text live in the lake (restricted.compliance_events
-- extracts them). The typed columns are parsed once (one from_json per line); every leaf is
-- read as VARCHAR and cast with TRY_CAST, so an unexpected type never aborts a load and never
-- loses the event (the value stays in `record`).
WITH lines AS (
    SELECT
        filename,
        json AS record,
        from_json(json, '{
            "event_id": "VARCHAR", "type": "VARCHAR", "timestamp": "VARCHAR",
            "principal": {"id": "VARCHAR", "type": "VARCHAR"},
            "actor": {"type": "VARCHAR", "user_id": "VARCHAR", "user_email": "VARCHAR",
                      "credential_id": "VARCHAR", "redacted_id": "VARCHAR"},
            "event_type": "VARCHAR", "client_id": "VARCHAR", "workspace_id": "VARCHAR",
            "event_details": {
                "session_id": "VARCHAR", "turn_id": "VARCHAR", "tool_call_id": "VARCHAR",
                "model": "VARCHAR", "status": "VARCHAR", "tool_name": "VARCHAR",
                "token_usage": {"input_tokens": "VARCHAR", "output_tokens": "VARCHAR",
                                "cached_input_tokens": "VARCHAR",
                                "reasoning_output_tokens": "VARCHAR"},
                "access_token_id": "VARCHAR", "access_token_name": "VARCHAR",
                "created_by_user_id": "VARCHAR", "expires_at": "VARCHAR"
            }
        }') AS e
    FROM read_json_objects($paths, format = 'newline_delimited', filename = true)
),
files AS (
    SELECT unnest($files, recursive := true)
)
SELECT
    $day::DATE AS day,
    e.event_id AS event_id,
    timezone('UTC', try_cast(e.timestamp AS TIMESTAMPTZ)) AS timestamp,
    e.type AS type,
    e.event_type AS event_type,
    e.client_id AS client_id,
    e.workspace_id AS workspace_id,
    e.principal.id AS principal_id,
    e.principal.type AS principal_type,
    e.actor.type AS actor_type,
    e.actor.user_id AS user_id,
    e.actor.user_email AS user_email,
    e.actor.credential_id AS credential_id,
    e.actor.redacted_id AS actor_redacted_id,
    e.event_details.session_id AS session_id,
    e.event_details.turn_id AS turn_id,
    e.event_details.tool_call_id AS tool_call_id,
    e.event_details.model AS model,
    e.event_details.status AS status,
    e.event_details.tool_name AS tool_name,
    try_cast(e.event_details.token_usage.input_tokens AS BIGINT) AS input_tokens,
    try_cast(e.event_details.token_usage.cached_input_tokens AS BIGINT) AS cached_input_tokens,
    try_cast(e.event_details.token_usage.output_tokens AS BIGINT) AS output_tokens,
    try_cast(e.event_details.token_usage.reasoning_output_tokens AS BIGINT)
        AS reasoning_output_tokens,
    e.event_details.access_token_id AS access_token_id,
    e.event_details.access_token_name AS access_token_name,
    e.event_details.created_by_user_id AS created_by_user_id,
    timezone('UTC', try_cast(e.event_details.expires_at AS TIMESTAMPTZ)) AS expires_at,
    record,
    files.file_id::VARCHAR AS file_id,
    files.file_name::VARCHAR AS file_name,
    files.file_end_time::TIMESTAMP AS file_end_time,
    files.file_sha256::VARCHAR AS file_sha256,
    $loaded_at::TIMESTAMP AS loaded_at
FROM lines
JOIN files USING (filename)
