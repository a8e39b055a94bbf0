"""The marts on the real raw layer: API rows landed through the lake and read through the views.

The other mart tests stand tables in for the `raw` views; this one checks the SQL against the
views as the raw layer really builds them (Parquet partitions, unnested breakdowns), using the
examples of the API reference (reference/codex-api.md, Part 1).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from codex_assets.defs.analytics.landing import write_partition
from codex_assets.defs.analytics.marts import MARTS, MartSettings, refresh_marts
from codex_assets.defs.analytics.tables import ANALYTICS_RAW_TABLES
from codex_assets.defs.analytics.views import create_raw_views
from codex_assets.defs.reconciliation.marts import MARTS as RECONCILIATION_MARTS
from codex_assets.lib.lake import Lake

DAY = date(2026, 5, 1)
SPAN = {"start_time": 1777593600, "end_time": 1777680000}
USAGE = [
    {
        "object": "workspace.codex.usage.result",
        **SPAN,
        "user_id": "3f0f5aaf",
        "actor": {"type": "ACCOUNT_USER", "user_id": "3f0f5aaf", "email": "alex@example.com"},
        "totals": {
            "threads": 6,
            "turns": 41,
            "credits": 18.75,
            "estimated_cost_usd": 1.31,
            "uncached_text_input_tokens": 182000,
            "cached_text_input_tokens": 1240000,
            "text_output_tokens": 36100,
            "text_total_tokens": 1458100,
        },
        "clients": [
            {
                "client_id": "CODEX_CLI",
                "threads": 4,
                "turns": 30,
                "credits": 14.0,
                "estimated_cost_usd": 0.98,
            },
            {
                "client_id": "CODEX_IDE_VSCODE",
                "threads": 2,
                "turns": 11,
                "credits": 4.75,
                "text_total_tokens": None,
            },
        ],
        "models": [
            {"model": "gpt-5.5", "speed": "standard", "credits": 16.5},
            {"model": "other", "speed": None, "credits": 2.25},
        ],
        "code_attribution": None,
    },
    {
        "object": "workspace.codex.usage.result",
        **SPAN,
        "user_id": "9a1c0d22",
        "actor": {"type": "ACCOUNT_USER", "user_id": "9a1c0d22", "email": None},
        "totals": {"threads": 1, "turns": 3, "credits": 0.9},
        "clients": [
            {"client_id": "CODEX_UNKNOWN_DEFAULT", "threads": 1, "turns": 3, "credits": 0.9}
        ],
        "models": None,
        "code_attribution": None,
    },
]
# The workspace row agrees with the two users: 6 + 1 threads, 41 + 3 turns, 18.75 + 0.9 credits.
WORKSPACE = [
    {
        "object": "workspace.codex.usage.result",
        **SPAN,
        "user_id": None,
        "actor": None,
        "totals": {"threads": 7, "turns": 44, "credits": 19.65, "estimated_cost_usd": 1.31},
        "clients": [{"client_id": "CODEX_CLI", "threads": 7, "turns": 44, "credits": 19.65}],
    }
]
REVIEWS = [
    {"object": "workspace.codex.usage.code_reviews.result", **SPAN, "pull_request_reviews": 42,
     "comments": 120, "comment_details": {"p0": 12, "p1": 60, "p2": 48}},
]  # fmt: skip
RESPONSES = [
    {"object": "workspace.codex.usage.code_review_responses.result", **SPAN,
     "pull_request_reviews": 42, "comments": 120, "replies": 28, "reactions": 70,
     "comment_response_details": {"engaged": 61, "reacted": 56, "upvoted": 40, "downvoted": 6,
                                  "reacted_other": 10, "replied": 22},
     "reaction_details": {"upvotes": 50, "downvotes": 8, "other": 12}},
]  # fmt: skip


@pytest.fixture
def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    lake = Lake(tmp_path / "lake")
    for table, rows in (
        ("usage_users", USAGE),
        ("usage_workspace", WORKSPACE),
        ("code_reviews", REVIEWS),
        ("code_review_responses", RESPONSES),
    ):
        write_partition(lake, table, DAY, rows)
    conn = duckdb.connect(str(tmp_path / "codex.duckdb"))
    for table in ANALYTICS_RAW_TABLES:
        create_raw_views(conn, lake, table)
    return conn


def test_every_mart_builds_from_the_lake(warehouse: duckdb.DuckDBPyConnection) -> None:
    written = refresh_marts(
        warehouse, DAY, DAY, MartSettings(), marts={**MARTS, **RECONCILIATION_MARTS}
    )
    assert written == {
        "usage_user_daily": 5,  # 3f0f: all, cli, ide; 9a1c: all, other
        "adoption_daily": 7,  # one day x 7 surfaces
        "spend_by_surface_daily": 7,
        "spend_by_model_daily": 2,  # gpt-5.5/standard, other/NULL
        "spend_by_team_monthly": 1,  # unassigned (no directory)
        "review_impact_daily": 1,
        "usage_reconciliation_daily": 1,
        "user_activity": 2,
    }
    assert warehouse.execute(
        "SELECT user_id, surface, client_ids, threads, credits, cost_usd, total_tokens "
        "FROM marts.usage_user_daily ORDER BY ALL"
    ).fetchall() == [
        ("3f0f5aaf", "all", ["CODEX_CLI", "CODEX_IDE_VSCODE"], 6, 18.75, 1.31, 1458100),
        ("3f0f5aaf", "cli", ["CODEX_CLI"], 4, 14.0, 0.98, None),
        ("3f0f5aaf", "ide", ["CODEX_IDE_VSCODE"], 2, 4.75, None, None),  # no estimate
        ("9a1c0d22", "all", ["CODEX_UNKNOWN_DEFAULT"], 1, 0.9, None, None),
        ("9a1c0d22", "other", ["CODEX_UNKNOWN_DEFAULT"], 1, 0.9, None, None),
    ]
    reconciliation = warehouse.execute(
        "SELECT threads_delta, turns_delta, credits_delta, matches "
        "FROM marts.usage_reconciliation_daily"
    ).fetchone()
    assert reconciliation == (0, 0, 0.0, True)
    review = warehouse.execute(
        "SELECT comments_per_review, engagement_rate, net_sentiment FROM marts.review_impact_daily"
    ).fetchone()
    # 120 / 42; 61 / 120; (50 - 8) / (50 + 8)
    assert review == (pytest.approx(120 / 42), pytest.approx(61 / 120), pytest.approx(42 / 58))


def test_partitions_and_marts_of_an_older_version_keep_working(tmp_path: Path) -> None:
    """A lake landed before `cost_usd` was read, and marts built before `billing_unit`: the
    views still give every column (NULL where the old files lack it, structs included), the
    marts gain the new columns, and a rebuild fills them."""
    lake = Lake(tmp_path / "lake")
    write_partition(lake, "usage_users", DAY, USAGE)
    old = lake.partition_file("usage_users", DAY)
    client = (
        "client_id VARCHAR, threads BIGINT, turns BIGINT, credits DOUBLE, estimated_cost_usd DOUBLE"
    )
    with duckdb.connect() as conn:  # what the previous version landed: no cost_usd anywhere
        conn.execute(
            f"COPY (SELECT * EXCLUDE (cost_usd) REPLACE (clients::STRUCT({client})[] AS clients) "
            f"FROM read_parquet('{old}')) TO '{old}.old' (FORMAT parquet)"
        )
    Path(f"{old}.old").replace(old)
    conn = duckdb.connect(str(tmp_path / "codex.duckdb"))
    for table in ANALYTICS_RAW_TABLES[:1]:
        create_raw_views(conn, lake, table)
    assert conn.execute("SELECT count(*), count(cost_usd) FROM raw.usage_users").fetchone() == (
        2,
        0,
    )
    assert conn.execute("SELECT count(cost_usd) FROM raw.usage_user_clients").fetchone() == (0,)

    refresh_marts(conn, DAY, DAY, MartSettings(), names=["usage_user_daily"])
    conn.execute("ALTER TABLE marts.usage_user_daily DROP COLUMN billed_cost_usd")
    conn.execute("ALTER TABLE marts.usage_user_daily DROP COLUMN billing_unit")  # as built before
    refresh_marts(conn, DAY, DAY, MartSettings(), names=["usage_user_daily"])
    assert conn.execute(
        "SELECT billing_unit, count(*) FROM marts.usage_user_daily GROUP BY ALL"
    ).fetchall() == [("credits", 5)]
