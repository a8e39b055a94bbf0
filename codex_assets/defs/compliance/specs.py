"""The compliance tables: columns, types, descriptions and lineage, written once.

Each is a `codex_assets.lib.tables.TableSpec`, so everything else follows from it as for every
other table: the DuckDB DDL, comments and in-place migration, the `dagster/column_schema` and
`dagster/column_lineage` metadata the assets report, the marts' refresh from their SQL
(`codex_assets.lib.refresh`), docs/marts.md, and the tests that hold the tables to them (no
text and no emails outside `restricted`). Lineage names upstream tables as `schema.table`.
"""

from __future__ import annotations

from codex_assets.lib.tables import Column, TableSpec, refs

CODEX_LOG_SPEC = TableSpec(
    qualified_name="raw.compliance_codex_log",
    description=(
        "Every Codex audit event (CODEX_LOG) from the Compliance Logs Platform, landed per UTC "
        "day: each log file whose end_time falls in (D 00:00, D+1 00:00] is downloaded through "
        "its signed URL, verified (size and sha256) and staged; the day is published whole "
        "with one rename. Every line is kept verbatim (duplicates and unknown fields "
        "included). The files expire after 30 days: this is the lasting copy. Restricted: "
        "the text and emails are only in schema `restricted`; `raw.compliance_codex_log` "
        "shows the rest."
    ),
    grain=(),
    columns=(),
    landed_by="defs/compliance/raw_codex_log.sql",
)
"""The lake's compliance log. No grain: delivery is at-least-once, so one event may be on
several lines (`restricted.compliance_events` deduplicates). The asset's columns are those of
restricted.compliance_codex_log (the lines with everything parsed from them, `record` and
`user_email` included); raw.compliance_codex_log shows them without the restricted ones."""
RAW = CODEX_LOG_SPEC.qualified_name
EVENTS = "restricted.compliance_events"
MARTS_TESTS = (
    "tests/unit/test_compliance_marts.py",
    "tests/property/test_compliance_conformance.py",
)


def _same(table: str, name: str, type_: str, description: str) -> Column:
    return Column(name, type_, description, refs(table, name))


_TOKENS = (
    ("input_tokens", "Input tokens of the response (token_usage.input_tokens, cached included)."),
    ("cached_input_tokens", "Input tokens served from cache (token_usage.cached_input_tokens)."),
    ("output_tokens", "Output tokens (token_usage.output_tokens, reasoning included)."),
    (
        "reasoning_output_tokens",
        "Output tokens spent on reasoning (token_usage.reasoning_output_tokens).",
    ),
)

_AGENT = (
    (
        "type",
        "The kind of agent identity that acted (the event's optional agent.type; values not "
        "enumerated by the API). NULL: the event names no agent.",
    ),
    ("id", "The agent identity's id (agent.id). NULL when absent."),
    ("name", "The agent identity's name (agent.name). NULL when absent."),
)


def _agent(field: str, description: str) -> Column:
    """agent_<field>, parsed from the event's optional `agent` {type, id?, name?} like every
    typed column (view_restricted_codex_log.sql); a table made before it is filled from
    `record` the same way (an `agent` that is not an object reads as NULL in both)."""
    return Column(
        f"agent_{field}",
        "VARCHAR",
        description,
        refs(RAW, f"agent_{field}"),
        migrate_from=f"record -> 'agent' ->> '{field}'",
    )


EVENTS_SPEC = TableSpec(
    qualified_name=EVENTS,
    description=(
        "Every Codex audit event (CODEX_LOG), deduplicated on event_id: the copy from its "
        "first delivery (earliest partition day, then file end time, then file id), with the "
        "prompt, response and tool text extracted. Restricted: holds text and emails."
    ),
    grain=("event_id",),
    tests=("tests/unit/test_compliance_marts.py", "tests/unit/test_compliance_agent.py"),
    columns=(
        Column(
            "day",
            "DATE",
            "Partition (UTC day) whose files first delivered the event: the day its file's "
            "end_time falls in, (D 00:00, D+1 00:00]. Not the event's own date (see timestamp).",
            refs(RAW, "day"),
        ),
        _same(RAW, "event_id", "VARCHAR", "The event's id; unique in this table."),
        _same(RAW, "timestamp", "TIMESTAMP", "When the action completed (UTC)."),
        _same(RAW, "type", "VARCHAR", "The file's event type: CODEX_LOG."),
        _same(RAW, "event_type", "VARCHAR", "The Codex sub-event: PROMPT_SENT, TOOL_CALL_..."),
        _same(RAW, "client_id", "VARCHAR", "The Codex client (a CodexClient value)."),
        _same(RAW, "workspace_id", "VARCHAR", "The ChatGPT workspace."),
        _same(RAW, "principal_id", "VARCHAR", "The principal whose logs these are."),
        _same(RAW, "principal_type", "VARCHAR", "CHATGPT_WORKSPACE or API_PLATFORM_ORG."),
        _same(RAW, "actor_type", "VARCHAR", "ACCOUNT_USER, API_KEY or SYSTEM."),
        _same(RAW, "user_id", "VARCHAR", "The acting user's compliance id (user-...)."),
        _same(RAW, "user_email", "VARCHAR", "The acting user's email. Restricted."),
        _same(RAW, "credential_id", "VARCHAR", "Personal access token that authenticated it."),
        _same(RAW, "session_id", "VARCHAR", "The Codex session (thread)."),
        _same(RAW, "turn_id", "VARCHAR", "The turn within the session."),
        _same(RAW, "tool_call_id", "VARCHAR", "The tool call (TOOL_CALL_* events)."),
        _same(RAW, "model", "VARCHAR", "The model."),
        _same(RAW, "status", "VARCHAR", "Response or tool-call status."),
        _same(RAW, "tool_name", "VARCHAR", "The tool's name (TOOL_CALL_* events)."),
        Column(
            "tool_type", "VARCHAR", "The tool's type (TOOL_CALL_* events).", refs(RAW, "record")
        ),
        Column(
            "prompt_text",
            "VARCHAR",
            "The prompt as sent (PROMPT_SENT). Restricted.",
            refs(RAW, "record"),
        ),
        Column(
            "response_text",
            "VARCHAR",
            "The response (PROMPT_RESPONSE_RECEIVED). Restricted.",
            refs(RAW, "record"),
        ),
        Column(
            "tool_input",
            "VARCHAR",
            "The tool call's input (TOOL_CALL_*). Restricted.",
            refs(RAW, "record"),
        ),
        *(_same(RAW, name, "BIGINT", description) for name, description in _TOKENS),
        _same(RAW, "access_token_id", "VARCHAR", "The access token (ACCESS_TOKEN_* events)."),
        _same(RAW, "access_token_name", "VARCHAR", "The access token's name."),
        _same(RAW, "created_by_user_id", "VARCHAR", "Who created the access token."),
        _same(RAW, "expires_at", "TIMESTAMP", "When the access token expires (UTC)."),
        _same(
            RAW,
            "record",
            "JSON",
            "The event exactly as delivered (every field, unknown ones included). Restricted.",
        ),
        _same(RAW, "file_id", "VARCHAR", "The log file the kept copy came from."),
        _same(RAW, "file_end_time", "TIMESTAMP", "That file's end_time (UTC)."),
        # Added after the first release: last, and filled from `record` in older tables.
        *(_agent(name, description) for name, description in _AGENT),
    ),
)

_EVENT_DAY = Column(
    "day", "DATE", "UTC date of the events' timestamps.", refs(EVENTS, "timestamp"), False
)
"""The day column of the marts by event date (the events' own UTC dates, late ones included)."""

ACTIVITY_SPEC = TableSpec(
    qualified_name="marts.compliance_activity_daily",
    description=(
        "Codex activity per UTC day and user from the audit log: sessions, prompts, "
        "responses, tool calls and tokens. Days are the events' own dates (late events "
        "included). No text, no emails."
    ),
    grain=("day", "user_id"),
    refresh="daily",
    upstream=(EVENTS,),
    sql_file="defs/compliance/activity_daily.sql",
    tests=MARTS_TESTS,
    columns=(
        _EVENT_DAY,
        Column(
            "user_id", "VARCHAR", "The user's compliance id (user-...).", refs(EVENTS, "user_id")
        ),
        Column(
            "sessions",
            "BIGINT",
            "Distinct sessions with a prompt, response or tool call that day.",
            refs(EVENTS, "session_id"),
            False,
        ),
        Column(
            "prompts",
            "BIGINT",
            "PROMPT_SENT events.",
            refs(EVENTS, "event_type"),
            False,
        ),
        Column(
            "responses",
            "BIGINT",
            "PROMPT_RESPONSE_RECEIVED events.",
            refs(EVENTS, "event_type"),
            False,
        ),
        Column(
            "tool_calls",
            "BIGINT",
            "Distinct tool calls with a TOOL_CALL_* event (by tool_call_id; an event without "
            "one counts once).",
            refs(EVENTS, "tool_call_id", "event_type"),
            False,
        ),
        *(
            Column(
                name,
                "BIGINT",
                f"Sum over the day's responses of {description[0].lower()}{description[1:]} "
                "0 when none reported usage.",
                refs(EVENTS, name),
                False,
            )
            for name, description in _TOKENS
        ),
    ),
)

AGENT_ACTIVITY_SPEC = TableSpec(
    qualified_name="marts.compliance_agent_activity_daily",
    description=(
        "Codex audit events attributed to an agent identity (the events' optional `agent`), "
        "per UTC day, user and agent: which agents acted, for whom, how often. Events naming "
        "no agent are not here (marts.compliance_activity_daily counts all activity). Days "
        "are the events' own dates. No text, no emails."
    ),
    grain=("day", "user_id", "agent_type", "agent_id", "agent_name"),
    refresh="daily",
    upstream=(EVENTS,),
    sql_file="defs/compliance/agent_activity_daily.sql",
    tests=("tests/unit/test_compliance_agent.py", "tests/property/test_compliance_conformance.py"),
    columns=(
        _EVENT_DAY,
        Column(
            "user_id",
            "VARCHAR",
            "The acting user's compliance id (user-...); NULL when the actor is not a user.",
            refs(EVENTS, "user_id"),
        ),
        Column(
            "agent_type", "VARCHAR", "The agent's type (agent.type).", refs(EVENTS, "agent_type")
        ),
        Column(
            "agent_id",
            "VARCHAR",
            "The agent's id (agent.id); NULL when the event gives none.",
            refs(EVENTS, "agent_id"),
        ),
        Column(
            "agent_name",
            "VARCHAR",
            "The agent's name (agent.name); NULL when the event gives none.",
            refs(EVENTS, "agent_name"),
        ),
        Column(
            "events",
            "BIGINT",
            "Deduplicated audit events of any event_type attributed to the agent that day.",
            refs(EVENTS, "event_id"),
            False,
        ),
        Column(
            "sessions",
            "BIGINT",
            "Distinct sessions among those events (0 when none names a session).",
            refs(EVENTS, "session_id"),
            False,
        ),
    ),
)

ACCESS_TOKENS_SPEC = TableSpec(
    qualified_name="marts.access_token_events",
    description=(
        "Every ACCESS_TOKEN_CREATED and ACCESS_TOKEN_REVOKED event of the Codex audit log, "
        "deduplicated: who created or revoked which token, and when it expires."
    ),
    grain=("event_id",),
    refresh="snapshot",
    upstream=(EVENTS,),
    sql_file="defs/compliance/access_token_events.sql",
    tests=MARTS_TESTS,
    columns=(
        Column("event_id", "VARCHAR", "The audit event.", refs(EVENTS, "event_id"), False),
        Column("timestamp", "TIMESTAMP", "When it happened (UTC).", refs(EVENTS, "timestamp")),
        Column(
            "action",
            "VARCHAR",
            "created or revoked.",
            refs(EVENTS, "event_type"),
            False,
        ),
        Column("access_token_id", "VARCHAR", "The token.", refs(EVENTS, "access_token_id")),
        Column(
            "access_token_name",
            "VARCHAR",
            "The token's name.",
            refs(EVENTS, "access_token_name"),
        ),
        Column(
            "created_by_user_id",
            "VARCHAR",
            "Who created the token (user-...).",
            refs(EVENTS, "created_by_user_id"),
        ),
        Column(
            "actor_user_id",
            "VARCHAR",
            "Who performed this action (user-...).",
            refs(EVENTS, "user_id"),
        ),
        Column(
            "expires_at",
            "TIMESTAMP",
            "When the token expires (UTC); NULL: never.",
            refs(EVENTS, "expires_at"),
        ),
    ),
)

FINDINGS_SPEC = TableSpec(
    qualified_name="restricted.secret_findings",
    description=(
        "Credentials and private keys found in Codex prompts, responses and tool inputs (a DLP "
        "scan of restricted.compliance_events). The excerpt is redacted: it never holds the "
        "secret."
    ),
    grain=("event_id", "field", "position"),
    tests=("tests/unit/test_compliance_marts.py", "tests/unit/test_dlp.py"),
    columns=(
        Column(
            "day",
            "DATE",
            "Partition that first delivered the event (as restricted.compliance_events.day).",
            refs(EVENTS, "day"),
            False,
        ),
        Column("event_id", "VARCHAR", "The event the secret is in.", refs(EVENTS, "event_id")),
        Column(
            "timestamp", "TIMESTAMP", "When the event happened (UTC).", refs(EVENTS, "timestamp")
        ),
        Column(
            "user_id", "VARCHAR", "Who sent or received it (user-...).", refs(EVENTS, "user_id")
        ),
        Column(
            "field",
            "VARCHAR",
            "Where it was found: prompt_text, response_text or tool_input.",
            (),
            False,
        ),
        Column(
            "kind",
            "VARCHAR",
            "What was found (see codex_assets/defs/compliance/dlp.py).",
            (),
            False,
        ),
        Column(
            "position",
            "INTEGER",
            "Character offset of the finding in the field (to tell findings apart).",
            (),
            False,
        ),
        Column(
            "excerpt",
            "VARCHAR",
            "The text around it with every secret replaced by [REDACTED:<kind>].",
            refs(EVENTS, "prompt_text", "response_text", "tool_input"),
            False,
        ),
    ),
)

ALL_SPECS = (EVENTS_SPEC, ACTIVITY_SPEC, AGENT_ACTIVITY_SPEC, ACCESS_TOKENS_SPEC, FINDINGS_SPEC)
MARTS: dict[str, TableSpec] = {spec.name: spec for spec in ALL_SPECS if spec.refresh is not None}
"""The compliance marts, rebuilt from their SQL by `codex_assets.defs.compliance.marts`."""
