-- restricted.compliance_codex_log: every landed line of every CODEX_LOG file, duplicates
-- included, with the verbatim event (`record`) and the typed columns parsed from it: ids, the
-- actor and their email, the agent identity that acted (the optional `agent` {type, id?,
-- name?}, contract v2.5.37: NULL when absent), tokens, and the prompt, response and tool text. Restricted for the
-- text and the emails. `lake_file` and `lake_row` locate a line in the lake (used to pick one
-- copy of each event without carrying every column through the dedup).
--
-- __LAKE_FILES__: the Parquet files to read (a glob or a list). The lake keeps only `record`
-- and the per-file columns, so the parsing happens here, once per read: one from_json per line
-- for everything but `event_id`, which is a plain extraction so that a query needing only the
-- key (the dedup) skips the full parse. Every leaf is read as VARCHAR and cast with TRY_CAST:
-- an unexpected type reads as NULL and never hides the event (the value stays in `record`).
-- Times are UTC whoever reads them: a stamp with an offset (the contract's `Z`) is converted to
-- UTC, one without is taken as UTC (a TIMESTAMPTZ cast would use the reader's TimeZone).
-- Only named columns are read, so partitions landed by versions that also stored typed
-- columns read the same way.
--
-- column_schema_unchanged names every field of `record` this SQL does not read, except these
-- contract fields (codex-api.md 2.4), left in `record` on purpose. The prompt and response
-- events' extras:
-- untyped: event_details.detail_type, event_details.call_id, event_details.environment_id
-- untyped: event_details.service_tier, event_details.reasoning_effort
-- Environment and workspace settings events:
-- untyped: event_details.environment_fields, event_details.previous_settings
-- untyped: event_details.current_settings
-- MCP call, result and elicitation events:
-- untyped: event_details.name, event_details.arguments, event_details.tool_meta
-- untyped: event_details.error_code, event_details.error_message, event_details.result_preview
-- untyped: event_details.elicitation_type, event_details.phase, event_details.decision
-- untyped: event_details.url
-- Plugin events:
-- untyped: event_details.plugin_id, event_details.plugin_release_id
-- untyped: event_details.plugin_version, event_details.plugin_name
-- untyped: event_details.plugin_display_name, event_details.marketplace_name
-- untyped: event_details.plugin_scope, event_details.plugin_creator_account_user_id
-- Site events:
-- untyped: event_details.project_id, event_details.slug, event_details.version_id
-- untyped: event_details.version_number, event_details.deployment_id
-- untyped: event_details.environment_revision, event_details.site_url
WITH landed AS (
    SELECT
        day,
        record,
        file_id,
        file_name,
        file_end_time,
        file_sha256,
        loaded_at,
        filename AS lake_file,
        file_row_number AS lake_row
    FROM read_parquet(
        __LAKE_FILES__,
        union_by_name = true,
        hive_partitioning = false,
        filename = true,
        file_row_number = true
    )
),
parsed AS (
    SELECT
        *,
        from_json(record, '{
            "type": "VARCHAR", "timestamp": "VARCHAR",
            "principal": {"id": "VARCHAR", "type": "VARCHAR"},
            "actor": {"type": "VARCHAR", "user_id": "VARCHAR", "user_email": "VARCHAR",
                      "credential_id": "VARCHAR", "redacted_id": "VARCHAR"},
            "agent": {"type": "VARCHAR", "id": "VARCHAR", "name": "VARCHAR"},
            "event_type": "VARCHAR", "client_id": "VARCHAR", "workspace_id": "VARCHAR",
            "event_details": {
                "session_id": "VARCHAR", "turn_id": "VARCHAR", "tool_call_id": "VARCHAR",
                "model": "VARCHAR", "status": "VARCHAR", "tool_name": "VARCHAR",
                "tool_type": "VARCHAR", "prompt_text": "VARCHAR", "response_text": "VARCHAR",
                "tool_input": "VARCHAR",
                "token_usage": {"input_tokens": "VARCHAR", "output_tokens": "VARCHAR",
                                "cached_input_tokens": "VARCHAR",
                                "reasoning_output_tokens": "VARCHAR"},
                "access_token_id": "VARCHAR", "access_token_name": "VARCHAR",
                "created_by_user_id": "VARCHAR", "expires_at": "VARCHAR"
            }
        }') AS e
    FROM landed
)
SELECT
    day,
    record ->> '$.event_id' AS event_id,
    CASE
        WHEN regexp_matches(e.timestamp, '([zZ]|[+-]\d{2}:?\d{2})$')
            THEN timezone('UTC', try_cast(e.timestamp AS TIMESTAMPTZ))
        ELSE try_cast(e.timestamp AS TIMESTAMP)
    END AS timestamp,
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
    e.agent.type AS agent_type,
    e.agent.id AS agent_id,
    e.agent.name AS agent_name,
    e.event_details.session_id AS session_id,
    e.event_details.turn_id AS turn_id,
    e.event_details.tool_call_id AS tool_call_id,
    e.event_details.model AS model,
    e.event_details.status AS status,
    e.event_details.tool_name AS tool_name,
    e.event_details.tool_type AS tool_type,
    e.event_details.prompt_text AS prompt_text,
    e.event_details.response_text AS response_text,
    e.event_details.tool_input AS tool_input,
    try_cast(e.event_details.token_usage.input_tokens AS BIGINT) AS input_tokens,
    try_cast(e.event_details.token_usage.cached_input_tokens AS BIGINT) AS cached_input_tokens,
    try_cast(e.event_details.token_usage.output_tokens AS BIGINT) AS output_tokens,
    try_cast(e.event_details.token_usage.reasoning_output_tokens AS BIGINT)
        AS reasoning_output_tokens,
    e.event_details.access_token_id AS access_token_id,
    e.event_details.access_token_name AS access_token_name,
    e.event_details.created_by_user_id AS created_by_user_id,
    CASE
        WHEN regexp_matches(e.event_details.expires_at, '([zZ]|[+-]\d{2}:?\d{2})$')
            THEN timezone('UTC', try_cast(e.event_details.expires_at AS TIMESTAMPTZ))
        ELSE try_cast(e.event_details.expires_at AS TIMESTAMP)
    END AS expires_at,
    record,
    file_id,
    file_name,
    file_end_time,
    file_sha256,
    loaded_at,
    lake_file,
    lake_row
FROM parsed
