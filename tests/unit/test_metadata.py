"""The markdown preview shown on an asset page keeps personal data out of Dagster."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from codex_assets.defs.metadata import markdown_preview, markdown_table, table_preview
from codex_assets.lib.tables import Column, TableSpec


def test_the_preview_shows_the_rows_without_emails():
    with duckdb.connect() as conn:
        conn.execute(
            "CREATE TABLE t AS SELECT * FROM (VALUES ('u1', 'ada@example.com', 3, NULL), "
            "('u2', NULL, 5, 1.5)) AS v(user_id, email, turns, credits)"
        )
        text = markdown_preview(conn, "SELECT * FROM t ORDER BY user_id").value
    assert text.splitlines() == [
        "| user_id   | turns   | credits   |",
        "|-----------|---------|-----------|",
        "| u1        | 3       |           |",
        "| u2        | 5       | 1.5       |",
    ]
    assert "@" not in text


def test_a_markdown_table_keeps_its_cells_whole():
    frame = pd.DataFrame({"rule": ["a|b", None], "days": [[1, 2], None]})
    assert markdown_table(frame).splitlines() == [
        "| rule   | days   |",
        "|--------|--------|",
        "| a\\|b   | [1, 2] |",
        "|        |        |",
    ]


def _spec(name: str, refresh, grain: tuple[str, ...], *columns: tuple[str, str]) -> TableSpec:
    return TableSpec(
        qualified_name=f"main.{name}",
        description="a test table",
        grain=grain,
        columns=tuple(Column(column, kind, column) for column, kind in columns),
        refresh=refresh,
    )


DAILY = _spec(
    "daily",
    "daily",
    ("day", "user_id"),
    ("day", "DATE"),
    ("user_id", "VARCHAR"),
    ("email", "VARCHAR"),
)


def _preview_rows(conn, spec, days=(), order=None) -> list[list[str]]:
    lines = table_preview(conn, spec, days, order).value.splitlines()[2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_a_partitions_preview_shows_that_partitions_rows_by_the_grain():
    with duckdb.connect() as conn:
        DAILY.ensure(conn)
        conn.execute(
            "INSERT INTO main.daily VALUES ('2026-03-02', 'u2', 'b@x.io'), "
            "('2026-03-01', 'u1', 'a@x.io'), ('2026-03-02', 'u1', NULL), "
            "('2026-03-03', 'u3', NULL)"
        )
        rows = _preview_rows(conn, DAILY, [date(2026, 3, 2)])
    assert rows == [["2026-03-02", "u1"], ["2026-03-02", "u2"]]


def test_a_ranges_preview_shows_the_latest_day_first_and_at_most_ten_rows():
    with duckdb.connect() as conn:
        DAILY.ensure(conn)
        conn.execute("SET preserve_insertion_order = false")  # as in a compliance run
        conn.execute(
            "INSERT INTO main.daily SELECT DATE '2026-03-01' + (i % 30)::INT, 'u' || (i // 30), "
            "NULL FROM range(300) t(i)"
        )
        days = [date(2026, 3, 5) + timedelta(days=n) for n in range(10)]
        rows = _preview_rows(conn, DAILY, days)
    assert rows == [["2026-03-14", f"u{n}"] for n in range(10)]


def test_a_monthly_preview_keeps_the_month_the_range_starts_in():
    monthly = _spec("monthly", "monthly", ("month", "team"), ("month", "DATE"), ("team", "VARCHAR"))
    with duckdb.connect() as conn:
        monthly.ensure(conn)
        conn.execute(
            "INSERT INTO main.monthly VALUES ('2026-01-01', 'a'), ('2026-02-01', 'b'), "
            "('2026-02-01', 'a'), ('2026-03-01', 'a')"
        )
        rows = _preview_rows(conn, monthly, [date(2026, 2, 20), date(2026, 2, 21)])
    assert rows == [["2026-02-01", "a"], ["2026-02-01", "b"]]


def test_a_snapshots_preview_is_in_grain_order_unless_told_otherwise():
    snapshot = _spec("snap", "snapshot", ("user_id",), ("user_id", "VARCHAR"), ("last_day", "DATE"))
    with duckdb.connect() as conn:
        snapshot.ensure(conn)
        conn.execute(
            "INSERT INTO main.snap VALUES ('u2', '2026-03-01'), ('u1', '2026-02-01'), "
            "('u3', '2026-03-05')"
        )
        by_grain = _preview_rows(conn, snapshot)
        latest = _preview_rows(conn, snapshot, order="last_day DESC")
    assert [row[0] for row in by_grain] == ["u1", "u2", "u3"]
    assert [row[0] for row in latest] == ["u3", "u2", "u1"]
