"""Streaming a partition into the lake: every line kept verbatim with its file, published whole
or not at all, owner-only, through named pipes or staged files alike."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime

import duckdb
import orjson
import pytest

from codex_assets.defs.compliance.landing import FILE_COLUMNS, RAW_TABLE
from codex_assets.defs.compliance.warehouse import codex_log_lines_sql
from codex_assets.lib.lake import Lake
from codex_assets.lib.sql import read_sql, sql_string
from tests.support.compliance import body, event, land

DAY = date(2026, 5, 7)
END = datetime(2026, 5, 7, 0, 10)


def _lines(lake: Lake, day: date = DAY) -> str:
    """The partition's lines as the warehouse reads them (typed columns parsed from `record`)."""
    return codex_log_lines_sql(sql_string(str(lake.partition_file(RAW_TABLE, day))))


def _rows(lake: Lake, day: date = DAY) -> list[tuple]:
    with duckdb.connect() as conn:
        return conn.execute(
            "SELECT event_id, event_type, user_id, user_email, session_id, input_tokens, "
            "cached_input_tokens, output_tokens, reasoning_output_tokens, access_token_id, "
            f"file_id, file_end_time, record FROM ({_lines(lake, day)}) ORDER BY event_id"
        ).fetchall()


def _landed_columns(path) -> list[str]:
    with duckdb.connect() as conn:
        described = conn.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)})
        return [row[0] for row in described.fetchall()]


@pytest.fixture(params=[True, False], ids=["pipes", "staged"])
def use_pipes(request) -> bool:
    if request.param and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    return request.param


def test_every_line_is_kept_verbatim_with_typed_columns(tmp_path, use_pipes):
    lake = Lake(tmp_path / "lake")
    prompt = event("e1", "2026-05-07T00:01:00.5Z", "PROMPT_SENT", session_id="s1", prompt_text="hi")
    response = event(
        "e2",
        "2026-05-07T00:02:00Z",
        "PROMPT_RESPONSE_RECEIVED",
        session_id="s1",
        response_text="hello",
        status="completed",
        token_usage={
            "input_tokens": 10,
            "output_tokens": 4,
            "cached_input_tokens": 6,
            "reasoning_output_tokens": 1,
        },
    )
    odd = event("e3", "2026-05-07T00:03:00Z", "SITE_DEPLOYMENT_STARTED", site_url="https://x")
    odd["sim_future_field"] = {"nested": [1, 2]}
    spaced = b'{"event_id": "e4", "type": "CODEX_LOG", "timestamp": "2026-05-07T00:04:00Z"}\n'
    rows = land(
        lake,
        DAY,
        [("f1", END, body(prompt, response)), ("f2", END.replace(minute=20), body(odd) + spaced)],
        use_pipes=use_pipes,
    )
    assert rows == 4
    landed = {row[0]: row for row in _rows(lake)}
    assert landed["e2"][5:9] == (10, 6, 4, 1)
    assert landed["e1"][2:5] == ("user-A", "a@example.com", "s1")
    assert landed["e1"][10] == "f1" and landed["e3"][10] == "f2"
    assert landed["e3"][11] == datetime(2026, 5, 7, 0, 20)
    assert orjson.loads(landed["e3"][12])["sim_future_field"] == {"nested": [1, 2]}
    assert landed["e4"][12] == spaced.decode().strip()  # byte for byte, spaces and all
    assert orjson.loads(landed["e1"][12]) == prompt


def test_unexpected_types_never_abort_a_load(tmp_path):
    lake = Lake(tmp_path / "lake")
    weird = event(
        "e1", "not a time", "PROMPT_RESPONSE_RECEIVED", token_usage={"input_tokens": "many"}
    )
    assert land(lake, DAY, [("f1", END, body(weird))]) == 1
    with duckdb.connect() as conn:
        stamp, tokens, record = conn.execute(
            f"SELECT timestamp, input_tokens, record FROM ({_lines(lake)})"
        ).fetchone()
    assert stamp is None and tokens is None
    assert orjson.loads(record)["event_details"]["token_usage"]["input_tokens"] == "many"


def test_an_empty_day_is_an_empty_partition_with_the_columns(tmp_path):
    lake = Lake(tmp_path / "lake")
    assert land(lake, DAY, []) == 0
    assert _landed_columns(lake.partition_file(RAW_TABLE, DAY)) == [
        "day",
        "record",
        *FILE_COLUMNS,
        "loaded_at",
    ]
    assert lake.landed_days(RAW_TABLE) == [DAY]
    assert _rows(lake) == []


def test_the_lake_keeps_the_line_and_its_file_and_parses_nothing(tmp_path):
    """Landing stores each line verbatim with its file's columns; the typed columns are parsed
    when the lake is read, so the step racing the API's 30-day expiry does the least work."""
    lake = Lake(tmp_path / "lake")
    land(lake, DAY, [("f1", END, body(event("e1", "2026-05-07T00:01:00Z", "PROMPT_SENT")))])
    path = lake.partition_file(RAW_TABLE, DAY)
    assert _landed_columns(path) == ["day", "record", *FILE_COLUMNS, "loaded_at"]
    assert _rows(lake)[0][:3] == ("e1", "PROMPT_SENT", "user-A")


def test_a_partition_landed_with_typed_columns_by_an_earlier_version_reads_the_same(tmp_path):
    """Earlier versions also stored typed columns beside `record`; the view reads only `record`
    and the file columns, so old and new partitions read alike, side by side."""
    lake = Lake(tmp_path / "lake")
    prompt = event("e1", "2026-05-07T00:01:00Z", "PROMPT_SENT", session_id="s1")
    land(lake, DAY, [("f1", END, body(prompt))])
    expected = _rows(lake)
    path = lake.partition_file(RAW_TABLE, DAY)
    with duckdb.connect() as conn:
        conn.execute(
            "COPY (SELECT day, 'stale' AS event_id, 'stale' AS user_id, record, "
            f"{', '.join(FILE_COLUMNS)}, loaded_at FROM read_parquet($p)) TO '{path}.old' "
            "(FORMAT parquet)",
            {"p": str(path)},
        )
    os.replace(f"{path}.old", path)
    assert _rows(lake) == expected
    newer = date(2026, 5, 8)
    land(lake, newer, [("f2", END.replace(day=8), body(event("e2", "2026-05-08T00:01:00Z", "X")))])
    both = f"[{sql_string(str(path))}, {sql_string(str(lake.partition_file(RAW_TABLE, newer)))}]"
    with duckdb.connect() as conn:
        query = f"SELECT event_id FROM ({codex_log_lines_sql(both)}) ORDER BY 1"
        assert conn.execute(query).fetchall() == [("e1",), ("e2",)]


def test_a_failure_midway_publishes_nothing_and_keeps_the_old_partition(tmp_path, use_pipes):
    lake = Lake(tmp_path / "lake")
    land(lake, DAY, [("old", END, body(event("old", "2026-05-07T00:01:00Z", "PROMPT_SENT")))])
    parts = [
        {"file_id": f"f{i}", "file_name": "n", "file_end_time": END, "file_sha256": "x"}
        for i in range(3)
    ]
    with (
        pytest.raises(RuntimeError, match="download failed"),
        lake.stream_partition(
            RAW_TABLE,
            DAY,
            read_sql("defs/compliance/raw_codex_log.sql"),
            parts=parts,
            columns=FILE_COLUMNS,
            use_pipes=use_pipes,
        ) as stream,
    ):
        stream.write(body(event("new", "2026-05-07T00:02:00Z", "PROMPT_SENT")))
        raise RuntimeError("download failed")
    assert [row[0] for row in _rows(lake)] == ["old"]
    leftovers = [p.name for p in lake.partition_file(RAW_TABLE, DAY).parent.iterdir()]
    assert leftovers == ["data.parquet"]


def test_commit_refuses_a_partial_day(tmp_path):
    lake = Lake(tmp_path / "lake")
    parts = [
        {"file_id": f"f{i}", "file_name": "n", "file_end_time": END, "file_sha256": "x"}
        for i in range(2)
    ]
    with lake.stream_partition(
        RAW_TABLE,
        DAY,
        read_sql("defs/compliance/raw_codex_log.sql"),
        parts=parts,
        columns=FILE_COLUMNS,
    ) as stream:
        stream.write(body(event("a", "2026-05-07T00:02:00Z", "PROMPT_SENT")))
        with pytest.raises(RuntimeError, match="only 1 of the 2"):
            stream.commit()
    assert not lake.partition_file(RAW_TABLE, DAY).exists()


def test_a_malformed_line_fails_the_day_loudly(tmp_path, use_pipes):
    lake = Lake(tmp_path / "lake")
    with pytest.raises(RuntimeError, match="failed in DuckDB"):
        land(lake, DAY, [("f1", END, b'{"event_id": "a"\n')], use_pipes=use_pipes)
    assert not lake.partition_file(RAW_TABLE, DAY).exists()


def test_partition_files_and_directories_are_owner_only(tmp_path):
    lake = Lake(tmp_path / "lake")
    land(lake, DAY, [("f1", END, body(event("a", "2026-05-07T00:02:00Z", "PROMPT_SENT")))])
    target = lake.partition_file(RAW_TABLE, DAY)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.parent.parent.stat().st_mode) == 0o700


def test_drop_partition(tmp_path):
    lake = Lake(tmp_path / "lake")
    land(lake, DAY, [])
    assert lake.drop_partition(RAW_TABLE, DAY) is True
    assert lake.landed_days(RAW_TABLE) == []
    assert lake.drop_partition(RAW_TABLE, DAY) is False


def test_parts_must_name_the_columns(tmp_path):
    lake = Lake(tmp_path / "lake")
    with pytest.raises(ValueError, match="columns"):
        lake.stream_partition(
            RAW_TABLE, DAY, "SELECT 1", parts=[{"file_id": "x"}], columns=FILE_COLUMNS
        )


@pytest.mark.parametrize("reader_zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_times_read_as_utc_whatever_the_readers_time_zone(tmp_path, reader_zone):
    """Parsed on read, the times must not depend on the reading session's TimeZone."""
    lake = Lake(tmp_path / "lake")
    stamps = {
        "z": "2026-05-07T00:03:12.5Z",
        "offset": "2026-05-07T02:03:12.5+02:00",
        "naive": "2026-05-07T00:03:12.5",
    }
    events = [event(name, stamp, "PROMPT_SENT") for name, stamp in stamps.items()]
    token = event("t", "2026-05-07T00:09:00Z", "ACCESS_TOKEN_CREATED")
    token["event_details"]["expires_at"] = "2026-06-07T09:00:00+09:00"
    land(lake, DAY, [("f1", END, body(*events, token))])
    with duckdb.connect() as conn:
        conn.execute(f"SET TimeZone = '{reader_zone}'")
        times = dict(conn.execute(f"SELECT event_id, timestamp FROM ({_lines(lake)})").fetchall())
        expires = conn.execute(
            f"SELECT expires_at FROM ({_lines(lake)}) WHERE event_id = 't'"
        ).fetchone()[0]
    assert {times[name] for name in stamps} == {datetime(2026, 5, 7, 0, 3, 12, 500000)}
    assert expires == datetime(2026, 6, 7, 0, 0)


def _landed_order(lake: Lake) -> list[tuple]:
    with duckdb.connect() as conn:
        return conn.execute(
            "SELECT file_id, record FROM read_parquet($p)",
            {"p": str(lake.partition_file(RAW_TABLE, DAY))},
        ).fetchall()


def test_landing_the_same_day_twice_gives_the_same_line_order(tmp_path, use_pipes):
    # Files listed out of time order, lines shuffled within each, and enough of them that
    # DuckDB's two threads share the scan: the stored order must still be one fixed key.
    files = []
    for f in (3, 0, 2, 1):
        events = [
            event(f"e{f}-{i:04d}", f"2026-05-07T00:{f:02d}:{i % 60:02d}Z", "PROMPT_SENT")
            for i in reversed(range(1500))
        ]
        files.append((f"file-{f}", datetime(2026, 5, 7, 0, 10 + f), body(*events)))
    orders = []
    for run in range(2):
        lake = Lake(tmp_path / f"run{run}" / "lake")
        assert land(lake, DAY, files, use_pipes=use_pipes) == 6000
        orders.append(_landed_order(lake))
    assert orders[0] == orders[1]
    keys = [(file_id, record) for file_id, record in orders[0]]
    assert [k[0] for k in keys][:1500] == ["file-0"] * 1500  # the file that ends first
    assert keys == sorted(keys)
