"""Helpers for compliance tests: handcrafted CODEX_LOG events and files landed into a lake."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson

from codex_assets.defs.compliance.landing import FILE_COLUMNS, RAW_TABLE
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql

WORKSPACE = "be545252-ad04-4cfa-9ca5-deca58416151"


def event(
    event_id: str,
    timestamp: str,
    event_type: str,
    *,
    user: str = "user-A",
    email: str = "a@example.com",
    client: str = "CODEX_CLI",
    **details: Any,
) -> dict[str, Any]:
    """A CODEX_LOG event in SPEC's envelope; `details` become event_details fields."""
    return {
        "event_id": event_id,
        "type": "CODEX_LOG",
        "timestamp": timestamp,
        "principal": {"id": WORKSPACE, "type": "CHATGPT_WORKSPACE"},
        "actor": {"type": "ACCOUNT_USER", "user_id": user, "user_email": email},
        "event_type": event_type,
        "client_id": client,
        "workspace_id": WORKSPACE,
        "event_details": {"detail_type": event_type, **details},
    }


def body(*events: dict[str, Any]) -> bytes:
    return b"".join(orjson.dumps(e) + b"\n" for e in events)


def land(
    lake: Lake,
    day: date,
    files: Sequence[tuple[str, datetime, bytes]],
    *,
    use_pipes: bool | None = None,
) -> int:
    """Land (file_id, end_time, body) files as partition `day` of the compliance table."""
    parts = [
        {
            "file_id": file_id,
            "file_name": f"{file_id}.jsonl",
            "file_end_time": end,
            "file_sha256": hashlib.sha256(data).hexdigest(),
        }
        for file_id, end, data in files
    ]
    with lake.stream_partition(
        RAW_TABLE,
        day,
        read_sql("defs/compliance/raw_codex_log.sql"),
        parts=parts,
        columns=FILE_COLUMNS,
        use_pipes=use_pipes,
    ) as stream:
        for _, _, data in files:
            stream.write(data)
        return stream.commit()
