"""How refreshes behave: exact replacement, incremental state, windows, failures, schema.

The property behind most of these: however the days arrive (all at once, one by one, out of
order, restated), the marts and their state tables end up as a single build of the same raw
data would leave them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from test_marts_rawdata import (
    D1,
    D2,
    D3,
    D4,
    D5,
    D6,
    USAGE_MARTS,
    Client,
    RawData,
    UserDay,
    build_all,
    directory_settings,
    load_main_dataset,
    raw_warehouse,
    table_snapshot,
)

from codex_assets.defs.analytics.marts import (
    MARTS,
    STATE_TABLES,
    MartSettings,
    ensure_schema,
    last_loaded_day,
    refresh_mart,
    refresh_marts,
)
from codex_assets.lib.tables import TableSchemaError

ALL_TABLES = [spec.qualified_name for spec in USAGE_MARTS.values()] + [
    table.qualified_name for table in STATE_TABLES.values()
]


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawData]:
    with raw_warehouse(tmp_path) as data:
        yield data


@pytest.fixture
def settings(tmp_path: Path) -> MartSettings:
    return directory_settings(tmp_path, usd_per_credit=0.05)


def _snapshot(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {table: table_snapshot(conn, table) for table in ALL_TABLES}


def _one_shot(tmp_path: Path, settings: MartSettings) -> dict[str, list[tuple]]:
    """The reference: every mart built once for Mar 1-6 in a separate warehouse."""
    reference = tmp_path / "reference"
    reference.mkdir()
    with raw_warehouse(reference) as other:
        load_main_dataset(other)
        build_all(other.conn, D1, D6, settings)
        return _snapshot(other.conn)


def test_rerunning_the_same_range_gives_identical_tables(
    raw: RawData, settings: MartSettings
) -> None:
    load_main_dataset(raw)
    first_counts = build_all(raw.conn, D1, D6, settings)
    first = _snapshot(raw.conn)
    second_counts = build_all(raw.conn, D1, D6, settings)
    assert _snapshot(raw.conn) == first
    assert second_counts == first_counts
    assert all(first[table] for table in ALL_TABLES)  # nothing trivially empty


def test_rerunning_part_of_the_range_replaces_exactly_that_part(
    raw: RawData, settings: MartSettings
) -> None:
    load_main_dataset(raw)
    build_all(raw.conn, D1, D6, settings)
    before = _snapshot(raw.conn)
    build_all(raw.conn, D2, D3, settings)
    assert _snapshot(raw.conn) == before


def test_day_by_day_equals_one_shot(raw: RawData, settings: MartSettings, tmp_path: Path) -> None:
    load_main_dataset(raw)
    for day in (D1, D2, D3, D4, D5, D6):
        build_all(raw.conn, day, day, settings)
    assert _snapshot(raw.conn) == _one_shot(tmp_path, settings)


def test_out_of_order_days_give_the_same_state(
    raw: RawData, settings: MartSettings, tmp_path: Path
) -> None:
    load_main_dataset(raw)
    build_all(raw.conn, D4, D6, settings)
    # Built alone, Mar 5 sees u1 for the first time: a new user then.
    assert raw.conn.execute(
        "SELECT new_users FROM marts.adoption_daily WHERE day = ? AND surface = 'all'", [D5]
    ).fetchone() == (2,)  # u1 and u3
    build_all(raw.conn, D1, D3, settings)
    reference = _one_shot(tmp_path, settings)
    # The facts of usage and the state tables are exact at once, whatever the order.
    now = _snapshot(raw.conn)
    for table in ("marts.usage_user_daily", "marts.user_first_active", "marts.user_active_runs"):
        assert now[table] == reference[table], table
    first_days = raw.conn.execute(
        "SELECT user_id, first_active_day FROM marts.user_first_active WHERE surface = 'all' "
        "ORDER BY user_id"
    ).fetchall()
    assert first_days == [("u1", D1), ("u2", D1), ("u3", D1), ("u4", D2)]
    # u3's runs: Mar 1-3 and Mar 5-6, split by the idle Mar 4.
    assert raw.conn.execute(
        "SELECT run_start, run_end FROM marts.user_active_runs WHERE user_id = 'u3' ORDER BY 1"
    ).fetchall() == [(D1, D3), (D5, D6)]
    # Mar 5's adoption row still counts u1 as new until the later days are re-run
    # (docs/marts.md, "Loading days out of order"); then everything matches a one-shot build.
    assert raw.conn.execute(
        "SELECT new_users FROM marts.adoption_daily WHERE day = ? AND surface = 'all'", [D5]
    ).fetchone() == (2,)
    build_all(raw.conn, D4, D6, settings)
    assert _snapshot(raw.conn) == reference


def _restate(raw: RawData, row: UserDay) -> None:
    """Replace a user-day in the raw tables, as a re-landed partition would."""
    for table in ("usage_users", "usage_user_clients", "usage_user_models"):
        raw.conn.execute(
            f"DELETE FROM raw.{table} WHERE day = ? AND user_id = ?", [row.day, row.user_id]
        )
    raw.user_day(row)


def test_a_restatement_that_removes_a_first_active_day(
    raw: RawData, settings: MartSettings
) -> None:
    load_main_dataset(raw)
    build_all(raw.conn, D1, D6, settings)
    # The API restates Mar 2: u4's Code Review credits were 0 after all.
    _restate(raw, UserDay(D2, "u4", "Carol@Example.com", 0, 0, 0.0, 0.0,
                          clients=(Client("CODEX_GITHUB", 0, 0, 0.0, 0.0),)))  # fmt: skip
    build_all(raw.conn, D2, D2, settings)
    state = raw.conn.execute(
        "SELECT surface, first_active_day FROM marts.user_first_active WHERE user_id = 'u4' "
        "ORDER BY surface"
    ).fetchall()
    # u4's first active day moves to Mar 6 (found after the refreshed range); Code Review was
    # never really used, so that row is gone.
    assert state == [("all", D6), ("cli", D6)]
    assert raw.conn.execute(
        "SELECT run_start, run_end FROM marts.user_active_runs WHERE user_id = 'u4'"
    ).fetchall() == [(D6, D6)]
    build_all(raw.conn, D2, D6, settings)  # the later days' "new users" follow
    new = dict(
        raw.conn.execute(
            "SELECT day, new_users FROM marts.adoption_daily WHERE surface = 'all'"
        ).fetchall()
    )
    assert (new[D2], new[D6]) == (0, 1)


def test_a_restatement_that_joins_two_streaks(raw: RawData, settings: MartSettings) -> None:
    load_main_dataset(raw)
    build_all(raw.conn, D1, D6, settings)
    # Mar 4 is restated: u3 did use the CLI that day, joining Mar 1-3 and Mar 5-6.
    raw.user_day(UserDay(D4, "u3", "bob@example.com", 1, 1, 1.0, 0.10,
                         clients=(Client("CODEX_CLI", 1, 1, 1.0, 0.10),)))  # fmt: skip
    build_all(raw.conn, D4, D4, settings)
    assert raw.conn.execute(
        "SELECT run_start, run_end FROM marts.user_active_runs WHERE user_id = 'u3'"
    ).fetchall() == [(D1, D6)]
    assert raw.conn.execute(
        "SELECT current_streak_days, longest_streak_days FROM marts.user_activity "
        "WHERE user_id = 'u3'"
    ).fetchone() == (6, 6)


def test_windows_read_exactly_the_27_days_before_the_range(
    raw: RawData, settings: MartSettings
) -> None:
    load_main_dataset(raw)
    build_all(raw.conn, D1, D6, settings)

    def mau_on_mar6() -> int:
        refresh_mart(raw.conn, "adoption_daily", D6, D6, settings)
        (mau,) = raw.conn.execute(
            "SELECT mau FROM marts.adoption_daily WHERE day = ? AND surface = 'all'", [D6]
        ).fetchone()
        return mau

    assert mau_on_mar6() == 4
    planted = (
        "INSERT INTO marts.usage_user_daily (day, user_id, team, surface, client_ids, "
        "threads, turns, credits, is_active) VALUES (?, ?, 'x', 'all', [], 1, 1, 1.0, true)"
    )
    # An active row 28 days before Mar 6 is outside the MAU window: not even read.
    raw.conn.execute(planted, [D6 - timedelta(days=28), "ghost28"])
    assert mau_on_mar6() == 4
    # 27 days before is the window's first day.
    raw.conn.execute(planted, [D6 - timedelta(days=27), "ghost27"])
    assert mau_on_mar6() == 5


def test_a_failed_refresh_leaves_the_previous_rows(raw: RawData, settings: MartSettings) -> None:
    load_main_dataset(raw)
    build_all(raw.conn, D1, D6, settings)
    before = _snapshot(raw.conn)
    raw.conn.execute("ALTER TABLE raw.usage_user_clients RENAME COLUMN client_id TO client")
    with pytest.raises(duckdb.BinderException):
        refresh_mart(raw.conn, "usage_user_daily", D1, D6, settings)
    assert _snapshot(raw.conn) == before


def test_the_refresh_ledger_records_idle_days(raw: RawData, settings: MartSettings) -> None:
    load_main_dataset(raw)
    refresh_mart(raw.conn, "usage_user_daily", D1, D6, settings)
    assert raw.conn.execute(
        "SELECT partition_day, rows FROM marts.refreshed_partitions "
        "WHERE mart = 'usage_user_daily' ORDER BY 1"
    ).fetchall() == [(D1, 7), (D2, 6), (D3, 3), (D4, 0), (D5, 4), (D6, 4)]
    assert last_loaded_day(raw.conn) == D6


def test_a_range_across_months_rebuilds_both_months(raw: RawData, settings: MartSettings) -> None:
    load_main_dataset(raw)
    raw.user_day(UserDay(date(2026, 2, 27), "u1", "alice@example.com", 1, 1, 1.0, 0.10,
                         clients=(Client("CODEX_CLI", 1, 1, 1.0, 0.10),)))  # fmt: skip
    refresh_mart(raw.conn, "usage_user_daily", date(2026, 2, 27), D6, settings)
    refresh_mart(raw.conn, "spend_by_team_monthly", date(2026, 2, 27), D1, settings)
    assert raw.conn.execute(
        "SELECT month, team, credits FROM marts.spend_by_team_monthly ORDER BY 1, 2"
    ).fetchall() == [
        (date(2026, 2, 1), "platform", 1.0),  # u1 on Feb 27
        (date(2026, 3, 1), "data", 1.0),
        (date(2026, 3, 1), "platform", pytest.approx(11.2)),
        (date(2026, 3, 1), "unassigned", pytest.approx(4.5)),
    ]


def test_refresh_marts_builds_everything_in_order(raw: RawData, settings: MartSettings) -> None:
    load_main_dataset(raw)
    written = refresh_marts(raw.conn, D1, D6, settings)
    assert list(written) == list(MARTS)
    assert written["usage_user_daily"] == 24
    assert written["user_activity"] == 4


def test_bad_arguments(raw: RawData) -> None:
    with pytest.raises(KeyError, match="no mart named 'nope'"):
        refresh_mart(raw.conn, "nope", D1, D1)
    with pytest.raises(ValueError, match="give start and end"):
        refresh_mart(raw.conn, "adoption_daily")
    with pytest.raises(ValueError, match="after end"):
        refresh_mart(raw.conn, "adoption_daily", D2, D1)
    with pytest.raises(ValueError, match="above zero"):
        MartSettings(usd_per_credit=0.0)


def test_an_old_table_with_other_columns_is_reported_with_the_fix(raw: RawData) -> None:
    raw.conn.execute("CREATE SCHEMA marts")
    raw.conn.execute("CREATE TABLE marts.adoption_daily (day DATE, dau BIGINT)")
    with pytest.raises(TableSchemaError, match=r"DROP TABLE marts\.adoption_daily"):
        ensure_schema(raw.conn)


def test_descriptions_are_stored_as_column_comments(raw: RawData) -> None:
    ensure_schema(raw.conn)
    ensure_schema(raw.conn)  # idempotent
    comment = raw.conn.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' "
        "AND table_name = 'adoption_daily' AND column_name = 'stickiness'"
    ).fetchone()
    assert comment == (MARTS["adoption_daily"].column("stickiness").description,)
