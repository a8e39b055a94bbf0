"""Where the partitions start: set, recorded or fresh, and never later once recorded."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from codex_assets.defs import partitions
from codex_assets.defs.analytics.window import oldest_servable_day
from codex_assets.defs.compliance.window import oldest_retained_day
from codex_assets.lib.partition_starts import (
    RECORD_FILE,
    Starts,
    parse_start,
    read_record,
    resolve,
    write_record,
)
from codex_assets.lib.settings import SettingsError
from codex_assets.lib.utc import utc_now

FRESH = Starts(date(2026, 9, 5), date(2026, 11, 5), "fresh install")
RECORDED = Starts(date(2026, 8, 1), date(2026, 10, 1), "recorded")


def test_a_set_start_is_the_analytics_start_and_compliance_follows_as_on_a_fresh_install():
    starts = resolve(date(2026, 3, 1), RECORDED, FRESH, [date(2026, 1, 1)], [date(2026, 1, 1)])
    assert (starts.analytics, starts.compliance) == (date(2026, 3, 1), date(2026, 5, 1))
    assert starts.compliance - starts.analytics == FRESH.compliance - FRESH.analytics
    assert starts.origin == "CODEX_START_DATE"


def test_a_record_wins_over_the_calendar_and_a_fresh_install_starts_at_the_api_windows():
    assert resolve(None, RECORDED, FRESH) == RECORDED
    assert resolve(None, None, FRESH) == FRESH
    # A fresh install's: the oldest day each API serves, 90 days of analytics, and the
    # compliance files whole within their 30 days (codex-api.md).
    now = utc_now()
    fresh = partitions.fresh_starts()
    assert fresh.analytics == now.date() - timedelta(days=90) == oldest_servable_day(now)
    assert fresh.compliance == now.date() - timedelta(days=29) == oldest_retained_day(now)


def test_landed_history_moves_a_start_earlier_never_later():
    older = resolve(None, RECORDED, FRESH, [date(2026, 7, 2), date(2026, 9, 1)], [date(2026, 9, 3)])
    assert (older.analytics, older.compliance) == (date(2026, 7, 2), date(2026, 9, 3))
    newer = resolve(None, RECORDED, FRESH, [date(2026, 11, 1)], [date(2026, 11, 1)])
    assert (newer.analytics, newer.compliance) == (RECORDED.analytics, RECORDED.compliance)


def test_a_bad_start_date_names_the_variable():
    assert parse_start(" 2026-03-01 ", "CODEX_START_DATE") == date(2026, 3, 1)
    assert parse_start("  ", "CODEX_START_DATE") is None
    with pytest.raises(SettingsError, match=r"^CODEX_START_DATE must be a date as YYYY-MM-DD"):
        parse_start("01/02/2026", "CODEX_START_DATE")


def test_a_record_is_written_once_and_never_moved(tmp_path: Path):
    path = tmp_path / "data" / RECORD_FILE
    assert write_record(path, RECORDED)
    assert not write_record(path, FRESH)  # a later run, a later calendar: the record stays
    assert json.loads(path.read_text()) == {"analytics": "2026-08-01", "compliance": "2026-10-01"}
    recorded = read_record(path)
    assert recorded is not None
    assert (recorded.analytics, recorded.compliance) == (RECORDED.analytics, RECORDED.compliance)
    assert read_record(tmp_path / "none.json") is None
    assert [p.name for p in path.parent.iterdir()] == [RECORD_FILE]  # no temporary left


def test_a_damaged_record_is_one_line_naming_the_file_and_the_fix(tmp_path: Path):
    path = tmp_path / RECORD_FILE
    path.write_text('{"analytics": "soon"}')
    with pytest.raises(SettingsError) as error:
        read_record(path)
    assert str(path) in str(error.value) and "delete it" in str(error.value)
    assert "\n" not in str(error.value)


def test_an_install_keeps_its_first_runs_starts_as_the_days_go_by(tmp_path: Path):
    data = tmp_path / "data"
    environ = {"CODEX_DATA_DIR": str(data)}
    assert partitions.resolve_starts(environ, FRESH) == FRESH  # before the first run: today's
    recorded = partitions.record_starts(data, [], [])  # what every run's resource setup does
    assert (recorded.analytics, recorded.compliance) == (
        partitions.STARTS.analytics,
        partitions.STARTS.compliance,
    )
    a_month_later = Starts(FRESH.analytics + timedelta(days=30), FRESH.compliance, "fresh")
    again = partitions.resolve_starts(environ, a_month_later)
    assert (again.analytics, again.compliance) == (recorded.analytics, recorded.compliance)
    # The same environment gives the same set in any process (webserver, daemon, CLI, run).
    assert partitions.resolve_starts(environ, FRESH) == again


def test_a_lake_older_than_its_record_moves_the_record_earlier_never_later(tmp_path: Path):
    data = tmp_path / "data"
    assert write_record(data / RECORD_FILE, RECORDED)
    old = partitions.record_starts(data, [date(2026, 1, 1), date(2026, 1, 2)], [date(2026, 2, 1)])
    assert (old.analytics, old.compliance) == (date(2026, 1, 1), date(2026, 2, 1))
    later = partitions.record_starts(data, [date(2026, 11, 1)], [date(2026, 11, 20)])
    assert (later.analytics, later.compliance) == (date(2026, 1, 1), date(2026, 2, 1))
    environ = {"CODEX_DATA_DIR": f"file://{data}"}
    assert partitions.resolve_starts(environ, FRESH).analytics == date(2026, 1, 1)


def test_an_object_store_lake_records_beside_the_duckdb_file(tmp_path: Path):
    environ = {"CODEX_DATA_DIR": "s3://bucket/codex", "CODEX_DUCKDB_PATH": str(tmp_path / "w.db")}
    assert partitions.record_path(environ) == tmp_path / RECORD_FILE
    assert write_record(tmp_path / RECORD_FILE, RECORDED)
    assert partitions.resolve_starts(environ, FRESH).analytics == RECORDED.analytics
