"""The optional CODEX_LOG `agent` {type, id?, name?} (contract v2.5.37): typed columns in the
views and in restricted.compliance_events (NULL when absent), the per-agent mart, and tables an
earlier version made without the columns, migrated in place."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import duckdb
import pytest

from codex_assets.defs.compliance.export import export_day
from codex_assets.defs.compliance.marts import refresh_activity, refresh_agent_activity
from codex_assets.defs.compliance.retention import purge_compliance
from codex_assets.defs.compliance.specs import ACTIVITY_SPEC, AGENT_ACTIVITY_SPEC, EVENTS_SPEC
from codex_assets.defs.compliance.warehouse import (
    RAW_VIEW,
    RESTRICTED_VIEW,
    create_compliance_views,
    refresh_compliance_events,
)
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql
from codex_assets.lib.tables import Column, TableSpec
from tests.support.compliance import body, event, land

D1, D2 = date(2026, 5, 6), date(2026, 5, 7)
AGENT_COLUMNS = ("agent_type", "agent_id", "agent_name")
REVIEWER = {"type": "CUSTOM_AGENT", "id": "agt_123", "name": "reviewer"}


def _with_agent(e: dict, agent) -> dict:
    e["agent"] = agent
    return e


def _events() -> dict[date, list[dict]]:
    d1 = [
        _with_agent(
            event("a1", "2026-05-06T09:00:00Z", "PROMPT_SENT", session_id="s1", prompt_text="x"),
            REVIEWER,
        ),
        _with_agent(
            event(
                "a2",
                "2026-05-06T09:01:00Z",
                "PROMPT_RESPONSE_RECEIVED",
                session_id="s1",
                response_text="y",
                status="completed",
            ),
            REVIEWER,
        ),
        _with_agent(  # only the required `type`
            event("a3", "2026-05-06T10:00:00Z", "TOOL_CALL_COMPLETED", session_id="s2"),
            {"type": "CODEX_CLOUD_AGENT"},
        ),
        event("n1", "2026-05-06T11:00:00Z", "PROMPT_SENT", session_id="s3", prompt_text="z"),
        _with_agent(  # explicitly null, or not an object: no agent
            event("n2", "2026-05-06T11:01:00Z", "PROMPT_SENT", session_id="s3"), None
        ),
        _with_agent(
            event("n3", "2026-05-06T11:02:00Z", "PROMPT_SENT", session_id="s3"), "not-an-object"
        ),
        _with_agent(  # another user's agent, numeric id read as text
            event("b1", "2026-05-06T12:00:00Z", "PROMPT_SENT", user="user-B", session_id="s4"),
            {"type": "CUSTOM_AGENT", "id": 7, "name": "triage"},
        ),
    ]
    d2 = [d1[0]]  # a1 delivered again the next day (at-least-once)
    return {D1: d1, D2: d2}


EXPECTED = {
    "a1": ("CUSTOM_AGENT", "agt_123", "reviewer"),
    "a2": ("CUSTOM_AGENT", "agt_123", "reviewer"),
    "a3": ("CODEX_CLOUD_AGENT", None, None),
    "n1": (None, None, None),
    "n2": (None, None, None),
    "n3": (None, None, None),
    "b1": ("CUSTOM_AGENT", "7", "triage"),
}


@pytest.fixture
def world(tmp_path):
    (tmp_path / "data").mkdir()
    lake = Lake(tmp_path / "data" / "lake")
    for day, events in _events().items():
        land(lake, day, [(f"f-{day}", datetime(day.year, day.month, day.day, 23), body(*events))])
    conn = duckdb.connect(str(tmp_path / "data" / "codex.duckdb"))
    yield lake, conn, tmp_path / "data"
    conn.close()


def _agents(conn, relation: str) -> dict[str, tuple]:
    rows = conn.execute(
        f"SELECT event_id, {', '.join(AGENT_COLUMNS)} FROM {relation} ORDER BY event_id"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_the_views_type_the_agent_and_leave_null_when_absent(world):
    lake, conn, _ = world
    assert create_compliance_views(conn, lake)
    assert _agents(conn, RESTRICTED_VIEW) == EXPECTED
    assert _agents(conn, RAW_VIEW) == EXPECTED  # not restricted: no text, no email
    raw_columns = [row[0] for row in conn.execute(f"DESCRIBE {RAW_VIEW}").fetchall()]
    assert raw_columns[raw_columns.index("credential_id") + 1 :][:3] == list(AGENT_COLUMNS)


def test_the_events_carry_the_agent_once(world):
    lake, conn, _ = world
    refresh_compliance_events(conn, lake, D1, D2)
    assert _agents(conn, EVENTS_SPEC.qualified_name) == EXPECTED
    described = conn.execute(f"DESCRIBE {EVENTS_SPEC.qualified_name}").fetchall()
    assert [(name, kind) for name, kind, *_ in described][-3:] == [
        (name, "VARCHAR") for name in AGENT_COLUMNS
    ]


def test_the_agent_mart_counts_attributed_events_per_day_user_and_agent(world):
    lake, conn, _ = world
    refresh = refresh_compliance_events(conn, lake, D1, D2)
    assert refresh_agent_activity(conn, refresh.event_days) == 3
    rows = conn.execute(
        f"SELECT * FROM {AGENT_ACTIVITY_SPEC.qualified_name} ORDER BY user_id, agent_type"
    ).fetchall()
    assert rows == [
        (D1, "user-A", "CODEX_CLOUD_AGENT", None, None, 1, 1),
        (D1, "user-A", "CUSTOM_AGENT", "agt_123", "reviewer", 2, 1),  # a1 once, not twice
        (D1, "user-B", "CUSTOM_AGENT", "7", "triage", 1, 1),
    ]
    described = conn.execute(f"DESCRIBE {AGENT_ACTIVITY_SPEC.qualified_name}").fetchall()
    columns = [row[0] for row in described]
    assert columns == list(AGENT_ACTIVITY_SPEC.column_names)
    # A rebuild replaces the days exactly; the all-activity mart is unchanged by agents.
    assert refresh_agent_activity(conn, refresh.event_days) == 3
    refresh_activity(conn, refresh.event_days)
    assert conn.execute(f"SELECT sum(prompts) FROM {ACTIVITY_SPEC.qualified_name}").fetchone() == (
        5,
    )


def test_retention_purges_the_agent_mart_with_the_rest(world):
    lake, conn, data_dir = world
    refresh = refresh_compliance_events(conn, lake, D1, D2)
    refresh_agent_activity(conn, refresh.event_days)
    purge_compliance(lake, conn, data_dir, 1, datetime(2026, 5, 8, 12, tzinfo=UTC))
    assert conn.execute(
        f"SELECT count(*) FROM {AGENT_ACTIVITY_SPEC.qualified_name}"
    ).fetchone() == (0,)


def _previous_version() -> TableSpec:
    """restricted.compliance_events as the release before the agent columns made it."""
    return dataclasses.replace(
        EVENTS_SPEC,
        columns=tuple(c for c in EVENTS_SPEC.columns if c.name not in AGENT_COLUMNS),
    )


def test_a_table_an_earlier_version_made_is_migrated_in_place(world, tmp_path):
    """The earlier version's table (its DDL, its rows) gains the columns, filled from `record`
    exactly as a rebuild fills them, in the same column order; the next refresh and the
    export work on it and give the same bytes as a warehouse built by this version."""
    lake, conn, data_dir = world
    old = _previous_version()
    old.ensure(conn)
    create_compliance_views(conn, lake)
    conn.execute(
        f"INSERT INTO {old.qualified_name} BY NAME "
        f"SELECT * EXCLUDE ({', '.join(AGENT_COLUMNS)}) FROM ({_insert_sql()})",
        {"start": D1, "end": D2},
    )
    held = conn.execute(f"SELECT count(*) FROM {old.qualified_name}").fetchone()
    assert held == (7,)

    EVENTS_SPEC.ensure(conn)  # what every compliance step does first
    assert _agents(conn, EVENTS_SPEC.qualified_name) == EXPECTED
    assert conn.execute(f"SELECT count(*) FROM {EVENTS_SPEC.qualified_name}").fetchone() == held
    (comment,) = conn.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'restricted' "
        "AND table_name = 'compliance_events' AND column_name = 'agent_name'"
    ).fetchone()
    assert comment == EVENTS_SPEC.descriptions()["agent_name"]
    EVENTS_SPEC.ensure(conn)  # idempotent once migrated

    fresh_conn = duckdb.connect(str(tmp_path / "fresh.duckdb"))
    refresh_compliance_events(fresh_conn, lake, D1, D2)
    describe = f"DESCRIBE {EVENTS_SPEC.qualified_name}"
    assert conn.execute(describe).fetchall() == fresh_conn.execute(describe).fetchall()

    refresh_compliance_events(conn, lake, D1, D2)
    migrated = export_day(conn, data_dir, D1).parquet.read_bytes()
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    assert export_day(fresh_conn, fresh_dir, D1).parquet.read_bytes() == migrated
    fresh_conn.close()


def test_a_missing_column_without_a_migration_still_asks_for_a_rebuild():
    spec = TableSpec(
        "restricted.t", "t", ("a",), (Column("a", "VARCHAR", "a"), Column("b", "VARCHAR", "b"))
    )
    with duckdb.connect() as conn:
        conn.execute("CREATE SCHEMA restricted")
        conn.execute("CREATE TABLE restricted.t (a VARCHAR)")
        with pytest.raises(RuntimeError, match=r"without the columns b .*drop it"):
            spec.ensure(conn)


def _insert_sql() -> str:
    return read_sql("defs/compliance/events_insert.sql")
