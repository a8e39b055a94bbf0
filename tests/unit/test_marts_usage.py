"""marts.usage_user_daily and the spend marts, against hand-worked answers.

The dataset is `MAIN_USAGE` in test_marts_rawdata.py (Mar 1-6 2026, users u1-u4); every
number below is worked out from those literals in the comment beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
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
    Client,
    RawData,
    UserDay,
    directory_settings,
    load_main_dataset,
    raw_warehouse,
    rows,
)

from codex_assets.defs.analytics.marts import MartSettings, refresh_mart

approx = pytest.approx


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawData]:
    with raw_warehouse(tmp_path) as data:
        yield data


def _build_usage(conn: duckdb.DuckDBPyConnection, settings: MartSettings) -> int:
    return refresh_mart(conn, "usage_user_daily", D1, D6, settings)


def _usage_row(conn: duckdb.DuckDBPyConnection, day: date, user: str, surface: str) -> dict:
    found = rows(
        conn,
        "SELECT * FROM marts.usage_user_daily WHERE day = ? AND user_id = ? AND surface = ?",
        [day, user, surface],
    )
    assert len(found) == 1, (day, user, surface, found)
    return found[0]


# --- usage_user_daily -------------------------------------------------------------------------


def test_usage_user_daily_has_an_all_row_per_user_day_and_a_row_per_surface_used(
    raw: RawData, tmp_path: Path
) -> None:
    load_main_dataset(raw)
    written = _build_usage(raw.conn, directory_settings(tmp_path))
    keys = raw.conn.execute(
        "SELECT day, user_id, surface FROM marts.usage_user_daily ORDER BY ALL"
    ).fetchall()
    assert keys == [
        (D1, "u1", "all"), (D1, "u1", "cli"), (D1, "u1", "ide"),
        (D1, "u2", "all"), (D1, "u2", "cli"),  # u2: one surface only
        (D1, "u3", "all"), (D1, "u3", "other"),  # CODEX_NEW_THING is unknown -> other
        (D2, "u1", "all"), (D2, "u1", "ide"),  # two IDE clients, one ide row
        (D2, "u3", "all"), (D2, "u3", "cloud"),
        (D2, "u4", "all"), (D2, "u4", "code_review"),
        (D3, "u2", "all"),  # the all-zero row is kept (inactive), no client rows
        (D3, "u3", "all"), (D3, "u3", "desktop"),
        # Mar 4: no usage, no rows
        (D5, "u1", "all"), (D5, "u1", "cli"),
        (D5, "u3", "all"), (D5, "u3", "cli"),
        (D6, "u3", "all"), (D6, "u3", "cli"),
        (D6, "u4", "all"), (D6, "u4", "cli"),
    ]  # fmt: skip
    assert written == 24


def test_all_row_comes_from_totals_and_surface_rows_from_clients(
    raw: RawData, tmp_path: Path
) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, directory_settings(tmp_path))
    u1_all = _usage_row(raw.conn, D1, "u1", "all")
    assert u1_all == {
        "day": D1, "user_id": "u1", "email": "alice@example.com", "team": "platform",
        "cost_centre": "CC-PLAT", "surface": "all",
        "client_ids": ["CODEX_CLI", "CODEX_IDE_VSCODE"],
        "threads": 3, "turns": 10, "credits": approx(6.0), "cost_usd": approx(0.60),
        "uncached_input_tokens": 100, "cached_input_tokens": 200, "output_tokens": 50,
        "total_tokens": 350, "is_active": True, "billing_unit": "credits",
        "billed_cost_usd": None,
    }  # fmt: skip
    # The CLI client row: 2 threads, 6 turns, 4.0 credits, $0.40, tokens 60/120/30/210.
    u1_cli = _usage_row(raw.conn, D1, "u1", "cli")
    assert (u1_cli["threads"], u1_cli["turns"], u1_cli["credits"], u1_cli["cost_usd"]) == (
        2, 6, 4.0, 0.40,
    )  # fmt: skip
    assert u1_cli["total_tokens"] == 210
    # The VS Code row has no estimate and no tokens: cost unknown without a price, tokens NULL
    # (unavailable), not 0.
    u1_ide = _usage_row(raw.conn, D1, "u1", "ide")
    assert u1_ide["cost_usd"] is None
    assert [u1_ide[c] for c in ("uncached_input_tokens", "cached_input_tokens", "output_tokens", "total_tokens")] == [None] * 4  # fmt: skip


def test_clients_of_one_surface_are_summed(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, directory_settings(tmp_path))
    row = _usage_row(raw.conn, D2, "u1", "ide")
    # PyCharm 2 threads, 3 turns, 1.5 credits, $0.15 + Xcode 1, 1, 0.5, $0.05
    assert row["client_ids"] == ["CODEX_IDE_JETBRAINS_PYCHARM", "CODEX_IDE_XCODE"]
    assert (row["threads"], row["turns"]) == (3, 4)  # 2 + 1, 3 + 1
    assert row["credits"] == approx(2.0)  # 1.5 + 0.5
    assert row["cost_usd"] == approx(0.20)  # 0.15 + 0.05


def test_user_without_email_and_user_active_on_one_surface(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, directory_settings(tmp_path))
    u2 = rows(
        raw.conn,
        "SELECT day, surface, email, team, cost_centre, is_active FROM marts.usage_user_daily "
        "WHERE user_id = 'u2' ORDER BY day, surface",
    )
    assert u2 == [
        # matched to the directory by user_id although the API gave no email
        {"day": D1, "surface": "all", "email": None, "team": "data", "cost_centre": "CC-DATA", "is_active": True},
        {"day": D1, "surface": "cli", "email": None, "team": "data", "cost_centre": "CC-DATA", "is_active": True},
        # threads 0, turns 0, credits 0.0: present but not active
        {"day": D3, "surface": "all", "email": None, "team": "data", "cost_centre": "CC-DATA", "is_active": False},
    ]  # fmt: skip
    zero = _usage_row(raw.conn, D3, "u2", "all")
    assert zero["client_ids"] == []
    assert zero["cost_usd"] == 0.0  # no credits used: costs nothing, even with no price


def test_directory_matches_by_email_case_insensitively_and_absent_users_are_unassigned(
    raw: RawData, tmp_path: Path
) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, directory_settings(tmp_path))
    teams = raw.conn.execute(
        "SELECT DISTINCT user_id, email, team, cost_centre FROM marts.usage_user_daily ORDER BY ALL"
    ).fetchall()
    assert teams == [
        ("u1", "alice@example.com", "platform", "CC-PLAT"),
        ("u2", None, "data", "CC-DATA"),
        ("u3", "bob@example.com", "unassigned", None),  # not in the directory
        ("u4", "Carol@Example.com", "platform", None),  # directory has carol@example.com
    ]


def test_without_a_directory_everyone_is_unassigned(raw: RawData) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, MartSettings())
    assert raw.conn.execute(
        "SELECT DISTINCT team, cost_centre FROM marts.usage_user_daily"
    ).fetchall() == [("unassigned", None)]


def test_credits_only_counts_as_active(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, directory_settings(tmp_path))
    row = _usage_row(raw.conn, D2, "u4", "code_review")  # CODEX_GITHUB: 0 threads, 0 turns, 0.2
    assert (row["threads"], row["turns"], row["is_active"]) == (0, 0, True)


def test_missing_estimate_uses_the_configured_price_and_never_replaces_an_estimate(
    raw: RawData, tmp_path: Path
) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, directory_settings(tmp_path, usd_per_credit=0.05))
    assert _usage_row(raw.conn, D1, "u1", "ide")["cost_usd"] == approx(0.10)  # 2.0 x 0.05
    assert _usage_row(raw.conn, D1, "u1", "all")["cost_usd"] == approx(0.60)  # the API's estimate
    assert _usage_row(raw.conn, D1, "u3", "all")["cost_usd"] == approx(0.025)  # 0.5 x 0.05
    assert _usage_row(raw.conn, D3, "u3", "desktop")["cost_usd"] == approx(0.05)  # 1.0 x 0.05


def test_missing_estimate_without_a_price_is_null(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    _build_usage(raw.conn, directory_settings(tmp_path))
    assert _usage_row(raw.conn, D1, "u3", "all")["cost_usd"] is None
    assert _usage_row(raw.conn, D3, "u3", "desktop")["cost_usd"] is None


def test_a_surface_mixing_known_and_unknown_cost_is_unknown(raw: RawData, tmp_path: Path) -> None:
    raw.user_day(
        UserDay(
            D1, "u7", None, 2, 2, 3.0, 0.30,
            clients=(Client("CODEX_WEB", 1, 1, 1.0, 0.10), Client("CODEX_SLACK", 1, 1, 2.0, None)),
        )
    )  # fmt: skip
    refresh_mart(raw.conn, "usage_user_daily", D1, D1, directory_settings(tmp_path))
    cloud = _usage_row(raw.conn, D1, "u7", "cloud")
    assert cloud["credits"] == approx(3.0)  # 1.0 + 2.0
    assert cloud["cost_usd"] is None  # $0.10 + unknown: the total is unknown, not $0.10


# --- spend_by_surface_daily ---------------------------------------------------------------------


def _spend(conn: duckdb.DuckDBPyConnection, day: date) -> dict[str, dict]:
    return {
        r.pop("surface"): r
        for r in rows(
            conn,
            "SELECT * EXCLUDE (day) FROM marts.spend_by_surface_daily WHERE day = ?",
            [day],
        )
    }


def test_spend_by_surface_without_a_price(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    settings = directory_settings(tmp_path)
    _build_usage(raw.conn, settings)
    written = refresh_mart(raw.conn, "spend_by_surface_daily", D1, D6, settings)
    assert written == 42  # 6 days x 7 surfaces, idle Mar 4 included
    mar1 = _spend(raw.conn, D1)
    # all: credits 6.0 + 1.0 + 0.5; cost 0.60 + 0.10 + unknown (u3) -> NULL; u3's 0.5 uncosted;
    # tokens: u1's only (u2 and u3 have none) -> 100/200/50/350
    assert mar1["all"] == {
        "credits": approx(7.5), "cost_usd": None, "uncosted_credits": approx(0.5),
        "active_users": 3, "cost_per_active_user": None,
        "uncached_input_tokens": 100, "cached_input_tokens": 200, "output_tokens": 50,
        "total_tokens": 350, "billing_unit": "credits", "billed_cost_usd": None,
    }  # fmt: skip
    # cli: u1 4.0 ($0.40, tokens 60/120/30/210) + u2 1.0 ($0.10, no tokens)
    assert mar1["cli"] == {
        "credits": approx(5.0), "cost_usd": approx(0.50), "uncosted_credits": 0.0,
        "active_users": 2, "cost_per_active_user": approx(0.25),  # 0.50 / 2
        "uncached_input_tokens": 60, "cached_input_tokens": 120, "output_tokens": 30,
        "total_tokens": 210, "billing_unit": "credits", "billed_cost_usd": None,
    }  # fmt: skip
    assert mar1["ide"]["cost_usd"] is None  # VS Code: no estimate, no price
    assert mar1["ide"]["uncosted_credits"] == approx(2.0)
    assert mar1["ide"]["total_tokens"] is None  # all NULL in -> NULL out
    assert (mar1["other"]["credits"], mar1["other"]["active_users"]) == (approx(0.5), 1)
    # Surfaces nobody used: zero spend, and cost per active user NULL (0 users), not 0 or inf.
    for surface in ("cloud", "desktop", "code_review"):
        assert mar1[surface] == {
            "credits": 0.0, "cost_usd": 0.0, "uncosted_credits": 0.0, "active_users": 0,
            "cost_per_active_user": None, "uncached_input_tokens": None,
            "cached_input_tokens": None, "output_tokens": None, "total_tokens": None,
            "billing_unit": None, "billed_cost_usd": None,
        }  # fmt: skip
    # Mar 3: u3 1.0 credits with unknown cost + u2's inactive zero row ($0): 1 active user.
    mar3 = _spend(raw.conn, D3)
    assert (mar3["all"]["credits"], mar3["all"]["cost_usd"], mar3["all"]["active_users"]) == (
        approx(1.0), None, 1,
    )  # fmt: skip


def test_spend_by_surface_with_a_price(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    settings = directory_settings(tmp_path, usd_per_credit=0.05)
    _build_usage(raw.conn, settings)
    refresh_mart(raw.conn, "spend_by_surface_daily", D1, D6, settings)
    mar1 = _spend(raw.conn, D1)
    # all: 0.60 + 0.10 + 0.5 x 0.05 = 0.725, over 3 active users
    assert mar1["all"]["cost_usd"] == approx(0.725)
    assert mar1["all"]["uncosted_credits"] == 0.0
    assert mar1["all"]["cost_per_active_user"] == approx(0.725 / 3)
    assert mar1["ide"]["cost_usd"] == approx(0.10)  # 2.0 x 0.05
    assert mar1["other"]["cost_usd"] == approx(0.025)  # 0.5 x 0.05


def test_a_day_without_any_usage_has_zero_rows_for_every_surface(
    raw: RawData, tmp_path: Path
) -> None:
    load_main_dataset(raw)
    settings = directory_settings(tmp_path)
    _build_usage(raw.conn, settings)
    refresh_mart(raw.conn, "spend_by_surface_daily", D1, D6, settings)
    mar4 = _spend(raw.conn, D4)
    assert sorted(mar4) == ["all", "cli", "cloud", "code_review", "desktop", "ide", "other"]
    assert {(r["credits"], r["cost_usd"], r["active_users"], r["cost_per_active_user"]) for r in mar4.values()} == {
        (0.0, 0.0, 0, None)
    }  # fmt: skip


# --- spend_by_model_daily -----------------------------------------------------------------------


def test_spend_by_model(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    written = refresh_mart(raw.conn, "spend_by_model_daily", D1, D6, directory_settings(tmp_path))
    got = rows(
        raw.conn,
        "SELECT day, model, speed, credits, cost_usd, uncosted_credits, active_users, "
        "total_tokens FROM marts.spend_by_model_daily ORDER BY day, model, speed NULLS FIRST",
    )
    assert got == [
        # u3 0.5, no estimate
        {"day": D1, "model": "gpt-5.4", "speed": "fast", "credits": 0.5, "cost_usd": None,
         "uncosted_credits": 0.5, "active_users": 1, "total_tokens": None},
        # u1 5.0 ($0.50, 315 tokens) + u2 1.0 ($0.10, no tokens)
        {"day": D1, "model": "gpt-5.5", "speed": "standard", "credits": approx(6.0),
         "cost_usd": approx(0.60), "uncosted_credits": 0.0, "active_users": 2, "total_tokens": 315},
        # u1's unrecognised model, speed NULL kept
        {"day": D1, "model": "other", "speed": None, "credits": 1.0, "cost_usd": None,
         "uncosted_credits": 1.0, "active_users": 1, "total_tokens": None},
        # u3 1.0 ($0.10)
        {"day": D2, "model": "gpt-5.5", "speed": "fast", "credits": 1.0, "cost_usd": approx(0.10),
         "uncosted_credits": 0.0, "active_users": 1, "total_tokens": None},
        # u1 2.0 ($0.20) + u4 0.2 ($0.02)
        {"day": D2, "model": "gpt-5.5", "speed": "standard", "credits": approx(2.2),
         "cost_usd": approx(0.22), "uncosted_credits": 0.0, "active_users": 2, "total_tokens": None},
        # u3 1.0, no estimate
        {"day": D3, "model": "gpt-5.5", "speed": "standard", "credits": 1.0, "cost_usd": None,
         "uncosted_credits": 1.0, "active_users": 1, "total_tokens": None},
    ]  # fmt: skip
    assert written == 6


def test_spend_by_model_with_a_price(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    refresh_mart(
        raw.conn, "spend_by_model_daily", D1, D6, directory_settings(tmp_path, usd_per_credit=0.05)
    )
    costs = dict(
        raw.conn.execute(
            "SELECT day || ' ' || model || ' ' || coalesce(speed, '-'), cost_usd "
            "FROM marts.spend_by_model_daily"
        ).fetchall()
    )
    assert costs["2026-03-01 other -"] == approx(0.05)  # 1.0 x 0.05
    assert costs["2026-03-01 gpt-5.4 fast"] == approx(0.025)  # 0.5 x 0.05
    assert costs["2026-03-01 gpt-5.5 standard"] == approx(0.60)  # estimates kept


# --- spend_by_team_monthly ----------------------------------------------------------------------


def _teams(conn: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    return {
        r.pop("team"): r
        for r in rows(conn, "SELECT * FROM marts.spend_by_team_monthly ORDER BY team")
    }


def test_spend_by_team_monthly(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    settings = directory_settings(tmp_path)
    _build_usage(raw.conn, settings)
    written = refresh_mart(raw.conn, "spend_by_team_monthly", D1, D6, settings)
    march = date(2026, 3, 1)
    assert _teams(raw.conn) == {
        # u1 6.0 + 2.0 + 2.0 ($0.60 + 0.20 + 0.20) and u4 0.2 + 1.0 ($0.02 + 0.10):
        # 11.2 credits, $1.12, 2 users, $0.56 each
        "platform": {
            "month": march,
            "credits": approx(11.2),
            "cost_usd": approx(1.12),
            "uncosted_credits": 0.0,
            "active_users": 2,
            "cost_per_active_user": approx(0.56),
            "billing_unit": "credits",
            "billed_cost_usd": None,
        },
        # u2 1.0 ($0.10) + the zero row (0 credits, $0)
        "data": {
            "month": march,
            "credits": 1.0,
            "cost_usd": approx(0.10),
            "uncosted_credits": 0.0,
            "active_users": 1,
            "cost_per_active_user": approx(0.10),
            "billing_unit": "credits",
            "billed_cost_usd": None,
        },
        # u3 0.5 + 1.0 + 1.0 + 1.0 + 1.0; Mar 1 (0.5) and Mar 3 (1.0) have no estimate
        "unassigned": {
            "month": march,
            "credits": approx(4.5),
            "cost_usd": None,
            "uncosted_credits": approx(1.5),
            "active_users": 1,
            "cost_per_active_user": None,
            "billing_unit": "credits",
            "billed_cost_usd": None,
        },
    }  # fmt: skip  (team "ghosts" is in the directory but has no usage: no row)
    assert written == 3


def test_spend_by_team_monthly_with_a_price(raw: RawData, tmp_path: Path) -> None:
    load_main_dataset(raw)
    settings = directory_settings(tmp_path, usd_per_credit=0.05)
    _build_usage(raw.conn, settings)
    refresh_mart(raw.conn, "spend_by_team_monthly", D1, D6, settings)
    # u3: 0.5 x 0.05 + 0.10 + 1.0 x 0.05 + 0.10 + 0.10 = 0.375
    assert _teams(raw.conn)["unassigned"]["cost_usd"] == approx(0.375)


def test_spend_by_team_monthly_rebuilds_the_whole_month_a_range_touches(
    raw: RawData, tmp_path: Path
) -> None:
    load_main_dataset(raw)
    settings = directory_settings(tmp_path)
    _build_usage(raw.conn, settings)
    refresh_mart(raw.conn, "spend_by_team_monthly", D5, D5, settings)
    # Refreshing Mar 5 alone still sums all of March: platform 11.2 credits as above.
    assert _teams(raw.conn)["platform"]["credits"] == approx(11.2)
    refreshed = raw.conn.execute(
        "SELECT partition_day, rows FROM marts.refreshed_partitions "
        "WHERE mart = 'spend_by_team_monthly'"
    ).fetchall()
    assert refreshed == [(date(2026, 3, 1), 3)]


# --- billing unit -----------------------------------------------------------------------------


def test_a_usd_billed_workspace_is_costed_in_what_it_was_billed(
    raw: RawData, tmp_path: Path
) -> None:
    """A USD-billed workspace reports a native cost_usd instead of credits: that is the cost
    (never credits x a price), and the unit is carried into every spend mart."""
    settings = directory_settings(tmp_path, usd_per_credit=0.05)  # must not be applied
    # u1 is billed in USD ($1.20 = $0.80 CLI + $0.40 IDE); u2 in credits (2.0 x 0.05 = $0.10).
    raw.user_day(
        UserDay(
            D1, "u1", None, 3, 9, None, billed=1.20,
            clients=(
                Client("CODEX_CLI", 2, 6, None, billed=0.80),
                Client("CODEX_IDE_VSCODE", 1, 3, None, billed=0.40),
            ),
        )
    )  # fmt: skip
    raw.user_day(UserDay(D1, "u2", None, 1, 2, 2.0, clients=(Client("CODEX_CLI", 1, 2, 2.0),)))
    refresh_mart(raw.conn, "usage_user_daily", D1, D1, settings)
    refresh_mart(raw.conn, "spend_by_surface_daily", D1, D1, settings)
    refresh_mart(raw.conn, "spend_by_team_monthly", D1, D1, settings)

    u1 = _usage_row(raw.conn, D1, "u1", "all")
    assert (u1["billing_unit"], u1["billed_cost_usd"], u1["cost_usd"], u1["credits"]) == (
        "usd", approx(1.20), approx(1.20), None,
    )  # fmt: skip
    assert u1["is_active"]
    cli = _usage_row(raw.conn, D1, "u1", "cli")
    assert (cli["billing_unit"], cli["cost_usd"]) == ("usd", approx(0.80))
    u2 = _usage_row(raw.conn, D1, "u2", "all")
    assert (u2["billing_unit"], u2["billed_cost_usd"], u2["cost_usd"]) == (
        "credits", None, approx(0.10),
    )  # fmt: skip

    spend = _spend(raw.conn, D1)
    # all: $1.20 billed + 2.0 credits priced at $0.10; a group of both units says so.
    assert spend["all"]["billing_unit"] == "credits+usd"
    assert spend["all"]["billed_cost_usd"] == approx(1.20)
    assert spend["all"]["cost_usd"] == approx(1.30)
    assert spend["all"]["credits"] == approx(2.0)  # only what was reported in credits
    assert (spend["ide"]["billing_unit"], spend["ide"]["cost_usd"]) == ("usd", approx(0.40))
    assert spend["cloud"]["billing_unit"] is None  # no usage
    teams = {r["team"]: r for r in rows(raw.conn, "SELECT * FROM marts.spend_by_team_monthly", [])}
    assert (teams["platform"]["billing_unit"], teams["platform"]["cost_usd"]) == (  # u1
        "usd", approx(1.20),
    )  # fmt: skip
    assert (teams["data"]["billing_unit"], teams["data"]["billed_cost_usd"]) == (  # u2
        "credits", None,
    )  # fmt: skip
