"""The markdown preview shown on an asset page keeps personal data out of Dagster."""

from __future__ import annotations

import duckdb
import pandas as pd

from codex_assets.defs.metadata import markdown_preview, markdown_table


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
