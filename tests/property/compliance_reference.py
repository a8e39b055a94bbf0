"""A second implementation of the compliance tables' definitions, from the files served.

From docs/compliance.md ("Duplicates and late events") and the column descriptions of
`restricted.compliance_events` and `marts.compliance_activity_daily` (docs/raw-schema.md,
codex_assets/defs/compliance/specs.py descriptions), never from the project's SQL: each
`event_id` once, from its first delivery (earliest partition day, then file end time, then
file id), the typed columns read from the event as the contract names its fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from tests.property.compliance_strategies import ServedFile

TOKENS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens")
_ACTIVITY_TYPES = ("PROMPT_SENT", "PROMPT_RESPONSE_RECEIVED")


def utc_naive(text: str | None) -> datetime | None:
    """An ISO 8601 time as a naive UTC datetime (DuckDB's TIMESTAMP)."""
    if text is None:
        return None
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def first_deliveries(
    files: Iterable[ServedFile], loaded: set[date]
) -> list[tuple[ServedFile, dict]]:
    """(file, event) of each event's first delivery among the loaded days' files."""
    ordered = sorted((f for f in files if f.day in loaded), key=lambda f: (f.day, f.end_time, f.id))
    seen: set[str] = set()
    kept = []
    for served in ordered:
        for record in served.lines:
            if record["event_id"] not in seen:
                seen.add(record["event_id"])
                kept.append((served, record))
    return kept


def event_columns(record: dict) -> dict[str, Any]:
    """The typed columns of an event, read from its fields as the contract names them."""
    details = record.get("event_details") or {}
    actor = record.get("actor") or {}
    principal = record.get("principal") or {}
    usage = details.get("token_usage") or {}
    columns = {
        "event_id": record["event_id"],
        "timestamp": utc_naive(record["timestamp"]),
        "type": record.get("type"),
        "event_type": record.get("event_type"),
        "client_id": record.get("client_id"),
        "workspace_id": record.get("workspace_id"),
        "principal_id": principal.get("id"),
        "principal_type": principal.get("type"),
        "actor_type": actor.get("type"),
        "user_id": actor.get("user_id"),
        "user_email": actor.get("user_email"),
        "credential_id": actor.get("credential_id"),
        "access_token_id": details.get("access_token_id"),
        "access_token_name": details.get("access_token_name"),
        "created_by_user_id": details.get("created_by_user_id"),
        "expires_at": utc_naive(details.get("expires_at")),
    }
    agent = record.get("agent")
    for name in ("type", "id", "name"):  # an `agent` that is not an object names no agent
        columns[f"agent_{name}"] = agent.get(name) if isinstance(agent, dict) else None
    for name in ("session_id", "turn_id", "tool_call_id", "model", "status", "tool_name",
                 "tool_type", "prompt_text", "response_text", "tool_input"):  # fmt: skip
        columns[name] = details.get(name)
    for name in TOKENS:
        columns[name] = usage.get(name)
    return columns


def compliance_events(files: Iterable[ServedFile], loaded: set[date]) -> pd.DataFrame:
    """restricted.compliance_events: every event once, from its first delivery."""
    records = [
        {
            **event_columns(record),
            "day": served.day,
            "record": record,
            "file_id": served.id,
            "file_end_time": served.end_time.replace(tzinfo=None),
        }
        for served, record in first_deliveries(files, loaded)
    ]
    return pd.DataFrame(records, dtype=object)


def activity_daily(events: pd.DataFrame) -> pd.DataFrame:
    """marts.compliance_activity_daily, per the events' own UTC day and user."""
    records = []
    if events.empty:
        return pd.DataFrame(records, dtype=object)
    events = events.assign(event_day=[t.date() for t in events["timestamp"]])
    for (day, user_id), group in events.groupby(["event_day", "user_id"], dropna=False):
        kinds = group["event_type"]
        tools = group[[str(k).startswith("TOOL_CALL_") for k in kinds]]
        active = group[[k in _ACTIVITY_TYPES or str(k).startswith("TOOL_CALL_") for k in kinds]]
        responses = group[kinds == "PROMPT_RESPONSE_RECEIVED"]
        with_id = {t for t in tools["tool_call_id"] if t is not None}
        record = {
            "day": day,
            "user_id": user_id,
            "sessions": len({s for s in active["session_id"] if s is not None}),
            "prompts": int((kinds == "PROMPT_SENT").sum()),
            "responses": len(responses),
            "tool_calls": len(with_id) + sum(1 for t in tools["tool_call_id"] if t is None),
        }
        for name in TOKENS:
            record[name] = sum(v for v in responses[name] if v is not None)
        records.append(record)
    return pd.DataFrame(records, dtype=object)


def access_token_events(events: pd.DataFrame) -> pd.DataFrame:
    """marts.access_token_events: every ACCESS_TOKEN_CREATED / _REVOKED event, once."""
    actions = {"ACCESS_TOKEN_CREATED": "created", "ACCESS_TOKEN_REVOKED": "revoked"}
    records = [
        {
            "event_id": row["event_id"],
            "timestamp": row["timestamp"],
            "action": actions[row["event_type"]],
            "access_token_id": row["access_token_id"],
            "access_token_name": row["access_token_name"],
            "created_by_user_id": row["created_by_user_id"],
            "actor_user_id": row["user_id"],
            "expires_at": row["expires_at"],
        }
        for row in events.to_dict("records")
        if row["event_type"] in actions
    ]
    columns = ["event_id", "timestamp", "action", "access_token_id", "access_token_name",
               "created_by_user_id", "actor_user_id", "expires_at"]  # fmt: skip
    return pd.DataFrame(records, columns=columns, dtype=object)


def agent_activity_daily(events: pd.DataFrame) -> pd.DataFrame:
    """marts.compliance_agent_activity_daily: the events naming an agent (an `agent` object),
    per their UTC day, user and agent: how many, and their distinct sessions."""
    groups: dict[tuple, list[dict]] = {}
    for row in events.to_dict("records"):
        agent = row["record"].get("agent")
        if not isinstance(agent, dict):
            continue
        key = (row["timestamp"].date(), row["user_id"], agent.get("type"), agent.get("id"),
               agent.get("name"))  # fmt: skip
        groups.setdefault(key, []).append(row)
    records = [
        {
            "day": day,
            "user_id": user_id,
            "agent_type": agent_type,
            "agent_id": agent_id,
            "agent_name": agent_name,
            "events": len(rows),
            "sessions": len({r["session_id"] for r in rows if r["session_id"] is not None}),
        }
        for (day, user_id, agent_type, agent_id, agent_name), rows in groups.items()
    ]
    columns = ["day", "user_id", "agent_type", "agent_id", "agent_name", "events", "sessions"]
    return pd.DataFrame(records, columns=columns, dtype=object)
