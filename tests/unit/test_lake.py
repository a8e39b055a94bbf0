"""The lake lands whole partitions, keeps every field, replaces exactly, and refuses mixing."""

from __future__ import annotations

import os
import stat
from datetime import date

import duckdb
import pytest

from codex_assets.defs.analytics.landing import write_partition
from codex_assets.lib.lake import Lake, LakeSourceMismatchError

DAY = date(2026, 11, 1)


def _usage_row(user: str, threads: int, **extra: object) -> dict:
    return {
        "object": "workspace.codex.usage.result",
        "start_time": 1793491200,
        "end_time": 1793577600,
        "user_id": user,
        "actor": {"type": "ACCOUNT_USER", "user_id": user, "email": None},
        "totals": {"threads": threads, "turns": 2 * threads, "credits": 1.25 * threads},
        "clients": [
            {
                "client_id": "CODEX_FUTURE_SURFACE",
                "threads": threads,
                "turns": 2 * threads,
                "credits": 1.25 * threads,
                "new_metric": 9,
            }
        ],
        "models": None,
        "code_attribution": None,
        **extra,
    }


def _read(lake: Lake, table: str, day: date) -> list[tuple]:
    with duckdb.connect() as conn:
        return conn.execute(
            "SELECT user_id, threads, turns, credits, clients, record ->> 'brand_new_field' "
            "FROM read_parquet($p) ORDER BY user_id",
            {"p": str(lake.partition_file(table, day))},
        ).fetchall()


def test_partition_keeps_typed_columns_and_unknown_fields(tmp_path):
    lake = Lake(tmp_path / "lake")
    landed = write_partition(
        lake,
        "usage_users",
        DAY,
        [_usage_row("u1", 3, brand_new_field="kept")],
        metadata={"pages": 2},
    )
    assert landed == 1
    [(user, threads, turns, credits, clients, new_field)] = _read(lake, "usage_users", DAY)
    assert (user, threads, turns, credits) == ("u1", 3, 6, 3.75)
    assert clients[0]["client_id"] == "CODEX_FUTURE_SURFACE"  # unknown enum value kept
    assert new_field == "kept"  # unknown top-level field kept in `record`
    assert lake.partition_metadata("usage_users", DAY)["pages"] == "2"
    assert lake.landed_days("usage_users") == [DAY]


def test_rewrite_replaces_the_partition_exactly(tmp_path):
    lake = Lake(tmp_path / "lake")
    write_partition(lake, "usage_users", DAY, [_usage_row("u1", 3), _usage_row("u2", 1)])
    write_partition(lake, "usage_users", DAY, [_usage_row("u2", 5)])
    assert [row[:2] for row in _read(lake, "usage_users", DAY)] == [("u2", 5)]


def test_empty_day_is_landed_as_an_empty_partition(tmp_path):
    lake = Lake(tmp_path / "lake")
    assert write_partition(lake, "usage_users", DAY, []) == 0
    assert lake.landed_days("usage_users") == [DAY]
    assert _read(lake, "usage_users", DAY) == []


def test_failed_write_leaves_the_old_partition_and_no_temporary_files(tmp_path):
    lake = Lake(tmp_path / "lake")
    write_partition(lake, "usage_users", DAY, [_usage_row("u1", 3)])
    broken = _usage_row("u2", 1)
    broken["totals"]["threads"] = "not a number"
    with pytest.raises(duckdb.Error):
        write_partition(lake, "usage_users", DAY, [broken])
    assert [row[:2] for row in _read(lake, "usage_users", DAY)] == [("u1", 3)]
    partition_dir = lake.partition_file("usage_users", DAY).parent
    assert sorted(p.name for p in partition_dir.iterdir()) == ["data.parquet"]


def test_files_are_private_to_their_owner(tmp_path):
    lake = Lake(tmp_path / "lake")
    write_partition(lake, "usage_users", DAY, [_usage_row("u1", 3)])
    mode = stat.S_IMODE(os.stat(lake.partition_file("usage_users", DAY)).st_mode)
    assert mode == 0o600


def test_source_guard_refuses_a_different_workspace(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.check_source({"source": "simulator", "workspace_id": "w1"})
    lake.check_source({"source": "simulator", "workspace_id": "w1"})  # same source: fine
    with pytest.raises(LakeSourceMismatchError, match="CODEX_DATA_DIR"):
        lake.check_source({"source": "api", "workspace_id": "w2"})


def test_source_guard_names_each_field_that_differs(tmp_path):
    lake = Lake(tmp_path / "lake")
    recorded = {"source": "api", "workspace_id": "w1", "api_host": "api.chatgpt.com"}
    lake.check_source(recorded)
    with pytest.raises(LakeSourceMismatchError) as refused:
        lake.check_source({**recorded, "api_host": "127.0.0.1:8000"})
    message = str(refused.value)
    assert "api_host: recorded api.chatgpt.com, this run 127.0.0.1:8000" in message
    assert "workspace_id" not in message  # the same on both sides: not listed
    assert "\n" not in message
