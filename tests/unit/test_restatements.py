"""Restatements: a re-load records exactly the values that changed, old and new."""

from __future__ import annotations

from datetime import date

import duckdb

from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.restatements import create_view, has_log, track_restatement
from codex_assets.lib.lake import Lake

DAY = date(2026, 3, 2)


def _user(user_id: str, threads: int, credits: float | None, turns: int = 5) -> dict:
    return {
        "start_time": 1772409600,
        "end_time": 1772496000,
        "user_id": user_id,
        "actor": {"user_id": user_id, "email": f"{user_id}@example.com"},
        "totals": {"threads": threads, "turns": turns, "credits": credits},
        "clients": [],
    }


def _reload(lake: Lake, rows: list[dict], run_id: str = "run-2"):
    path = lake.partition_file("usage_users", DAY)
    with track_restatement(path, lake.root, "usage_users", DAY, run_id) as restated:
        write_partition(lake, "usage_users", DAY, rows)
    return restated


def _log(lake: Lake) -> list[tuple]:
    with duckdb.connect() as conn:
        create_view(conn, lake.root)
        return conn.execute(
            "SELECT day, table_name, key, column_name, old_value, new_value, delta, run_id "
            "FROM marts.restatements ORDER BY key, column_name"
        ).fetchall()


def test_first_load_records_nothing(tmp_path):
    lake = Lake(tmp_path / "lake")
    restated = _reload(lake, [_user("u1", 3, 1.5)], run_id="run-1")
    assert restated.changed == 0 and restated.path is None
    assert not has_log(lake.root)
    assert _log(lake) == []  # the view exists, typed and empty


def test_reload_records_changed_added_and_removed_values(tmp_path):
    lake = Lake(tmp_path / "lake")
    _reload(lake, [_user("u1", 3, 1.5), _user("u2", 1, None), _user("u3", 2, 1.0)], "run-1")
    restated = _reload(lake, [_user("u1", 4, 1.5), _user("u2", 1, 0.25), _user("u4", 1, 2.0)])
    log = _log(lake)
    assert restated.changed == len(log)
    assert log == [
        (DAY, "usage_users", "u1", "threads", 3.0, 4.0, 1.0, "run-2"),
        (DAY, "usage_users", "u2", "credits", None, 0.25, None, "run-2"),
        (DAY, "usage_users", "u3", "credits", 1.0, None, None, "run-2"),
        (DAY, "usage_users", "u3", "threads", 2.0, None, None, "run-2"),
        (DAY, "usage_users", "u3", "turns", 5.0, None, None, "run-2"),
        (DAY, "usage_users", "u4", "credits", None, 2.0, None, "run-2"),
        (DAY, "usage_users", "u4", "threads", None, 1.0, None, "run-2"),
        (DAY, "usage_users", "u4", "turns", None, 5.0, None, "run-2"),
    ]


def test_identical_reload_writes_no_file(tmp_path):
    lake = Lake(tmp_path / "lake")
    rows = [_user("u1", 3, 1.5)]
    _reload(lake, rows, "run-1")
    assert _reload(lake, rows).changed == 0
    assert not has_log(lake.root)


def test_failed_replacement_records_nothing(tmp_path):
    lake = Lake(tmp_path / "lake")
    _reload(lake, [_user("u1", 3, 1.5)], "run-1")
    path = lake.partition_file("usage_users", DAY)
    try:
        with track_restatement(path, lake.root, "usage_users", DAY, "run-2"):
            raise RuntimeError("the write failed")
    except RuntimeError:
        pass
    assert not has_log(lake.root)


def test_workspace_tables_are_keyed_by_day(tmp_path):
    lake = Lake(tmp_path / "lake")
    row = {
        "start_time": 1,
        "end_time": 2,
        "pull_request_reviews": 4,
        "comments": 9,
        "comment_details": {"p0": 1, "p1": 2, "p2": 6},
    }
    path = lake.partition_file("code_reviews", DAY)
    write_partition(lake, "code_reviews", DAY, [row])
    with track_restatement(path, lake.root, "code_reviews", DAY, "run-2") as restated:
        write_partition(
            lake,
            "code_reviews",
            DAY,
            [{**row, "comments": 10, "comment_details": {"p0": 1, "p1": 2, "p2": 7}}],
        )
    assert restated.changed == 2
    assert [(key, column, old, new) for _, _, key, column, old, new, *_ in _log(lake)] == [
        (DAY.isoformat(), "comments", 9.0, 10.0),
        (DAY.isoformat(), "p2", 6.0, 7.0),
    ]
