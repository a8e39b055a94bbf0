"""From landed partitions to the restricted events, the marts, the DLP findings, the export and
retention, on small handcrafted logs whose right answers are known."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime, timedelta

import duckdb
import orjson
import pytest

from codex_assets.defs.compliance import dlp
from codex_assets.defs.compliance.export import (
    EXPORT_SUBDIR,
    export_day,
    export_days,
    export_paths,
    idle_marker_path,
)
from codex_assets.defs.compliance.findings import refresh_findings
from codex_assets.defs.compliance.landing import RAW_TABLE
from codex_assets.defs.compliance.marts import refresh_access_token_events, refresh_activity
from codex_assets.defs.compliance.privacy import make_private
from codex_assets.defs.compliance.retention import purge_compliance, retention_cutoff
from codex_assets.defs.compliance.specs import (
    ACCESS_TOKENS_SPEC,
    ACTIVITY_SPEC,
    ALL_SPECS,
    EVENTS_SPEC,
    FINDINGS_SPEC,
)
from codex_assets.defs.compliance.warehouse import (
    RAW_VIEW,
    bounded_memory,
    create_compliance_views,
    refresh_compliance_events,
)
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql
from tests.support.compliance import body, event, land

D1, D2, D3 = date(2026, 5, 6), date(2026, 5, 7), date(2026, 5, 8)
SECRET = "ghp_" + "FAKEa1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"
USAGE = {
    "input_tokens": 100,
    "output_tokens": 20,
    "cached_input_tokens": 60,
    "reasoning_output_tokens": 5,
}


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm)


def _ts(day: date, hh: int, mm: int = 0, ss: int = 0) -> str:
    return f"{day}T{hh:02d}:{mm:02d}:{ss:02d}.000000Z"


def turn(
    n: int, day: date, hh: int, *, user: str = "user-A", session: str = "s1", prompt: str = "fix it"
):
    return [
        event(f"p{n}", _ts(day, hh, 1), "PROMPT_SENT", user=user, session_id=session, prompt_text=prompt, turn_id=f"t{n}", model="gpt-5.5"),
        event(f"c{n}", _ts(day, hh, 2), "TOOL_CALL_SUGGESTED", user=user, session_id=session, tool_name="shell", tool_type="local_shell", tool_input="ls", tool_call_id=f"call{n}"),
        event(f"d{n}", _ts(day, hh, 3), "TOOL_CALL_COMPLETED", user=user, session_id=session, tool_name="shell", tool_type="local_shell", tool_input="ls", tool_call_id=f"call{n}"),
        event(f"r{n}", _ts(day, hh, 4), "PROMPT_RESPONSE_RECEIVED", user=user, session_id=session, response_text="done", status="completed", token_usage=USAGE, model="gpt-5.5"),
    ]  # fmt: skip


@pytest.fixture
def world(tmp_path):
    """Three partitions with duplicates across days, a late event and a secret."""
    (tmp_path / "data").mkdir()
    lake = Lake(tmp_path / "data" / "lake")
    conn = duckdb.connect(str(tmp_path / "data" / "codex.duckdb"))
    t1 = turn(1, D1, 9)
    t2 = turn(2, D1, 23, session="s2", prompt=f"use {SECRET} for the deploy")
    t3 = turn(3, D2, 10, user="user-B", session="s3")
    late = event("late", _ts(D1, 23, 58), "PROMPT_SENT", session_id="s2", prompt_text="one more")
    token = event(
        "tok1",
        _ts(D2, 11),
        "ACCESS_TOKEN_CREATED",
        user="user-B",
        access_token_id="cat_1",
        access_token_name="ci",
        created_by_user_id="user-B",
        expires_at="2026-06-07T11:00:00Z",
    )
    revoke = event(
        "tok2",
        _ts(D3, 8),
        "ACCESS_TOKEN_REVOKED",
        user="user-A",
        access_token_id="cat_1",
        access_token_name="ci",
        created_by_user_id="user-B",
        expires_at=None,
    )
    files = {
        D1: [("f1", _at(D1, 10), body(*t1)), ("f2", _at(D2, 0), body(*t2))],
        # D2: the late event of D1, a duplicate of r2 (delivered again), D2's own turn
        D2: [("f3", _at(D2, 0, 10), body(late, t2[3])), ("f4", _at(D2, 11), body(*t3, token))],
        # D3: a duplicate of an event of D2, the revocation
        D3: [("f5", _at(D3, 9), body(t3[0], revoke))],
    }
    return lake, conn, files, tmp_path / "data"


def _land_all(lake, files, days=(D1, D2, D3)):
    for day in days:
        land(lake, day, files[day])


def _events(conn) -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT event_id, day, file_id FROM {EVENTS_SPEC.qualified_name}"
        ).fetchall()
    }


def test_every_event_is_held_once_at_its_first_delivery(world):
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh = refresh_compliance_events(conn, lake, D1, D3)
    held = _events(conn)
    assert len(held) == 15 == refresh.rows
    assert held["r2"] == (D1, "f2") and held["p3"] == (D2, "f4") and held["late"] == (D2, "f3")
    raw = conn.execute(f"SELECT count(*) FROM {RAW_VIEW}").fetchone()[0]
    assert raw == 17  # two duplicates delivered
    assert D1 in refresh.event_days and set(refresh.event_days) == {D1, D2, D3}


def test_out_of_order_loads_and_reruns_converge(world):
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D3, D3)
    refresh_compliance_events(conn, lake, D2, D2)
    assert _events(conn)["p3"] == (D2, "f4")  # the D3 copy was dropped when D2 arrived
    refresh_compliance_events(conn, lake, D1, D1)
    once = _events(conn)
    refresh_compliance_events(conn, lake, D1, D3)
    refresh_compliance_events(conn, lake, D2, D2)
    assert _events(conn) == once
    assert len(once) == 15


def test_a_lake_that_changes_during_the_rebuild_fails_it_and_changes_nothing(world):
    """The dedup reads the lake twice. Renumber the lines between reads (as a partition landed
    again by a concurrent run would): the rebuild fails, naming the cause, and rolls back."""
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D1, D3)
    before = _events(conn)
    create_compliance_views(conn, lake)
    (view,) = conn.execute(
        "SELECT sql FROM duckdb_views() WHERE view_name = 'compliance_codex_log' "
        "AND schema_name = 'restricted'"
    ).fetchone()
    original = view.split(" AS ", 1)[1].rstrip(";")
    conn.execute("CREATE SEQUENCE renumber")  # each read of the view numbers the rows anew
    conn.execute(
        "CREATE OR REPLACE VIEW restricted.compliance_codex_log AS SELECT * REPLACE "
        f"(nextval('renumber') AS lake_row) FROM ({original})"
    )
    with pytest.raises(duckdb.Error, match=r"changed while restricted\.compliance_events"):
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(
                f"INSERT INTO {EVENTS_SPEC.qualified_name} BY NAME "
                f"{read_sql('defs/compliance/events_insert.sql')}",
                {"start": D1, "end": D3},
            )
        finally:
            conn.execute("ROLLBACK")
    assert _events(conn) == before


def test_text_is_extracted_in_restricted_only(world):
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D1, D3)
    prompt, email, tool_input = conn.execute(
        f"SELECT prompt_text, user_email, tool_input FROM {EVENTS_SPEC.qualified_name} WHERE event_id = 'p2'"
    ).fetchone()
    assert SECRET in prompt and email == "a@example.com" and tool_input is None
    raw_columns = {row[0] for row in conn.execute(f"DESCRIBE {RAW_VIEW}").fetchall()}
    assert not raw_columns & {"record", "user_email", "prompt_text", "response_text", "tool_input"}


def test_activity_mart(world):
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh = refresh_compliance_events(conn, lake, D1, D3)
    refresh_activity(conn, refresh.event_days)
    rows = conn.execute(
        "SELECT day, user_id, sessions, prompts, responses, tool_calls, input_tokens, "
        "cached_input_tokens, output_tokens, reasoning_output_tokens "
        f"FROM {ACTIVITY_SPEC.qualified_name} ORDER BY day, user_id"
    ).fetchall()
    assert rows == [
        (D1, "user-A", 2, 3, 2, 2, 200, 120, 40, 10),  # the late prompt counts on its own day
        (D2, "user-B", 1, 1, 1, 1, 100, 60, 20, 5),
    ]


def test_a_late_event_rebuilds_its_own_day(world):
    lake, conn, files, _ = world
    land(lake, D1, files[D1])
    refresh_activity(conn, refresh_compliance_events(conn, lake, D1, D1).event_days)
    before = conn.execute(
        f"SELECT prompts FROM {ACTIVITY_SPEC.qualified_name} WHERE day = $d", {"d": D1}
    ).fetchone()
    land(lake, D2, files[D2])
    refresh = refresh_compliance_events(conn, lake, D2, D2)
    assert D1 in refresh.event_days
    refresh_activity(conn, refresh.event_days)
    after = conn.execute(
        f"SELECT prompts FROM {ACTIVITY_SPEC.qualified_name} WHERE day = $d", {"d": D1}
    ).fetchone()
    assert (before[0], after[0]) == (2, 3)


def test_access_token_events_mart(world):
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D1, D3)
    assert refresh_access_token_events(conn) == 2
    rows = conn.execute(
        f"SELECT event_id, action, access_token_id, access_token_name, created_by_user_id, "
        f"actor_user_id, expires_at FROM {ACCESS_TOKENS_SPEC.qualified_name} ORDER BY timestamp"
    ).fetchall()
    assert rows == [
        ("tok1", "created", "cat_1", "ci", "user-B", "user-B", datetime(2026, 6, 7, 11, 0)),
        ("tok2", "revoked", "cat_1", "ci", "user-B", "user-A", None),
    ]


def test_marts_hold_no_text_and_no_emails(world):
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh = refresh_compliance_events(conn, lake, D1, D3)
    refresh_activity(conn, refresh.event_days)
    refresh_access_token_events(conn)
    for spec in (ACTIVITY_SPEC, ACCESS_TOKENS_SPEC):
        columns = {row[0] for row in conn.execute(f"DESCRIBE {spec.qualified_name}").fetchall()}
        assert columns == set(spec.column_names)
        assert not columns & {"prompt_text", "response_text", "tool_input", "user_email", "record"}
        for row in conn.execute(f"SELECT * FROM {spec.qualified_name}").fetchall():
            text = " ".join(map(str, row))
            assert "@" not in text and "fix it" not in text and SECRET not in text


def test_secret_findings_locate_without_holding_the_secret(world):
    lake, conn, files, _ = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D1, D3)
    assert refresh_findings(conn, D1, D3) == 1
    (row,) = conn.execute(
        f"SELECT event_id, timestamp, user_id, field, kind, excerpt, day FROM {FINDINGS_SPEC.qualified_name}"
    ).fetchall()
    assert row[:5] == ("p2", datetime(2026, 5, 6, 23, 1), "user-A", "prompt_text", "github_token")
    assert SECRET not in row[5] and "[REDACTED:github_token]" in row[5] and row[6] == D1
    assert dlp.scan(row[5]) == []
    assert refresh_findings(conn, D1, D3) == 1  # a rescan replaces, never duplicates
    assert conn.execute(f"SELECT count(*) FROM {FINDINGS_SPEC.qualified_name}").fetchone()[0] == 1


def test_export_is_byte_stable_and_holds_each_event_once(world):
    lake, conn, files, data_dir = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D1, D3)
    first = {day: export_day(conn, data_dir, day) for day in (D1, D2, D3)}
    snapshot = {p: p.read_bytes() for e in first.values() for p in (e.jsonl, e.parquet)}
    # Rebuild everything from the lake and export again: the same bytes.
    conn.execute(f"DROP TABLE {EVENTS_SPEC.qualified_name}")
    refresh_compliance_events(conn, lake, D1, D3)
    second = {day: export_day(conn, data_dir, day) for day in (D1, D2, D3)}
    assert {p: p.read_bytes() for e in second.values() for p in (e.jsonl, e.parquet)} == snapshot
    lines = [line for e in first.values() for line in e.jsonl.read_bytes().splitlines()]
    ids = [orjson.loads(line)["event_id"] for line in lines]
    assert len(ids) == len(set(ids)) == 15
    jsonl, parquet = export_paths(data_dir, D1)
    assert jsonl.name == "codex_log-2026-05-06.jsonl" and parquet.suffix == ".parquet"
    day1 = [orjson.loads(line) for line in jsonl.read_bytes().splitlines()]
    assert [e["timestamp"] for e in day1] == sorted(e["timestamp"] for e in day1)
    assert lines[0] == body(turn(1, D1, 9)[0]).strip()  # verbatim, earliest first
    assert stat.S_IMODE(jsonl.stat().st_mode) == 0o600
    assert stat.S_IMODE(jsonl.parent.stat().st_mode) == 0o700
    with duckdb.connect() as reader:
        count = reader.execute(f"SELECT count(*) FROM '{parquet}'").fetchone()[0]
    assert count == len(day1)


def _exported_ids(data_dir) -> list[str]:
    return [
        orjson.loads(line)["event_id"]
        for path in sorted((data_dir / EXPORT_SUBDIR).glob("*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]


def test_an_earlier_day_loaded_later_rewrites_the_stale_later_exports(world):
    """D2 and D3 are loaded and exported first, then D1 (a backfill after an outage): r2 was
    first delivered on D1 and again on D2, so it moves to D1 and leaves D2's export; D3's
    export is untouched."""
    lake, conn, files, data_dir = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D2, D3)
    export_days(conn, data_dir, [D2, D3])
    assert "r2" in _exported_ids(data_dir)
    d3_bytes = export_paths(data_dir, D3)[0].read_bytes()
    refresh_compliance_events(conn, lake, D1, D1)
    exported, rewritten = export_days(conn, data_dir, [D1])
    assert [e.day for e in exported] == [D1] and [e.day for e in rewritten] == [D2]
    ids = _exported_ids(data_dir)
    assert len(ids) == len(set(ids)) == 15
    assert export_paths(data_dir, D3)[0].read_bytes() == d3_bytes
    # The same as loading in order, byte for byte.
    in_order = {e.day: e.jsonl_sha256 for e in export_days(conn, data_dir, [D1, D2, D3])[0]}
    assert in_order[D2] == rewritten[0].jsonl_sha256
    assert export_days(conn, data_dir, [D1])[1] == []  # nothing stale any more


def test_retention_purges_only_older_compliance_data(world):
    lake, conn, files, data_dir = world
    _land_all(lake, files)
    analytics = lake.root / "usage_users" / f"day={D1}" / "data.parquet"
    analytics.parent.mkdir(parents=True)
    analytics.write_bytes(b"analytics")
    refresh = refresh_compliance_events(conn, lake, D1, D3)
    refresh_activity(conn, refresh.event_days)
    refresh_access_token_events(conn)
    refresh_findings(conn, D1, D3)
    for day in (D1, D2, D3):
        export_day(conn, data_dir, day)

    now = datetime(2026, 5, 8, 12, tzinfo=UTC)
    assert purge_compliance(lake, conn, data_dir, None, now).partitions == ()
    assert lake.landed_days(RAW_TABLE) == [D1, D2, D3]

    purge = purge_compliance(lake, conn, data_dir, 1, now)  # keep from 2026-05-07
    assert purge.cutoff == D2 and purge.partitions == (D1,)
    assert lake.landed_days(RAW_TABLE) == [D2, D3]
    assert analytics.read_bytes() == b"analytics"
    assert conn.execute(f"SELECT min(day) FROM {EVENTS_SPEC.qualified_name}").fetchone()[0] == D2
    assert conn.execute(f"SELECT count(*) FROM {FINDINGS_SPEC.qualified_name}").fetchone()[0] == 0
    assert conn.execute(f"SELECT min(day) FROM {ACTIVITY_SPEC.qualified_name}").fetchone()[0] == D2
    assert (
        conn.execute(f"SELECT count(*) FROM {ACCESS_TOKENS_SPEC.qualified_name}").fetchone()[0] == 2
    )
    assert not export_paths(data_dir, D1)[0].exists() and export_paths(data_dir, D2)[0].exists()
    assert create_compliance_views(conn, lake)
    assert purge_compliance(lake, conn, data_dir, 1, now).partitions == ()


def test_retention_cutoff():
    now = datetime(2026, 5, 10, 1, tzinfo=UTC)
    assert retention_cutoff(None, now) is None
    assert retention_cutoff(30, now) == date(2026, 4, 10)
    with pytest.raises(ValueError):
        retention_cutoff(0, now)


def test_make_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    database = data / "codex.duckdb"
    duckdb.connect(str(database)).close()
    os.chmod(database, 0o644)
    make_private(data, database)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    make_private(data, "md:my_db")  # MotherDuck: nothing local to change


def test_the_specs_lineage_names_real_columns():
    known = {
        "raw.compliance_codex_log": None,  # the lake table: checked by the integration test
        EVENTS_SPEC.qualified_name: set(EVENTS_SPEC.column_names),
    }
    for spec in ALL_SPECS:
        for column in spec.columns:
            for table, source in column.lineage:
                assert table in known, (spec.qualified_name, column.name)
                if known[table] is not None:
                    assert source in known[table], (spec.qualified_name, column.name, source)


def test_an_idle_day_exports_a_marker_not_an_empty_file(world):
    """A day landed with no events: no JSONL or Parquet file (zero bytes reads as a failed
    export), but a marker that says so; a later export with events replaces the marker."""
    lake, conn, files, data_dir = world
    idle = D1 - timedelta(days=5)
    exported = export_day(conn, data_dir, idle)
    assert (exported.events, exported.jsonl, exported.parquet) == (0, None, None)
    assert exported.idle_marker == idle_marker_path(data_dir, idle)
    marker = orjson.loads(exported.idle_marker.read_bytes())
    assert (marker["day"], marker["events"], marker["status"]) == (idle.isoformat(), 0, "idle")
    assert stat.S_IMODE(exported.idle_marker.stat().st_mode) == 0o600
    names = sorted(p.name for p in (data_dir / EXPORT_SUBDIR).iterdir())
    assert names == [f"codex_log-{idle.isoformat()}.idle.json"]
    # D1 was marked idle before it was loaded; once it holds events, its files replace it.
    export_day(conn, data_dir, D1)
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D1, D3)
    assert export_day(conn, data_dir, D1).events > 0
    assert not idle_marker_path(data_dir, D1).exists()


def test_export_days_skips_days_never_landed(world):
    lake, conn, files, data_dir = world
    _land_all(lake, files)
    refresh_compliance_events(conn, lake, D1, D3)
    exported, _ = export_days(conn, data_dir, [D1, D2, D3], landed={D1, D3})
    assert [e.day for e in exported] == [D1, D3]
    assert not any(p.exists() for p in export_paths(data_dir, D2))
    assert not idle_marker_path(data_dir, D2).exists()


def test_bounded_memory_caps_duckdb_and_restores_its_settings():
    """The downstream steps cap DuckDB at 512 MB (a million-event day peaked at 2.75 GiB
    without it), and give the shared database instance its settings back, even on error."""
    with duckdb.connect() as conn:

        def settings() -> tuple:
            return conn.execute(
                "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
            ).fetchone()

        assert settings()[1] is True
        with bounded_memory(conn):
            assert settings() == ("488.2 MiB", False)
        assert settings()[0] != "488.2 MiB" and settings()[1] is True
        with pytest.raises(RuntimeError), bounded_memory(conn, "256MB"):
            assert settings()[0] == "244.1 MiB"
            raise RuntimeError("a failing step")
        assert settings()[1] is True and settings()[0] != "244.1 MiB"
