"""Property-based conformance of the Compliance Logs Platform path, listing to deduplicated table.

Hypothesis generates CODEX_LOG histories (compliance_strategies.py: files sharing end times, a
file ending at midnight, events delivered twice or late, any Unicode, equivalent spellings of
the same event) and legal listing pages (fake_compliance_api.py). The project's real
`ComplianceClient` lists and downloads them through an `httpx.MockTransport`;
`land_compliance_days` lands the days in any order (some twice), each followed by
`refresh_compliance_events` and `refresh_activity` as the assets run them. Then:

- each loaded day's partition holds every line of every file of that day, duplicates
  included, with its file's id and end time, and nothing of any other day; every file of a
  loaded day was downloaded once a load, from the signed URL, without the key; no file of a
  day not loaded was;
- `restricted.compliance_events` holds each event once, from its first delivery, with the typed
  columns the contract's fields give (compliance_reference.py, a pandas reimplementation);
- `marts.compliance_activity_daily` and `marts.compliance_agent_activity_daily` count what
  their column descriptions say, and `marts.access_token_events` lists every access-token
  event once.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import event, given

from codex_assets.defs.compliance.client import ComplianceClient, compliance_http_settings
from codex_assets.defs.compliance.landing import RAW_TABLE, land_compliance_days
from codex_assets.defs.compliance.marts import (
    refresh_access_token_events,
    refresh_activity,
    refresh_agent_activity,
)
from codex_assets.defs.compliance.warehouse import refresh_compliance_events
from codex_assets.lib.http.client import ApiHttpClient
from codex_assets.lib.lake import Lake
from tests.property import compliance_reference, profiles, reference
from tests.property.compliance_strategies import ComplianceScenario, compliance_scenarios
from tests.property.fake_compliance_api import FakeComplianceApi
from tests.property.strategies import API_KEY, BASE_URL, WORKSPACE_ID

pytestmark = [pytest.mark.slow, pytest.mark.timeout(profiles.timeout())]

_EVENT_COLUMNS = (
    "day", "timestamp", "type", "event_type", "client_id", "workspace_id", "principal_id",
    "principal_type", "actor_type", "user_id", "user_email", "credential_id", "session_id",
    "turn_id", "tool_call_id", "model", "status", "tool_name", "tool_type", "prompt_text",
    "response_text", "tool_input", *compliance_reference.TOKENS, "access_token_id",
    "access_token_name", "created_by_user_id", "expires_at", "agent_type", "agent_id",
    "agent_name", "record", "file_id", "file_end_time",
)  # fmt: skip
_TOKEN_EVENT_COLUMNS = (
    "timestamp", "action", "access_token_id", "access_token_name", "created_by_user_id",
    "actor_user_id", "expires_at",
)  # fmt: skip
_ACTIVITY_COLUMNS = (
    "sessions", "prompts", "responses", "tool_calls", *compliance_reference.TOKENS,
)  # fmt: skip


@contextmanager
def compliance_client(
    api: FakeComplianceApi, scenario: ComplianceScenario
) -> Iterator[ComplianceClient]:
    """The project's real client (as sources.py builds it), unpaced, on the fake transport."""
    http = ApiHttpClient(
        compliance_http_settings(
            BASE_URL, API_KEY, requests_per_minute=None, downloads_per_minute=None
        ),
        transport=api.transport,
        sleep=lambda seconds: None,
    )
    with http:
        yield ComplianceClient(
            http,
            WORKSPACE_ID,
            list_limit=scenario.limit,
            max_concurrency=scenario.max_concurrency,
            now=lambda: scenario.now,
            sleep=lambda seconds: None,
        )


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = conn.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _canonical(record: Any) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def assert_lake_holds(lake: Lake, scenario: ComplianceScenario) -> None:
    loaded = sorted(set(scenario.load_order))
    assert lake.landed_days(RAW_TABLE) == loaded
    with duckdb.connect() as conn:
        for day in loaded:
            landed = conn.execute(
                "SELECT record::VARCHAR, file_id, file_end_time FROM read_parquet($path)",
                {"path": str(lake.partition_file(RAW_TABLE, day))},
            ).fetchall()
            got = Counter((_canonical(json.loads(r)), f, e) for r, f, e in landed)
            wanted = Counter(
                (_canonical(record), served.id, served.end_time.replace(tzinfo=None))
                for served in scenario.landed_files(day)
                for record in served.lines
            )
            assert got == wanted, (
                f"{RAW_TABLE} {day}: missing {list((wanted - got).elements())[:2]}, "
                f"extra {list((got - wanted).elements())[:2]}"
            )


def assert_downloads(api: FakeComplianceApi, scenario: ComplianceScenario) -> None:
    assert api.violations == [], api.violations
    reloads = Counter(scenario.reloads)
    wanted = +Counter(  # (+: a file never downloaded is not counted)
        {f.id: (0 if f.late else 1) + reloads[f.day] for f in scenario.files_of_days()}
    )
    assert api.downloads == wanted, "each file of a day is downloaded once per load seeing it"


def _label(scenario: ComplianceScenario) -> None:
    """Tell Hypothesis's statistics (--hypothesis-show-statistics) which shapes were hit."""
    loaded = [f for day in scenario.days for f in scenario.landed_files(day)]
    if any(f.late for f in loaded):
        event("a file published late, landed by a re-load")
    ends = Counter(f.end_time for f in loaded)
    if any(copies > 1 for copies in ends.values()):
        event("files sharing an end time")
    if any(f.end_time.time() == time(0) for f in loaded):
        event("a file ending at midnight")
    ids = Counter(record["event_id"] for f in loaded for record in f.lines)
    if any(copies > 1 for copies in ids.values()):
        event("an event delivered twice")
    if any(
        compliance_reference.utc_naive(record["timestamp"]).date() < f.day
        for f in loaded
        for record in f.lines
    ):
        event("a late event from an earlier day")
    if len(scenario.load_order) > len(set(scenario.load_order)):
        event("a day loaded twice")
    if scenario.load_order != sorted(scenario.load_order):
        event("days loaded out of order")
    for mode in set(scenario.plan.modes):
        event(f"listing mode {mode}")


@given(compliance_scenarios())
def test_any_legal_log_history_lands_every_line_and_dedups_to_first_deliveries(
    scenario: ComplianceScenario,
) -> None:
    _label(scenario)
    api = FakeComplianceApi(scenario.files, scenario.plan)
    with (
        tempfile.TemporaryDirectory() as tmp,
        compliance_client(api, scenario) as client,
        duckdb.connect() as conn,
    ):
        lake = Lake(Path(tmp) / "lake")
        for turn, day in enumerate(scenario.load_order):
            if turn == len(scenario.first_pass):
                api.published_late = True  # the late files appear; some days are re-loaded
            report = land_compliance_days(
                client, lake, [day], source="property-test", now=scenario.now
            )
            visible = [f for f in scenario.files_of(day) if api.published_late or not f.late]
            assert report.files_by_day == {day: len(visible)}
            refreshed = refresh_compliance_events(conn, lake, day, day)
            refresh_activity(conn, refreshed.event_days)
            refresh_agent_activity(conn, refreshed.event_days)
            refresh_access_token_events(conn)
        assert_downloads(api, scenario)
        assert_lake_holds(lake, scenario)

        landed = [f for day in scenario.days for f in scenario.landed_files(day)]
        events = compliance_reference.compliance_events(landed, set(scenario.days))
        actual = _rows(conn, "SELECT * FROM restricted.compliance_events")
        for row in actual:
            row["record"] = json.loads(row["record"])
        if events.empty:
            assert actual == []
            return
        reference.assert_same_rows(
            "restricted.compliance_events", actual, events, ("event_id",), _EVENT_COLUMNS
        )
        reference.assert_same_rows(
            "marts.access_token_events",
            _rows(conn, "SELECT * FROM marts.access_token_events"),
            compliance_reference.access_token_events(events),
            ("event_id",),
            _TOKEN_EVENT_COLUMNS,
        )
        reference.assert_same_rows(
            "marts.compliance_agent_activity_daily",
            _rows(conn, "SELECT * FROM marts.compliance_agent_activity_daily"),
            compliance_reference.agent_activity_daily(events),
            ("day", "user_id", "agent_type", "agent_id", "agent_name"),
            ("events", "sessions"),
        )
        activity = compliance_reference.activity_daily(events)
        mart = _rows(conn, "SELECT * FROM marts.compliance_activity_daily")
        # Only (day, user) pairs with activity are defined by the descriptions; a pair whose
        # events are all of other kinds may have a row of zeros, or none.
        defined = activity[
            [any(row[c] for c in _ACTIVITY_COLUMNS) for row in activity.to_dict("records")]
        ]
        mart = [r for r in mart if any(r[c] for c in _ACTIVITY_COLUMNS)]
        reference.assert_same_rows(
            "marts.compliance_activity_daily", mart, defined, ("day", "user_id"), _ACTIVITY_COLUMNS
        )
