"""The weekly marts, from the main hand-made dataset (March 1-6 2026), and what the dashboard
and the exports read of them.

March 1 2026 is a Sunday: it alone is the ISO week of Monday Feb 23; Mar 2-6 are the week of
Monday Mar 2 (Mar 7 and 8 not loaded). Every expected number is worked out by hand from the
literals of test_marts_rawdata.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from codex_assets.defs.analytics.marts.weekly import WEEKLY_MARTS, refresh_weekly
from tests.unit.test_marts_rawdata import (
    D1,
    D6,
    build_all,
    directory_settings,
    load_main_dataset,
    raw_warehouse,
    rows,
)

rows_of = rows

W1, W2 = date(2026, 2, 23), date(2026, 3, 2)


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory):
    tmp: Path = tmp_path_factory.mktemp("weekly")
    with raw_warehouse(tmp) as raw:
        load_main_dataset(raw)
        build_all(raw.conn, D1, D6, directory_settings(tmp))
        for spec in WEEKLY_MARTS.values():
            refresh_weekly(raw.conn, spec)
        yield raw.conn


def test_weekly_adoption_counts_each_user_once_and_marks_partial_weeks(conn) -> None:
    got = {
        (r["week"], r["surface"]): r
        for r in rows(conn, "SELECT * FROM marts.adoption_weekly WHERE surface IN ('all', 'cli')")
    }
    first, second = got[(W1, "all")], got[(W2, "all")]
    # Mar 1: u1, u2, u3 active; threads 3+1+1, turns 10+2+1.
    assert (first["active_users"], first["threads"], first["turns"]) == (3, 5, 13)
    assert (first["days_loaded"], first["partial"]) == (1, True)
    # Mar 2-6: u1 (2, 5), u3 (2, 3, 5, 6), u4 (2, 6) -> 3 users, though the days count 3+1+2+2.
    assert second["active_users"] == 3
    assert (second["threads"], second["turns"]) == (4 + 1 + 2 + 3, 6 + 1 + 3 + 3)
    assert second["credits"] == pytest.approx(3.2 + 1.0 + 3.0 + 2.0)
    assert (second["days_loaded"], second["partial"]) == (5, True)  # Mar 4 idle but loaded
    # cli in week 2: u3 (Mar 5, 6), u1 (Mar 5), u4 (Mar 6) -> 3; new on cli: u3, u4 (u1 on Mar 1).
    assert (got[(W2, "cli")]["active_users"], got[(W2, "cli")]["new_users"]) == (3, 2)
    assert "wau" not in first and "stickiness" not in first


def test_weekly_ratios_are_recomputed_from_the_week_not_averaged(conn) -> None:
    review = {r["week"]: r for r in rows(conn, "SELECT * FROM marts.review_impact_weekly")}
    # Week 2 holds Mar 2 (0 reviews, 0 comments) and Mar 3 (2 reviews, 3 comments).
    assert review[W2]["comments_per_review"] == pytest.approx(3 / 2)
    # Mar 2: comments 0; Mar 3: engaged 1 of 2 merged comments; upvotes 0, downvotes 2.
    assert review[W2]["engagement_rate"] == pytest.approx(1 / 2)
    assert review[W2]["net_sentiment"] == pytest.approx(-1.0)
    spend = rows(
        conn,
        "SELECT cost_usd, active_users, cost_per_active_user FROM marts.spend_by_surface_weekly "
        "WHERE week = ? AND surface = 'all'",
        [W1],
    )[0]
    # Mar 1: u3's cost is unknown (no estimate, no price) -> the week's cost is NULL, and so
    # is the ratio on it.
    assert spend == {"cost_usd": None, "active_users": 3, "cost_per_active_user": None}


def test_weekly_user_rows_sum_the_users_days(conn) -> None:
    got = rows(
        conn,
        "SELECT week, threads, turns, credits, is_active, email, team FROM marts.usage_user_weekly "
        "WHERE user_id = 'u3' AND surface = 'all' ORDER BY week",
    )
    assert [(r["week"], r["threads"], r["turns"]) for r in got] == [
        (W1, 1, 1),
        (W2, 1 + 1 + 1 + 2, 2 + 1 + 1 + 2),
    ]
    assert got[1]["credits"] == pytest.approx(1.0 + 1.0 + 1.0 + 1.0)
    assert got[1]["email"] == "bob@example.com" and got[1]["team"] == "unassigned"


def test_a_rebuild_replaces_the_weekly_rows(conn) -> None:
    before = rows(conn, "SELECT * FROM marts.adoption_weekly ORDER BY week, surface")
    refresh_weekly(conn, WEEKLY_MARTS["adoption_weekly"])
    assert rows(conn, "SELECT * FROM marts.adoption_weekly ORDER BY week, surface") == before


# -- what the dashboard and the exports read of them ----------------------------------------


def test_the_dashboard_ranking_falls_back_to_weekly_rows_past_its_budget(conn, monkeypatch) -> None:
    from codex_assets.defs.reports import dashboard_data as module

    daily = module.dashboard_data(conn)
    assert daily["user_rows"]["grain"] == "day"
    assert daily["access_tokens"] is None and daily["agents"] is None  # no compliance tables
    monkeypatch.setattr(module, "USER_ROW_BUDGET", 3)
    data = module.dashboard_data(conn)
    rows = data["user_rows"]
    assert rows["grain"] == "week"
    users = data["users"]["label"]
    user = [sum(rows["du"][: i + 1]) for i in range(len(rows["du"]))]
    got = {
        (users[u], data["weeks"][p], s): (t, c)
        for u, p, s, t, c in zip(
            user, rows["p"], rows["s"], rows["threads"], rows["credits"], strict=True
        )
        if s == 0  # `all`
    }
    expected = {
        (r["user_id"], r["week"].isoformat(), 0): (r["threads"], round(r["credits"], 2))
        for r in rows_of(
            conn, "SELECT * FROM marts.usage_user_weekly WHERE surface = 'all' AND is_active"
        )
    }
    assert got == expected


def test_emails_reach_the_page_and_the_exports_only_when_allowed(conn, tmp_path: Path) -> None:
    from codex_assets.defs.reports.dashboard_data import dashboard_data
    from codex_assets.defs.reports.exports import export_analytics

    assert "alice@example.com" not in dashboard_data(conn)["users"]["label"]
    assert "alice@example.com" in dashboard_data(conn, emails=True)["users"]["label"]
    export_analytics(conn, tmp_path / "off")
    first = {p.name: p.read_bytes() for p in (tmp_path / "off").iterdir()}
    assert b"alice@example.com" not in b"".join(first.values())
    export_analytics(conn, tmp_path / "off")  # a re-run gives the same bytes
    assert {p.name: p.read_bytes() for p in (tmp_path / "off").iterdir()} == first
    export_analytics(conn, tmp_path / "on", emails=True)
    assert b"alice@example.com" in (tmp_path / "on" / "user_usage_weekly.csv").read_bytes()
    weekly = (tmp_path / "off" / "workspace_usage_weekly.csv").read_text().splitlines()
    assert weekly[0].startswith("week,days_loaded,partial,surface,active_users")
    assert [line.split(",")[:3] for line in weekly[1:] if ",all," in line] == [
        [W1.isoformat(), "1", "true"],
        [W2.isoformat(), "5", "true"],
    ]


def test_the_dashboard_says_what_to_build_when_tables_are_missing(tmp_path: Path) -> None:
    import duckdb

    from codex_assets.defs.analytics.marts import ensure_schema
    from codex_assets.defs.reports.dashboard_data import dashboard_data

    with duckdb.connect(str(tmp_path / "empty.duckdb")) as conn:
        assert dashboard_data(conn) == {"days": []}  # nothing built: the page says to backfill
        ensure_schema(conn)  # the daily marts, but no weekly mart and no raw view
        with pytest.raises(RuntimeError, match=r"marts\.adoption_weekly.*materialize the marts"):
            dashboard_data(conn)


def test_weekly_lineage_names_columns_of_the_tables_they_are_built_from() -> None:
    from codex_assets.defs.analytics.marts import MARTS

    for spec in WEEKLY_MARTS.values():
        for column in spec.columns:
            for table, name in column.lineage:
                assert table in spec.upstream, (spec.name, column.name, table)
                assert name in MARTS[table.split(".", 1)[1]].column_names, (spec.name, name)
        assert [c.name for c in spec.columns[:1]] == ["week"]
