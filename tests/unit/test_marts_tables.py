"""The one table spec and the one refresh path (codex_assets/lib/tables.py, lib/refresh.py), on
tiny tables whose answers are obvious: what every mart of every slice relies on."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from codex_assets.lib import refresh
from codex_assets.lib.refresh import LEDGER, follow, rebuild
from codex_assets.lib.tables import Column, TableSchemaError, TableSpec, ensure_tables

D1, D2, D3, D4 = (date(2026, 3, day) for day in (1, 2, 3, 4))

# The SQL of the marts below, written to a folder standing in for codex_assets/.
SQL = {
    "counts.sql": "SELECT day, count(*) AS n FROM src WHERE day BETWEEN $start AND $end "
    "AND day IN (SELECT unnest($days::DATE[])) GROUP BY day",
    "monthly.sql": "SELECT date_trunc('month', day)::DATE AS month, count(*) AS n FROM src "
    "WHERE day BETWEEN $start AND $end GROUP BY ALL",
    "whole.sql": "SELECT count(*) AS n FROM src",
    "note.sql": "UPDATE marts.notes SET seen = c.n FROM marts.counts AS c "
    "WHERE notes.day = c.day AND c.day BETWEEN $start AND $end",
    "notes.sql": "SELECT DISTINCT day, NULL::BIGINT AS seen FROM src "
    "WHERE day BETWEEN $start AND $end",
    "failing.sql": "SELECT day, n FROM no_such_table",
}

COUNTS = TableSpec(
    "marts.counts",
    "Rows of src per day.",
    ("day",),
    (Column("day", "DATE", "The day.", nullable=False), Column("n", "BIGINT", "Rows.")),
    refresh="daily",
    sql_file="counts.sql",
)
MONTHLY = TableSpec(
    "marts.monthly",
    "Rows of src per month.",
    ("month",),
    (Column("month", "DATE", "The month.", nullable=False), Column("n", "BIGINT", "Rows.")),
    refresh="monthly",
    sql_file="monthly.sql",
)
NOTES = TableSpec(
    "marts.notes",
    "A mart that reads marts.counts without depending on it.",
    ("day",),
    (Column("day", "DATE", "The day."), Column("seen", "BIGINT", "counts.n of the day.")),
    refresh="daily",
    sql_file="notes.sql",
    state_sql=("note.sql",),
    also_reads=(COUNTS,),
)


@pytest.fixture
def conn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[duckdb.DuckDBPyConnection]:
    for name, text in SQL.items():
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(refresh, "read_sql", lambda path: (tmp_path / path).read_text())
    with duckdb.connect() as connection:
        connection.execute(
            "CREATE TABLE src AS SELECT * FROM (VALUES (DATE '2026-03-01'), ('2026-03-02'), "
            "('2026-03-02'), ('2026-03-03'), ('2026-03-04'), ('2026-04-01')) AS v(day)"
        )
        yield connection


def _rows(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_a_daily_rebuild_replaces_exactly_the_days_it_is_given(conn) -> None:
    assert rebuild(conn, COUNTS, [D1, D2, D3, D4]) == 4
    conn.execute("UPDATE src SET day = DATE '2026-03-01' WHERE day IN ('2026-03-02', '2026-03-04')")
    # Scattered days (late compliance events do this): Mar 2 and 4 only, Mar 3 untouched.
    assert rebuild(conn, COUNTS, [D4, D2]) == 0
    assert _rows(conn, "marts.counts") == [(D1, 1), (D3, 1)]
    ledger = conn.execute(
        "SELECT partition_day, rows FROM marts.refreshed_partitions WHERE mart = 'counts' "
        "ORDER BY 1"
    ).fetchall()
    assert ledger == [(D1, 1), (D2, 0), (D3, 1), (D4, 0)]
    assert rebuild(conn, COUNTS, []) == 0  # nothing to rebuild


def test_a_monthly_rebuild_replaces_the_months_its_days_touch(conn) -> None:
    assert rebuild(conn, MONTHLY, [D3, date(2026, 4, 1)]) == 2
    assert _rows(conn, "marts.monthly") == [(D1, 5), (date(2026, 4, 1), 1)]


def test_a_snapshot_is_rebuilt_whole_and_recorded_only_with_an_as_of_day(conn) -> None:
    whole = dataclasses.replace(
        COUNTS, qualified_name="marts.whole", refresh="snapshot", sql_file="whole.sql",
        columns=(Column("n", "BIGINT", "Rows."),),
    )  # fmt: skip
    assert rebuild(conn, whole) == 1
    assert rebuild(conn, whole) == 1
    assert _rows(conn, "marts.whole") == [(6,)]
    assert _rows(conn, "marts.refreshed_partitions") == []
    rebuild(conn, whole, as_of=D4)
    assert conn.execute(
        "SELECT partition_day, rows FROM marts.refreshed_partitions"
    ).fetchall() == [(D4, 1)]


def test_a_failed_rebuild_leaves_the_previous_rows(conn) -> None:
    rebuild(conn, COUNTS, [D1, D2])
    before = _rows(conn, "marts.counts"), _rows(conn, "marts.refreshed_partitions")
    failing = dataclasses.replace(COUNTS, sql_file="failing.sql")
    with pytest.raises(duckdb.CatalogException):
        rebuild(conn, failing, [D1, D2])
    assert (_rows(conn, "marts.counts"), _rows(conn, "marts.refreshed_partitions")) == before


def test_a_follower_is_brought_up_to_date_by_the_rebuild_of_what_it_reads(
    conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresh, "_FOLLOWERS", {})
    follow(COUNTS, NOTES)
    follow(COUNTS, NOTES)  # registering twice runs it once
    rebuild(conn, COUNTS, [D1])  # no follower table yet: nothing to fill
    rebuild(conn, NOTES, [D1, D2])  # its own state SQL fills what counts has
    assert _rows(conn, "marts.notes") == [(D1, 1), (D2, None)]
    rebuild(conn, COUNTS, [D2])  # counts lands last: the follower follows
    assert _rows(conn, "marts.notes") == [(D1, 1), (D2, 2)]


def _old_table(conn: duckdb.DuckDBPyConnection, ddl: str) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    conn.execute(f"CREATE TABLE marts.t ({ddl})")
    conn.execute("INSERT INTO marts.t (a) VALUES ('x'), ('y')")


def _spec(*columns: Column) -> TableSpec:
    return TableSpec("marts.t", "A table.", ("a",), (Column("a", "VARCHAR", "A."), *columns))


def test_appended_columns_are_added_in_place_and_filled_as_each_says(conn) -> None:
    _old_table(conn, "a VARCHAR")
    spec = _spec(
        Column("b", "VARCHAR", "Empty until rebuilt.", migrate_from="NULL"),
        Column("c", "VARCHAR", "From a.", migrate_from="upper(a)"),
    )
    spec.ensure(conn)
    assert _rows(conn, "marts.t") == [("x", None, "X"), ("y", None, "Y")]
    described = conn.execute("DESCRIBE marts.t").fetchall()
    assert [(name, kind) for name, kind, *_ in described] == [
        ("a", "VARCHAR"), ("b", "VARCHAR"), ("c", "VARCHAR"),
    ]  # fmt: skip
    comments = conn.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 't' ORDER BY 1"
    ).fetchall()
    assert comments == [("a", "A."), ("b", "Empty until rebuilt."), ("c", "From a.")]
    spec.ensure(conn)  # idempotent once migrated


def test_a_column_that_cannot_be_filled_or_a_different_table_asks_for_a_rebuild(conn) -> None:
    _old_table(conn, "a VARCHAR")
    with pytest.raises(TableSchemaError, match=r"without the columns b .*DROP TABLE marts\.t"):
        _spec(Column("b", "VARCHAR", "No way to fill it.")).ensure(conn)
    with pytest.raises(TableSchemaError, match=r"has columns \[\('a', 'VARCHAR'\)\]"):
        TableSpec("marts.t", "t", ("a",), (Column("a", "BIGINT", "A."),)).ensure(conn)
    assert _rows(conn, "marts.t") == [("x",), ("y",)]  # nothing was altered


def test_the_fix_names_the_state_tables_kept_with_a_mart(conn) -> None:
    _old_table(conn, "a VARCHAR, z VARCHAR")
    state = TableSpec("marts.s", "s", (), (Column("a", "VARCHAR", "A."),), maintained_by="t")
    with pytest.raises(TableSchemaError, match=r"DROP TABLE marts\.t; DROP TABLE marts\.s\)"):
        ensure_tables(conn, (_spec(), state))


class _Recording:
    """A connection that records the statements run on it."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn, self.statements = conn, []

    def execute(self, statement: str, *args):
        self.statements.append(statement)
        return self.conn.execute(statement, *args)


def test_comments_are_written_only_when_they_change(conn) -> None:
    ensure_tables(conn, (COUNTS, LEDGER))
    recording = _Recording(conn)
    ensure_tables(recording, (COUNTS, LEDGER))  # type: ignore[arg-type]
    assert not [s for s in recording.statements if not s.startswith(("SELECT", "CREATE SCHEMA"))]
    changed = dataclasses.replace(COUNTS, description="Rows of src, per day.")
    ensure_tables(recording, (changed,))  # type: ignore[arg-type]
    assert [s for s in recording.statements if s.startswith("COMMENT")] == [
        "COMMENT ON TABLE marts.counts IS 'Rows of src, per day.'"
    ]
